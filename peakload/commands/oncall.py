"""`peakload oncall`: serve the on-call receiver Alertmanager's webhooks point at."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from monitoring.oncall.app import create_app
from monitoring.oncall.model import ResponseTargets, Route
from mock_platform.server import bind


def oncall(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (the routing's webhooks use 9095).", min=0)] = 9095,
    db: Annotated[Path, typer.Option(help="Where pages are recorded (SQLite).")] = Path("oncall.db"),
    ack_promotion: Annotated[float, typer.Option(
        help="Seconds to acknowledge a page in a promotion window before escalating.", min=0.1)] = 300.0,
    ack_everyday: Annotated[float, typer.Option(
        help="Seconds to acknowledge a page outside promotion windows.", min=0.1)] = 900.0,
    secondary_url: Annotated[str | None, typer.Option(
        help="Webhook that pages the secondary on-call when a page escalates.")] = None,
    port_file: Annotated[Path | None, typer.Option(help="Write the bound port here once listening.")] = None,
) -> None:
    """Record pages, acknowledgements and resolutions; escalate unacknowledged pages."""
    targets = ResponseTargets(ack_s={Route.PAGE_PROMOTION: ack_promotion, Route.PAGE: ack_everyday})
    sock = bind(host, port)
    if port_file is not None:
        port_file.write_text(str(sock.getsockname()[1]))
    app = create_app(db, targets, secondary_url)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])
