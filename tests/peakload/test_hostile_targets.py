"""The generator against hostile targets: every answer is untrusted, so a run always ends within
its bound, with its report and a named reason, never a traceback."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.cli import peakload
from tests.peakload.hostile_target import hostile_target

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny.yaml"  # 4 s of load, drain 15 s


@pytest.mark.parametrize("feed, words", [
    ("html", "text/html, not JSON"), ("stuck", "did not advance"), ("redirect", "redirects are not followed")])
def test_a_hostile_receipts_feed_and_metrics_page_end_in_a_report_naming_the_feed(feed, words, tmp_path: Path):
    out = tmp_path / "run"
    started = time.monotonic()
    with hostile_target(feed) as (url, target):
        done = peakload("run", str(TINY), "--target", url.replace("http://", "http://declarer:p@ss-w0rd@"),
                        "--quiet", "--out", str(out), timeout=180)
    took = time.monotonic() - started
    assert done.returncode == 1, done.stdout + done.stderr  # no list released: the gate fails
    summary = json.loads((out / "summary.json").read_text())
    assert any(reason.startswith("receipts feed:") and words in reason for reason in summary["reasons"]), \
        summary["reasons"]
    assert summary["target_metrics"] is None  # the sign-in page is not read as figures
    assert (out / "report.html").exists() and (out / "junit.xml").exists()
    assert "Traceback" not in (out / "locust.log").read_text()
    # Polite: the feed is polled within its budget (20 requests/s) and backed off, never in a loop.
    receipt_requests = target.requests["/ceb/receipts"]
    assert receipt_requests <= 20 * took, (receipt_requests, took)
    assert took < 60, took  # 4 s of load and a 15 s drain
    leaking = [p.name for p in out.rglob("*") if p.is_file() and b"p@ss-w0rd" in p.read_bytes()]
    assert leaking == [] and "p@ss-w0rd" not in done.stdout + done.stderr


def test_the_target_url_is_not_on_the_generators_command_line(tmp_path: Path):
    with hostile_target("html") as (url, _):
        run = subprocess.Popen([sys.executable, "-m", "peakload", "run", str(TINY), "--quiet", "--out",
                                str(tmp_path / "run"), "--target", url.replace("http://", "http://u:s3cret@")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            command_lines = []
            deadline = time.monotonic() + 60
            while run.poll() is None and time.monotonic() < deadline and not command_lines:
                command_lines = [p.read_bytes() for p in Path("/proc").glob("[0-9]*/cmdline")
                                 if _readable(p) and b"locust" in _readable(p)]
                time.sleep(0.05)
            assert command_lines, "the generator never started"
            assert not any(b"s3cret" in line for line in command_lines)
        finally:
            run.wait(timeout=120)


def _readable(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # a process that ended meanwhile
        return b""


def test_a_target_that_never_answers_holds_a_run_no_longer_than_its_bound(tmp_path: Path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)  # the kernel accepts connections; nobody ever answers
    profile = tmp_path / "silent.yaml"
    profile.write_text(yaml.safe_dump({"name": "silent", "url": f"http://127.0.0.1:{listener.getsockname()[1]}",
                                       "request_timeout_s": 2}))
    started = time.monotonic()
    try:
        done = peakload("run", str(TINY), "--profile", str(profile), "--quiet", "--out", str(tmp_path / "run"),
                        timeout=180)
    finally:
        listener.close()
    took = time.monotonic() - started
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert done.returncode == 2 and summary["verdict"] == "invalid", summary["reasons"]
    assert any("the target stopped answering" in reason for reason in summary["reasons"]), summary["reasons"]
    # The bound: 2 x 16 senders' unanswered requests (two rounds of the 2 s request timeout, each
    # read within twice that), then the senders' last requests; peakload itself starts in ~5 s.
    assert took < 30, f"a silent target held a 4 s run for {took:.0f} s"
