"""What a cleanup withdraws, decided from a manifest and the cleanup log alone."""

from pathlib import Path

from ceb.types import MessageType
from locustfiles.manifest import Manifest, SentDocument
from peakload.cleanup_log import Action, Attempt, CleanupLog
from peakload.withdrawals import MAX_TRIES, Verdict, assess

ORDER, PAYMENT, WAYBILL, LIST = MessageType.ORDER, MessageType.PAYMENT, MessageType.WAYBILL, MessageType.INVENTORY_LIST


def parcel(manifest: Manifest, number: int, list_status: int | None, list_answer: int | None = 202,
           process: int = 0) -> dict[MessageType, SentDocument]:
    """An import parcel's four documents, sent; its list last seen at `list_status`."""
    docs = {}
    for mt in (ORDER, PAYMENT, WAYBILL, LIST):
        doc = SentDocument(f"{mt.value}-{process}-{number}", mt, process, number, {"copNo": f"C{number}"}, 0.1,
                           list_answer if mt is LIST else 202, None, list_status if mt is LIST else 120, "20260101")
        manifest.documents[doc.guid] = docs[mt] = doc
    manifest.headers.setdefault(process, {"worker": 0, "workers": 1, "store_only": False})
    return docs


def verdicts(manifest: Manifest, log: CleanupLog, session: str = "s1") -> dict[str, tuple[Verdict, Action | None]]:
    return {a.document.guid: (a.verdict, a.action) for a in assess(manifest, log, session)}


def test_lists_go_first_and_their_partners_are_deleted_once_the_cancel_is_confirmed(tmp_path: Path):
    manifest = Manifest()
    open_list, released, rejected = parcel(manifest, 1, 120), parcel(manifest, 2, 800), parcel(manifest, 3, 100)
    log = CleanupLog(tmp_path)
    seen = verdicts(manifest, log)
    assert seen[open_list[LIST].guid] == (Verdict.SEND, Action.CANCEL)
    assert seen[open_list[ORDER].guid] == (Verdict.WAITING, Action.DELETE)  # after its list
    assert seen[released[LIST].guid] == (Verdict.SEND, Action.RETURN)
    assert seen[released[ORDER].guid][0] is Verdict.WAITING
    assert seen[rejected[LIST].guid] == (Verdict.NOTHING, None)
    assert {seen[rejected[mt].guid] for mt in (ORDER, PAYMENT, WAYBILL)} == {(Verdict.SEND, Action.DELETE)}

    log.attempted(Attempt("s1", Action.CANCEL, open_list[LIST].guid, "W1", 202, None))
    assert verdicts(manifest, log)[open_list[LIST].guid] == (Verdict.WAITING, Action.CANCEL)
    log.answered("W1", 399, "20260102", "[Code:2600;Desc:审结]")
    log.attempted(Attempt("s1", Action.RETURN, released[LIST].guid, "W2", 202, None))
    log.answered("W2", 100, "20260102", "[rule:return_window] past the window")
    log.close()

    again = verdicts(manifest, CleanupLog(tmp_path), "s2")  # a later cleanup reads what this one did
    assert again[open_list[LIST].guid] == (Verdict.WITHDRAWN, Action.CANCEL)
    assert {again[open_list[mt].guid] for mt in (ORDER, PAYMENT, WAYBILL)} == {(Verdict.SEND, Action.DELETE)}
    assert again[released[LIST].guid] == (Verdict.NOT_WITHDRAWN, Action.RETURN)
    assert again[released[ORDER].guid] == (Verdict.NOT_WITHDRAWN, None)
    reasons = {a.document.guid: a.reason for a in assess(manifest, CleanupLog(tmp_path), "s2")}
    assert "past the window" in reasons[released[LIST].guid]


def test_a_list_released_since_its_cancel_was_refused_is_returned(tmp_path: Path):
    manifest = Manifest()
    docs = parcel(manifest, 1, 399)
    log = CleanupLog(tmp_path)
    log.attempted(Attempt("s1", Action.CANCEL, docs[LIST].guid, "W1", 202, None))
    log.answered("W1", 100, "20260102", "a released list is returned (CEB625), not cancelled")
    assert verdicts(manifest, log)[docs[LIST].guid] == (Verdict.NOT_WITHDRAWN, Action.CANCEL)
    log.status_seen(docs[LIST].guid, 800, "20260103")  # read from the feed since
    assert verdicts(manifest, log)[docs[LIST].guid] == (Verdict.SEND, Action.RETURN)


def test_a_withdrawal_nobody_answered_is_sent_again_a_bounded_number_of_times(tmp_path: Path):
    manifest = Manifest()
    docs = parcel(manifest, 1, 120)
    log = CleanupLog(tmp_path)
    for attempt in range(MAX_TRIES):
        assert verdicts(manifest, log)[docs[LIST].guid] == (Verdict.SEND, Action.CANCEL)
        log.attempted(Attempt("s1", Action.CANCEL, docs[LIST].guid, f"W{attempt}", None, "connection refused"))
    assert verdicts(manifest, log)[docs[LIST].guid] == (Verdict.NOT_WITHDRAWN, Action.CANCEL)
    assert verdicts(manifest, log, "s2")[docs[LIST].guid] == (Verdict.SEND, Action.CANCEL)  # a new cleanup tries


def test_nothing_is_withdrawn_of_what_the_platform_never_took_or_only_stored(tmp_path: Path):
    manifest = Manifest()
    refused = parcel(manifest, 1, None, list_answer=400)
    stored = parcel(manifest, 2, 1, process=1)
    manifest.headers[1]["store_only"] = True
    seen = verdicts(manifest, CleanupLog(tmp_path))
    assert seen[refused[LIST].guid] == (Verdict.NOTHING, None)
    assert seen[refused[ORDER].guid] == (Verdict.SEND, Action.DELETE)  # its list never was: the order goes
    assert {seen[d.guid] for d in stored.values()} == {(Verdict.NOTHING, None)}


def test_an_amendment_stands_for_the_list_it_amends_sent_at_the_same_moment(tmp_path: Path):
    manifest = Manifest()
    docs = parcel(manifest, 1, 800)
    original = docs[LIST]
    original.superseded, original.receipt_status = True, 2
    amended = SentDocument("amended-1", LIST, 0, 1, {"copNo": "C1"}, original.intended_s, 202, None, 800, "20260101")
    manifest.documents = {"amended-1": amended, **manifest.documents}  # read first, sent at the same time
    seen = verdicts(manifest, CleanupLog(tmp_path))
    assert seen["amended-1"] == (Verdict.SEND, Action.RETURN) and seen[original.guid] == (Verdict.NOTHING, None)
