"""The run's manifest: every document a generator process sent, and the last status the platform
gave it, in the run's folder (`manifest.jsonl`, or `manifest-w<index>.jsonl` per worker process).

JSON lines, append-only, so a crash loses at most the last unwritten batch and never what was
written: a header line (the scenario as replayed, the worker's share, stored-only or declared,
which registry of test buyers), then a `sent` line per message (its document's guid, type, parcel
and business keys, intended time, the platform's answer) and a `receipt` line per receipt of it.
Lines are kept in memory and written in batches (every `BATCH` lines, and every second by the
runtime), fsync'd when the run ends. `peakload cleanup` reads every manifest of a run.

Plain Python (no gevent): the runtime calls it from its greenlets.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceb.types import MessageType
from locustfiles.identities import Registry
from locustfiles.parcels import Declaring
from locustfiles.schedule import SendJob
from scenarios.model import Scenario

VERSION = 1
BATCH = 200  # lines a writer keeps before writing them
NOT_SENT = "not sent"  # the error of a document a dry run planned and did not send
_RECEIPT_KEYS = ("invtNo", "preNo")  # what a receipt adds to a document's keys


def header(scenario: Scenario, worker_index: int, worker_count: int, declaring: Declaring,
           registry: Registry | None, transport: str) -> dict[str, Any]:
    """A process's header line: everything its plan is rebuilt from (the scenario as replayed, the
    process's share, stored or declared, which registry), and how the documents went."""
    return {"worker": worker_index, "workers": worker_count, "transport": transport,
            "store_only": declaring.store_only, "tag": scenario.generator.id_tag,
            "identities": None if registry is None else {"sha256": registry.sha256, "accounts": len(registry.buyers)},
            "scenario": scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)}


def manifest_path(run_dir: Path, worker_index: int | None = None) -> Path:
    """Where a generator process writes its manifest (a worker of a distributed run: its own file)."""
    return run_dir / ("manifest.jsonl" if worker_index is None else f"manifest-w{worker_index}.jsonl")


class ManifestWriter:
    """One process's manifest, appended in batches. A write that fails is remembered in `error`
    (the runtime ends the run: a run whose documents cannot be found again must not go on)."""

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.error: str | None = None
        self._lines: list[dict[str, Any]] = [{"kind": "header", "manifest": VERSION, "written_at": time.time(),
                                              **header}]
        self._file = open(path, "ab", buffering=0)  # noqa: SIM115 - held for the run, closed by close()
        self.flush()

    def sent(self, job: SendJob, status: int | None, error: str | None) -> None:
        """A message of the plan was sent (or tried: `status` None when no answer came)."""
        line = {"kind": "sent", "guid": job.document_guid, "type": job.message_type.value, "parcel": job.parcel,
                "keys": job.keys, "intended_s": round(job.intended_s, 3), "status": status, "error": error}
        if job.withdrawn:
            line["superseded"] = True  # a list the run itself amends or cancels later
        self._lines.append(line)
        if len(self._lines) >= BATCH:
            self.flush()

    def receipt(self, guid: str, receipt_type: str, status: int, return_time: str, keys: dict[str, str]) -> None:
        """A receipt of a document this process sent."""
        self._lines.append({"kind": "receipt", "guid": guid, "type": receipt_type, "status": status,
                            "at": return_time, "keys": {k: keys[k] for k in _RECEIPT_KEYS if keys.get(k)}})
        if len(self._lines) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the lines kept so far (one write call)."""
        if not self._lines or self._file.closed:
            return
        lines, self._lines = self._lines, []
        data = "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines)
        try:
            self._file.write(data.encode())
        except OSError as exc:
            self.error = self.error or f"the manifest {self.path} cannot be written: {exc.strerror or exc}"

    def close(self) -> None:
        """Write what is left and make it durable."""
        if self._file.closed:
            return
        self.flush()
        try:
            os.fsync(self._file.fileno())
        except OSError as exc:
            self.error = self.error or f"the manifest {self.path} cannot be synced: {exc.strerror or exc}"
        self._file.close()


@dataclass(slots=True)
class SentDocument:
    """A document the run sent, as its manifests tell."""

    guid: str
    message_type: MessageType
    process: int  # the header it was sent under (`Manifest.headers`): a generator process of one run
    parcel: int
    keys: dict[str, str]
    intended_s: float
    status: int | None  # the platform's answer to the message (None: none came)
    error: str | None
    receipt_status: int | None = None  # the newest receipt's returnStatus
    receipt_time: str = ""
    superseded: bool = False  # a list the run itself amended or cancelled

    @property
    def delivered(self) -> bool:
        """Whether the platform may hold it: taken (2xx), or no answer came (it may have arrived)."""
        if self.status is None:
            return self.error != NOT_SENT
        return 200 <= self.status < 300


@dataclass(slots=True)
class Manifest:
    """Every manifest in a run's folder: each generator process's header (numbered in the order
    read: a folder a run was repeated in holds several runs' processes) and the documents sent."""

    headers: dict[int, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, SentDocument] = field(default_factory=dict)
    unreadable_lines: int = 0  # a line cut short by a crash, or not a manifest line at all


def manifest_files(run_dir: Path) -> list[Path]:
    """The run's manifests: one per generator process."""
    return sorted([*run_dir.glob("manifest.jsonl"), *run_dir.glob("manifest-w*.jsonl")])


def read_manifest(run_dir: Path) -> Manifest:
    """Every manifest in `run_dir`, merged (a document's newest receipt wins, by returnTime)."""
    manifest = Manifest()
    for path in manifest_files(run_dir):
        process = None
        with open(path, "rb") as file:
            for raw in file:
                try:
                    process = _read_line(json.loads(raw), process, manifest)
                except (ValueError, TypeError, KeyError, AttributeError):
                    manifest.unreadable_lines += 1
    return manifest


def _read_line(line: dict[str, Any], process: int | None, manifest: Manifest) -> int | None:
    """Take one line into `manifest`; the process whose lines follow."""
    kind = line.get("kind")
    if kind == "header":
        if not isinstance(line.get("worker"), int) or not isinstance(line.get("workers"), int):
            raise ValueError("a header that does not say whose share of the plan it is")
        process = len(manifest.headers)
        manifest.headers[process] = line
    elif process is None:
        raise ValueError("a record before any header: not from a generator")
    elif kind == "sent":
        status = line["status"]
        manifest.documents[line["guid"]] = SentDocument(
            str(line["guid"]), MessageType(line["type"]), process, int(line["parcel"]),
            {str(k): str(v) for k, v in (line.get("keys") or {}).items()}, float(line["intended_s"]),
            None if status is None else int(status), line.get("error"), superseded=bool(line.get("superseded")))
    elif kind == "receipt":
        document = manifest.documents.get(line["guid"])
        if document is not None and str(line["at"]) >= document.receipt_time:
            document.receipt_status, document.receipt_time = int(line["status"]), str(line["at"])
            document.keys.update({str(k): str(v) for k, v in (line.get("keys") or {}).items()})
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return process
