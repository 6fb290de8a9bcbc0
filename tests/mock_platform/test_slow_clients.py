"""Slow and greedy clients cannot starve the others: a platform with a queue of 4, a 3 s body
timeout, a 1 s header timeout and 40 connections at most, over real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import psutil
import pytest

from ceb.codec import render_message
from peakload.embedded_mock import MockProcess, start_mock
from tests.conftest import XML, now_china
from tests.mock_platform.raw_http import closed_by_server, connect, read_answer, send_until_answered

QUEUE = 4
BODY_TIMEOUT_S = 3.0
HEADER_TIMEOUT_S = 1.0
MAX_CONNECTIONS = 40


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockProcess]:
    folder = tmp_path_factory.mktemp("mock-tight")
    mock = start_mock(folder / "mock.db", folder / "mock.log",
                      ("--queue-size", str(QUEUE), "--body-timeout", str(BODY_TIMEOUT_S),
                       "--header-timeout", str(HEADER_TIMEOUT_S), "--max-connections", str(MAX_CONNECTIONS)))
    try:
        yield mock
    finally:
        mock.stop()


class Trickler(threading.Thread):
    """A client that declares a 1000-byte message and sends it a byte every quarter second."""

    def __init__(self, url: str, started: threading.Barrier, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.url, self.started, self.stop = url, started, stop
        self.status: int | None = None
        self.answered_at: float | None = None

    def run(self) -> None:
        with connect(self.url) as sock:
            sock.sendall(b"POST /ceb/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
                         b"Content-Length: 1000\r\n\r\n<")
            self.started.wait()
            while not self.stop.wait(0.25):
                sock.sendall(b" ")
            self.status = read_answer(sock).status
            self.answered_at = time.monotonic()


def test_clients_trickling_bodies_do_not_starve_a_fast_one(tight, factory):
    started, stop = threading.Barrier(3 * QUEUE + 1), threading.Event()
    tricklers = [Trickler(tight.url, started, stop) for _ in range(3 * QUEUE)]
    for trickler in tricklers:
        trickler.start()
    started.wait(timeout=10)  # every trickler's request is under way
    statuses, answered_at = [], 0.0
    with httpx.Client(base_url=tight.url, timeout=10) as client:
        for _ in range(3):
            parcel = factory.make(now_china())
            for message in parcel.messages(factory.parties, factory.guid).values():
                statuses.append(client.post("/ceb/messages", content=render_message(message), headers=XML).status_code)
        answered_at = time.monotonic()
    stop.set()
    for trickler in tricklers:
        trickler.join(timeout=2 * BODY_TIMEOUT_S)
    assert set(statuses) == {202}, statuses
    assert [t.status for t in tricklers] == [408] * len(tricklers)
    assert all(t.answered_at > answered_at for t in tricklers)  # the fast client came through meanwhile


def test_a_slow_head_gets_408_and_a_silent_connection_is_closed(tight):
    with connect(tight.url) as slow, connect(tight.url) as silent:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        answer = read_answer(slow)
        took = time.monotonic() - started
        assert closed_by_server(silent)
        silent_for = time.monotonic() - started
    assert answer.status == 408
    assert answer.json()["error"] == "header_timeout"
    assert HEADER_TIMEOUT_S * 0.8 < took < HEADER_TIMEOUT_S + 2
    assert silent_for < HEADER_TIMEOUT_S + 2


def test_connections_past_the_limit_are_refused_until_the_slow_ones_time_out(tight):
    slow = [connect(tight.url) for _ in range(MAX_CONNECTIONS + 5)]
    try:
        for sock in slow:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finished
        assert httpx.get(f"{tight.url}/healthz", timeout=5).status_code == 503
        answers = [read_answer(sock).status for sock in slow]  # each timed out
    finally:
        for sock in slow:
            sock.close()
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline and status != 200:
        status = httpx.get(f"{tight.url}/healthz", timeout=5).status_code
    assert set(answers) == {408}
    assert status == 200


def test_95mib_of_headers_are_refused_as_they_arrive(tight):
    process = psutil.Process(tight.process.pid)
    before = process.memory_info().rss
    line = b"X-Pad: " + b"a" * 8000 + b"\r\n"
    head = [b"GET /healthz HTTP/1.1\r\nHost: x\r\n", *[line] * (95 * 2**20 // len(line)), b"\r\n"]
    with connect(tight.url) as sock:
        send_until_answered(sock, head)
        answer = read_answer(sock)
    grown = process.memory_info().rss - before
    assert answer.status == 431
    assert answer.json()["error"] == "headers_too_large"
    assert grown < 16 * 2**20, f"the platform grew by {grown / 2**20:.0f} MiB"
