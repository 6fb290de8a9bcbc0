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


def test_a_stall_shows_in_corrected_latency_not_in_raw(tmp_path):
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--admin-token", ADMIN_TOKEN))
    out = tmp_path / "run"
    try:
        run = subprocess.Popen([sys.executable, "-m", "peakload", "run", str(DATA / "stall.yaml"),
                                "--target", mock.url, "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while accepted(mock.url) < 200 and time.monotonic() < deadline:  # about 2.5 s into the run
            time.sleep(0.02)
        stall = httpx.post(f"{mock.url}/admin/faults", json={"kind": "stall", "duration_s": 2.5},
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert stall.status_code == 201
        output, _ = run.communicate(timeout=120)
    finally:
        mock.stop()
    assert run.returncode == 0, output
    summary = json.loads((out / "summary.json").read_text())
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
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--admin-token", ADMIN_TOKEN))
    out = tmp_path / "run"
    try:
        run = subprocess.Popen([sys.executable, "-m", "peakload", "run", str(DATA / "stoploss.yaml"),
                                "--target", mock.url, "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while accepted(mock.url) < 300 and time.monotonic() < deadline:  # a few seconds in
            time.sleep(0.02)
        fault = httpx.post(f"{mock.url}/admin/faults", json={"kind": "error", "ratio": 0.5, "duration_s": 60},
                           headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert fault.status_code == 201
        output, _ = run.communicate(timeout=120)
    finally:
        mock.stop()
    assert run.returncode == 1, output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["verdict"] == "fail"
    assert summary["reasons"][0].startswith("stop-loss: error_ratio < 0.05 over 3 s broke at")
    assert summary["duration_s"] < 20  # of the 30 s planned
    (gate,) = summary["gates"]
    assert not gate["passed"] and gate["value"] > 0.05
