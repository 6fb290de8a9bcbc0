"""Every command is in the README's commands table, and every exit code is explained in the manual
(docs/running.md). Every option of every command is in the generated command reference
(tests/test_docs_site.py)."""

import re
from pathlib import Path

from peakload.cli import app
from peakload.exit_codes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
RUNNING = (ROOT / "docs" / "running.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    names = [c.name for c in app.registered_commands]
    for group in app.registered_groups:
        names += [f"{group.name} {c.name}" for c in group.typer_instance.registered_commands]
    return names


def test_every_command_is_in_the_readme():
    assert len(commands()) >= 9
    for name in commands():
        assert f"peakload {name}" in README, f"`peakload {name}` is not in the README's commands table"


def test_every_exit_code_is_documented():
    table = RUNNING[RUNNING.index("## Exit codes"):]
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \|", table, re.MULTILINE), code
