"""The open model's honesty: latency from the intended send time, and a generator that knows
when it, not the target, was the bottleneck."""

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from peakload.embedded_mock import start_mock
from tests.conftest import ADMIN_TOKEN

DATA = Path(__file__).resolve().parents[1] / "data"


def accepted(url: str) -> float:
    text = httpx.get(f"{url}/metrics").text
    return sum(float(line.split()[-1]) for line in text.splitlines()
               if line.startswith("ceb_platform_intake_messages_total") and 'outcome="accepted"' in line)


def run_with_fault(tmp_path: Path, scenario: str, fault: dict, after_accepted: int) -> tuple[int, dict]:
    """Run a scenario against a mock and inject `fault` once it has accepted that many messages;
    the run's exit status and summary."""
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--admin-token", ADMIN_TOKEN))
    out = tmp_path / "run"
    try:
        run = subprocess.Popen([sys.executable, "-m", "peakload", "run", str(DATA / scenario),
                                "--target", mock.url, "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while accepted(mock.url) < after_accepted and time.monotonic() < deadline:
            time.sleep(0.02)
        injected = httpx.post(f"{mock.url}/admin/faults", json=fault,
                              headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert injected.status_code == 201
        output, _ = run.communicate(timeout=120)
    finally:
        mock.stop()
    assert (out / "summary.json").exists(), output
    return run.returncode, json.loads((out / "summary.json").read_text())


def test_a_stall_shows_in_corrected_latency_not_in_raw(tmp_path):
    # About 2.5 s into the run the mock freezes for 2.5 s.
    status, summary = run_with_fault(tmp_path, "stall.yaml", {"kind": "stall", "duration_s": 2.5}, 200)
    assert status == 0
    assert summary["latency_ms"]["p99"] >= 2000, summary["latency_ms"]
    assert summary["raw_latency_ms"]["p99"] < 1000, summary["raw_latency_ms"]
    assert summary["late_arrivals"] > 0


def test_a_saturated_generator_makes_the_run_invalid(tmp_path):
    done = subprocess.run([sys.executable, "-m", "peakload", "run", str(DATA / "saturate.yaml"),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 2, done.stdout + done.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["verdict"] == "invalid"
    assert any("generator saturated" in reason for reason in summary["reasons"])


def test_a_stop_loss_gate_ends_the_run_and_says_which_and_when(tmp_path):
    # A few seconds in, half of all requests start to fail.
    status, summary = run_with_fault(tmp_path, "stoploss.yaml",
                                     {"kind": "error", "ratio": 0.5, "duration_s": 60}, 300)
    assert status == 1
    assert summary["verdict"] == "fail"
    assert summary["reasons"][0].startswith("stop-loss: error_ratio < 0.05 over 3 s broke at")
    assert summary["duration_s"] < 20  # of the 30 s planned
    (gate,) = summary["gates"]
    assert not gate["passed"] and gate["value"] > 0.05
