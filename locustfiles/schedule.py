"""The send plan: every message of every parcel, at the time it is meant to be sent.

Pure and lazy: order arrivals come from the scenario's curve; each order's payment, waybill and
inventory list follow after delays drawn from the scenario's waves (compressed with the clock).
Parcels are made when their order's time comes up, from pre-rendered templates (clean parcels) or
in full (the rare parcel with a defect), so the plan holds only the messages still waiting.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from ceb.codec import render_message, wrap_envelope
from ceb.types import MessageType
from locustfiles.parcels import ParcelFactory
from locustfiles.templates import ParcelTemplates
from scenarios.curves import arrival_times
from scenarios.model import ParcelDefect, Scenario


@dataclass(frozen=True, slots=True)
class SendJob:
    """One message to send: when (seconds from the run's start), what, and for which parcel."""

    intended_s: float
    message_type: MessageType
    body: bytes
    parcel: int
    document_guid: str
    defect: ParcelDefect | None


def pick_defect(rng: random.Random, fractions: dict[ParcelDefect, float]) -> ParcelDefect | None:
    """Draw a parcel's defect (or none) with the scenario's fractions."""
    draw = rng.random()
    for defect, fraction in fractions.items():
        if draw < fraction:
            return defect
        draw -= fraction
    return None


class SendPlan:
    """The jobs of one generator process, in intended-time order (iterate once).

    Order k of the curve belongs to worker k mod `worker_count`, so workers split the rate evenly
    and their parcels (numbered in their own namespace) never collide. Building the plan renders
    the parcel templates, so do it before the run's clock starts.
    """

    def __init__(self, scenario: Scenario, worker_index: int = 0, worker_count: int = 1) -> None:
        gen = scenario.generator
        self.scenario = scenario
        self._rng = random.Random(f"{gen.seed}/{worker_index}/plan")
        self._factory = ParcelFactory(parties=scenario.parties, seed=gen.seed,
                                      namespace=f"W{worker_index:02d}", trade_mode=scenario.trade_mode)
        self._templates = ParcelTemplates(self._factory, scenario.clock.start)
        self._orders = itertools.islice(
            arrival_times(scenario.compiled_curve(), scenario.clock.compression,
                          poisson=gen.pacing == "poisson", rng=random.Random(f"{gen.seed}/arrivals")),
            worker_index, None, worker_count)

    def __iter__(self) -> Iterator[SendJob]:
        scenario, start = self.scenario, self.scenario.clock.start
        parcels, tiebreak = itertools.count(1), itertools.count()
        pending: list[tuple[float, int, SendJob]] = []
        next_order = next(self._orders, None)
        while next_order is not None or pending:
            while next_order is not None and (not pending or next_order <= pending[0][0]):
                real_time = start + dt.timedelta(seconds=next_order * scenario.clock.compression)
                for job in _parcel_jobs(scenario, self._factory, self._templates, self._rng,
                                        next(parcels), next_order, real_time):
                    heapq.heappush(pending, (job.intended_s, next(tiebreak), job))
                next_order = next(self._orders, None)
            if pending:
                yield heapq.heappop(pending)[2]


def send_plan(scenario: Scenario, worker_index: int = 0, worker_count: int = 1) -> Iterator[SendJob]:
    """The jobs of this worker, in intended-time order (see `SendPlan`)."""
    return iter(SendPlan(scenario, worker_index, worker_count))


def _parcel_jobs(scenario: Scenario, factory: ParcelFactory, templates: ParcelTemplates,
                 rng: random.Random, parcel: int, order_s: float,
                 real_time: dt.datetime) -> Iterator[SendJob]:
    defect = pick_defect(rng, scenario.defects)
    if defect is None:
        rendered = templates.make()
        bodies, guids = rendered.bodies, rendered.document_guids
    else:  # rare: made and rendered in full, so the defect is exactly what the factory makes
        messages = factory.make(real_time, defect).messages(factory.parties, factory.guid)
        bodies = {mt: render_message(m) for mt, m in messages.items()}
        guids = {mt: m.documents[0].head.guid for mt, m in messages.items()}
    for message_type, body in bodies.items():
        delay = scenario.waves.delay_for(message_type)
        offset = 0.0 if delay is None else delay.draw(rng) / scenario.clock.compression
        if scenario.generator.envelope:
            sender = factory.parties.sender_of(message_type)
            body = wrap_envelope(body, message_type, sender.dxp_id, guids[message_type],
                                 real_time.strftime("%Y%m%d%H%M%S"))
        yield SendJob(order_s + offset, message_type, body, parcel, guids[message_type], defect)
