"""`junit.xml`: the gates as JUnit test cases, so any CI shows which requirement failed."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from reports.formatting import metric
from reports.summary import RunSummary, Verdict


def render_junit(summary: RunSummary) -> bytes:
    """One test suite per run: a test case per gate, one for the run's validity, and one for a
    drill's detection."""
    drill = summary.drill
    failures = sum(1 for g in summary.gates if not g.passed) + (1 if drill and not drill.passed else 0)
    errors = 1 if summary.verdict is Verdict.INVALID else 0
    tests = len(summary.gates) + 1 + (1 if drill else 0)
    suites = etree.Element("testsuites", name="peakload", tests=str(tests),
                           failures=str(failures), errors=str(errors), time=f"{summary.duration_s:.3f}")
    suite = etree.SubElement(suites, "testsuite", name=f"peakload.{summary.scenario}",
                             tests=str(tests), failures=str(failures),
                             errors=str(errors), skipped="0", time=f"{summary.duration_s:.3f}")
    properties = etree.SubElement(suite, "properties")
    for name, value in (("target", summary.target), ("verdict", summary.verdict.value),
                        ("achieved_rate", summary.achieved_rate),
                        ("intended_rate", summary.intended_rate)):
        etree.SubElement(properties, "property", name=name, value=str(value))
    validity = etree.SubElement(suite, "testcase", classname=f"peakload.{summary.scenario}",
                                name="run is valid", time="0")
    if errors:
        etree.SubElement(validity, "error", message="; ".join(summary.reasons),
                         type="invalid_run").text = "\n".join(summary.reasons)
    for gate in summary.gates:
        case = etree.SubElement(suite, "testcase", classname=f"peakload.{summary.scenario}",
                                name=gate.name, time="0")
        if not gate.passed:
            unit = gate.gate.metric if gate.gate else None
            value, threshold = metric(gate.value, unit), metric(gate.threshold, unit)
            etree.SubElement(case, "failure", message=f"value {value} does not meet {gate.name}",
                             type="gate_failed").text = f"threshold {threshold}, value {value}"
    if drill is not None:
        case = etree.SubElement(suite, "testcase", classname=f"peakload.{summary.scenario}",
                                name=f"drill {drill.fault} pages {drill.alert} within budget",
                                time=f"{drill.paged_s or 0:.3f}")
        if not drill.passed:
            etree.SubElement(case, "failure", message=drill.verdict_reason,
                             type="drill_failed").text = drill.verdict_reason
    return etree.tostring(suites, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_junit(summary: RunSummary, path: Path) -> None:
    """Write `junit.xml`."""
    path.write_bytes(render_junit(summary))
