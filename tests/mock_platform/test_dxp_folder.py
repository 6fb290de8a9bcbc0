"""The folder transport of the mock platform, on real folders: taking files, answering with receipt
files, refusing, duplicates, backpressure and a kill -9 with files waiting."""

import os
from dataclasses import replace
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ceb import dxp
from ceb.codec import render_message
from ceb.types import MessageType
from locustfiles.parcels import ParcelFactory
from peakload.embedded_mock import start_mock
from tests.conftest import make_database, now_china
from tests.mock_platform.dxp_files import received, refusals, statuses, wait_for, write_message

DXP_ID = "DXPENT0000507777"


@pytest.fixture(scope="module")
def folder_mock(tmp_path_factory, backend) -> Iterator[tuple[str, Path]]:
    """A mock serving the folder transport (and /metrics) on a folder of its own, on each backend."""
    folder = tmp_path_factory.mktemp(f"mock-dxp-{backend}")
    mock = start_mock(make_database(backend, folder), folder / "mock.log",
                      ("--transport", "dxp-folder", "--dxp-root", str(folder / "dxp"), "--seed", "4"))
    try:
        yield mock.url, folder / "dxp"
    finally:
        mock.stop()


def test_files_are_taken_and_answered_with_receipt_files(folder_mock, factory):
    _, root = folder_mock
    messages = factory.make(now_china()).messages(factory.parties, factory.guid)
    for message_type, message in messages.items():
        write_message(root / "send", message, message_type, DXP_ID)
    wait_for(lambda: not any((root / "send").iterdir()), what="send/ emptied")
    listed = messages[MessageType.INVENTORY_LIST].documents[0].head.guid
    wait_for(lambda: 800 in statuses(root / "receive", listed), what="the list's release receipt")
    for envelope, receipts in received(root / "receive"):
        assert envelope.sender_id == "DXPEDCCEB0000002" and envelope.receiver_ids == (DXP_ID,)
        assert {r.message_type.root_tag for r in receipts} == {envelope.msg_type}, "one receipt type a file"
    order = messages[MessageType.ORDER].documents[0].head.guid
    assert sorted(statuses(root / "receive", order)) == [2, 120]
    assert not any((root / "error").iterdir())


def test_files_being_written_are_left_alone(folder_mock, factory):
    _, root = folder_mock
    order = factory.make(now_china()).messages(factory.parties, factory.guid)[MessageType.ORDER]
    envelope = dxp.wrap(dxp.DxpMessage(order.guid, DXP_ID, ("DXPEDCCEB0000002",), now_china(), "CEB311Message",
                                       render_message(order)))
    for name in (".CEB311Message_x.xml", "CEB311Message_y.xml.tmp", "CEB311Message_z.txt"):
        (root / "send" / name).write_bytes(envelope)
    newer = factory.make(now_china()).messages(factory.parties, factory.guid)[MessageType.ORDER]
    taken = write_message(root / "send", newer, MessageType.ORDER, DXP_ID)
    wait_for(lambda: not (root / "send" / taken).exists(), what="the complete file taken")
    assert sorted(p.name for p in (root / "send").iterdir()) == [
        ".CEB311Message_x.xml", "CEB311Message_y.xml.tmp", "CEB311Message_z.txt"]
    for path in (root / "send").iterdir():
        path.unlink()


