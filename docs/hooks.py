"""MkDocs hooks (mkdocs.yml `hooks:`): pages made from the code when the site is built, so they
cannot fall behind it.

- `cli.md`, the command reference, rendered from the Typer app `peakload.cli.app`: every command,
  its usage, help, arguments and options with their defaults, as `peakload COMMAND --help` shows.
- `openapi.yaml`, the mock platform's OpenAPI document, copied from the package for a download link.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

ROOT = Path(__file__).resolve().parents[1]
INTRO = """# Command reference

Every `peakload` command with its arguments and options, as `peakload COMMAND --help` prints them
(this page is generated from the command itself whenever the site is built). What the exit codes
mean is in [Running a test](running.md#exit-codes).
"""


def _cell(text: str) -> str:
    """Help text for a Markdown table cell: one line, pipes escaped, and angle brackets outside code
    spans escaped (`<time>` in a default is text, not an HTML tag)."""
    parts = " ".join(text.split()).replace("|", "\\|").split("`")
    return "`".join(part if i % 2 else part.replace("<", "&lt;").replace(">", "&gt;")
                    for i, part in enumerate(parts))


def _code_cell(text: str) -> str:
    """An option's names and metavar, as code in a table cell."""
    return "`" + " ".join(text.split()).replace("|", "\\|") + "`"


def _section(command: Any, ctx: Any, depth: int) -> list[str]:
    """A command's section, and its subcommands' below it. Typer ships its own copy of click, so the
    command's own classes are used (`context_class`), never the click package's."""
    path = ctx.command_path
    lines = [f"{'#' * depth} `{path}`", ""]
    if command.help:
        lines += [command.help.strip(), ""]
    lines += ["```", " ".join([path, *command.collect_usage_pieces(ctx)]), "```", ""]
    records = [(record, param) for param in command.get_params(ctx)
               if (record := param.get_help_record(ctx)) is not None]
    if records:
        lines += ["| argument or option | what it does |", "|---|---|"]
        lines += [f"| {_code_cell(names)} | {_cell(help_text)} |" for (names, help_text), _ in records]
        lines.append("")
    if hasattr(command, "list_commands"):  # a group
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                lines += _section(sub, sub.context_class(sub, info_name=name, parent=ctx), depth + 1)
    return lines


def cli_reference(app: typer.Typer) -> str:
    """The command reference of a Typer app, as Markdown."""
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="peakload")
    return INTRO + "\n" + "\n".join(_section(root, ctx, 2))


def on_files(files, config):  # noqa: ANN001, ANN201 (MkDocs' hook signature)
    from mkdocs.structure.files import File

    from peakload.cli import app

    files.append(File.generated(config, "cli.md", content=cli_reference(app)))
    files.append(File.generated(config, "openapi.yaml",
                                abs_src_path=str(ROOT / "mock_platform" / "openapi.yaml")))
    return files
