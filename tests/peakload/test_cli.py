"""The command line as a person and a CI log see it: the version, every default in every `--help`,
one-line errors whatever the terminal's width, and run folders without the mock's database."""

import enum
import os
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from peakload.cli import app
from reports.baseline import read_baseline
from reports.summary import Verdict
from scenarios.loader import load
from tests.cli import stalled_by_host

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny.yaml"


def piped(*args: str, columns: int = 40, timeout: float = 120) -> subprocess.CompletedProcess:
    """`peakload ARGS` with stdout and stderr piped (not a terminal), as in a CI job."""
    return subprocess.run([sys.executable, "-m", "peakload", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": str(columns)}, timeout=timeout, check=False)


def commands(command, path: tuple[str, ...] = ()):
    """Every click command under `command` (Typer's own copy of click), with the words that call it."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands(sub, (*path, name))


def shown_default(option) -> str | None:
    """What `--help` must show as an option's default (None: nothing to show)."""
    if isinstance(option.show_default, str):
        return f"({option.show_default})"  # click's way with a described default
    if option.show_default is False or option.is_flag or option.default in (None, (), []):
        return None
    default = option.default.value if isinstance(option.default, enum.Enum) else option.default
    return str(default)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_version_prints_the_installed_version():
    done = piped("--version")
    assert done.returncode == 0 and done.stdout == f"peakload {version('peakload')}\n"


def test_every_help_shows_every_default_and_every_word_of_its_help():
    root = typer.main.get_command(app)
    checked = 0
    for path, command in commands(root):
        shown = CliRunner().invoke(app, [*path, "--help"], prog_name="peakload", terminal_width=1000)
        assert shown.exit_code == 0, (path, shown.output)
        text = flat(shown.output)
        for param in command.params:
            if param.hidden:
                continue
            if param.help:  # nothing of it taken for markup ([a-z0-9._-], [default: ...])
                assert flat(param.help) in text, (path, param.name)
            if param.param_type_name == "option" and (default := shown_default(param)) is not None:
                assert f"[default: {default}" in text, (path, param.name, default)
                checked += 1
    assert checked > 40  # every command's options, not a few


@pytest.mark.parametrize("args, says", [
    (("run", "smoke", "--processes", "0"), "Invalid value for '--processes': Input should be greater than or equal to 1"),
    (("drill", "explode"), "'explode' is not one of 'error', 'capacity-cap'")])
def test_a_usage_error_is_one_line_in_a_narrow_pipe(args, says):
    done = piped(*args)
    assert done.returncode == 64
    error = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert len(error) == 1 and says in error[0], done.stderr


@pytest.mark.parametrize("args", [("run", "no-such-scenario"), ("scenarios", "show", "no-such-scenario"),
                                  ("report", "/nonexistent/run"), ("baseline", "save", "/nonexistent/run", "--as", "x"),
                                  ("gate", "/nonexistent/run", "--baseline", "/nonexistent.json")])
def test_a_command_error_is_one_line_in_a_narrow_pipe(args):
    done = piped(*args)
    assert done.returncode == 64
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) > 40, done.stderr


def test_a_run_folder_keeps_the_mock_database_only_when_asked(tmp_path):
    for keep, out in ((False, tmp_path / "plain"), (True, tmp_path / "kept")):
        done = piped("run", str(TINY), "--out", str(out), "--quiet", *(["--keep-db"] if keep else []),
                     timeout=180)
        assert done.returncode == 0 or stalled_by_host(done.returncode, out), done.stdout + done.stderr
        assert (out / "summary.json").exists()
        databases = sorted(p.name for p in out.iterdir() if p.name.startswith("mock.db"))
        if keep:
            with sqlite3.connect(out / "mock.db") as db:  # a whole database, not a torn one
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        else:
            assert databases == [], databases


def test_the_committed_smoke_baseline_reads_as_the_ci_examples_use_it():
    baseline = read_baseline(ROOT / "baselines" / "smoke.json")
    assert baseline.scenario == load("smoke").name and len(baseline.runs) >= 3
    assert all(run.verdict is Verdict.PASS for run in baseline.runs)
    ci_guide = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    assert ci_guide.count("--baseline baselines/smoke.json") >= 2  # the GitHub and GitLab examples
