"""Graceful shutdown: SIGTERM lets every request in flight finish, committed, before the exit."""

import datetime as dt
import threading
import time

import httpx

from ceb.codec import render_message
from locustfiles.parcels import ParcelFactory
from peakload.embedded_mock import start_mock
from tests.conftest import ADMIN_TOKEN, XML

IN_FLIGHT = 12


def in_flight(url: str) -> float:
    for line in httpx.get(f"{url}/metrics").text.splitlines():
        if line.startswith("ceb_platform_intake_in_flight "):
            return float(line.split()[-1])
    return 0.0


def test_sigterm_drains_requests_in_flight(tmp_path):
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log", ("--admin-token", ADMIN_TOKEN))
    factory = ParcelFactory(seed=8, namespace="SD")
    bodies = [render_message(m) for _ in range(IN_FLIGHT // 4)
              for m in factory.make(dt.datetime(2018, 11, 11)).messages(factory.parties, factory.guid).values()]
    # Every commit now takes a second: requests pile up inside intake, waiting to be durable.
    httpx.post(f"{mock.url}/admin/faults", json={"kind": "storage_slowdown", "delay_ms": 1000, "duration_s": 60},
               headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).raise_for_status()
    statuses: list[int] = []

    def send(body: bytes) -> None:
        statuses.append(httpx.post(f"{mock.url}/ceb/messages", content=body, headers=XML, timeout=30).status_code)

    senders = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for sender in senders:
        sender.start()
    deadline = time.monotonic() + 20
    while in_flight(mock.url) < IN_FLIGHT and time.monotonic() < deadline:
        time.sleep(0.02)
    assert in_flight(mock.url) == IN_FLIGHT
    # uvicorn drains, runs the lifespan shutdown, then re-raises SIGTERM: -15 is its clean exit.
    assert mock.stop() in (0, -15)
    for sender in senders:
        sender.join(timeout=30)
    assert statuses == [202] * IN_FLIGHT

    restarted = start_mock(tmp_path / "mock.db", tmp_path / "mock.log")
    try:
        again = {httpx.post(f"{restarted.url}/ceb/messages", content=b, headers=XML).status_code for b in bodies}
    finally:
        restarted.stop()
    assert again == {200}  # every one was committed before the exit
