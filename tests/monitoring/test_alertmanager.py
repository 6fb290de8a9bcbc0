"""Alertmanager routing: the config is valid, every alert reaches a receiver by its severity, and
pages take the promotion-window route."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.monitoring.test_prometheus import alerts

CONFIG = Path(__file__).resolve().parents[2] / "monitoring" / "alertmanager" / "alertmanager.yml"


def amtool(*args: str) -> subprocess.CompletedProcess:
    tool = shutil.which("amtool")
    if tool is None:
        pytest.skip("amtool is not installed (Debian package `prometheus-alertmanager`; .ci/run installs it)")
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)


def receivers(**labels: str) -> list[str]:
    done = amtool("config", "routes", "test", f"--config.file={CONFIG}",
                  *(f"{k}={v}" for k, v in labels.items()))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split(",")


def test_the_config_is_valid():
    done = amtool("check-config", str(CONFIG))
    assert done.returncode == 0 and "SUCCESS" in done.stdout, done.stdout + done.stderr


def test_every_alert_reaches_the_receiver_its_severity_calls_for():
    for rule in alerts():
        labels = {"alertname": rule["alert"], **rule["labels"]}
        got = receivers(**labels)
        if labels.get("team") == "load-test":
            assert got == ["load-test-owner"], rule["alert"]
        elif labels["severity"] == "page":
            # promotion-window route (active in 6·18 and 11·11 windows) and the everyday route
            # (muted in them): exactly one of the two notifies at any time.
            assert got == ["oncall-page-promotion", "oncall-page"], rule["alert"]
        else:
            assert got == ["oncall-ticket"], rule["alert"]
