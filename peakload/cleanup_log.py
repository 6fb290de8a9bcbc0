"""`cleanup.jsonl`: what `peakload cleanup` sent and what the platform answered, in the run's folder.

Append-only JSON lines, each written as it happens: an `attempt` line per withdrawal sent (which
document it withdraws, its own guid, the platform's answer to the message), an `answer` line per
receipt of a withdrawal, and a `status` line per receipt of the run's own documents read during
a cleanup (a list released after the run ended, say). A cleanup reads it back first, so it is
idempotent (what was withdrawn is not withdrawn again) and resumable (what an interrupted one
did not send, the next one sends).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

LOG_FILE = "cleanup.jsonl"


class Action(str, Enum):
    """How a document is withdrawn."""

    CANCEL = "cancel"  # CEB623 撤销: an import list not yet released
    RETURN = "return"  # CEB625 退货: a released import list
    DELETE = "delete"  # appType 3: an order, payment or waybill no list holds
    EXPORT_CANCEL = "export-cancel"  # CEB605: an export list not yet released


@dataclass(slots=True)
class Attempt:
    """One withdrawal sent, and what came of it."""

    session: str  # which cleanup sent it
    action: Action
    of: str  # the withdrawn document's guid
    guid: str  # the withdrawal's own document guid
    status: int | None  # the platform's answer to the message (None: none came)
    error: str | None
    answer: int | None = None  # the newest receipt's returnStatus
    answer_time: str = ""
    info: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class CleanupLog:
    """The log of one run's cleanups: read when opened, appended line by line."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LOG_FILE
        self.attempts: dict[str, Attempt] = {}  # by the withdrawal's guid
        self._latest: dict[tuple[str, Action], Attempt] = {}  # (withdrawn guid, action) -> its last attempt
        self.statuses: dict[str, tuple[int, str]] = {}  # a run document's guid -> newest (status, returnTime)
        self.unreadable_lines = 0
        if self.path.exists():
            with open(self.path, "rb") as file:
                for raw in file:
                    try:
                        self._take(json.loads(raw))
                    except (ValueError, TypeError, KeyError, AttributeError):
                        self.unreadable_lines += 1  # a line cut short when a cleanup was killed
        self._file = open(self.path, "ab", buffering=0)  # noqa: SIM115 - closed by close()

    def _take(self, line: dict) -> None:
        kind = line["kind"]
        if kind == "attempt":
            attempt = Attempt(str(line["session"]), Action(line["action"]), str(line["of"]), str(line["guid"]),
                              None if line["status"] is None else int(line["status"]), line.get("error"))
            self.attempts[attempt.guid] = attempt
            self._latest[(attempt.of, attempt.action)] = attempt
        elif kind == "answer":
            attempt = self.attempts.get(line["guid"])
            if attempt is not None and str(line["at"]) >= attempt.answer_time:
                attempt.answer, attempt.answer_time, attempt.info = int(line["status"]), str(line["at"]), str(line["info"])
        elif kind == "status":
            self._status(str(line["guid"]), int(line["status"]), str(line["at"]))
        else:
            raise ValueError(kind)

    def _status(self, guid: str, status: int, at: str) -> None:
        if at >= self.statuses.get(guid, (0, ""))[1]:
            self.statuses[guid] = (status, at)

    def latest(self, of: str, action: Action) -> Attempt | None:
        """The last withdrawal of `of` by `action`, if one was sent."""
        return self._latest.get((of, action))

    def tries(self, of: str, action: Action, session: str) -> int:
        """How many times `session` sent this withdrawal."""
        return sum(1 for a in self.attempts.values() if a.of == of and a.action is action and a.session == session)

    def attempted(self, attempt: Attempt) -> None:
        self._take(self._write({"kind": "attempt", "session": attempt.session, "action": attempt.action.value,
                                "of": attempt.of, "guid": attempt.guid, "status": attempt.status,
                                "error": attempt.error, "written_at": time.time()}))

    def answered(self, guid: str, status: int, at: str, info: str) -> None:
        """A receipt of a withdrawal."""
        self._take(self._write({"kind": "answer", "guid": guid, "status": status, "at": at, "info": info}))

    def status_seen(self, guid: str, status: int, at: str) -> None:
        """A receipt of one of the run's documents (only a newer one is written)."""
        newest = self.statuses.get(guid, (0, ""))
        if at >= newest[1] and (status, at) != newest:  # one instant can stamp several (2, 120, 399)
            self._take(self._write({"kind": "status", "guid": guid, "status": status, "at": at}))

    def _write(self, line: dict) -> dict:
        self._file.write((json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
        return line

    def close(self) -> None:
        if not self._file.closed:
            os.fsync(self._file.fileno())
            self._file.close()
