"""`peakload cleanup`: withdraw from the platform what a run left on it (see `peakload.cleanup`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from locustfiles.manifest import manifest_files
from peakload.exit_codes import ExitCode
from peakload.runner import locust_environment
from peakload.target import TargetError, parse_target, profile_target
from targets import ProfileError, load_profile, resolve_profile


def cleanup(
    run_dir: Annotated[Path, typer.Argument(help="The run's results folder (its manifest*.jsonl).")],
    profile: Annotated[str | None, typer.Option(
        help="The target profile the run used (a file, or an example name in targets/).", show_default=False)] = None,
    target: Annotated[str | None, typer.Option(
        help="The URL the run used (peakload's HTTP contract), instead of --profile.", show_default=False)] = None,
    confirm_target: Annotated[str | None, typer.Option(
        help="Name a non-loopback target's host again to confirm you mean to send to it.")] = None,
    max_rate: Annotated[float, typer.Option(
        help="Withdrawals a second at most (the profile's max_rate, when lower, wins).", min=0.1)] = 20.0,
    wait: Annotated[float, typer.Option(
        help="Seconds to wait for the platform's answers after each round of withdrawals.", min=0)] = 60.0,
) -> None:
    """Withdraw a run's documents: cancel lists not released (CEB623), return released ones (CEB625),
    delete orders, payments and waybills no list holds (appType 3), cancel export lists (CEB605).
    Exit 0 when nothing is left, 1 when something could not be withdrawn (listed), 64 bad usage."""
    console = Console(stderr=True)
    try:
        if not manifest_files(run_dir):
            raise TargetError(f"{run_dir} holds no manifest (manifest.jsonl): is it a run's folder?")
        if (profile is None) == (target is None):
            raise TargetError("give the run's --profile or its --target (one of them)")
        if target == "mock":
            raise TargetError("the embedded mock stopped with its run: start `peakload mock` on the run's database, "
                              "or give the URL of the platform the run reached")
        if profile is not None:
            profile_target(load_profile(profile), confirm_target)
            url = ""
        else:
            url = parse_target(target, confirm_target).url or ""
    except (TargetError, ProfileError) as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE) from None
    command = [sys.executable, "-m", "peakload.cleanup", str(run_dir), "--max-rate", str(max_rate),
               "--wait", str(wait)]
    if profile is not None:
        command += ["--profile", str(resolve_profile(profile).resolve())]
    # Gevent patches sockets when it is imported first: the cleanup runs in a process of its own,
    # as the generator does, with the URL (and any credentials in it) in its environment.
    process = subprocess.Popen(command, env=locust_environment(url))
    try:
        code = process.wait()
    except KeyboardInterrupt:  # the child had the Ctrl-C too; what it did is in cleanup.jsonl
        code = process.wait()
        console.print(f"interrupted; what was sent is in {run_dir / 'cleanup.jsonl'}, and a new cleanup goes on "
                      "from there", highlight=False, soft_wrap=True)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    raise typer.Exit(code)
