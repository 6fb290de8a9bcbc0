"""`peakload mock`: serve the mock platform."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mock_platform.server import serve
from mock_platform.settings import Settings


def mock(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one).", min=0, max=65535)] = 8080,
    db: Annotated[Path, typer.Option(help="SQLite database file.")] = Path("mock-platform.db"),
    port_file: Annotated[Path | None, typer.Option(help="Write the bound port here once listening.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of customs' random delays.")] = None,
    matching_timeout: Annotated[float, typer.Option(
        help="Seconds a list waits for its order, payment and waybill before it is rejected.",
        min=0.001)] = 60.0,
) -> None:
    """Serve the mock CEB platform (intake, matching, receipts, workflow, /metrics)."""
    serve(Settings(db_path=db, seed=seed, matching_timeout_s=matching_timeout), host, port, port_file)
