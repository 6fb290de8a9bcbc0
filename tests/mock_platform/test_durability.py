"""A 2xx means committed: kill -9 mid-burst, restart, nothing acknowledged is lost."""

import threading
import time

import httpx

from ceb.codec import render_message
from ceb.types import MessageType
from locustfiles.parcels import ParcelFactory
from peakload.embedded_mock import start_mock
from tests.conftest import XML, make_database, now_china

PARCELS = 400


def test_kill_9_mid_burst_loses_no_acknowledged_message_and_resumes(tmp_path, backend):
    db, log = make_database(backend, tmp_path), tmp_path / "mock.log"
    mock = start_mock(db, log, ("--seed", "1"))
    factory = ParcelFactory(seed=42, namespace="K9")
    acked: list[tuple[bytes, MessageType, str]] = []
    complete_lists: list[str] = []

    def burst() -> None:
        with httpx.Client(base_url=mock.url, timeout=5.0) as client:
            for _ in range(PARCELS):
                messages = factory.make(now_china()).messages(factory.parties, factory.guid)
                sent = 0
                for message_type, message in messages.items():
                    body = render_message(message)
                    try:
                        status = client.post("/ceb/messages", content=body, headers=XML).status_code
                    except httpx.HTTPError:
                        return
                    if status == 202:
                        acked.append((body, message_type, message.documents[0].head.guid))
                        sent += 1
                if sent == 4:
                    complete_lists.append(messages[MessageType.INVENTORY_LIST].documents[0].head.guid)

    sender = threading.Thread(target=burst)
    sender.start()
    deadline = time.monotonic() + 60
    while len(acked) < 600 and sender.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    mock.process.kill()  # SIGKILL: no drain, no shutdown hook
    mock.process.wait()
    sender.join(timeout=30)
    assert len(acked) >= 600

    restarted = start_mock(db, log, ("--seed", "1"))
    try:
        with httpx.Client(base_url=restarted.url, timeout=10.0) as client:
            statuses = {client.post("/ceb/messages", content=body, headers=XML).status_code
                        for body, _, _ in acked}
            assert statuses == {200}, "an acknowledged message was lost"
            agent = factory.parties.agent.code
            final: dict[str, int] = {}
            end = time.monotonic() + 30
            while len(final) < len(complete_lists) and time.monotonic() < end:
                cursor = "0"
                while True:
                    page = client.get("/ceb/receipts", params={"receiver": agent, "after": cursor}).json()
                    for receipt in page["receipts"]:
                        if receipt["returnStatus"] in (100, 800):
                            final[receipt["guid"]] = receipt["returnStatus"]
                    if not page["receipts"]:
                        break
                    cursor = page["next"]
                time.sleep(0.2)
            missing = [guid for guid in complete_lists if final.get(guid) != 800]
            assert not missing, f"{len(missing)} complete parcels never released after the restart"
    finally:
        restarted.stop()
