from rich.console import Console

from locustfiles.progress import Progress, read_progress
from peakload.live_view import progress_table
from scenarios.loader import load


def render(table) -> str:
    console = Console(width=100, record=True)
    console.print(table)
    return console.export_text()


def part(**kw) -> Progress:
    base = dict(elapsed_s=30, load_s=60, intended=1000, sent=990, failed=10, throttled=4,
                intended_rate=40, sent_rate=39, p99_ms=12.5)
    return Progress(**{**base, **kw})


def test_the_live_view_sums_every_process():
    text = render(progress_table(load("double11-smoke"), [part(), part(p99_ms=30.0)]))
    assert "30s of 1m (real time 30m of 1h)" in text
    assert "78.0 sent / 80.0 due messages/s" in text
    assert "1,980 sent of 2,000 due" in text and "30.0 ms" in text
    assert "20 (1.01%) / 8" in text


def test_the_live_view_shows_a_stop_loss(tmp_path):
    part(stopped_by="stop-loss: error_ratio < 0.05 over 3 s broke at 9 s").write(tmp_path / "progress.json")
    (tmp_path / "progress-w1.json").write_text("{half a fi")  # being replaced: skipped
    parts = read_progress(tmp_path)
    assert len(parts) == 1
    scenario = load("smoke")
    assert "broke at 9 s" in render(progress_table(scenario, parts))
