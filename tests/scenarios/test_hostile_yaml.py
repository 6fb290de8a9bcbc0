"""YAML a user hands peakload (scenarios, positive lists) is refused, with the file named and exit
64, when it holds aliases ("billion laughs"), nesting too deep, or more than a megabyte."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

import safe_yaml
from scenarios.loader import ScenarioError, load

# 9 levels of 9 aliases: 9^9 (387 million) strings once walked; 530 bytes.
LAUGHS = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{key}: &{key} [{', '.join(['*' + previous] * 9)}]\n" for previous, key in zip("abcdefgh", "bcdefghi"))
VALID = """
name: t
clock: {start: "2018-11-11T00:00:00+08:00", duration: 20s, compression: 1}
baseline_orders_per_day: 1000
curve: [&segment {kind: hold, duration: 10s, rate: 1}, *segment]
"""
HOSTILE = {
    "billion_laughs": (LAUGHS, "aliases are not allowed (*a at line 2"),
    "one_alias": (VALID, "aliases are not allowed (*segment at line 5"),
    "merge_key": (VALID.replace("curve: [&segment {kind: hold, duration: 10s, rate: 1}, *segment]",
                                "base: &b {kind: hold}\ncurve: [{<<: *b, duration: 20s, rate: 1}]"),
                  "aliases are not allowed (*b"),
    "deep_nesting": ("name: " + "[" * 100_000, "nested deeper than 50 levels"),
    "too_large": ("name: t\n" + "# padding\n" * 120_000, "the file is larger than 1024 KiB"),
}


def write(tmp_path, text: str):
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_scenario_is_refused_naming_the_file(tmp_path, name):
    text, reason = HOSTILE[name]
    path = write(tmp_path, text)
    started = time.monotonic()
    with pytest.raises(ScenarioError) as caught:
        load(str(path))
    assert time.monotonic() - started < 5
    assert str(caught.value).startswith(f"{path}: refused: {reason}")


def test_the_same_scenario_written_out_loads(tmp_path):
    written = VALID.replace("[&segment {kind: hold, duration: 10s, rate: 1}, *segment]",
                            "[{kind: hold, duration: 10s, rate: 1}, {kind: hold, duration: 10s, rate: 1}]")
    assert len(load(str(write(tmp_path, written))).curve) == 2


def test_anchors_without_aliases_and_the_depth_bound_itself_are_read():
    assert safe_yaml.loads("a: &x 1\nb: 2") == {"a": 1, "b": 2}
    deepest: list = []
    for _ in range(safe_yaml.MAX_DEPTH - 1):
        deepest = [deepest]
    assert safe_yaml.loads("[" * safe_yaml.MAX_DEPTH + "]" * safe_yaml.MAX_DEPTH) == deepest
    with pytest.raises(safe_yaml.UnsafeYaml):
        safe_yaml.loads("[" * (safe_yaml.MAX_DEPTH + 1) + "]" * (safe_yaml.MAX_DEPTH + 1))


def _peakload(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "peakload", *args], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])


def test_peakload_run_exits_64_on_a_billion_laughs(tmp_path):
    path = write(tmp_path, LAUGHS)
    started = time.monotonic()
    done = _peakload("run", str(path), "--out", str(tmp_path / "out"))
    assert done.returncode == 64, done.stderr
    assert str(path) in done.stderr and "aliases are not allowed" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 60


def test_peakload_mock_exits_64_on_a_hostile_positive_list(tmp_path):
    path = write(tmp_path, "categories: [" + ", ".join(["*c"] * 3) + "]\n")
    path.write_text("c: &c {hs: '01', name: live animals}\n" + path.read_text(), encoding="utf-8")
    done = _peakload("mock", "--positive-list", str(path), "--port", "0", "--db", str(tmp_path / "m.db"))
    assert done.returncode == 64, done.stderr
    assert str(path) in done.stderr and "aliases are not allowed" in done.stderr
