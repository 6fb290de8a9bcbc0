"""The engine itself, without HTTP: documents accepted while it reads ahead from the database
(for a return or a summary) are not lost."""

import asyncio
import datetime as dt
import threading

from locustfiles.followups import declaration_head, return_of
from locustfiles.parcels import ParcelFactory
from mock_platform.backends import backend_for
from mock_platform.matching import Arrival
from mock_platform.metrics import build_metrics
from mock_platform.settings import Settings
from mock_platform.store import Store
from mock_platform.workflow import WorkflowEngine
from mock_platform.writer import GroupCommitWriter

NOW = dt.datetime(2026, 11, 11, 1)


def test_documents_accepted_during_a_lookup_are_filed(tmp_path):
    async def scenario() -> tuple[set[str], str]:
        settings = Settings(database=str(tmp_path / "mock.db"))
        metrics = build_metrics()
        store = Store(backend_for(settings.database, settings.sqlite_synchronous))
        writer = GroupCommitWriter(store, metrics, settings.commit_batch_max, lambda: 0.0)
        await writer.start()
        engine = WorkflowEngine(settings, writer, metrics)
        factory = ParcelFactory(seed=5, namespace="E1")
        parcel = factory.make(NOW)
        refund = return_of(parcel.inventory_list, declaration_head(factory.guid(), NOW), "0", "late")
        latecomer = factory.make(NOW).order
        loop = asyncio.get_running_loop()
        accepted, original = threading.Event(), engine._look_up

        def accept_latecomer() -> None:
            engine.accept([Arrival(2, latecomer, "5001960001", 0.0)])
            accepted.set()

        def slow_look_up(store_, inbox):  # an order is accepted just after the return's list was read
            resolved = original(store_, inbox)
            loop.call_soon_threadsafe(accept_latecomer)
            accepted.wait(5.0)
            return resolved

        engine._look_up = slow_look_up
        await engine.start(store)
        engine.accept([Arrival(1, refund, "5001960004", 0.0)])
        for _ in range(250):
            got = {r.guid for r in store.receipts_after("5001960001", 0, 100)}
            if latecomer.head.guid in got:
                break
            await asyncio.sleep(0.02)
        await engine.stop()
        await writer.close()
        return got, latecomer.head.guid

    got, latecomer_guid = asyncio.run(scenario())
    assert latecomer_guid in got
