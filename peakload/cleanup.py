"""`peakload cleanup`'s own process: withdraw what a run left on a platform, over the run's transport.

    python -m peakload.cleanup RUN_DIR [--profile FILE] [--max-rate R] [--wait S]
    (without --profile, the platform's URL is in LOCUST_HOST, as for the generator)

A small gevent program, like the locustfile: it imports Locust first, so every socket the
transports open is gevent's. It reads the run's manifests and `cleanup.jsonl`, catches up with the
receipt feed (lists that moved since the run ended, answers to an earlier cleanup), then in rounds
sends what `withdrawals.assess` says to send (lists first; the orders, payments and waybills of
cancelled lists in the round after), at most `--max-rate` messages a second, and waits for the
receipts that confirm each withdrawal. Everything sent and read is appended to `cleanup.jsonl` as
it happens, so a cleanup stopped anywhere is resumed by the next one.
"""

from __future__ import annotations

import locust  # noqa: F401, I001 - first: gevent's monkey-patching, before anything opens a socket

import argparse
import os
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import gevent
from gevent.queue import Queue
from locust.event import EventHook

from ceb.documents import Message
from locustfiles.identities import IdentityError, Registry, read_registry
from locustfiles.manifest import Manifest, read_manifest
from locustfiles.signer import MessageSigner, signer_for
from locustfiles.transports import ReceiptFeed, Transport, open_transport, receipt_types
from locustfiles.transports.base import Budget, china_now
from peakload.cleanup_log import Attempt, CleanupLog
from peakload.exit_codes import ExitCode
from peakload.withdrawals import Assessment, Verdict, assess, rebuild, settled, withdrawal
from scenarios.model import Scenario
from targets import ProfileError, TargetProfile, load_profile

MAX_ROUNDS = 4  # lists, then their partners, then what was sent again
CATCH_UP_S = 60.0  # the longest the first read of the receipt feed goes on
_SENDERS = 8
_SHOWN = 20  # documents named one by one in the report


class CleanupError(Exception):
    """A cleanup that cannot start (no manifest, another registry, a key that will not load)."""


@dataclass(frozen=True, slots=True)
class CleanupRequest:
    run_dir: Path
    profile: TargetProfile
    max_rate: float  # withdrawals a second, at most
    wait_s: float  # how long to wait for the platform's answers after the last send


