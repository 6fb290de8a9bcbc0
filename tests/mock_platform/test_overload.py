"""A flood at 5x capacity: only 2xx and 429 (with Retry-After), bounded memory and latency."""

import asyncio
import time

import httpx
import psutil

from ceb.codec import render_message
from locustfiles.parcels import ParcelFactory
from peakload.embedded_mock import start_mock
from tests.conftest import XML, now_china

CAPACITY = 100.0
QUEUE = 10
FLOOD_S = 3.0
WORKERS = 10


def test_flood_at_five_times_capacity_is_shed_with_429(tmp_path):
    factory = ParcelFactory(seed=5, namespace="FL")
    bodies = [render_message(m) for _ in range(1500)
              for m in factory.make(now_china()).messages(factory.parties, factory.guid).values()]
    mock = start_mock(tmp_path / "mock.db", tmp_path / "mock.log",
                      ("--capacity", str(CAPACITY), "--queue-size", str(QUEUE)))
    try:
        rss_before = psutil.Process(mock.process.pid).memory_info().rss
        results = asyncio.run(_flood(mock.url, bodies))
        rss_after = psutil.Process(mock.process.pid).memory_info().rss
    finally:
        mock.stop()
    statuses = {status for status, _, _ in results}
    offered = len(results) / FLOOD_S
    accepted = [latency for status, latency, _ in results if status == 202]
    assert offered >= 5 * CAPACITY, f"the flood offered only {offered:.0f}/s"
    assert statuses <= {202, 429}, statuses
    assert all(retry is not None and int(retry) >= 1 for status, _, retry in results if status == 429)
    assert len(accepted) <= CAPACITY * FLOOD_S * 1.2 + QUEUE
    accepted.sort()
    p99 = accepted[int(len(accepted) * 0.99) - 1]
    assert p99 < QUEUE / CAPACITY + 0.25, f"accepted p99 {p99:.3f} s"
    assert rss_after - rss_before < 100 * 2**20


async def _flood(url: str, bodies: list[bytes]) -> list[tuple[int, float, str | None]]:
    results: list[tuple[int, float, str | None]] = []
    end = time.monotonic() + FLOOD_S
    limits = httpx.Limits(max_connections=WORKERS)  # httpx slows down past a few dozen
    async with httpx.AsyncClient(base_url=url, timeout=10.0, limits=limits) as client:
        async def worker(offset: int) -> None:
            index = offset
            while time.monotonic() < end and index < len(bodies):
                started = time.monotonic()
                response = await client.post("/ceb/messages", content=bodies[index], headers=XML)
                results.append((response.status_code, time.monotonic() - started,
                                response.headers.get("retry-after")))
                index += WORKERS
        await asyncio.gather(*(worker(i) for i in range(WORKERS)))
    return results
