"""Group commit: many writes, one transaction, one fsync.

Callers `await writer.write(op)`; the writer thread takes every op queued so far (up to the batch
limit), applies them in one transaction and answers each caller once the transaction is durable.
Under load batches grow by themselves, so durability costs one fsync per batch, not per message.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from typing import Any

from mock_platform.metrics import PlatformMetrics
from mock_platform.backends import Connection
from mock_platform.store import Store, WriteOp


class WriterClosed(RuntimeError):
    """The writer is shut down; nothing more can be committed."""


class GroupCommitWriter:
    """Serialises every write of the platform through one connection on one thread."""

    def __init__(self, store: Store, metrics: PlatformMetrics, batch_max: int,
                 extra_delay_s: Callable[[], float] = lambda: 0.0) -> None:
        self._store = store
        self._metrics = metrics
        self._batch_max = batch_max
        self._extra_delay_s = extra_delay_s  # an injected storage slowdown
        self._queue: asyncio.Queue[tuple[WriteOp, asyncio.Future[Any]] | None] = asyncio.Queue()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="group-commit")
        self._conn: Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def start(self) -> None:
        """Open the write connection and start committing."""
        loop = asyncio.get_running_loop()
        self._conn = await loop.run_in_executor(self._thread, self._store.open_writer)
        self._task = asyncio.create_task(self._run(), name="group-commit")

    async def write(self, op: WriteOp) -> Any:
        """Apply `op` durably; its return value, or the exception it raised, comes back."""
        if self._closed:
            raise WriterClosed("the writer is shut down")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((op, future))
        result = await future
        if isinstance(result, Exception):
            raise result
        return result

    @property
    def backlog(self) -> int:
        """Ops waiting for the next transaction."""
        return self._queue.qsize()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            first = await self._queue.get()
            batch = [first]
            while len(batch) < self._batch_max and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            stop = None in batch
            work = [item for item in batch if item is not None]
            if work:
                await self._commit(loop, work)
            if stop:
                return

    async def _commit(self, loop: asyncio.AbstractEventLoop,
                      work: list[tuple[WriteOp, asyncio.Future[Any]]]) -> None:
        started = time.perf_counter()
        try:
            results = await loop.run_in_executor(
                self._thread, self._write, [op for op, _ in work], self._extra_delay_s())
        except Exception as exc:  # noqa: BLE001 - the whole transaction failed: tell every caller
            results = [exc] * len(work)
        self._metrics.commit_seconds.observe(time.perf_counter() - started)
        self._metrics.commit_batch_size.observe(len(work))
        for (_, future), result in zip(work, results):
            if not future.done():
                future.set_result(result)

    def _write(self, ops: list[WriteOp], delay_s: float) -> list[Any]:
        if delay_s > 0:
            time.sleep(delay_s)
        return self._store.write_batch(self._conn, ops)

    async def close(self) -> None:
        """Commit what is queued, then stop and close the connection."""
        if self._closed:
            return
        self._closed = True
        self._queue.put_nowait(None)
        if self._task is not None:
            await self._task
        if self._conn is not None:
            await asyncio.get_running_loop().run_in_executor(self._thread, self._conn.close)
        self._thread.shutdown(wait=True)
