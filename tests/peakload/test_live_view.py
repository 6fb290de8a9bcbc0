import io

from rich.console import Console

from locustfiles.progress import Progress, read_progress
from peakload.live_view import live_progress, progress_table
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


def test_the_live_view_is_a_plain_line_every_few_seconds_off_a_terminal():
    out = io.StringIO()
    console = Console(file=out, width=40)  # a pipe: not a terminal
    scenario = load("double11-smoke")
    with live_progress(scenario, console, every_s=3600) as show:
        show([])
        show([part()])  # within the interval: not shown
    with live_progress(scenario, console, every_s=0) as show:
        show([part(finished=True), part(elapsed_s=60, finished=True)])
    lines = out.getvalue().splitlines()
    assert lines[0] == "peakload: starting the generator ..."
    assert lines[1] == ("peakload: 1m of 1m (real time 1h): 1,980 of 2,000 messages sent, 78.0/80.0 per s, "
                        "p99 12.5 ms, errors / 429 20 (1.01%) / 8, waiting for the last receipts")
    assert len(lines) == 2  # one line each, whatever the width


def test_the_live_view_is_a_table_on_a_terminal():
    out = io.StringIO()
    console = Console(file=out, width=100, force_terminal=True)
    with live_progress(load("double11-smoke"), console) as show:
        show([part()])
    assert "990 sent of 1,000 due" in out.getvalue() and "peakload:" not in out.getvalue()
