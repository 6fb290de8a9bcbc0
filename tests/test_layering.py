"""The architecture's one-way data flow, pinned: nothing imports against it."""

import subprocess
import sys

import pytest

CHECK = """
import sys
import {module}
bad = sorted(m for m in sys.modules if m.split('.')[0] in {forbidden!r})
print(','.join(bad))
"""


@pytest.mark.parametrize("module,forbidden", [
    ("mock_platform.app", {"locust", "gevent", "locustfiles", "scenarios", "reports", "peakload"}),
    ("ceb.codec", {"locust", "gevent", "mock_platform", "locustfiles", "scenarios", "reports"}),
    ("scenarios.loader", {"locust", "gevent", "locustfiles", "mock_platform", "reports", "peakload"}),
    ("reports.gates", {"locust", "gevent", "mock_platform", "peakload"}),
    ("locustfiles.schedule", {"locust", "gevent", "mock_platform", "reports", "peakload"}),
    ("monitoring.oncall.app", {"locust", "gevent", "locustfiles", "mock_platform", "peakload"}),
    ("monitoring.catalog", {"locust", "gevent", "locustfiles", "mock_platform", "reports", "peakload"}),
    ("monitoring.grafana.dashboards", {"locust", "gevent", "locustfiles", "mock_platform", "reports", "peakload"}),
    ("monitoring.drills", {"locust", "gevent", "locustfiles", "mock_platform", "reports", "peakload"}),
    ("locustfiles.exports", {"locust", "gevent", "mock_platform", "reports", "peakload"}),
    ("mock_platform.export_desk", {"locust", "gevent", "locustfiles", "scenarios", "reports", "peakload"}),
    ("reports.drill", {"locust", "gevent", "mock_platform", "peakload", "monitoring"}),
    ("safe_yaml", {"ceb", "locustfiles", "mock_platform", "monitoring", "peakload", "reports", "scenarios"}),
])
def test_module_does_not_import_against_the_flow(module, forbidden):
    done = subprocess.run([sys.executable, "-c", CHECK.format(module=module, forbidden=forbidden)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"{module} imports {done.stdout.strip()}"
