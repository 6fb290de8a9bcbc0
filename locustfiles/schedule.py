"""The send plan: every message of every parcel, at the time it is meant to be sent.

Pure and lazy: order arrivals come from the scenario's curve; each order's payment, waybill and
inventory list follow after delays drawn from the scenario's waves, and a fraction of parcels'
follow-ups (signed for, arrival, amendment, cancel, return) after the list (all compressed with
the clock).
Parcels are made when their order's time comes up, from pre-rendered templates (clean parcels) or
in full (the rare parcel with a defect), so the plan holds only the messages still waiting.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import replace
from typing import NamedTuple

from ceb import dxp
from ceb.codec import render_message
from ceb.types import MessageType, TradeMode
from locustfiles.exports import departure, export_cancel, export_parcel, port_arrival
from locustfiles.followups import followup_message, message_of
from locustfiles.parcels import Declaring, GuidSource, ParcelFactory
from locustfiles.templates import ParcelTemplates
from scenarios.curves import arrival_times
from scenarios.flows import FollowUpKind, pick_followups
from scenarios.model import Channel, Delay, ParcelDefect, Scenario
from scenarios.parties import Parties


class SendJob(NamedTuple):
    """One message to send: when (seconds from the run's start), what, and for which parcel.
    (A named tuple: immutable like a frozen dataclass, and several times cheaper to make, which
    counts on the generator's hot path.)"""

    intended_s: float
    message_type: MessageType
    body: bytes
    parcel: int
    document_guid: str
    defect: ParcelDefect | None
    withdrawn: bool = False  # a list its parcel amends or cancels: it is not expected to release
    keys: dict[str, str] | None = None  # its parcel's business keys (one dict shared by the parcel's jobs)


def pick_defect(rng: random.Random, fractions: dict[ParcelDefect, float]) -> ParcelDefect | None:
    """Draw a parcel's defect (or none) with the scenario's fractions."""
    draw = rng.random()
    for defect, fraction in fractions.items():
        if draw < fraction:
            return defect
        draw -= fraction
    return None


def process_namespace(scenario: Scenario, worker_index: int) -> str:
    """What a generator process puts in its identifiers: the run's tag and the worker's index, so
    neither two workers of a run nor two differently tagged runs ever make the same one."""
    return f"{scenario.generator.id_tag}W{worker_index:02d}"


class SendPlan:
    """The jobs of one generator process, in intended-time order (iterate once).

    Order k of the curve belongs to worker k mod `worker_count`, so workers split the rate evenly
    and their parcels (numbered in their own namespace) never collide. Building the plan renders
    the parcel templates, so do it before the run's clock starts. `declaring` says whether the
    documents are stored only and whose buyers they name; every document's note carries the
    scenario's `generator.id_tag`. The plan is deterministic: the same arguments make the same
    documents (a cleanup rebuilds what a run sent from it).
    """

    def __init__(self, scenario: Scenario, worker_index: int = 0, worker_count: int = 1,
                 declaring: Declaring = Declaring()) -> None:
        gen = scenario.generator
        declaring = replace(declaring, tag=gen.id_tag, buyer_offset=worker_index, buyer_stride=worker_count)
        self.scenario = scenario
        self._rng = random.Random(f"{gen.seed}/{worker_index}/plan")
        self._channels = []
        for index, channel in enumerate(scenario.channels):
            # Channel 0 keeps the single-channel namespace, so a scenario without a mix plans as before.
            namespace = process_namespace(scenario, worker_index) + (f"C{index}" if index else "")
            if channel.direction == "export":
                kinds = frozenset(k for k in scenario.followups if k.export_message_type is not None)
                self._channels.append((channel.weight, ExportMaker(channel, namespace, gen.seed, declaring), None,
                                       kinds))
                continue
            factory = ParcelFactory(parties=channel.parties, seed=gen.seed, trade_mode=channel.trade_mode,
                                    namespace=namespace, declaring=declaring)
            kinds = frozenset(k for k in scenario.followups if k is not FollowUpKind.DEPARTURE and (
                k is not FollowUpKind.ARRIVAL or channel.trade_mode is TradeMode.DIRECT_MAIL))
            self._channels.append((channel.weight, factory, ParcelTemplates(factory, scenario.clock.start,
                                                                            followups=kinds), kinds))
        self._total_weight = sum(weight for weight, *_ in self._channels)
        self._waves = {mt: delay for mt in MessageType if (delay := scenario.waves.delay_for(mt)) is not None}
        clock = scenario.clock
        # A window of a festival inherits the documents of orders placed in its lead-in, before
        # the clock starts: those orders are planned (at negative times) but never sent; their
        # payments, waybills and lists go out when they fall due inside the window.
        lead_in_s = clock.lead_in_s / clock.compression
        lead_in = (t - lead_in_s for t in arrival_times(
            scenario.lead_in_curve(), clock.compression, poisson=gen.pacing == "poisson",
            rng=random.Random(f"{gen.seed}/lead-in"))) if clock.lead_in_s else iter(())
        window = arrival_times(scenario.compiled_curve(), clock.compression,
                               poisson=gen.pacing == "poisson", rng=random.Random(f"{gen.seed}/arrivals"))
        self._orders = itertools.islice(itertools.chain(lead_in, window), worker_index, None, worker_count)
        # Jobs due after a window's end belong to the festival's next stretch, not to this replay.
        self._end_s = clock.run_duration_s if clock.window else float("inf")

    def __iter__(self) -> Iterator[SendJob]:
        scenario, start = self.scenario, self.scenario.clock.start
        parcels, inherited, tiebreak = itertools.count(1), itertools.count(1), itertools.count()
        pending: list[tuple[float, int, SendJob]] = []
        next_order = next(self._orders, None)
        while next_order is not None or pending:
            while next_order is not None and (not pending or next_order <= pending[0][0]):
                real_time = start + dt.timedelta(seconds=next_order * scenario.clock.compression)
                factory, templates, kinds = self._channel()
                # An inherited parcel (its order before the clock) is numbered below zero.
                parcel = next(parcels) if next_order >= 0 else -next(inherited)
                jobs = (factory.jobs(scenario, kinds, self._rng, parcel, next_order, real_time, self._waves)
                        if isinstance(factory, ExportMaker) else
                        _parcel_jobs(scenario, factory, templates, kinds, self._rng, parcel, next_order,
                                     real_time, self._waves))
                jobs = list(jobs)
                if any(job.intended_s >= self._end_s for job in jobs):
                    # Part of this parcel falls after the window's end and is not sent: its list
                    # cannot match, so it is not expected to release.
                    jobs = [_inherited(job) for job in jobs]
                for job in jobs:
                    heapq.heappush(pending, (job.intended_s, next(tiebreak), job))
                next_order = next(self._orders, None)
            if pending:
                job = heapq.heappop(pending)[2]
                if job.intended_s >= self._end_s:
                    return  # jobs come in time order: every later one is past the end too
                if job.intended_s >= 0:
                    yield job if job.parcel > 0 else _inherited(job)


    def _channel(self) -> tuple[ParcelFactory, ParcelTemplates, frozenset[FollowUpKind]]:
        if len(self._channels) == 1:
            return self._channels[0][1:]
        draw = self._rng.random() * self._total_weight
        for weight, *rest in self._channels:
            if draw < weight:
                return tuple(rest)
            draw -= weight
        return self._channels[-1][1:]


def _inherited(job: SendJob) -> SendJob:
    """A document of a parcel only partly inside the replayed window (its order came before it, or
    a document falls after it): the platform never gets the whole parcel, so its list is not
    expected to be released (it loads the platform all the same)."""
    return job._replace(withdrawn=True) if job.message_type is MessageType.INVENTORY_LIST else job


def send_plan(scenario: Scenario, worker_index: int = 0, worker_count: int = 1,
              declaring: Declaring = Declaring()) -> Iterator[SendJob]:
    """The jobs of this worker, in intended-time order (see `SendPlan`)."""
    return iter(SendPlan(scenario, worker_index, worker_count, declaring))


def _parcel_jobs(scenario: Scenario, factory: ParcelFactory, templates: ParcelTemplates,
                 kinds: frozenset[FollowUpKind], rng: random.Random, parcel: int, order_s: float,
                 real_time: dt.datetime, waves: dict[MessageType, Delay]) -> Iterator[SendJob]:
    defect = pick_defect(rng, scenario.defects)
    if defect is not None and defect.export_only:
        defect = None
    later = pick_followups(rng, scenario.followup_fractions) & kinds if kinds else frozenset()
    if defect is None:
        rendered = templates.make(later)
        bodies, guids, keys = rendered.bodies, rendered.document_guids, rendered.keys
        later_bodies, later_guids = rendered.followup_bodies, rendered.followup_guids
    else:  # rare: made and rendered in full, so the defect is exactly what the factory makes
        made = factory.make(real_time, defect)
        keys = made.keys()
        messages = made.messages(factory.parties, factory.guid)
        bodies = {mt: render_message(m) for mt, m in messages.items()}
        guids = {mt: m.documents[0].head.guid for mt, m in messages.items()}
        followups = {kind: followup_message(kind, made, factory.parties, factory.guid, real_time) for kind in later}
        later_bodies = {kind: render_message(m) for kind, m in followups.items()}
        later_guids = {kind: m.documents[0].head.guid for kind, m in followups.items()}
    withdrawn = bool(later & {FollowUpKind.AMEND, FollowUpKind.CANCEL})
    compression, list_s, envelope = scenario.clock.compression, order_s, scenario.generator.envelope
    for message_type, body in bodies.items():
        delay = waves.get(message_type)
        offset = 0.0 if delay is None else delay.draw(rng) / compression
        is_list = message_type is MessageType.INVENTORY_LIST
        if is_list:
            list_s = order_s + offset
        if envelope:
            body = _wrapped(scenario, factory.parties, message_type, body, guids[message_type], real_time)
        yield SendJob(order_s + offset, message_type, body, parcel, guids[message_type], defect, withdrawn and is_list,
                      keys)
    for kind in sorted(later):
        at = list_s + scenario.followups[kind].delay.draw(rng) / compression
        body = _wrapped(scenario, factory.parties, kind.message_type, later_bodies[kind], later_guids[kind], real_time)
        yield SendJob(at, kind.message_type, body, parcel, later_guids[kind], defect, keys=keys)


class ExportMaker:
    """An export channel's parcels (出口), rendered in full: order, collection, waybill and export
    list at the scenario's waves, then the port's arrival and departure and the odd cancel."""

    def __init__(self, channel: Channel, namespace: str, seed: int, declaring: Declaring = Declaring()) -> None:
        self.channel, self.namespace, self.declaring = channel, namespace, declaring
        self.guid = GuidSource(random.Random(f"{seed}/{namespace}/export"))
        self._count = 0

    def jobs(self, scenario: Scenario, kinds: frozenset[FollowUpKind], rng: random.Random, parcel: int,
             order_s: float, real_time: dt.datetime, waves: dict[MessageType, Delay]) -> Iterator[SendJob]:
        """The jobs of one export parcel."""
        self._count += 1
        parties, compression = self.channel.parties, scenario.clock.compression
        made = export_parcel(parties, self.guid, self._count, real_time, self.channel.trade_mode,
                             namespace=self.namespace, declaring=self.declaring)
        defect = pick_defect(rng, scenario.defects)
        if defect is not None and not defect.export_only:
            defect = None  # the import kinds fall on import parcels
        if defect is ParcelDefect.COLLECTION_AMOUNT_MISMATCH:
            made = replace(made, collection=replace(made.collection, charge=made.collection.charge + 1))
        keys, list_s = made.keys(), order_s
        for message_type, document in made.documents().items():
            delay = waves.get(message_type)
            at = order_s + (0.0 if delay is None else delay.draw(rng) / compression)
            list_s = at if message_type is MessageType.EXPORT_LIST else list_s
            yield self._job(scenario, at, message_type, document, parcel, real_time, keys,
                            defect if message_type is MessageType.EXPORT_LIST else None)
        later = pick_followups(rng, scenario.followup_fractions) & kinds if kinds else frozenset()
        for kind in sorted(later):
            at = list_s + scenario.followups[kind].delay.draw(rng) / compression
            if kind is FollowUpKind.ARRIVAL:
                document = port_arrival([made.export_list], parties, self.guid, real_time, self.namespace)
            elif kind is FollowUpKind.DEPARTURE:
                document = departure([made.export_list], self.guid, real_time, self.namespace)
            else:
                document = export_cancel(made.export_list, self.guid, real_time, "order cancelled")
            yield self._job(scenario, at, kind.export_message_type, document, parcel, real_time, keys)

    def _job(self, scenario: Scenario, at: float, message_type: MessageType, document, parcel: int,
             real_time: dt.datetime, keys: dict[str, str], defect: ParcelDefect | None = None) -> SendJob:
        message = message_of(message_type, document, self.channel.parties, self.guid())
        body = _wrapped(scenario, self.channel.parties, message_type, render_message(message), message.guid, real_time)
        return SendJob(at, message_type, body, parcel, document.head.guid, defect, keys=keys)


def _wrapped(scenario: Scenario, parties: Parties, message_type: MessageType, body: bytes, guid: str,
             real_time: dt.datetime) -> bytes:
    """The body, in a DxpMsg envelope when the scenario asks for one."""
    if not scenario.generator.envelope:
        return body
    sender = parties.sender_of(message_type)
    return dxp.wrap(dxp.DxpMessage(guid, sender.dxp_id, (dxp.receiver_for(message_type),), real_time,
                                   message_type.root_tag, body))
