"""`peakload drill`: a short live drill through the real Prometheus, Alertmanager and on-call
receiver (compressed ten times), which must page within the runbook's budget."""

import json
import shutil
import subprocess
import sys

import pytest
from lxml import etree

from tests.monitoring.test_prometheus import alerts


def test_an_error_drill_pages_within_budget_and_resolves(tmp_path):
    if not shutil.which("prometheus") or not (shutil.which("alertmanager") or shutil.which("prometheus-alertmanager")):
        pytest.skip("Prometheus and Alertmanager are not installed (.ci/run installs Debian's packages)")
    out = tmp_path / "drill"
    # From a folder of its own with the default --state (relative, as a user's), output piped.
    done = subprocess.run([sys.executable, "-m", "peakload", "drill", "error", "--compression", "10",
                           "--out", str(out)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    for phase in ("starting the mock platform", f"{len(alerts())} alerts loaded", "quiet traffic before the fault",
                  "fault on (error)", "s  alert pending", "s  page received", "s  page resolved",
                  "stopping the stack"):
        assert phase in done.stderr, (phase, done.stderr)
    assert not (tmp_path / ".peakload-drill" / "stack.json").exists()  # stopped
    assert not (out / "mock.db").exists()  # run folders stay small without --keep-db
    drill = json.loads((out / "summary.json").read_text())["drill"]
    assert drill["alert"] == "CebPlatformErrorBudgetBurnFast" and drill["quiet_before"]
    assert 0 < drill["pending_s"] <= drill["fired_s"] <= drill["paged_s"]
    assert drill["paged_s"] * 10 <= drill["budget_s"] == 240
    assert drill["paged_s"] <= drill["cleared_s"] < drill["resolved_s"]
    assert drill["page_resolved_s"] > drill["cleared_s"]  # on-call heard the all-clear
    assert 'id="drill"' in (out / "report.html").read_text()
    cases = etree.parse(str(out / "junit.xml")).findall(".//testcase")
    assert any(c.get("name").startswith("drill error") and c.find("failure") is None for c in cases)
    assert "within the runbook's 4 min budget" in done.stdout
    assert "Bearer" not in (out / "mock.log").read_text()  # the admin token stays out of logs