class Cleanup:
    """One cleanup of one run."""

    def __init__(self, request: CleanupRequest, manifest: Manifest, registry: Registry | None,
                 signer: MessageSigner | None, transport: Transport) -> None:
        self.request, self.manifest, self.registry = request, manifest, registry
        self.signer, self.transport = signer, transport
        self.log = CleanupLog(request.run_dir)
        self.session = f"{time.time():.0f}-{os.getpid()}"
        self.scenarios = {p: Scenario.model_validate(h["scenario"]) for p, h in manifest.headers.items()}
        self.originals: dict[str, Message] = {}
        self.unbuilt: set[str] = set()
        self.sent = 0
        self.feed_problems: dict[str, int] = {}

    def run(self) -> list[Assessment]:
        """Withdraw what is left; the final assessment of every document."""
        scenarios = self.scenarios.values()
        receivers = list(dict.fromkeys(code for s in scenarios for code in s.receivers))
        directions = {channel.direction for s in scenarios for channel in s.channels}
        feed = self.transport.receipt_feed(receivers, receipt_types(directions))
        try:
            self._read(feed, lambda quiet: quiet, CATCH_UP_S)
            for _ in range(MAX_ROUNDS):
                todo = [a for a in assess(self.manifest, self.log, self.session)
                        if a.verdict is Verdict.SEND and a.document.guid not in self.unbuilt]
                if not todo:
                    break
                self._build(todo)
                sent = self._send([a for a in todo if a.document.guid in self.originals])
                self._read(feed, lambda _quiet, sent=sent: all(settled(a) for a in sent), self.request.wait_s)
        finally:
            self.feed_problems = dict(feed.problems)
            feed.close()
            self.log.close()
        return [a if a.document.guid not in self.unbuilt else
                Assessment(a.document, Verdict.NOT_WITHDRAWN, a.action,
                           "cannot be rebuilt from the run's plan (was the scenario or peakload changed?)")
                for a in assess(self.manifest, self.log, self.session)]

    def _read(self, feed: ReceiptFeed, done: Callable[[bool], bool], within_s: float) -> None:
        """Poll the feed, recording what it brings, until `done(quiet)` (quiet: the last poll
        brought nothing) or `within_s` passed."""
        deadline = time.monotonic() + within_s
        interval = self.request.profile.receipts.interval_s
        while True:
            receipts = feed.poll().receipts
            for receipt in receipts:
                if receipt.guid in self.log.attempts:
                    self.log.answered(receipt.guid, receipt.return_status, receipt.return_time, receipt.info)
                elif (receipt.guid in self.manifest.documents  # news of the run's own documents since the run
                      and receipt.return_time > self.manifest.documents[receipt.guid].receipt_time):
                    self.log.status_seen(receipt.guid, receipt.return_status, receipt.return_time)
            if done(not receipts) or time.monotonic() >= deadline:
                return
            gevent.sleep(min(interval, max(0.0, deadline - time.monotonic())))

    def _build(self, todo: list[Assessment]) -> None:
        """The original messages of what is to be withdrawn, rebuilt from each process's plan."""
        wanted: dict[int, set[str]] = {}
        for assessment in todo:
            if assessment.document.guid not in self.originals:
                wanted.setdefault(assessment.document.process, set()).add(assessment.document.guid)
        for process, guids in wanted.items():
            self.originals.update(rebuild(self.manifest.headers[process], guids, self.registry))
            self.unbuilt |= guids - self.originals.keys()

    def _send(self, todo: list[Assessment]) -> list[Attempt]:
        """Send the withdrawals, at most `max_rate` a second, each through its own sender."""
        queue: Queue[Assessment | None] = Queue(maxsize=_SENDERS)
        attempts: list[Attempt] = []

        def work() -> None:
            sender = self.transport.sender()
            try:
                while (assessment := queue.get()) is not None:
                    attempts.append(self._send_one(sender, assessment))
            finally:
                sender.close()

        workers = [gevent.spawn(work) for _ in range(min(_SENDERS, len(todo)))]
        budget = Budget(self.request.max_rate, sleep=gevent.sleep)
        for assessment in todo:
            budget.take()
            queue.put(assessment)
        for _ in workers:
            queue.put(None)
        gevent.joinall(workers, raise_error=True)
        self.sent += len(attempts)
        return attempts

    def _send_one(self, sender, assessment: Assessment) -> Attempt:
        document = assessment.document
        envelope = self.scenarios[document.process].generator.envelope
        message_type, guid, body = withdrawal(assessment.action, self.originals[document.guid],
                                              document.keys.get("invtNo", ""), lambda: str(uuid.uuid4()).upper(),
                                              china_now(), envelope)
        if self.signer is not None:
            try:
                body = self.signer.sign(body)
            except Exception as exc:  # noqa: BLE001 - any signing failure stops the cleanup, named
                raise CleanupError(f"signing failed: {str(exc)[:200]}") from None
        delivery = sender.send(message_type, body, guid)
        attempt = Attempt(self.session, assessment.action, document.guid, guid, delivery.status, delivery.error)
        self.log.attempted(attempt)
        return self.log.attempts[guid]


def registry_for(manifest: Manifest, profile: TargetProfile) -> Registry | None:
    """The registry the run's buyers came from, which the rebuilt documents must name again."""
    used = {h["identities"]["sha256"] for h in manifest.headers.values() if h.get("identities")}
    if not used:
        return None
    if profile.identities is None:
        raise CleanupError("the run's buyers came from a registry of test identities: give the profile whose "
                           "`identities` names it (the documents are rebuilt with them)")
    try:
        registry = read_registry(profile.identities)
    except IdentityError as exc:
        raise CleanupError(str(exc)) from None
    if used != {registry.sha256}:
        raise CleanupError(f"identities {profile.identities} is not the registry the run used (it changed since?)")
    return registry


