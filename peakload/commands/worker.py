"""`peakload worker`: a generator process on another host, serving a `peakload run` master."""

from __future__ import annotations

import subprocess
import sys
from typing import Annotated

import typer

from peakload.runner import LOCUSTFILE, locust_environment


def worker(
    master_host: Annotated[str, typer.Option(help="Host of the `peakload run --expect-workers` master.")],
    master_port: Annotated[int, typer.Option(help="The master's Locust port.")] = 5557,
    processes: Annotated[int, typer.Option(help="Worker processes to start on this host.", min=1)] = 1,
) -> None:
    """Join a distributed run: plan this worker's share of the scenario the master names and send it."""
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--worker",
               "--master-host", master_host, "--master-port", str(master_port)]
    if processes > 1:
        command += ["--processes", str(processes)]
    raise typer.Exit(subprocess.run(command, env=locust_environment(), check=False).returncode)
