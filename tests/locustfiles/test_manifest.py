"""The manifest: written in batches, read back whole, and readable after a crash cut its last line."""

from pathlib import Path

from ceb.types import MessageType
from locustfiles.manifest import BATCH, NOT_SENT, ManifestWriter, header, manifest_path, read_manifest
from locustfiles.parcels import Declaring
from locustfiles.schedule import send_plan
from scenarios.loader import load
from scenarios.model import Scenario

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny.yaml"


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_a_manifest_is_written_in_batches_and_read_back_with_the_newest_receipts(tmp_path):
    scenario = load(str(TINY.with_name("flows.yaml"))).with_id_tag("M1")
    jobs = list(send_plan(scenario, 1, 2))[:BATCH + 10]
    assert len(jobs) == BATCH + 10
    path = manifest_path(tmp_path, 1)
    writer = ManifestWriter(path, header(scenario, 1, 2, Declaring(), None, "ceb-http"))
    assert path.name == "manifest-w1.jsonl" and len(lines(path)) == 1  # the header, at once
    for job in jobs[:BATCH - 2]:
        writer.sent(job, 202, None)
    assert len(lines(path)) == 1  # kept in memory until a batch is full
    first = jobs[0]
    writer.receipt(first.document_guid, "CEB312", 2, "20181111000000100", {"orderNo": "x"})
    writer.receipt(first.document_guid, "CEB312", 120, "20181111000000200", {"invtNo": "I1"})
    assert len(lines(path)) == BATCH + 1
    writer.sent(jobs[BATCH - 2], None, "connection refused")
    writer.sent(jobs[BATCH - 1], 400, "bad")
    writer.close()
    writer.close()  # once is enough; twice does no harm
    manifest = read_manifest(tmp_path)
    assert manifest.headers[0]["worker"] == 1 and manifest.headers[0]["tag"] == "M1" and Scenario.model_validate(manifest.headers[0]["scenario"]) == scenario
    assert len(manifest.documents) == BATCH and manifest.unreadable_lines == 0
    sent = manifest.documents[first.document_guid]
    assert (sent.message_type, sent.process, sent.receipt_status, sent.keys["invtNo"]) == (first.message_type, 0, 120, "I1")
    assert sent.keys["copNo"] == first.keys["copNo"] and sent.keys["copNo"].startswith("M1")
    assert manifest.documents[jobs[BATCH - 2].document_guid].delivered  # no answer: it may have arrived
    assert not manifest.documents[jobs[BATCH - 1].document_guid].delivered


def test_a_line_cut_short_by_a_crash_loses_only_itself(tmp_path):
    scenario = load(str(TINY))
    jobs = list(send_plan(scenario))[:3]
    writer = ManifestWriter(manifest_path(tmp_path), header(scenario, 0, 1, Declaring(store_only=True), None, "eport"))
    for job in jobs:
        writer.sent(job, 202, None)
    writer.flush()
    with open(manifest_path(tmp_path), "ab") as file:
        file.write(b'{"kind":"sent","guid":"CUT-SH')  # the write a SIGKILL interrupted
    (tmp_path / "manifest-w3.jsonl").write_text('{"kind":"sent","guid":"no header"}\n')
    manifest = read_manifest(tmp_path)
    assert list(manifest.documents) == [job.document_guid for job in jobs]
    assert manifest.unreadable_lines == 2 and manifest.headers[0]["store_only"] is True


def test_a_dry_runs_documents_were_not_sent(tmp_path):
    job = next(iter(send_plan(load(str(TINY)))))
    writer = ManifestWriter(manifest_path(tmp_path), header(load(str(TINY)), 0, 1, Declaring(), None, "ceb-http"))
    writer.sent(job, None, NOT_SENT)
    writer.close()
    document = read_manifest(tmp_path).documents[job.document_guid]
    assert document.message_type is MessageType.ORDER and not document.delivered


def test_two_runs_in_one_folder_are_two_processes_each_with_its_own_documents(tmp_path):
    first, second = load(str(TINY)).with_id_tag("A1"), load(str(TINY)).with_id_tag("A2")
    for scenario in (first, second):  # the second run appends to the first one's manifest
        writer = ManifestWriter(manifest_path(tmp_path), header(scenario, 0, 1, Declaring(), None, "ceb-http"))
        for job in list(send_plan(scenario))[:5]:
            writer.sent(job, 202, None)
        writer.close()
    manifest = read_manifest(tmp_path)
    assert [h["tag"] for h in manifest.headers.values()] == ["A1", "A2"]
    assert {(d.process, d.keys["copNo"][:2]) for d in manifest.documents.values()} == {(0, "A1"), (1, "A2")}
