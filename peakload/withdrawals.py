"""What `peakload cleanup` withdraws and how, as pure functions of a run's manifest and its cleanup log.

Each document the run left on the platform is assessed (`assess`): an import list not yet released
is cancelled (CEB623), a released one returned (CEB625); an order, payment or waybill whose list
was never accepted, was rejected or was cancelled is deleted (appType 3); an export list not yet
released is cancelled (CEB605). Documents the platform refused, lists it rejected and documents only
stored (a store-only run) hold nothing to withdraw. A withdrawal confirmed by its receipt is not
sent again; one refused is reported with the platform's reason.

The withdrawal messages are built from the run's own documents, which are rebuilt from its plan:
the plan is deterministic, and each manifest's header holds what it was made from (`rebuild`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from ceb import dxp
from ceb.codec import message_from_tree, open_envelope, render_message
from ceb.documents import Message
from ceb.types import AppType, MessageType, ReturnStatus
from locustfiles.exports import export_cancel
from locustfiles.followups import UNKNOWN_INVT_NO, cancel_of, declaration_head, return_of
from locustfiles.identities import Registry
from locustfiles.manifest import Manifest, SentDocument
from locustfiles.parcels import Declaring
from locustfiles.schedule import send_plan
from peakload.cleanup_log import Action, Attempt, CleanupLog
from scenarios.model import Scenario

REASON = "peakload cleanup: a test declaration withdrawn"
MAX_TRIES = 3  # sends of one withdrawal in one cleanup, when no answer or a transient refusal came
PARTNERS = frozenset({MessageType.ORDER, MessageType.PAYMENT, MessageType.WAYBILL})
# The receipt status that confirms each withdrawal: a cancel or return is approved (审结), a deletion accepted.
CONFIRMED = {Action.CANCEL: ReturnStatus.CLEARED, Action.RETURN: ReturnStatus.CLEARED,
             Action.EXPORT_CANCEL: ReturnStatus.CLEARED, Action.DELETE: ReturnStatus.ACCEPTED}
DONE = {Action.CANCEL: "cancelled (CEB623)", Action.RETURN: "returned (CEB625)",
        Action.EXPORT_CANCEL: "cancelled (CEB605)", Action.DELETE: "deleted (appType 3)"}


class Verdict(str, Enum):
    """Where a document stands in the cleanup."""

    SEND = "to send"
    WAITING = "waiting"  # sent, or waiting for its list's withdrawal first
    WITHDRAWN = "withdrawn"
    NOTHING = "nothing to withdraw"
    NOT_WITHDRAWN = "not withdrawn"


@dataclass(frozen=True, slots=True)
class Assessment:
    document: SentDocument
    verdict: Verdict
    action: Action | None
    reason: str


class _Fate(Enum):
    """What became of a parcel's list, as far as its partners are concerned."""

    NONE = "no list taken"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    PENDING = "being withdrawn"
    RETURNED = "returned (CEB625): the return covers it"
    GONE = "returned abroad (退运)"
    STUCK = "could not be withdrawn"


def assess(manifest: Manifest, log: CleanupLog, session: str) -> list[Assessment]:
    """Every document of the run that a platform could hold, with what the cleanup does about it."""
    parcels: dict[tuple[int, int], list[SentDocument]] = defaultdict(list)
    for document in manifest.documents.values():
        parcels[(document.process, document.parcel)].append(document)
    stored = {process for process, head in manifest.headers.items() if head.get("store_only")}
    out: list[Assessment] = []
    for (process, _), documents in parcels.items():
        if process in stored:
            out += [Assessment(d, Verdict.NOTHING, None, "stored only (暂存, appStatus 1): never declared")
                    for d in documents if d.delivered and _held(d)]
        elif any(d.message_type is MessageType.EXPORT_LIST for d in documents):
            out += _export(documents, log, session)
        else:
            out += _import(documents, log, session)
    return out


def _held(document: SentDocument) -> bool:
    return document.message_type in PARTNERS | {MessageType.INVENTORY_LIST, MessageType.EXPORT_LIST}


def status_of(document: SentDocument, log: CleanupLog) -> int | None:
    """The newest status the platform gave a document: in the run, or read by a cleanup since."""
    seen = log.statuses.get(document.guid)
    if seen is not None and (document.receipt_status is None or seen[1] >= document.receipt_time):
        return seen[0]
    return document.receipt_status


