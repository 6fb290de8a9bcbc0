"""`peakload baseline save` and `peakload gate` end to end: a clean run saved as the baseline, a
second clean run passes against it, a run with a latency fault injected into the mock regresses."""

from pathlib import Path

import httpx

from peakload.embedded_mock import start_mock
from tests.cli import peakload, trusted_run
from tests.conftest import ADMIN_TOKEN

SCENARIO = Path(__file__).resolve().parents[1] / "data" / "gate.yaml"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_latency_fault_regresses_against_a_clean_baseline_and_a_clean_run_passes(tmp_path):
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--admin-token", ADMIN_TOKEN))
    try:
        runs = {}
        for name, tag in (("clean1", "C1"), ("clean2", "C2"), ("faulted", "F1")):
            if name == "faulted":
                fault = {"kind": "latency", "delay_ms": 150, "duration_s": 120}
                assert httpx.post(f"{mock.url}/admin/faults", json=fault, headers=AUTH).status_code == 201
            # One mock for all three: each run needs identifiers of its own, or the later ones send
            # the first one's documents again and are judged invalid (the target had them already).
            done = trusted_run(str(SCENARIO), "--target", mock.url, "--id-tag", tag, out=tmp_path / name)
            assert done.returncode == 0, done.stdout + done.stderr
            runs[name] = tmp_path / name
    finally:
        mock.stop()
    saved = peakload("baseline", "save", str(runs["clean1"]), "--as", "gate", "--dir", str(tmp_path / "b"))
    assert saved.returncode == 0, saved.stderr
    baseline = tmp_path / "b" / "gate.json"

    clean = peakload("gate", str(runs["clean2"]), "--baseline", str(baseline))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "verdict: pass" in clean.stdout

    faulted = peakload("gate", str(runs["faulted"] / "summary.json"), "--baseline", str(baseline))
    assert faulted.returncode == 1, faulted.stdout + faulted.stderr
    assert "verdict: regressed" in faulted.stdout


def test_gate_usage_errors_exit_64(tmp_path):
    assert peakload("gate", str(tmp_path / "nothing"), "--baseline", str(tmp_path / "b.json")).returncode == 64
