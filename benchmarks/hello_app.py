"""The reference server of the benchmarks: the mock platform's stack (uvicorn, uvloop, httptools,
Starlette) answering a trivial POST, and an empty receipt feed for the generator's consumers.
Run: python benchmarks/hello_app.py PORT_FILE."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mock_platform.server import bind


async def hello(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"guid": "hello", "messageType": "CEB311", "documents": 1}, status_code=202)


async def no_receipts(request: Request) -> JSONResponse:
    return JSONResponse({"receipts": [], "next": "0"})


def main(port_file: Path) -> None:
    sock = bind("127.0.0.1", 0)
    port_file.write_text(str(sock.getsockname()[1]))
    app = Starlette(routes=[Route("/ceb/messages", hello, methods=["POST"]),
                            Route("/ceb/receipts", no_receipts, methods=["GET"])])
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