def test_a_refused_file_gets_a_message_return_and_moves_to_error(folder_mock, factory):
    _, root = folder_mock
    messages = factory.make(now_china()).messages(factory.parties, factory.guid)
    order, payment = messages[MessageType.ORDER], messages[MessageType.PAYMENT]
    bad_xml = dxp.DxpMessage("COP-BAD-XML", DXP_ID, ("DXPEDCCEB0000002",), now_china(), "CEB311Message", b"<CEB311")
    no_field = render_message(order).replace(b"<ceb:orderNo>", b"<ceb:orderNoX>").replace(b"</ceb:orderNo>",
                                                                                            b"</ceb:orderNoX>")
    files = {
        "CEB311Message_COP-BAD-XML.xml": dxp.wrap(bad_xml),
        "CEB311Message_COP-NO-FIELD.xml": dxp.wrap(replace(bad_xml, cop_msg_id="COP-NO-FIELD", data=no_field)),
        "CEB311Message_COP-MISMATCH.xml": dxp.wrap(replace(bad_xml, cop_msg_id="COP-MISMATCH",
                                                           data=render_message(payment))),
        "not-an-envelope.xml": b"<DxpMsg/>",
    }
    for name, data in files.items():
        (root / "send" / name).write_bytes(data)
    wait_for(lambda: sorted(p.name for p in (root / "error").iterdir()) == sorted(files), what="all moved to error/")
    refused = wait_for(lambda: (found := refusals(root / "receive")).keys() >= {
        "COP-BAD-XML", "COP-NO-FIELD", "COP-MISMATCH", "not-an-envelope"} and found, what="four MessageReturns")
    assert refused["COP-BAD-XML"].return_status == -1 and "malformed_xml" in refused["COP-BAD-XML"].return_info
    assert refused["COP-NO-FIELD"].return_status == -2 and "orderNo" in refused["COP-NO-FIELD"].return_info
    assert refused["COP-NO-FIELD"].guid == order.guid, "the refusal names the message's own guid"
    assert "message_type_mismatch" in refused["COP-MISMATCH"].return_info
    assert refused["not-an-envelope"].return_status == -1
    assert dict(refused["COP-BAD-XML"].keys)["oriMessageType"] == "CEB311"
    assert not any((root / "send").iterdir())


def _metric(url: str, outcome: str) -> float:
    text = httpx.get(url + "/metrics").text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("ceb_platform_intake_messages_total{") and f'outcome="{outcome}"' in line)


def test_a_file_taken_twice_is_a_duplicate_without_a_second_answer(folder_mock, factory):
    url, root = folder_mock
    order = factory.make(now_china()).messages(factory.parties, factory.guid)[MessageType.ORDER]
    before = _metric(url, "duplicate")
    for _ in range(2):
        name = write_message(root / "send", order, MessageType.ORDER, DXP_ID)
        wait_for(lambda: not (root / "send" / name).exists(), what="the file taken")
    assert _metric(url, "duplicate") == before + 1
    guid = order.documents[0].head.guid
    wait_for(lambda: statuses(root / "receive", guid) == [2, 120], what="the order's receipts")
    assert not (root / "error" / name).exists()


def test_kill_9_with_files_waiting_loses_none(tmp_path):
    root, db = tmp_path / "dxp", tmp_path / "mock.db"
    args = ("--transport", "ceb-http,dxp-folder", "--dxp-root", str(root), "--capacity", "150", "--queue-size", "8")
    factory = ParcelFactory(seed=9, namespace="KF")
    orders = [factory.make(now_china()).messages(factory.parties, factory.guid)[MessageType.ORDER]
              for _ in range(300)]
    (root / "send").mkdir(parents=True)
    for order in orders:
        write_message(root / "send", order, MessageType.ORDER, DXP_ID)
    mock = start_mock(db, tmp_path / "mock.log", args)
    wait_for(lambda: len(os.listdir(root / "send")) < 250, what="files being taken")
    mock.process.kill()  # SIGKILL: no drain
    mock.process.wait()
    waiting = len(os.listdir(root / "send"))
    assert 0 < waiting < len(orders), "killed while files were still waiting"
    assert all(path.name.startswith(".") or dxp.unwrap(path.read_bytes()) for path in (root / "receive").iterdir())

    restarted = start_mock(db, tmp_path / "mock.log", args)
    try:
        wait_for(lambda: not os.listdir(root / "send"), what="every waiting file taken after the restart")
        with httpx.Client(base_url=restarted.url) as client:
            def declared() -> set[str]:
                receipts, cursor = [], "0"
                while page := client.get("/ceb/receipts", params={"receiver": factory.parties.platform.code,
                                                                  "after": cursor}).json()["receipts"]:
                    receipts += page
                    cursor = page[-1]["cursor"]
                return {r["guid"] for r in receipts if r["returnStatus"] == 2}
            wanted = {order.documents[0].head.guid for order in orders}
            wait_for(lambda: declared() >= wanted, what="a declared receipt for every file")
    finally:
        restarted.stop()
    assert not os.listdir(root / "error"), "nothing refused: a file taken twice is a duplicate"
