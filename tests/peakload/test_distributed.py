"""Distributed generation on Locust's engine: two worker processes, merged exactly on the master."""

import json
import subprocess
import sys

from hdrh.histogram import HdrHistogram

from locustfiles.results import RunResults
from tests.peakload.test_run import TINY


def test_two_worker_run_merges_to_the_sum_of_its_parts(tmp_path):
    done = subprocess.run([sys.executable, "-m", "peakload", "run", str(TINY), "--processes", "2",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr
    merged = RunResults.read(tmp_path / "results.json")
    parts = [RunResults.read(tmp_path / f"results-worker{i}.json") for i in (0, 1)]
    assert merged.worker_count == 2 and {p.worker_index for p in parts} == {0, 1}
    assert all(p.orders_sent > 0 for p in parts)  # both workers carried load
    assert merged.orders_sent == sum(p.orders_sent for p in parts) == 80
    for name, stats in merged.message_types.items():
        assert stats.sent == sum(p.message_types[name].sent for p in parts)
        merged_count = HdrHistogram.decode(stats.corrected_hdr).get_total_count()
        assert merged_count == sum(HdrHistogram.decode(p.message_types[name].corrected_hdr)
                                   .get_total_count() for p in parts) == stats.sent
    assert merged.clean_lists_released == sum(p.clean_lists_released for p in parts)
    assert merged.receipts_by_status["800"] == sum(p.receipts_by_status.get("800", 0) for p in parts)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["workers"] == 2 and summary["verdict"] == "pass"
    assert summary["receipts_by_status"]["800"] == summary["clean_lists_sent"]
