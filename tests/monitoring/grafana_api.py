"""A stand-in for the part of Grafana's HTTP API `peakload grafana push` uses (folders, data
sources by uid, dashboards by uid), served on loopback. Grafana itself cannot be installed on
this machine; this follows the documented request and answer shapes, including 401 and 404."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class GrafanaState:
    token: str
    folders: dict[str, dict] = field(default_factory=dict)
    datasources: dict[str, dict] = field(default_factory=dict)
    dashboards: dict[str, dict] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)


def _app(state: GrafanaState) -> Starlette:
    def authorised(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {state.token}"

    def not_found(what: str) -> JSONResponse:
        return JSONResponse({"message": f"{what} not found"}, status_code=404)

    async def folder(request: Request) -> JSONResponse:
        if not authorised(request):
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        uid = request.path_params.get("uid")
        if request.method == "GET":
            return JSONResponse(state.folders[uid]) if uid in state.folders else not_found("folder")
        body = await request.json()
        state.writes.append(f"{request.method} folder")
        uid = uid or body["uid"]
        state.folders[uid] = {"uid": uid, "title": body["title"],
                              "version": state.folders.get(uid, {}).get("version", 0) + 1}
        return JSONResponse(state.folders[uid])

    async def datasource(request: Request) -> JSONResponse:
        if not authorised(request):
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        uid = request.path_params.get("uid")
        if request.method == "GET":
            return JSONResponse(state.datasources[uid]) if uid in state.datasources else not_found("data source")
        body = await request.json()
        state.writes.append(f"{request.method} datasource")
        state.datasources[body["uid"]] = {**body, "id": 1, "orgId": 1, "readOnly": False}
        return JSONResponse({"datasource": state.datasources[body["uid"]], "message": "saved"})

    async def dashboard(request: Request) -> JSONResponse:
        if not authorised(request):
            return JSONResponse({"message": "Unauthorized"}, status_code=401)
        if request.method == "GET":
            uid = request.path_params["uid"]
            return JSONResponse(state.dashboards[uid]) if uid in state.dashboards else not_found("dashboard")
        body = await request.json()
        model = body["dashboard"]
        if body.get("folderUid") not in state.folders:
            return JSONResponse({"message": "folder not found"}, status_code=400)
        state.writes.append(f"POST dashboard {model['uid']}")
        version = state.dashboards.get(model["uid"], {}).get("dashboard", {}).get("version", 0) + 1
        state.dashboards[model["uid"]] = {"dashboard": {**model, "id": 7, "version": version},
                                          "meta": {"folderUid": body["folderUid"]}}
        return JSONResponse({"uid": model["uid"], "status": "success", "version": version})

    return Starlette(routes=[
        Route("/api/folders", folder, methods=["POST"]),
        Route("/api/folders/{uid}", folder, methods=["GET", "PUT"]),
        Route("/api/datasources", datasource, methods=["POST"]),
        Route("/api/datasources/uid/{uid}", datasource, methods=["GET", "PUT"]),
        Route("/api/dashboards/db", dashboard, methods=["POST"]),
        Route("/api/dashboards/uid/{uid}", dashboard, methods=["GET"]),
    ])


@contextlib.contextmanager
def grafana_api(token: str) -> Iterator[tuple[str, GrafanaState]]:
    """The API on a free loopback port for the block: its base URL and what it holds."""
    state = GrafanaState(token)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(_app(state), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    while not server.started and thread.is_alive():
        started.wait(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", state
    finally:
        server.should_exit = True
        thread.join(10)
