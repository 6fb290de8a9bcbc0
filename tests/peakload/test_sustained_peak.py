"""The sustained peak, live: ten minutes of `double11-midnight-hour` at its plateau (150 orders/s,
about 600 messages/s once the waves arrive) in real time against the embedded mock.

Heavy: it loads this machine's two cores for ten minutes and more, so it runs only when asked:
PEAKLOAD_SUSTAINED=1.
"""

import json
import os
import re

import pytest

from tests.cli import trusted_run

pytestmark = pytest.mark.skipif(os.environ.get("PEAKLOAD_SUSTAINED") != "1",
                                reason="ten minutes of real-time peak load: set PEAKLOAD_SUSTAINED=1 to run it")

PACING_TOLERANCE = 0.01  # per 10 s, sent against due


def test_the_midnight_plateau_is_held_for_ten_minutes_at_its_pace(tmp_path):
    done = trusted_run("double11-midnight-hour", "--window", "00:00..00:10", "--quiet", out=tmp_path,
                       timeout=3600)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    figures = summary["figures"]
    assert figures["run_duration_s"] == 600 and figures["near_peak_wall_s"] >= 540  # the plateau, in wall time
    timeline = summary["timeline"]
    due, sent = timeline["intended_per_s"], timeline["sent_per_s"]
    for start in range(0, 600, 10):
        window_due, window_sent = sum(due[start:start + 10]), sum(sent[start:start + 10])
        assert abs(window_sent - window_due) <= PACING_TOLERANCE * window_due, (start, window_sent, window_due)
    plateau = [sum(due[s:s + 10]) for s in range(60, 600, 10)]
    assert min(plateau) >= 0.9 * 150 * 10  # orders alone, before their documents join them
    report = (tmp_path / "report.html").read_text()
    assert re.search(r'id="clock">replays real time from 2018-11-11 00:00:00', report)
