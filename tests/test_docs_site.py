"""The manual builds as a site, strictly (a broken link, anchor or page outside the nav fails), and
its command reference, generated from the CLI, covers every command and option."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from peakload.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commands(command, path: str) -> list:
    found = [(path, command)]
    if hasattr(command, "commands"):  # a group (Typer's own copy of click's)
        for name, sub in command.commands.items():
            found += _commands(sub, f"{path} {name}")
    return found


def test_the_command_reference_has_every_command_and_option():
    reference = _hooks().cli_reference(app)
    commands = _commands(typer.main.get_command(app), "peakload")
    assert len(commands) > 15
    for path, command in commands:
        assert f"`{path}`" in reference, path
        for param in command.params:
            if param.param_type_name == "option":
                assert f"`{param.opts[0]}" in reference.split(f"`{path}`", 1)[1], (path, param.opts[0])


@pytest.mark.slow
def test_the_site_builds_strictly(tmp_path):
    mkdocs = Path(sys.executable).parent / "mkdocs"
    assert mkdocs.exists(), "mkdocs is not installed (make install: the `docs` extra)"
    done = subprocess.run([str(mkdocs), "build", "--strict", "--site-dir", str(tmp_path / "site")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-4000:]
    cli_page = (tmp_path / "site" / "cli" / "index.html").read_text(encoding="utf-8")
    assert "peakload run" in cli_page and "--profile" in cli_page
    assert (tmp_path / "site" / "openapi.yaml").read_bytes() == (ROOT / "mock_platform" / "openapi.yaml").read_bytes()
