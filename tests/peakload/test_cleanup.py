"""`peakload cleanup` against the mock: after a run, no list of the run is left other than cancelled,
returned or rejected (checked through the mock's query endpoints); a second cleanup sends nothing; a
run killed with SIGKILL leaves a manifest a cleanup uses."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

from locustfiles.manifest import read_manifest
from peakload.cleanup_log import LOG_FILE
from peakload.embedded_mock import embedded_mock
from tests.cli import peakload, trusted_run

DATA = Path(__file__).resolve().parents[1] / "data"
WITHDRAWN = {"cancelled", "returned"}


def lists_left(url: str, run: Path) -> list[tuple[str, int, str | None]]:
    """The run's inventory lists that the platform still holds (neither withdrawn nor rejected)."""
    left = []
    for document in read_manifest(run).documents.values():
        if document.message_type.value != "CEB621" or not document.delivered:
            continue
        found = httpx.get(f"{url}/ceb/inventories/{document.keys['copNo']}",
                          params={"agentCode": document.keys["agentCode"]}).json()
        if found["closed"] not in WITHDRAWN and found["returnStatus"] != 100:
            left.append((document.keys["copNo"], found["returnStatus"], found["closed"]))
    return left


def attempts(run: Path) -> int:
    return sum(1 for line in (run / LOG_FILE).read_text().splitlines() if json.loads(line)["kind"] == "attempt")


def test_a_cleanup_withdraws_every_list_of_a_run_and_a_second_one_sends_nothing(tmp_path):
    run = tmp_path / "run"
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--arrival-required",)) as url:
        done = trusted_run(str(DATA / "flows.yaml"), "--target", url, "--id-tag", "CL", out=run)
        assert done.returncode == 0, done.stdout + done.stderr
        assert lists_left(url, run), "the run should have left released lists to withdraw"
        first = peakload("cleanup", str(run), "--target", url, "--max-rate", "100", "--wait", "20")
        assert first.returncode == 0, first.stdout + first.stderr
        assert lists_left(url, run) == []
        orders = [d for d in read_manifest(run).documents.values() if d.message_type.value == "CEB311"]
        assert "deleted (appType 3)" in first.stdout and "returned (CEB625)" in first.stdout
        sent = attempts(run)
        second = peakload("cleanup", str(run), "--target", url, "--wait", "5")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "0 withdrawals sent now" in second.stdout and attempts(run) == sent > len(orders) / 2


def test_export_lists_waiting_for_the_port_are_cancelled(tmp_path):
    scenario = tmp_path / "exports.yaml"  # no arrival at the port: every export list waits at 399
    scenario.write_text((DATA / "export.yaml").read_text().split("followups:")[0]
                        + "generator: {concurrency: 16, drain: 2s, seed: 10}\n")
    run = tmp_path / "run"
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log") as url:
        trusted_run(str(scenario), "--target", url, "--id-tag", "EX", out=run)
        exports = [d for d in read_manifest(run).documents.values() if d.message_type.value == "CEB603"]
        done = peakload("cleanup", str(run), "--target", url, "--max-rate", "100", "--wait", "20")
        states = {httpx.get(f"{url}/ceb/inventories/{d.keys['copNo']}", params={"agentCode": d.keys["agentCode"]})
                  .json()["closed"] for d in exports}
    assert done.returncode == 0, done.stdout + done.stderr
    assert exports and states == {"cancelled"} and "cancelled (CEB605)" in done.stdout


def test_a_run_killed_with_sigkill_leaves_a_manifest_the_cleanup_uses(tmp_path):
    run = tmp_path / "run"
    # Customs takes seconds to accept a list here: the killed run's lists are still open, to be cancelled.
    with embedded_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--customs-profile", "realistic")) as url:
        generator = subprocess.Popen([sys.executable, "-m", "peakload", "run", str(DATA / "tiny.yaml"), "--target", url,
                                      "--id-tag", "K1", "--out", str(run), "--quiet"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and _sent_lines(run) < 60:
                time.sleep(0.2)
            locust = [p for p in psutil.Process(generator.pid).children(recursive=True) if "locust" in " ".join(p.cmdline())]
            assert locust, "the generator was not found running"
            for process in locust:
                process.send_signal(signal.SIGKILL)
            generator.communicate(timeout=120)
        finally:
            generator.kill()
        manifest = read_manifest(run)
        lists = [d for d in manifest.documents.values() if d.message_type.value == "CEB621"]
        assert manifest.headers[0]["tag"] == "K1" and len(manifest.documents) >= 60 and manifest.unreadable_lines <= 1
        assert lists and not (run / "results.json").exists()
        done = peakload("cleanup", str(run), "--target", url, "--max-rate", "100", "--wait", "20")
        assert "cancelled (CEB623)" in done.stdout, done.stdout + done.stderr
        assert lists_left(url, run) == []
    # What could not be withdrawn is the orders, payments and waybills of lists sent in the last
    # second before the kill (not in the manifest): matched with those lists, they cannot go alone.
    with_list = {d.parcel for d in lists}
    log = [json.loads(line) for line in (run / LOG_FILE).read_text().splitlines()]
    attempted = {line["guid"]: manifest.documents[line["of"]] for line in log if line["kind"] == "attempt"}
    refused = [attempted[line["guid"]] for line in log if line["kind"] == "answer" and line["status"] == 100]
    assert all(d.message_type.value != "CEB621" and d.parcel not in with_list for d in refused), refused
    assert len(refused) <= 3 * 20 and (done.returncode == 0) == (not refused), done.stdout


def _sent_lines(run: Path) -> int:
    path = run / "manifest.jsonl"
    return path.read_text().count('"kind":"sent"') if path.exists() else 0


def test_cleanup_refuses_what_it_cannot_use(tmp_path):
    assert peakload("cleanup", str(tmp_path), "--target", "http://127.0.0.1:9").returncode == 64  # no manifest
    (tmp_path / "manifest.jsonl").write_text("")
    both = peakload("cleanup", str(tmp_path))
    assert both.returncode == 64 and "--profile or its --target" in both.stderr
    remote = peakload("cleanup", str(tmp_path), "--target", "http://192.0.2.10:8080")
    assert remote.returncode == 64 and "--confirm-target 192.0.2.10" in remote.stderr
