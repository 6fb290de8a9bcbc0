from lxml import etree

from reports.render_junit import render_junit
from reports.summary import GateResult, Verdict
from tests.reports.test_gates import summary


def test_failed_gates_are_failures_and_an_invalid_run_is_an_error():
    failing = summary(gates=[GateResult(name="latency_p99_ms < 100", threshold=100, value=900, passed=False),
                             GateResult(name="error_ratio < 0.01", threshold=0.01, value=0, passed=True)],
                      verdict=Verdict.INVALID, reasons=["generator saturated: CPU 97%"])
    suites = etree.fromstring(render_junit(failing))
    suite = suites.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    failed = [c.get("name") for c in suite.findall("testcase") if c.find("failure") is not None]
    assert failed == ["latency_p99_ms < 100"]
    error = suite.find("testcase/error")
    assert "generator saturated" in error.get("message")


def test_the_digests_print_gate_figures_in_their_units_and_statuses_by_name():
    from reports.render_markdown import render_markdown
    from tests.reports.runs import festival_summary

    run = festival_summary()
    text = render_markdown(run)
    assert "| `error_ratio < 0.001` | 0.1 % | 6.18 % | **FAIL** |" in text
    assert "| CEB311 | 7,245 | 448 | 7.11 | 160 | 312 |" in text
    assert "100 退单 18" in text and "120 入库 9,000" in text
    failure = etree.fromstring(render_junit(run)).find(".//testcase[@name='latency_p99_ms < 250']/failure")
    assert failure.get("message") == "value 312 ms does not meet latency_p99_ms < 250"
