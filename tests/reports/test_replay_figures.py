"""The summary and the report say what a run really replayed: the real time it covered, the orders
it sent and how long its curve held near its peak, in wall time."""

import re

import pytest

from reports.gates import judge
from reports.render_html import render_html
from reports.summary import RunSummary
from scenarios.loader import load
from scenarios.replay import Replay, replayed
from tests.reports.runs import festival_summary


def test_the_report_states_the_real_time_covered_and_the_time_near_the_peak():
    stretch = replayed(load("double11-midnight-hour"), Replay(window="00:00..00:10"))
    summary = judge(festival_summary(), stretch)
    figures = summary.figures
    # 00:00-00:01 climbs from 2.5 to 150 orders/s (at or above 135 for its last 6.1 s), then 9 minutes at 150.
    assert figures.real_duration_s == 600 and figures.near_peak_wall_s == pytest.approx(546.1, abs=0.05)
    assert RunSummary.model_validate_json(summary.model_dump_json()).figures == figures
    line = re.search(r'<span id="replay">([^<]*)</span>', render_html(summary)).group(1)
    assert line == ("covers 10 min of real time, to 2018-11-11 00:10:00; 7,250 orders sent; at or above 90% "
                    "of its peak of 150 orders/s for 9 min 06 s of wall time")
