"""The open-model engine inside a Locust process (gevent).

A dispatcher greenlet releases each planned message at its intended time into a bounded queue,
whatever the responses do; Locust users are the senders that take from it. Receipt consumers poll
each party's receipt feed. Every loop is bounded: the plan is finite, the dispatcher stops at the
plan's end or at a hard deadline, and the consumers stop when the lists are final or the drain
time is up.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import gevent
import psutil
from gevent.queue import Empty, Full, Queue
from locust.env import Environment

from locustfiles.manifest import ManifestWriter
from locustfiles.parcels import Declaring
from locustfiles.progress import RECENT_S, Progress
from locustfiles.recorder import Recorder, per_second
from locustfiles.results import RunResults
from locustfiles.schedule import SendJob, process_namespace, send_plan
from locustfiles.transports import Transport, receipt_types
from locustfiles.urls import without_credentials
from locustfiles.operations import Operations
from scenarios.model import Scenario
from scenarios.windows import PerSecond, window_value

if TYPE_CHECKING:
    from locustfiles.rate_cap import RateCap
    from locustfiles.signer import MessageSigner

_DEADLINE_SLACK_S = 60.0
_IDLE_SENDER_S = 0.5  # how long a sender with nothing left to send pauses before asking again
# A target that answers nothing would hold every sender for its request timeout, message after
# message, for as long as messages are queued: after this many unanswered requests in a row (and
# at least twice the senders, so each had two tries) the run stops, named.
_SILENT_STREAK_MIN = 20
_MANIFEST_FLUSH_S = 1.0  # the most a crash can take of the manifest


class GeneratorRuntime:
    """One process's share of a scenario: plan, dispatch, receipts, results."""

    def __init__(self, environment: Environment, scenario: Scenario, transport: Transport,
                 worker_index: int = 0, worker_count: int = 1,
                 on_finished: Callable[[GeneratorRuntime], None] | None = None,
                 progress_path: Path | None = None, signer: MessageSigner | None = None,
                 target_name: str = "", receipt_poll_s: float | None = None,
                 rate_cap: RateCap | None = None, declaring: Declaring = Declaring(),
                 manifest: ManifestWriter | None = None) -> None:
        self.environment = environment
        self.manifest = manifest  # every document sent, and its receipts
        self.rate_cap = rate_cap  # the target's hard cap, this process's share: never released above it
        self.scenario = scenario
        self.transport = transport
        self.signer = signer
        self.target_name = target_name or (environment.host or "")
        self.receipt_poll_s = receipt_poll_s or scenario.generator.receipt_poll_s
        self.worker_index = worker_index
        self.worker_count = worker_count
        gen = scenario.generator
        # About 120 points on the latency timeline, whatever the run's length.
        self.recorder = Recorder(late_s=gen.late_ms / 1000,
                                 timeline_step_s=max(1, math.ceil(scenario.clock.run_duration_s / 120)),
                                 stored_is_final=declaring.store_only)
        self.queue: Queue[SendJob | None] = Queue(maxsize=gen.queue_limit)  # None: stop waiting
        self.started_at = time.time()
        self._t0 = time.monotonic()
        self._plan: Iterator[SendJob] = send_plan(scenario, worker_index, worker_count, declaring)
        self.dispatch_done = False
        self.started = False
        self.finished = False
        self.in_flight = 0
        self._waiting_senders = 0
        self.aborted: str | None = None
        self.stopped_by: str | None = None
        self._on_finished = on_finished
        self._progress_path = progress_path
        self._greenlets: list[gevent.Greenlet] = []
        self._process = psutil.Process()
        self._load_cpu_percent: float | None = None
        self.deadline_s = scenario.deadline_s(_DEADLINE_SLACK_S)
        self.operations = Operations(scenario, process_namespace(scenario, worker_index))
        self.feed_problems: dict[str, int] = {}
        self._unanswered = 0
        self._silent_streak = max(_SILENT_STREAK_MIN, 2 * gen.concurrency)

    @staticmethod
    def deadline_for(scenario: Scenario) -> float:
        """Seconds after which a generator process stops its share of `scenario`."""
        return scenario.deadline_s(_DEADLINE_SLACK_S)

    def now(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self._t0

    def start(self) -> None:
        """Tally the bonded books if asked (before the clock starts: no list may come first),
        then start the run's clock, dispatching and consuming receipts."""
        channel = self.transport.operations_channel() if self.operations.active else None
        if channel is not None:
            self.operations.tally(channel)
        self.started = True
        self._process.cpu_percent()  # CPU is measured over the load phase, start to last dispatch
        self.started_at = time.time()
        self._t0 = time.monotonic()
        self._greenlets.append(gevent.spawn(self._dispatch))
        self._greenlets.append(gevent.spawn(self._consume_receipts))
        if self._progress_path is not None:
            self._greenlets.append(gevent.spawn(self._report_progress))
        if any(gate.stop_loss for gate in self.scenario.gates):
            self._greenlets.append(gevent.spawn(self._watch_stop_loss))
        if self.manifest is not None:
            self._greenlets.append(gevent.spawn(self._flush_manifest))

    def stop(self) -> None:
        """Stop every greenlet of the runtime and make the manifest durable."""
        gevent.killall(self._greenlets, block=False)
        if self.manifest is not None:
            self.manifest.close()

    def _flush_manifest(self) -> None:
        """Write the manifest's lines every second; a manifest that cannot be written ends the run
        (its documents could not be found again)."""
        while True:
            gevent.sleep(_MANIFEST_FLUSH_S)
            self.manifest.flush()
            if self.manifest.error is not None and not self.finished:
                self.abort(self.manifest.error)

    def abort(self, reason: str) -> None:
        """End the run early, keeping what was measured."""
        self.aborted = self.aborted or reason
        self.finish()

    def finish(self) -> None:
        """Mark this process's share of the run as over (once) and tell whoever listens."""
        if self.finished:
            return
        self.finished = True
        if self._on_finished is not None:
            self._on_finished(self)

    def take(self) -> SendJob | None:
        """The next job for a sender, waiting for it while the dispatcher runs; None once nothing
        is left to send (after a pause, so idle senders do not spin)."""
        try:  # a busy run always has a job waiting
            job = self.queue.get_nowait()
        except Empty:
            if self.dispatch_done or self.finished:
                gevent.sleep(_IDLE_SENDER_S)
                return None
            # No timeout, so no timer to arm and cancel per message: the dispatcher wakes every
            # sender still waiting with a None when it is done.
            self._waiting_senders += 1
            try:
                job = self.queue.get()
            finally:
                self._waiting_senders -= 1
        return self._started(job)

    def take_waiting(self) -> SendJob | None:
        """The next job if one is due already, else None (never waits)."""
        try:
            return self._started(self.queue.get_nowait())
        except Empty:
            return None

    def _started(self, job: SendJob | None) -> SendJob | None:
        if job is None:  # a wake-up the dispatcher left when it was done
            return None
        self.in_flight += 1
        return job

    def done_with(self, job: SendJob, sent_s: float, status: int | None, error: str | None) -> None:
        """A sender finished `job`."""
        self.in_flight -= 1
        self.recorder.response(job, sent_s, self.now(), status, error)
        if self.manifest is not None:
            self.manifest.sent(job, status, error)
        self._unanswered = self._unanswered + 1 if status is None else 0
        if self._unanswered >= self._silent_streak and not self.finished:
            self.abort(f"the target stopped answering: {self._unanswered} requests in a row got no answer "
                       f"(last: {error})")

    def _dispatch(self) -> None:
        for job in self._plan:
            if self.finished:
                break
            if self.signer is not None:  # signed while waiting for the job's time, not on a sender
                job = self._signed(job)
                if job is None:
                    break
            wait = job.intended_s - self.now()
            if wait > 0:
                gevent.sleep(wait)
            elif self.signer is not None:
                # Behind schedule, a signing dispatcher would keep the process to itself (each job
                # costs a signature): the senders get their turn after every job.
                gevent.sleep(0)
            if self.rate_cap is not None and not self.rate_cap.admit(self.now, gevent.sleep):
                self.aborted = self.aborted or self.rate_cap.exhausted_reason  # what was sent is still seen out
                break
            if self.now() > self.deadline_s:
                self.abort(f"the dispatcher passed the hard deadline at {self.now():.0f} s")
                break
            self.recorder.planned(job, self.now() - job.intended_s)
            try:
                self.queue.put_nowait(job)
            except Full:
                self.recorder.dropped_arrival(job)
        self._load_cpu_percent = self._process.cpu_percent()
        self.dispatch_done = True
        for _ in range(self._waiting_senders):
            self.queue.put_nowait(None)  # the queue is empty when a sender waits: never full

    def _signed(self, job: SendJob) -> SendJob | None:
        started = time.perf_counter()
        try:
            body = self.signer.sign(job.body)
        except Exception as exc:  # noqa: BLE001 - any signing failure ends the run, named
            self.abort(f"signing failed: {str(exc)[:200]}")
            return None
        self.recorder.signed_one(time.perf_counter() - started)
        return job._replace(body=body)

    def progress(self) -> Progress:
        """Where this process's share of the run stands now."""
        r = self.recorder
        now = self.now()
        second = int(now)
        recent = range(max(0, second - RECENT_S), second)
        latest = r.timeline.get(max(r.timeline)) if r.timeline else None
        return Progress(
            elapsed_s=round(now, 1), load_s=self.scenario.clock.run_duration_s,
            intended=sum(r.intended_per_second.values()), sent=sum(r.sent_per_second.values()),
            failed=sum(r.failed_per_second.values()), throttled=sum(r.throttled_per_second.values()),
            intended_rate=sum(r.intended_per_second.get(s, 0) for s in recent) / RECENT_S,
            sent_rate=sum(r.sent_per_second.get(s, 0) for s in recent) / RECENT_S,
            p99_ms=latest[0].histogram.get_value_at_percentile(99) / 1000 if latest else 0.0,
            finished=self.finished, stopped_by=self.stopped_by)

    def _report_progress(self) -> None:
        while True:
            self.progress().write(self._progress_path)
            if self.finished:
                return
            gevent.sleep(1.0)

    def _watch_stop_loss(self) -> None:
        """Once a second, check the stop-loss gates over their last window; stop on a breach."""
        gates = [gate for gate in self.scenario.gates if gate.stop_loss]
        while not self.finished:
            gevent.sleep(1.0)
            now = int(self.now())
            recorder = self.recorder
            counts = PerSecond(per_second(recorder.intended_per_second, now),
                               per_second(recorder.sent_per_second, now),
                               per_second(recorder.failed_per_second, now),
                               per_second(recorder.throttled_per_second, now),
                               recorder.latency_steps(until_s=now))
            for gate in gates:
                width = round(gate.window_s)
                if now < width:
                    continue
                value = window_value(gate.metric, counts, now - width, now)
                if value is not None and not gate.holds(value):
                    self.stopped_by = (f"stop-loss: {gate.label} broke at {now} s "
                                       f"(value {value:.4g}); the run was stopped")
                    self.finish()
                    return

    def _consume_receipts(self) -> None:
        gen = self.scenario.generator
        directions = {channel.direction for channel in self.scenario.channels}
        feed = self.transport.receipt_feed(list(self.scenario.receivers), receipt_types(directions))
        channel = self.transport.operations_channel() if self.operations.active else None
        if self.operations.active and channel is None:
            self.abort(f"the scenario's bonded-zone and export-summary operations need the ceb-http "
                       f"transport, not {self.transport.name}")
        drain_until: float | None = None
        exit_every, summary_every = self.scenario.bonded.exit_every_s, self.scenario.export.summary_every_s
        transfer_every = self.scenario.bonded.transfer_every_s
        next_exit, next_summary, next_transfer = exit_every, summary_every, transfer_every
        try:
            while not self.finished:
                gevent.sleep(self.receipt_poll_s)
                self._read_receipts(feed)
                if channel is not None:
                    if exit_every is not None and (self.now() >= next_exit or self.dispatch_done):
                        self.operations.exit_released(channel)
                        next_exit = self.now() + exit_every
                    if transfer_every is not None and not self.dispatch_done and self.now() >= next_transfer:
                        self.operations.transfer(channel)
                        next_transfer = self.now() + transfer_every
                    if summary_every is not None and (self.now() >= next_summary or self.dispatch_done):
                        self.operations.summarise_exported(channel)
                        next_summary = self.now() + summary_every
                sending_over = self.dispatch_done and self.queue.empty() and self.in_flight == 0
                if not sending_over:
                    continue
                drain_until = drain_until or self.now() + gen.drain_s
                if self.recorder.receipts.outstanding == 0 or self.now() >= drain_until:
                    self.finish()
        finally:
            self.feed_problems = dict(feed.problems)
            feed.close()

    def _read_receipts(self, feed) -> None:
        page = feed.poll()
        self.feed_problems = dict(feed.problems)
        seen = self.now()
        tracker = self.recorder.receipts
        for receipt in page.receipts:
            tracker.observe(receipt.guid, receipt.return_status, receipt.return_time, seen)
            if self.manifest is not None and tracker.is_mine(receipt.guid):
                self.manifest.receipt(receipt.guid, receipt.receipt_type, receipt.return_status, receipt.return_time,
                                      receipt.keys)
            if self.operations.active:
                self.operations.note(receipt, tracker.is_mine(receipt.guid))
        for rejection in page.rejections:
            self.recorder.rejected_later(rejection.message_type, rejection.reason, seen)

    def cpu_percent(self) -> float:
        """This process's CPU use over the load phase (so far), in percent of one core."""
        if self._load_cpu_percent is not None:
            return self._load_cpu_percent
        return self._process.cpu_percent() if self.started else 0.0

    def results(self) -> RunResults:
        """The results of this process so far."""
        results = self.recorder.results(
            scenario=self.scenario.name, target=without_credentials(self.target_name),
            started_at=self.started_at, load_duration_s=self.scenario.clock.run_duration_s,
            cpu_percent=self.cpu_percent(), aborted=self.aborted, stopped_by=self.stopped_by,
            worker_index=self.worker_index, worker_count=self.worker_count)
        return results.model_copy(update={
            "transport": self.transport.name, "latency_meaning": self.transport.latency_meaning,
            "receipt_feed_problems": self.feed_problems})

