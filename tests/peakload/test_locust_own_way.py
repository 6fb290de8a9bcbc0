"""`locust -f peakload/locustfile.py`: Locust's own command line replays a scenario and ends as
`peakload run` does; without a scenario it refuses at once."""

import json
import subprocess
import sys
from pathlib import Path

from peakload.embedded_mock import embedded_mock

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "peakload" / "locustfile.py"
TINY = ROOT / "tests" / "data" / "tiny.yaml"


def locust(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_a_headless_locust_run_ends_with_the_verdict_and_every_report(tmp_path: Path):
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log") as url:
        done = locust("--headless", "--scenario", str(TINY), "--host", url, "--id-tag", "LO", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verdict: pass" in done.stdout
    folders = list((tmp_path / "reports" / "out").iterdir())
    assert len(folders) == 1 and folders[0].name.endswith("-tiny")
    summary = json.loads((folders[0] / "summary.json").read_text())
    assert summary["verdict"] == "pass" and len(summary["gates"]) == 3
    assert {"report.html", "junit.xml", "summary.md"} <= {p.name for p in folders[0].iterdir()}


def test_without_a_scenario_locust_refuses_at_once(tmp_path: Path):
    done = locust("--headless", "--host", "http://127.0.0.1:9", "-t", "5s", cwd=tmp_path, timeout=60)
    assert done.returncode == 64, done.stdout + done.stderr
    assert "give --scenario" in done.stderr
    assert "Traceback" not in done.stderr
