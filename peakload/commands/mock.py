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
    db: Annotated[str, typer.Option(
        help="SQLite database file, or a postgresql:// URL (credentials better in PGPASSWORD).")] = "mock-platform.db",
    port_file: Annotated[Path | None, typer.Option(help="Write the bound port here once listening.")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of customs' random delays.")] = None,
    matching_timeout: Annotated[float, typer.Option(
        help="Seconds a list waits for its order, payment and waybill before it is rejected.",
        min=0.001)] = 60.0,
    capacity: Annotated[float | None, typer.Option(
        help="Messages/s the platform processes at most (default: as fast as it can).", min=0.001)] = None,
    queue_size: Annotated[int, typer.Option(
        help="Messages waiting or in progress before intake answers 429.", min=1)] = 256,
    body_timeout: Annotated[float, typer.Option(
        help="Seconds a client may take to send its body before it gets 408.", min=0.001)] = 5.0,
    admin_token: Annotated[str | None, typer.Option(
        envvar="PEAKLOAD_ADMIN_TOKEN", show_default=False,
        help="Bearer token of /admin/faults (off without one); better given by the environment.")] = None,
) -> None:
    """Serve the mock CEB platform (intake, matching, receipts, workflow, /metrics)."""
    settings = Settings(database=db, seed=seed, matching_timeout_s=matching_timeout,
                        capacity_msgs_per_s=capacity, queue_limit=queue_size, admin_token=admin_token,
                        body_timeout_s=body_timeout)
    serve(settings, host, port, port_file)