def refused(status: int | None) -> bool:
    """Whether a receipt status refuses: 100 (退单), or a negative processing error."""
    return status is not None and (status == ReturnStatus.REJECTED or status < 0)


def settled(attempt: Attempt) -> bool:
    """Whether a withdrawal sent has its final answer (or was not taken at all)."""
    return not attempt.delivered or attempt.answer == CONFIRMED[attempt.action] or refused(attempt.answer)


def _not_taken(document: SentDocument) -> Assessment:
    answer = f"HTTP {document.status}" if document.status is not None else document.error
    return Assessment(document, Verdict.NOTHING, None, f"not taken by the platform ({answer})")


def _import(documents: list[SentDocument], log: CleanupLog, session: str) -> Iterable[Assessment]:
    # The list that stands is the last sent, and an amendment stands for the list it amends.
    lists = sorted((d for d in documents if d.message_type is MessageType.INVENTORY_LIST),
                   key=lambda d: (d.intended_s, not d.superseded))
    taken = [d for d in lists if d.delivered]
    yield from (_not_taken(d) for d in lists if not d.delivered)
    yield from (Assessment(d, Verdict.NOTHING, None, "amended: the later list stands for it") for d in taken[:-1])
    fate = _Fate.NONE
    if taken:
        assessment, fate = _list(taken[-1], documents, log, session)
        yield assessment
    for document in documents:
        if document.message_type not in PARTNERS:
            continue
        if not document.delivered:
            yield _not_taken(document)
        elif refused(status_of(document, log)):
            yield Assessment(document, Verdict.NOTHING, None, "rejected by the platform")
        elif fate in (_Fate.NONE, _Fate.REJECTED, _Fate.CANCELLED):
            yield _withdraw(document, Action.DELETE, log, session)
        elif fate is _Fate.PENDING:
            yield Assessment(document, Verdict.WAITING, Action.DELETE, "waits for its list's withdrawal")
        elif fate is _Fate.STUCK:
            yield Assessment(document, Verdict.NOT_WITHDRAWN, None, "its list could not be withdrawn")
        else:
            yield Assessment(document, Verdict.NOTHING, None, f"its list was {fate.value}")


def _list(live: SentDocument, documents: list[SentDocument], log: CleanupLog,
          session: str) -> tuple[Assessment, _Fate]:
    """The parcel's list as it stands, and what the cleanup does about it."""
    for mt, fate, done in ((MessageType.INVENTORY_CANCEL, _Fate.CANCELLED, "cancelled"),
                           (MessageType.INVENTORY_RETURN, _Fate.RETURNED, "returned")):
        if any(d.message_type is mt and d.delivered and status_of(d, log) == ReturnStatus.CLEARED for d in documents):
            return Assessment(live, Verdict.NOTHING, None, f"{done} by the run ({mt.value})"), fate
    for action, fate in ((Action.CANCEL, _Fate.CANCELLED), (Action.RETURN, _Fate.RETURNED)):
        attempt = log.latest(live.guid, action)
        if attempt is not None and attempt.delivered and attempt.answer == CONFIRMED[action]:
            return Assessment(live, Verdict.WITHDRAWN, action, DONE[action]), fate
    status = status_of(live, log)
    if refused(status):
        return Assessment(live, Verdict.NOTHING, None, "rejected by the platform"), _Fate.REJECTED
    if status == ReturnStatus.RETURNED_ABROAD:
        return Assessment(live, Verdict.NOTHING, None, _Fate.GONE.value), _Fate.GONE
    assessment = _withdraw(live, Action.RETURN if status == ReturnStatus.RELEASED else Action.CANCEL, log, session)
    return assessment, _Fate.PENDING if assessment.verdict in (Verdict.SEND, Verdict.WAITING) else _Fate.STUCK


