"""The send plan: every message of every parcel, at the time it is meant to be sent.

Pure and lazy: order arrivals come from the scenario's curve; each order's payment, waybill and
inventory list follow after delays drawn from the scenario's waves (compressed with the clock).
Parcels are made and rendered when their order's time comes up, so the plan never holds more than
the messages still waiting for their time.
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


def send_plan(scenario: Scenario, worker_index: int = 0, worker_count: int = 1) -> Iterator[SendJob]:
    """The jobs of this worker, in intended-time order.

    Order k of the curve belongs to worker k mod `worker_count`, so workers split the rate evenly
    and their parcels (numbered in their own namespace) never collide.
    """
    gen = scenario.generator
    rng = random.Random(f"{gen.seed}/{worker_index}/plan")
    factory = ParcelFactory(seed=gen.seed, namespace=f"W{worker_index:02d}",
                            trade_mode=scenario.trade_mode)
    compression = scenario.clock.compression
    start = scenario.clock.start
    orders = itertools.islice(
        arrival_times(scenario.compiled_curve(), compression, poisson=gen.pacing == "poisson",
                      rng=random.Random(f"{gen.seed}/arrivals")),
        worker_index, None, worker_count)
    pending: list[tuple[float, int, SendJob]] = []
    tiebreak = itertools.count()
    next_order = next(orders, None)
    while next_order is not None or pending:
        while next_order is not None and (not pending or next_order <= pending[0][0]):
            for job in _parcel_jobs(scenario, factory, rng, next_order,
                                    start + dt.timedelta(seconds=next_order * compression)):
                heapq.heappush(pending, (job.intended_s, next(tiebreak), job))
            next_order = next(orders, None)
        if pending:
            yield heapq.heappop(pending)[2]


def _parcel_jobs(scenario: Scenario, factory: ParcelFactory, rng: random.Random, order_s: float,
                 real_time: dt.datetime) -> Iterator[SendJob]:
    defect = pick_defect(rng, scenario.defects)
    parcel = factory.make(real_time, defect)
    for message_type, message in parcel.messages(factory.parties, factory.guid).items():
        delay = scenario.waves.delay_for(message_type)
        offset = 0.0 if delay is None else delay.draw(rng) / scenario.clock.compression
        body = render_message(message)
        if scenario.generator.envelope:
            body = wrap_envelope(body, message_type, message.base_transfer.dxp_id, message.guid,
                                 real_time.strftime("%Y%m%d%H%M%S"))
        yield SendJob(order_s + offset, message_type, body, parcel.sequence,
                      message.documents[0].head.guid, defect)
