"""peakload as a user installs it: the wheel built from this checkout, installed into a fresh
virtualenv outside it, and its commands run from a folder of their own.

The virtualenv is a real fresh one (no --system-site-packages, no path into the checkout's venv), so
a file the commands read but the wheel leaves out, or an import that works only from the checkout,
fails here. The wheel and the virtualenv are made once a session: on the 2-core development
machine building the wheel takes 5 s and the virtualenv with every dependency 62 s (from a local
package index; pip's cache keeps the downloads after the first time), the commands 45 s more.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ceb", "locustfiles", "mock_platform", "monitoring", "package_files", "peakload", "reports",
            "safe_yaml", "scenarios", "targets")
# Data files under the packages that no command reads: the alert rules' unit tests, which
# promtool runs from the checkout (.ci/run, tests/monitoring).
NOT_SHIPPED = {"monitoring/prometheus/tests/alerts_test.yml"}


def _clean_env() -> dict[str, str]:
    """The environment of a user's shell: nothing that points into the checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (built,) = dist.glob("peakload-*.whl")
    return built


@pytest.fixture(scope="session")
def installed(wheel, tmp_path_factory) -> Path:
    """The bin folder of a fresh virtualenv, outside the checkout, with the wheel installed."""
    venv = tmp_path_factory.mktemp("venv")
    assert ROOT not in venv.parents
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
                          capture_output=True, text=True, env=_clean_env(), timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return venv / "bin"


@pytest.fixture
def user_folder(tmp_path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def _peakload(bin_dir: Path, folder: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "peakload"), *args], cwd=folder, capture_output=True, text=True,
                          env=_clean_env(), timeout=timeout, check=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "peakload mock exited before it was ready"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} not ready within {timeout:.0f} s")


def test_every_data_file_of_the_packages_is_in_the_wheel(wheel):
    tracked = subprocess.run(["git", "ls-files", *PACKAGES], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    data = {f for f in tracked if not f.endswith(".py")} - NOT_SHIPPED
    shipped = set(zipfile.ZipFile(wheel).namelist())
    assert data, "no data files found: the package list is out of date"
    assert data <= shipped, f"left out of the wheel: {sorted(data - shipped)}"


def test_the_installed_packages_come_from_the_virtualenv(installed, user_folder):
    done = subprocess.run([str(installed / "python"), "-c",
                           "import locustfiles, peakload, scenarios; print(locustfiles.__file__)"],
                          cwd=user_folder, capture_output=True, text=True, env=_clean_env(), check=True)
    location = Path(done.stdout.strip())
    assert installed.parent in location.parents and ROOT not in location.parents


def test_version_scenarios_and_grafana_export_from_another_folder(installed, user_folder):
    version = _peakload(installed, user_folder, "--version")
    assert version.returncode == 0 and version.stdout.startswith("peakload "), version.stderr
    listed = _peakload(installed, user_folder, "scenarios", "list")
    assert listed.returncode == 0, listed.stderr
    assert "double11-smoke" in listed.stdout and "national-618" in listed.stdout
    exported = _peakload(installed, user_folder, "grafana", "export", "--out", "dashboards")
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in (user_folder / "dashboards").glob("*.json")) == [
        "peakload-oncall.json", "peakload-platform.json", "peakload-run.json"]


def test_mock_starts_answers_and_stops(installed, user_folder):
    port = _free_port()
    mock = subprocess.Popen([str(installed / "peakload"), "mock", "--port", str(port), "--db", "mock.db"],
                            cwd=user_folder, env=_clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/readyz", mock)
        openapi = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5)
        assert openapi.status_code == 200 and "/ceb/messages" in openapi.json()["paths"]
    finally:
        mock.send_signal(signal.SIGTERM)
        _, stderr = mock.communicate(timeout=60)
    # uvicorn drains, shuts the app down, then re-raises SIGTERM: -15 is its clean exit.
    assert mock.returncode == -signal.SIGTERM and b"Traceback" not in stderr, stderr.decode()[-2000:]
    assert (user_folder / "mock.db").exists()


def test_run_a_library_scenario_from_another_folder(installed, user_folder):
    done = _peakload(installed, user_folder, "run", "smoke", "--quiet", "--compression", "3", "--out", "run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("verdict: pass")
    assert {"summary.json", "report.html", "junit.xml"} <= {p.name for p in (user_folder / "run").iterdir()}


@pytest.fixture
def monitoring_binaries() -> None:
    if not shutil.which("prometheus") or not (shutil.which("alertmanager") or shutil.which("prometheus-alertmanager")):
        pytest.skip("Prometheus and Alertmanager are not installed (.ci/run installs Debian's packages)")


def test_stack_up_and_down_from_another_folder(installed, user_folder, monitoring_binaries):
    port = _free_port()
    mock = subprocess.Popen([str(installed / "peakload"), "mock", "--port", str(port), "--db", "mock.db"],
                            cwd=user_folder, env=_clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/readyz", mock)
        up = _peakload(installed, user_folder, "stack", "up", "--platform", f"127.0.0.1:{port}", "--compression", "5")
        try:
            assert up.returncode == 0, up.stdout + up.stderr
            rules = httpx.get("http://127.0.0.1:9090/api/v1/rules", timeout=5).json()["data"]["groups"]
            assert any(rule["name"] == "CebPlatformDown" for group in rules for rule in group["rules"])
        finally:
            down = _peakload(installed, user_folder, "stack", "down")
        assert down.returncode == 0, down.stderr
        assert not (user_folder / ".peakload-stack" / "stack.json").exists()
    finally:
        mock.send_signal(signal.SIGTERM)
        mock.wait(timeout=60)
