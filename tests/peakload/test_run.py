"""`peakload run` end to end: real Locust, real mock platform, real HTTP on loopback."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from peakload.embedded_mock import embedded_mock
from tests.cli import peakload, trusted_run

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"
INTERRUPT = TINY.with_name("interrupt.yaml")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    done = trusted_run(str(TINY), out=out)
    return done, out


def test_tiny_run_passes_and_writes_its_summary(tiny_run):
    done, out = tiny_run
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verdict: pass" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["verdict"] == "pass" and summary["target"] == "mock"
    assert summary["orders_intended"] == 80
    assert summary["orders_sent"] == 80
    assert abs(summary["achieved_rate"] / summary["intended_rate"] - 1) <= 0.05
    assert set(summary["message_types"]) == {"CEB311", "CEB411", "CEB511", "CEB621"}
    for stats in summary["message_types"].values():
        assert stats["failures"] == 0
        assert 0 < stats["latency_ms"]["p50"] <= stats["latency_ms"]["p95"] <= stats["latency_ms"]["p99"] \
            <= stats["latency_ms"]["max"]
    lists = summary["message_types"]["CEB621"]["requests"]
    assert summary["receipts_by_status"]["800"] == summary["clean_lists_released"] == summary["clean_lists_sent"]
    assert summary["receipts_by_status"]["100"] >= summary["defect_lists_sent"] > 0
    assert summary["clean_lists_sent"] + summary["defect_lists_sent"] == lists
    assert {g["name"] for g in summary["gates"]} == {
        "achieved_ratio >= 0.95", "error_ratio < 0.01", "released_ratio >= 0.99"}
    assert all(g["passed"] for g in summary["gates"])
    # the target's own count, read from its /metrics, agrees with the generator's
    assert summary["target_metrics"]["intake_by_outcome"]["accepted"] == summary["requests"]
    # end-to-end business latency, from the parties' receipt feeds
    assert 0 < summary["declared_to_cleared_s"]["p50"] <= summary["clearance_s"]["p50"]
    assert summary["clearance_s"]["count"] == summary["clean_lists_released"]
    assert summary["order_to_release_s"]["p50"] >= summary["clearance_s"]["p50"]


def test_bad_scenario_exits_64_naming_file_key_and_value(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text().replace("rate: 20", "rate: -1"))
    done = peakload("run", str(bad), "--out", str(tmp_path / "out"))
    assert done.returncode == 64
    assert str(bad) in done.stderr and "curve.0.hold.rate" in done.stderr and "-1" in done.stderr


def test_non_loopback_target_is_refused_without_confirmation(tmp_path):
    done = peakload("run", str(TINY), "--target", "http://192.0.2.10:8080", "--out", str(tmp_path))
    assert done.returncode == 64 and "--confirm-target 192.0.2.10" in done.stderr


def test_unreachable_target_is_an_invalid_run(tmp_path):
    import socket
    with socket.socket() as s:  # a loopback port with nothing listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = peakload("run", str(TINY), "--target", f"http://127.0.0.1:{port}", "--out", str(tmp_path))
    assert done.returncode == 2 and "unreachable" in done.stderr
    # CI's test view still says why: every report is written for a run that never started.
    assert {"summary.json", "junit.xml", "summary.md", "report.html"} <= {p.name for p in tmp_path.iterdir()}
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["verdict"] == "invalid" and "unreachable" in " ".join(summary["reasons"])
    assert "unreachable" in (tmp_path / "junit.xml").read_text()


def test_report_renders_in_chromium_with_its_charts_and_no_console_errors(tiny_run):
    from tests.reports.browser import render

    _, out = tiny_run
    page = render(out / "report.html")
    assert page.console_errors == []
    assert 'data-charts="6"' in page.dom and 'data-drawn="6"' in page.dom  # 3 time series, 3 counts
    assert 'id="verdict">pass<' in page.dom
    html = (out / "report.html").read_text()
    for fetch in ('src="http', "src='http", 'href="http', "href='http", "url(http", "@import"):
        assert fetch not in html  # self-contained: opens offline


def test_junit_and_markdown_are_written(tiny_run):
    from lxml import etree

    _, out = tiny_run
    suites = etree.parse(str(out / "junit.xml")).getroot()
    suite = suites.find("testsuite")
    cases = suite.findall("testcase")
    assert suites.tag == "testsuites" and int(suite.get("tests")) == len(cases) == 4
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    assert "| `released_ratio >= 0.99` | 99 % | 100 % | pass |" in (out / "summary.md").read_text()


def test_reports_render_again_from_the_summary_alone(tiny_run, tmp_path):
    import shutil

    _, out = tiny_run
    shutil.copy(out / "summary.json", tmp_path / "summary.json")
    done = peakload("report", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"summary.json", "report.html", "junit.xml", "summary.md"}
    assert peakload("report", str(tmp_path / "missing")).returncode == 64


def test_a_run_with_every_follow_up_against_a_platform_holding_direct_mail_for_arrival(tmp_path):
    out = tmp_path / "run"
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--arrival-required",)) as url:
        done = trusted_run(str(TINY.with_name("flows.yaml")), "--target", url, out=out)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((out / "summary.json").read_text())
    sent = {name: m["requests"] - m["failures"] for name, m in summary["message_types"].items()}
    assert sent["CEB711"] == sent["CEB513"] == 80 and sent["CEB623"] > 0 and sent["CEB625"] > 0
    assert summary["clean_lists_released"] == summary["clean_lists_sent"] > 0  # amended ones included
    assert summary["receipts_by_status"]["399"] > summary["clean_lists_sent"]  # cancels and returns approved


def test_a_mixed_run_releases_every_platforms_parcels(tmp_path):
    done = trusted_run(str(TINY.with_name("mix.yaml")), out=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["clean_lists_released"] == summary["clean_lists_sent"] == summary["orders_sent"] == 100


def test_exports_clear_through_arrival_departure_and_summary_beside_imports(tmp_path):
    out = tmp_path / "run"
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log") as url:
        done = trusted_run(str(TINY.with_name("export.yaml")), "--target", url, out=out)
        stats = httpx.get(f"{url}/stats/daily").json()
        first = httpx.get(f"{url}/ceb/inventories/W00C1EXC000000001", params={"agentCode": "5001960004"}).json()
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((out / "summary.json").read_text())
    types = summary["message_types"]
    exports = types["CEB603"]["requests"]
    assert exports > 0 and types["CEB507"]["failures"] == types["CEB509"]["failures"] == 0
    assert types["CEB509"]["requests"] == exports
    assert summary["receipts_by_status"]["899"] == exports  # every export list closed (结关)
    assert stats["documentsByMessageType"]["CEB701"] >= 1 and first["closed"] == "summarised"


def test_the_generator_tallies_first_transfers_and_sends_released_lists_out_in_exit_batches(tmp_path):
    out = tmp_path / "run"
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--tally-first",)) as url:
        done = peakload("run", str(TINY.with_name("bonded.yaml")), "--target", url, "--out", str(out))
        stock = httpx.get(f"{url}/bonded/stock/T8000W000001").json()["items"]
        moved = httpx.get(f"{url}/bonded/stock/T8000W000002").json()["items"]
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["clean_lists_released"] == summary["clean_lists_sent"] == 80
    exited = sum(float(line["exited"]) for line in stock.values())
    released = sum(float(line["released"]) for line in stock.values())
    assert exited > 0 and released == 0  # every released list left the zone
    assert all(float(line["tallied"]) == 100000 for line in stock.values())
    transferred = {float(line["tallied"]) for line in moved.values()}  # the same amount of each item
    assert len(transferred) == 1 and transferred.pop() >= 30  # at least three transfers of 10
    assert all(float(stock[record]["transferredOut"]) == float(line["tallied"]) for record, line in moved.items())


def test_credentials_in_the_target_url_reach_no_file_and_no_output(tmp_path):
    out = tmp_path / "run"
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log") as url:
        with_credentials = url.replace("http://", "http://declarer:s3cret-pw@")
        done = trusted_run(str(TINY), "--target", with_credentials, out=out)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "s3cret-pw" not in done.stdout + done.stderr
    written = [path for path in out.rglob("*") if path.is_file()]
    assert {"summary.json", "results.json", "report.html"} <= {path.name for path in written}
    leaking = [path.name for path in written if b"s3cret-pw" in path.read_bytes()]
    assert leaking == []
    assert json.loads((out / "summary.json").read_text())["target"] == url


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_keeps_what_it_sent_and_leaves_no_process_behind(tmp_path, signum):
    out = tmp_path / "run"
    # SIGINT as a terminal delivers it, even where the test runs as a background job (which ignores it).
    run = subprocess.Popen([sys.executable, "-m", "peakload", "run", str(INTERRUPT), "--quiet", "--out", str(out)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler))
    progress = out / "progress.json"
    deadline = time.monotonic() + 90
    while not progress.exists() or json.loads(progress.read_text())["sent"] < 40:
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.1)
    children = psutil.Process(run.pid).children(recursive=True)
    assert len(children) >= 2  # the generator and the embedded mock
    run.send_signal(signum)
    stdout, stderr = run.communicate(timeout=120)
    assert run.returncode == 130, stdout + stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["verdict"] == "invalid"
    assert summary["reasons"][0].startswith(f"run aborted: interrupted by {signum.name}")
    assert 40 <= summary["requests"] and summary["orders_sent"] < summary["orders_intended"]
    assert (out / "report.html").exists() and (out / "junit.xml").exists()
    assert f"interrupted by {signum.name}: what was sent until then is in {out}" in stderr
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


def test_a_run_again_against_the_same_platform_needs_its_own_id_tag(tmp_path):
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log") as url:
        first = trusted_run(str(TINY), "--target", url, "--quiet", out=tmp_path / "first")
        again = peakload("run", str(TINY), "--target", url, "--quiet", "--out", str(tmp_path / "again"))
        tagged = trusted_run(str(TINY), "--target", url, "--id-tag", "R2", "--quiet", out=tmp_path / "tagged")
    assert first.returncode == 0, first.stdout + first.stderr
    assert again.returncode == 2 and "the target already had 320 of 320 messages" in again.stdout
    assert tagged.returncode == 0, tagged.stdout + tagged.stderr