def report(assessments: list[Assessment], manifest: Manifest, cleanup: Cleanup) -> list[str]:
    """The cleanup's account: what was withdrawn, what held nothing, what could not be withdrawn and why."""
    tags = sorted({h.get("tag") or "(untagged)" for h in manifest.headers.values()})
    lines = [(f"cleanup of {len(manifest.documents)} documents sent by run {', '.join(tags)} "
              f"({len(manifest.headers)} generator process(es)); {cleanup.sent} withdrawals sent now")]
    if manifest.unreadable_lines:
        lines.append(f"  {manifest.unreadable_lines} manifest line(s) could not be read (cut short by a crash?)")
    lines += [f"  receipts feed: {problem} ({count}x)" for problem, count in cleanup.feed_problems.items()]
    groups = Counter((a.verdict, a.reason if a.verdict is not Verdict.NOT_WITHDRAWN else "", a.document.message_type.value)
                     for a in assessments)
    for verdict in Verdict:
        for (v, reason, message_type), count in sorted(groups.items()):
            if v is verdict and verdict is not Verdict.NOT_WITHDRAWN:
                lines.append(f"  {verdict.value}: {count} {message_type} — {reason}")
    failed = [a for a in assessments if a.verdict is Verdict.NOT_WITHDRAWN]
    if failed:
        lines.append(f"  not withdrawn: {len(failed)} document(s)")
        for a in failed[:_SHOWN]:
            key = a.document.keys.get("copNo") or a.document.keys.get("orderNo") or a.document.guid
            lines.append(f"    {a.document.message_type.value} {key}: {a.reason}")
        if len(failed) > _SHOWN:
            lines.append(f"    ... and {len(failed) - _SHOWN} more (cleanup.jsonl has every answer)")
    return lines


def clean(request: CleanupRequest, say: Callable[[str], None] = print) -> int:
    """Clean up one run; the exit code (0 everything withdrawn, 1 something could not be)."""
    manifest = read_manifest(request.run_dir)
    if not manifest.headers:
        raise CleanupError(f"{request.run_dir} holds no manifest (manifest.jsonl): nothing is known of what was sent")
    registry = registry_for(manifest, request.profile)
    tag = next(iter(sorted(h.get("tag") or "" for h in manifest.headers.values())))
    profile = request.profile.model_copy(update={"id_tag": tag})  # the run's tag in every request's header
    try:
        signer = signer_for(profile.signing)
        transport = open_transport(profile, EventHook())
    except (ProfileError, OSError, ValueError) as exc:
        raise CleanupError(str(exc)[:300]) from None
    try:
        cleanup = Cleanup(request, manifest, registry, signer, transport)
        assessments = cleanup.run()
    finally:
        transport.close()
    for line in report(assessments, manifest, cleanup):
        say(line)
    left = [a for a in assessments if a.verdict in (Verdict.NOT_WITHDRAWN, Verdict.WAITING, Verdict.SEND)]
    return ExitCode.FAIL if left else ExitCode.PASS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="peakload cleanup")
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--max-rate", type=float, default=20.0)
    parser.add_argument("--wait", type=float, default=60.0)
    args = parser.parse_args(argv)
    try:
        profile = (load_profile(str(args.profile)) if args.profile is not None
                   else TargetProfile(name="host", url=os.environ.get("LOCUST_HOST", "").rstrip("/")))
        max_rate = min(args.max_rate, profile.max_rate or args.max_rate)
        return clean(CleanupRequest(args.run_dir, profile, max_rate, args.wait))
    except (CleanupError, ProfileError, ValueError) as exc:  # ValueError: a profile that does not validate
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.USAGE


if __name__ == "__main__":
    sys.exit(main())
