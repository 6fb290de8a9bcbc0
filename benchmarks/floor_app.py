"""The intake benchmark's floor: a durable acknowledgement and nothing else.

The mock platform's own parts (hardened XML parse, group-commit writer, SQLite with
`synchronous=FULL`) on its stack (uvicorn, uvloop, httptools, a plain ASGI endpoint in Starlette),
storing each message's body under its guid and answering 202 once committed. No typed documents,
no checks, no workflow, no metrics: what any durable intake of CEB XML costs on this stack, so the
benchmark can say how much of a message's time is the platform's own work.
Run: python benchmarks/floor_app.py PORT_FILE DATABASE.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ceb.codec import parse_xml
from mock_platform.backends import Connection, backend_for
from mock_platform.intake import read_body
from mock_platform.metrics import build_metrics
from mock_platform.server import bind
from mock_platform.settings import Settings
from mock_platform.store import Store
from mock_platform.writer import GroupCommitWriter

ACCEPTED = b'{"stored":true}'


def _insert(guid: str, body: bytes):
    digest = hashlib.sha256(body).hexdigest()

    def op(conn: Connection) -> None:
        conn.execute("INSERT INTO messages VALUES (?,?,?,?,?,?,?) ON CONFLICT(guid) DO NOTHING",
                     (guid, "", digest, "", 0, time.time(), body))

    return op


class StoreMessage:
    """Parse, store durably, answer 202 (a plain ASGI app, as the platform's intake)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await read_body(receive)
        await scope["app"].state.writer.write(_insert(parse_xml(body).get("guid", ""), body))
        await send({"type": "http.response.start", "status": 202,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(ACCEPTED)).encode())]})
        await send({"type": "http.response.body", "body": ACCEPTED})


def main(port_file: Path, database: Path) -> None:
    writer = GroupCommitWriter(Store(backend_for(str(database))), build_metrics(), batch_max=Settings().commit_batch_max)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await writer.start()
        yield
        await writer.close()

    app = Starlette(routes=[Route("/ceb/messages", StoreMessage(), methods=["POST"])], lifespan=lifespan)
    app.state.writer = writer
    sock = bind("127.0.0.1", 0)
    gc.set_threshold(50_000, 20, 10)  # as the mock platform's server
    port_file.write_text(str(sock.getsockname()[1]))
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
