"""`peakload stack up|down` with Debian's Prometheus and Alertmanager on loopback."""

import shutil

import httpx
import pytest

from tests.cli import peakload
from tests.monitoring.test_prometheus import alerts


def test_stack_comes_up_with_the_rules_loaded_and_goes_down(tmp_path):
    if not shutil.which("prometheus") or not (shutil.which("alertmanager") or shutil.which("prometheus-alertmanager")):
        pytest.skip("Prometheus and Alertmanager are not installed (.ci/run installs Debian's packages)")
    state = tmp_path / "stack"
    started = peakload("stack", "up", "--state", str(state))
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        loaded = httpx.get("http://127.0.0.1:9090/api/v1/rules").json()["data"]["groups"]
        names = {rule["name"] for group in loaded for rule in group["rules"] if rule["type"] == "alerting"}
        assert names == {rule["alert"] for rule in alerts()}
        assert httpx.get("http://127.0.0.1:9093/api/v2/status").json()["config"]["original"]
        assert httpx.get("http://127.0.0.1:9095/pages").json() == {"pages": []}
        assert peakload("stack", "up", "--state", str(state)).returncode == 64  # already up
    finally:
        stopped = peakload("stack", "down", "--state", str(state))
    assert "prometheus" in stopped.stdout
    for port in (9090, 9093, 9095):
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
