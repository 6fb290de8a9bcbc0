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
