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
    assert manifest.headers[1]["tag"] == "M1" and Scenario.model_validate(manifest.headers[1]["scenario"]) == scenario
    assert len(manifest.documents) == BATCH and manifest.unreadable_lines == 0
    sent = manifest.documents[first.document_guid]
    assert (sent.message_type, sent.worker, sent.receipt_status, sent.keys["invtNo"]) == (first.message_type, 1, 120, "I1")
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
