"""A store-only run (appStatus 1): the mock stores its documents and declares none, the run passes
without its release gates (shown as not applicable), and a cleanup finds nothing to withdraw."""

import json
from pathlib import Path

import httpx

from peakload.embedded_mock import embedded_mock
from tests.cli import peakload, trusted_run

DATA = Path(__file__).resolve().parents[1] / "data"


def test_a_store_only_run_passes_without_release_gates_and_leaves_nothing_to_withdraw(tmp_path):
    run = tmp_path / "run"
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log") as url:
        done = trusted_run(str(DATA / "tiny.yaml"), "--target", url, "--id-tag", "ST", "--store-only", out=run)
        assert done.returncode == 0, done.stdout + done.stderr
        summary = json.loads((run / "summary.json").read_text())
        assert set(summary["receipts_by_status"]) == {"1"} and summary["clean_lists_released"] == 0
        assert [g["name"] for g in summary["gates"] if g["value"] is None] == [
            "released_ratio >= 0.99 (not applicable: store-only, nothing declared)"]
        assert httpx.get(f"{url}/ceb/inventories/STW00T00000000000001", params={"agentCode": "5001960004"}).status_code == 404
        cleanup = peakload("cleanup", str(run), "--target", url, "--wait", "2")
    assert cleanup.returncode == 0 and "0 withdrawals sent now" in cleanup.stdout, cleanup.stdout + cleanup.stderr
    assert "stored only" in cleanup.stdout
