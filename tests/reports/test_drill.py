"""A drill's timeline: the pass rule, and how the reports show it."""

from lxml import etree

from reports.drill import DrillTimeline
from reports.render_junit import render_junit
from reports.render_markdown import render_markdown
from tests.reports.test_gates import summary


def timeline(**steps) -> DrillTimeline:
    return DrillTimeline(fault="error", alert="CebPlatformErrorBudgetBurnFast", compression=10,
                         budget_s=240, onset_at=1.8e9, quiet_before=steps.pop("quiet_before", True), **steps)


def test_a_drill_passes_only_when_paged_within_the_budget_in_production_time():
    assert timeline(paged_s=23.9).passed  # 239 s in production
    assert not timeline(paged_s=24.1).passed  # 241 s: over the 4 min budget
    assert not timeline().passed  # never paged
    assert not timeline(paged_s=1, quiet_before=False).passed  # firing before the fault: no measure
    assert "OVER" in timeline(paged_s=30).verdict_reason
    assert "never paged" in timeline().verdict_reason


def test_the_timeline_reaches_markdown_and_junit():
    drilled = summary().model_copy(update={"drill": timeline(pending_s=4, fired_s=16, paged_s=40)})
    text = render_markdown(drilled)
    assert "| page received | 40.0 s | 400 s |" in text and "| alert pending | 4.0 s | 40 s |" in text
    suite = etree.fromstring(render_junit(drilled)).find("testsuite")
    case = [c for c in suite.findall("testcase") if c.get("name").startswith("drill error")][0]
    assert case.find("failure") is not None and suite.get("failures") == "1"