def _export(documents: list[SentDocument], log: CleanupLog, session: str) -> Iterable[Assessment]:
    lists = sorted((d for d in documents if d.message_type is MessageType.EXPORT_LIST), key=lambda d: d.intended_s)
    yield from (_not_taken(d) for d in lists if not d.delivered)
    for live in (d for d in lists if d.delivered):
        status = status_of(live, log)
        if any(d.message_type is MessageType.EXPORT_CANCEL and d.delivered and status_of(d, log) == ReturnStatus.CLEARED
               for d in documents):
            yield Assessment(live, Verdict.NOTHING, None, "cancelled by the run (CEB605)")
        elif refused(status):
            yield Assessment(live, Verdict.NOTHING, None, "rejected by the platform")
        elif status in (ReturnStatus.RELEASED, ReturnStatus.CLOSED) and log.latest(live.guid, Action.EXPORT_CANCEL) is None:
            yield Assessment(live, Verdict.NOT_WITHDRAWN, None,
                             f"released for export ({status}): an export list is cancelled only before release")
        else:
            yield _withdraw(live, Action.EXPORT_CANCEL, log, session)


def _withdraw(document: SentDocument, action: Action, log: CleanupLog, session: str) -> Assessment:
    """Where the withdrawal of `document` by `action` stands."""
    attempt = log.latest(document.guid, action)
    if attempt is None:
        return Assessment(document, Verdict.SEND, action, "")
    if attempt.delivered:
        if attempt.answer == CONFIRMED[action]:
            return Assessment(document, Verdict.WITHDRAWN, action, DONE[action])
        if refused(attempt.answer):
            return Assessment(document, Verdict.NOT_WITHDRAWN, action,
                              f"{action.value} refused ({attempt.answer}): {attempt.info or 'no reason given'}")
        return Assessment(document, Verdict.WAITING, action, f"{action.value} sent; no final answer from the platform yet")
    transient = attempt.status is None or attempt.status in (408, 429) or attempt.status >= 500
    if transient and log.tries(document.guid, action, session) < MAX_TRIES:
        return Assessment(document, Verdict.SEND, action, "")
    answer = f"HTTP {attempt.status}: " if attempt.status is not None else ""
    return Assessment(document, Verdict.NOT_WITHDRAWN, action, f"{action.value} not taken ({answer}{attempt.error})")


# ------------------------------------------------------------------------------------- building

def rebuild(header: dict[str, Any], guids: set[str], registry: Registry | None) -> dict[str, Message]:
    """The messages of `guids` as one generator process sent them, made again from its plan (the
    documents unsigned); those the plan no longer makes are missing from the answer."""
    scenario = Scenario.model_validate(header["scenario"])
    declaring = Declaring(store_only=bool(header.get("store_only")), buyers=registry.buyers if registry else ())
    found: dict[str, Message] = {}
    for job in send_plan(scenario, int(header["worker"]), int(header["workers"]), declaring):
        if job.document_guid in guids:
            message = message_from_tree(open_envelope(job.body)[1])
            if message.documents[0].head.guid == job.document_guid:
                found[job.document_guid] = message
            if len(found) == len(guids):
                break
    return found


def withdrawal(action: Action, original: Message, invt_no: str, guid: Callable[[], str], at: dt.datetime,
               envelope: bool) -> tuple[MessageType, str, bytes]:
    """The message withdrawing `original`'s document: its type, its document's guid and its body
    (in a DxpMsg envelope when the run used them). It comes from the original's sender and carries
    the original's note (the run's tag)."""
    document = original.documents[0]
    if action is Action.CANCEL:
        withdrawn, message_type = cancel_of(document, declaration_head(guid(), at), invt_no or UNKNOWN_INVT_NO,
                                            REASON), MessageType.INVENTORY_CANCEL
    elif action is Action.RETURN:
        withdrawn, message_type = return_of(document, declaration_head(guid(), at), invt_no or UNKNOWN_INVT_NO,
                                            REASON), MessageType.INVENTORY_RETURN
    elif action is Action.EXPORT_CANCEL:
        withdrawn, message_type = export_cancel(document, guid, at, REASON), MessageType.EXPORT_CANCEL
    else:
        withdrawn = replace(document, head=declaration_head(guid(), at, AppType.DELETE))
        message_type = original.message_type
    message = Message(message_type, guid(), (withdrawn,), original.base_transfer)
    body = render_message(message)
    if envelope:
        sender = original.base_transfer.dxp_id
        body = dxp.wrap(dxp.DxpMessage(message.guid, sender, (dxp.receiver_for(message_type),), at,
                                       message_type.root_tag, body))
    return message_type, withdrawn.head.guid, body
