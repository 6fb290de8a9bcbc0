"""A small, fast HTTP/1.1 keep-alive load generator for benchmarks (asyncio + uvloop, raw sockets).

Two modes: closed loop (every connection sends its next request as soon as the answer arrives: the
server's ceiling) and open loop at a fixed rate (latency measured from each request's intended
send time). Every loop is bounded by its request list and its duration.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field


def post(path: str, body: bytes, content_type: str = "application/xml") -> bytes:
    """One raw HTTP/1.1 POST request."""
    return (f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


@dataclass
class LoadResult:
    """What a load run measured."""

    seconds: float
    statuses: Counter = field(default_factory=Counter)
    latencies_s: list[float] = field(default_factory=list)

    @property
    def ok_per_s(self) -> float:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300) / self.seconds

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else float("nan")


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def closed_loop(port: int, requests: list[bytes], connections: int, seconds: float,
                      repeat: bool = False) -> LoadResult:
    """Saturate the server for `seconds` (or until the requests run out, unless `repeat`)."""
    result = LoadResult(seconds)
    queue = itertools.cycle(requests) if repeat else iter(requests)
    end = time.perf_counter() + seconds
    started = time.perf_counter()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in queue:
                if time.perf_counter() >= end:
                    return
                t0 = time.perf_counter()
                result.statuses[await _exchange(reader, writer, request)] += 1
                result.latencies_s.append(time.perf_counter() - t0)
        finally:
            writer.close()

    await asyncio.gather(*(connection() for _ in range(connections)))
    result.seconds = time.perf_counter() - started
    return result


async def open_loop(port: int, requests: list[bytes], rate: float, connections: int,
                    seconds: float) -> LoadResult:
    """Send at `rate` per second for `seconds`; latency from each request's intended time."""
    total = min(len(requests), int(rate * seconds))
    result = LoadResult(total / rate)
    start = time.perf_counter() + 0.1
    slots: asyncio.Queue[int] = asyncio.Queue()

    async def pacer() -> None:
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            slots.put_nowait(i)
        for _ in range(connections):
            slots.put_nowait(-1)

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while (i := await slots.get()) >= 0:
                result.statuses[await _exchange(reader, writer, requests[i])] += 1
                result.latencies_s.append(time.perf_counter() - (start + i / rate))
        finally:
            writer.close()

    await asyncio.gather(pacer(), *(connection() for _ in range(connections)))
    return result
