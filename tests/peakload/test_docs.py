"""The README is the manual: every command and every exit code is documented there."""

import re
from pathlib import Path

from peakload.cli import app
from peakload.exit_codes import ExitCode

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    names = [c.name for c in app.registered_commands]
    for group in app.registered_groups:
        names += [f"{group.name} {c.name}" for c in group.typer_instance.registered_commands]
    return names


def test_every_command_is_documented():
    assert len(commands()) >= 9
    for name in commands():
        assert f"peakload {name}" in README, f"`peakload {name}` is not in the README"


def test_every_exit_code_is_documented():
    table = README[README.index("Exit codes of every command"):]
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \|", table, re.MULTILINE), code
