"""Serving the mock platform with uvicorn on a socket the caller may have bound already."""

from __future__ import annotations

import functools
import gc
import socket
from pathlib import Path

import uvicorn

from mock_platform.app import create_app
from mock_platform.protocol import BoundedHttpToolsProtocol, HeadBounds
from mock_platform.settings import Settings


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve(settings: Settings, sock: socket.socket, port_file: Path | None = None) -> None:
    """Serve on the bound `sock` until SIGINT/SIGTERM; write its port to `port_file` once listening."""
    if port_file is not None:
        tmp = port_file.with_suffix(".tmp")
        tmp.write_text(str(sock.getsockname()[1]))
        tmp.replace(port_file)
    # The engine keeps every waiting document, list and timer alive, and intake allocates hundreds
    # of objects a message: at the default threshold (700) the collector runs every few messages.
    gc.set_threshold(50_000, 20, 10)
    head = HeadBounds(settings.head_limit_bytes, settings.head_fields_max, settings.head_timeout_s)
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False,
                            lifespan="on", timeout_graceful_shutdown=10,
                            http=functools.partial(BoundedHttpToolsProtocol, bounds=head),
                            limit_concurrency=settings.max_connections,
                            **(settings.tls.uvicorn_options() if settings.tls is not None else {}))
    uvicorn.Server(config).run(sockets=[sock])
