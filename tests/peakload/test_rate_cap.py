"""The target profile's hard cap (max_rate, max_messages) and its allowed hosts: the limiter each
generator process releases through, the plan checked before any load (refused, or clipped with
--clip-to-cap), and real runs over two generator processes against a mock the test starts."""

import json
import random
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from locustfiles.rate_cap import CapShare, RateCap, busiest_window
from peakload.caps import PlanTimes, cap_problems, fit_to_cap
from peakload.embedded_mock import start_mock
from peakload.runner import LOCUSTFILE, locust_environment
from scenarios.loader import load
from targets import ProfileError, TargetProfile, load_profile
from tests.cli import peakload, trusted_run

TINY = Path("tests/data/tiny.yaml")


class FakeClock:
    """A clock that moves only when slept on (and, to be unkind, wakes a little late)."""

    def __init__(self, late_s: float = 0.0) -> None:
        self.now, self.late_s = 0.0, late_s

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds + self.late_s


def write_profile(folder: Path, url: str, **fields) -> Path:
    path = folder / "capped.yaml"
    path.write_text(yaml.safe_dump({"name": "capped", "transport": "ceb-http", "url": url,
                                    "receipts": {"interval_s": 0.5}, **fields}), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------- the limiter

def test_shares_split_the_cap_so_they_never_add_up_to_more():
    shares = [CapShare.of(45, 1001, index, 2) for index in (0, 1)]
    assert [s.per_window for s in shares] == [22, 22] and all(s.window_s == 1.0 for s in shares)
    assert sum(s.total for s in shares) == 1001 and {s.total for s in shares} == {500, 501}
    slow = CapShare.of(1, None, 0, 4)
    assert (slow.per_window, slow.window_s, slow.total) == (1, 4.0, None)
    assert CapShare.of(None, None, 0, 1) is None


def test_busiest_window_counts_a_half_open_second():
    assert busiest_window([]) == 0
    assert busiest_window([0.0, 0.5, 0.999, 1.0, 1.5]) == 3
    assert busiest_window([0.0, 1.0, 2.0]) == 1
    assert busiest_window([0.0, 0.1, 0.2, 0.3], window_s=0.25) == 3


@pytest.mark.parametrize("late_s", [0.0, 0.003])
def test_the_limiter_never_lets_a_window_hold_more_than_its_share(late_s):
    clock = FakeClock(late_s)
    cap = RateCap(CapShare(per_window=20, window_s=1.0, total=None))
    rng = random.Random(1)
    released = []
    for _ in range(500):  # asks for far more than 20 a second, in bursts
        clock.now += rng.choice([0.0, 0.0, 0.001, 0.02])
        assert cap.admit(clock, clock.sleep)
        released.append(clock.now)
    assert busiest_window(released) == 20
    assert sum(t < 24 for t in released) >= 0.99 * 24 * 20, "held at the cap, not below it"


def test_the_limiter_stops_at_its_share_of_max_messages():
    clock = FakeClock()
    cap = RateCap.for_process(None, 5, 1, 2)  # process 2 of 2 gets 2 of 5
    assert [cap.admit(clock, clock.sleep) for _ in range(4)] == [True, True, False, False]
    assert cap.exhausted and "max_messages" in cap.exhausted_reason and clock.now == 0.0


# -------------------------------------------------------------------------- the profile's fields

def test_a_profile_reaching_a_host_outside_its_allowlist_is_refused(tmp_path):
    path = write_profile(tmp_path, "https://eport.example.invalid:8443",
                         allowed_hosts=["preprod.example.invalid"])
    with pytest.raises(ProfileError) as refused:
        load_profile(str(path))
    assert "eport.example.invalid is not in allowed_hosts (preprod.example.invalid)" in str(refused.value)
    sftp = TargetProfile.model_validate({"name": "dxp", "transport": "dxp-folder", "dxp_id": "DXPENT0000000001",
                                         "folders": {"root": "sftp://u@dxp.example.invalid:22/data"},
                                         "allowed_hosts": ["DXP.example.invalid"]})
    assert sftp.target_hosts == ["dxp.example.invalid"], "host names compare in lower case"
    with pytest.raises(ValueError, match="signer.example.invalid is not in allowed_hosts"):
        TargetProfile.model_validate({"name": "x", "url": "http://127.0.0.1:1", "allowed_hosts": ["127.0.0.1"],
                                      "signing": {"remote": {"url": "https://signer.example.invalid/sign"}}})
    done = peakload("run", str(TINY), "--profile", str(path), "--out", str(tmp_path / "run"))
    assert done.returncode == 64 and "allowed_hosts" in done.stderr, done.stderr


@pytest.mark.parametrize("fields,message", [({"max_rate": 0}, "max_rate"), ({"max_messages": 0}, "max_messages"),
                                            ({"allowed_hosts": ["a host"]}, "allowed_hosts")])
def test_cap_fields_are_checked_when_the_profile_loads(tmp_path, fields, message):
    with pytest.raises(ProfileError, match=message):
        load_profile(str(write_profile(tmp_path, "http://127.0.0.1:1", **fields)))


def test_the_plan_check_names_every_limit_it_goes_over_and_clipping_fits_it(tmp_path):
    scenario = load(str(TINY))
    profile = TargetProfile(name="capped", url="http://127.0.0.1:1", max_rate=40, max_messages=200)
    times = PlanTimes.of(scenario, 2)
    problems = cap_problems(times, profile)
    assert any(f"the plan sends {times.peak()} messages in its busiest second" in p and "max_rate of 40" in p
               for p in problems), problems
    assert any(f"sends {times.total} messages, above the profile's max_messages of 200" in p for p in problems)
    assert any("generator process 2 of 2" in p and "20 messages a second" in p for p in problems)
    fit = fit_to_cap(scenario, TINY, profile, 2, tmp_path, clip=True)
    assert not fit.problems and fit.path == tmp_path / "scenario.yaml" and "clipped to the target's cap" in fit.clipped
    assert not cap_problems(PlanTimes.of(load(str(fit.path)), 2), profile), "the written scenario fits"


# ------------------------------------------------------------------------------------- real runs

def test_a_run_over_the_cap_is_refused_before_any_load(tmp_path):
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        profile = write_profile(tmp_path, f"http://127.0.0.1:{listener.getsockname()[1]}", max_rate=40,
                                health={"path": "/readyz"})
        out = tmp_path / "run"
        done = peakload("run", str(TINY), "--profile", str(profile), "--processes", "2", "--out", str(out))
        listener.setblocking(False)
        with pytest.raises(BlockingIOError):
            listener.accept()  # not even the health probe came
    finally:
        listener.close()
    assert done.returncode == 64, done.stdout + done.stderr
    assert "busiest second" in done.stderr and "max_rate of 40" in done.stderr and "--clip-to-cap" in done.stderr
    assert not (out / "results.json").exists() and not (out / "locust.log").exists()


def steady(per_second: list[int]) -> list[int]:
    """The seconds of a run between its first and its last (each cut short by the start or the end)."""
    return per_second[1:-1]


def test_clip_to_cap_holds_a_run_of_two_processes_to_the_cap(tmp_path):
    rate = 40  # messages a second; tiny asks for about 80
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log")
    try:
        profile = write_profile(tmp_path, mock.url, max_rate=rate)
        out = tmp_path / "run"
        done = trusted_run(str(TINY), "--profile", str(profile), "--processes", "2", "--clip-to-cap", "--quiet",
                           out=out)
    finally:
        mock.stop()
    summary = json.loads((out / "summary.json").read_text())
    assert done.returncode == 0, (done.stdout, done.stderr, summary["reasons"])
    assert any(reason.startswith("clipped to the target's cap (max_rate 40 messages/s)") for reason in summary["reasons"])
    assert "Replayed with --rate-scale" in (out / "scenario.yaml").read_text()
    sent = json.loads((out / "results.json").read_text())["sent_per_second"]
    assert max(sent) <= rate * 1.01, sent
    assert sum(sent) >= 0.5 * rate * 4, "clipped to the cap, not far below it"


def test_the_generator_holds_two_processes_to_the_cap_whatever_the_scenario_asks(tmp_path):
    """The safety net: the generator run directly (no plan check before it), a scenario asking for
    twice the cap: each process releases its share a second, and stops at its share of max_messages."""
    rate, limit = 40, 400
    scenario = yaml.safe_load(TINY.read_text())
    scenario["clock"]["duration"] = "6s"
    scenario["curve"] = [{"kind": "hold", "duration": "6s", "rate": 20}]  # about 80 messages a second
    scenario_path = tmp_path / "twice.yaml"
    scenario_path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    results = tmp_path / "results.json"
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log")
    try:
        profile = write_profile(tmp_path, mock.url, max_rate=rate, max_messages=limit)
        with open(tmp_path / "locust.log", "wb") as log:
            done = subprocess.run(
                [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--scenario", str(scenario_path),
                 "--results-file", str(results), "--target-profile", str(profile), "--processes", "2",
                 "--only-summary", "--exit-code-on-error", "0", "--loglevel", "WARNING", "--stop-timeout", "10"],
                stdout=log, stderr=subprocess.STDOUT, env=locust_environment(mock.url), timeout=180, check=False)
    finally:
        mock.stop()
    assert done.returncode == 0 and results.exists(), (tmp_path / "locust.log").read_text()[-2000:]
    measured = json.loads(results.read_text())
    sent = measured["sent_per_second"]
    assert sum(sent) == limit, sent
    middle = steady(sent)
    assert len(middle) >= 6 and max(middle) <= rate * 1.01, sent
    assert sum(middle) / len(middle) >= rate * 0.99, sent
    assert "max_messages" in measured["aborted"]
