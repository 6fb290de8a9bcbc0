"""The scenario format: a pydantic model of `scenarios/*.yaml`.

Times in real (uncompressed) terms are durations like `90s`, `10m`, `2h`, `3d`; rates are orders per
second of real time. docs/scenario-format.md has a worked example of every key.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from dataclasses import replace
from enum import Enum
from typing import Literal

from pydantic import Field, model_validator

from ceb.types import MessageType, TradeMode
from scenarios.curves import CompiledSegment, compile_curve
from scenarios.fields import Model, PositiveSeconds, Seconds
from scenarios.flows import SIDE_PATHS, FollowUpKind
from scenarios.gates import Gate
from scenarios.parties import Parties
from scenarios.segments import CurveSegment, PlacedSegment


class Clock(Model):
    """Which stretch of real time the scenario replays, and how much faster.

    `lead_in` is real time before `start` that the curve also covers: its orders were placed before
    the replay begins, so the replay sends none of them, and their payments, waybills and lists that
    fall after `start` are what a window of a festival inherits from the hours before it. `window`
    marks a stretch cut from a longer festival: what falls after its end is left out too.
    """

    start: dt.datetime
    duration_s: PositiveSeconds = Field(alias="duration")
    compression: float = Field(1.0, ge=1.0)
    lead_in_s: Seconds = Field(0.0, alias="lead_in")
    window: bool = False

    @property
    def end(self) -> dt.datetime:
        """The real time the replayed stretch ends at."""
        return self.start + dt.timedelta(seconds=self.duration_s)

    @property
    def run_duration_s(self) -> float:
        """How long the arrival curve lasts on the wall clock."""
        return self.duration_s / self.compression


# ------------------------------------------------------------------------------------ data

class ParcelDefect(str, Enum):
    """A kind of bad data a parcel may carry on purpose; the platform must answer it with 100."""

    BAD_ID_CHECK_DIGIT = "bad_id_check_digit"  # buyer_id_number
    PAYMENT_AMOUNT_MISMATCH = "payment_amount_mismatch"  # payment_amount_equality
    CONSIGNEE_MISMATCH = "consignee_mismatch"  # consignee_equality
    OVER_TRANSACTION_LIMIT = "over_transaction_limit"  # per_transaction_limit
    MISSING_PAYMENT = "missing_payment"  # matching_timeout
    ORDER_AMOUNT_MISMATCH = "order_amount_mismatch"  # order_amount_identity
    WRONG_TAX = "wrong_tax"  # tax_rate
    PAYER_NOT_BUYER = "payer_not_buyer"  # payer_is_buyer
    LIST_BUYER_MISMATCH = "list_buyer_mismatch"  # list_buyer_equality
    JOIN_KEY_MISMATCH = "join_key_mismatch"  # join_key (the list names another ebcCode)
    BAD_ASSURE_CODE = "bad_assure_code"  # assure_code
    MISSING_TRADE_MODE_FIELD = "missing_trade_mode_field"  # trade_mode_required_fields
    OFF_POSITIVE_LIST = "off_positive_list"  # positive_list (an HS code not on it)
    OVER_ANNUAL_LIMIT = "over_annual_limit"  # annual_limit: one heavy buyer per generator process
    COLLECTION_AMOUNT_MISMATCH = "collection_amount_mismatch"  # export: collection_amount

    @property
    def export_only(self) -> bool:
        """Whether the defect applies to export parcels (the others to import parcels)."""
        return self is ParcelDefect.COLLECTION_AMOUNT_MISMATCH


# ------------------------------------------------------------------------------------ waves

class DelayKind(str, Enum):
    """Distribution of a downstream document's delay after its order."""

    FIXED = "fixed"
    UNIFORM = "uniform"
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"


class Delay(Model):
    """A delay distribution in real time (compressed with the clock when replayed)."""

    dist: DelayKind = DelayKind.UNIFORM
    min_s: Seconds = Field(0.0, alias="min")
    max_s: Seconds = Field(0.0, alias="max")
    mean_s: Seconds = Field(0.0, alias="mean")
    median_s: Seconds = Field(0.0, alias="median")
    sigma: float = Field(0.5, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> Delay:
        if self.dist is DelayKind.UNIFORM and self.max_s < self.min_s:
            raise ValueError(f"max ({self.max_s} s) is below min ({self.min_s} s)")
        return self

    def draw(self, rng: random.Random) -> float:
        """One delay in real seconds."""
        match self.dist:
            case DelayKind.FIXED:
                return self.min_s
            case DelayKind.UNIFORM:
                return rng.uniform(self.min_s, self.max_s)
            case DelayKind.EXPONENTIAL:
                return rng.expovariate(1 / self.mean_s) if self.mean_s > 0 else 0.0
            case DelayKind.LOGNORMAL:
                return rng.lognormvariate(math.log(max(self.median_s, 1e-6)), self.sigma)
        raise TypeError(self.dist)

    def survival(self, s: float) -> float:
        """The chance that a delay is longer than `s` real seconds."""
        match self.dist:
            case DelayKind.FIXED:
                return 1.0 if s < self.min_s else 0.0
            case DelayKind.UNIFORM:
                if self.max_s == self.min_s:
                    return 1.0 if s < self.min_s else 0.0
                return min(1.0, max(0.0, (self.max_s - s) / (self.max_s - self.min_s)))
            case DelayKind.EXPONENTIAL:
                return math.exp(-s / self.mean_s) if self.mean_s > 0 and s >= 0 else float(s < 0)
            case DelayKind.LOGNORMAL:
                if s <= 0:
                    return 1.0
                z = (math.log(s) - math.log(max(self.median_s, 1e-6))) / self.sigma
                return 0.5 * math.erfc(z / math.sqrt(2))
        raise TypeError(self.dist)

    @property
    def upper_bound_s(self) -> float:
        """A delay this distribution rarely exceeds (its max, or a high quantile)."""
        match self.dist:
            case DelayKind.FIXED:
                return self.min_s
            case DelayKind.UNIFORM:
                return self.max_s
            case DelayKind.EXPONENTIAL:
                return self.mean_s * 5
            case DelayKind.LOGNORMAL:
                return self.median_s * math.exp(3 * self.sigma)
        raise TypeError(self.dist)


class Waves(Model):
    """When each downstream document follows its order (docs/domain.md, "Peak figures")."""

    payment: Delay = Delay(min="1s", max="10s")
    waybill: Delay = Delay(min="1m", max="10m")
    inventory_list: Delay = Delay(min="1m", max="10m")

    def delay_for(self, message_type: MessageType) -> Delay | None:
        """The delay of a message type after its order (None for the order itself); an export
        parcel's collection, waybill and list ride the payment, waybill and list waves."""
        return {MessageType.PAYMENT: self.payment, MessageType.COLLECTION: self.payment,
                MessageType.WAYBILL: self.waybill, MessageType.EXPORT_WAYBILL: self.waybill,
                MessageType.INVENTORY_LIST: self.inventory_list,
                MessageType.EXPORT_LIST: self.inventory_list}.get(message_type)


class FollowUp(Model):
    """A fraction of parcels that see a later document, and its delay after the list."""

    fraction: float = Field(ge=0, le=1)
    delay: Delay = Delay(dist="fixed", min="1s")


# ------------------------------------------------------------------------------------ scenario

class Bonded(Model):
    """The bonded warehouse's side of a run (1210 channels): tally before declaring (先理货，后报关)
    and take released lists out of the zone in exit batches."""

    tally: float = Field(0, ge=0)  # units of every catalogue item each generator process tallies at start
    exit_every_s: PositiveSeconds | None = Field(None, alias="exit_every")  # an exit batch this often
    exit_mode: Literal["gate", "fast-delivery", "on-site-pickup"] = "gate"
    transfer_every_s: PositiveSeconds | None = Field(None, alias="transfer_every")  # a zone transfer (转区)
    transfer_to: str = Field("T8000W000002", pattern=r"^[0-9A-Za-z\-]{1,30}$")  # the receiving book
    transfer_qty: float = Field(1, gt=0)  # units of every catalogue item moved each time


class ExportWork(Model):
    """Export channels' periodic work."""

    summary_every_s: PositiveSeconds | None = Field(None, alias="summary_every")  # CEB701 this often


class Generator(Model):
    """How the load generator replays the scenario."""

    pacing: Literal["uniform", "poisson"] = "uniform"
    seed: int = 1
    concurrency: int = Field(64, ge=1, le=10_000)  # senders, i.e. requests in flight at most
    queue_limit: int = Field(10_000, ge=1)  # arrivals waiting for a free sender before dropping
    late_ms: float = Field(100.0, gt=0)  # an arrival sent later than this after its time is late
    receipt_poll_s: float = Field(0.5, gt=0)
    drain_s: PositiveSeconds = Field(30.0, alias="drain")  # wait for receipts after the last send
    envelope: bool = False  # wrap messages in DxpMsg
    # In every identifier the run makes (guids, order, waybill and list numbers): two runs of one
    # scenario against the same platform send the same documents, as duplicates, unless it differs.
    id_tag: str = Field("", pattern="^[A-Z0-9]{0,3}$")


class Channel(Model):
    """A share of the parcels: who declares them and in which trade mode (e.g. one e-commerce
    platform's bonded parcels beside another's direct mail)."""

    weight: float = Field(gt=0)
    direction: Literal["import", "export"] = "import"
    trade_mode: TradeMode = TradeMode.BONDED
    parties: Parties = Parties()

    @model_validator(mode="after")
    def _mode(self) -> Channel:
        if self.direction == "import" and self.trade_mode not in (TradeMode.BONDED, TradeMode.DIRECT_MAIL):
            raise ValueError(f"trade_mode {self.trade_mode.value} is an export mode; import is 1210 or 9610")
        return self


class Scenario(Model):
    """A festival load scenario: when, how much, what mix, and what must hold."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    description: str = ""
    clock: Clock
    baseline_orders_per_day: float = Field(gt=0)
    curve: list[CurveSegment] = Field(min_length=1)
    trade_mode: TradeMode = TradeMode.BONDED
    parties: Parties = Parties()
    mix: list[Channel] = Field(default_factory=list)  # empty: every parcel as trade_mode and parties say
    target: str = Field("mock", pattern=r"^(mock|https?://\S+)$")  # --target overrides it
    waves: Waves = Waves()
    defects: dict[ParcelDefect, float] = Field(default_factory=dict)
    followups: dict[FollowUpKind, FollowUp] = Field(default_factory=dict)
    bonded: Bonded = Bonded()
    export: ExportWork = ExportWork()
    generator: Generator = Generator()
    gates: list[Gate] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> Scenario:
        curve_s = sum(segment.duration_s for segment in self.curve)
        lead_in = self.clock.lead_in_s
        if abs(curve_s - lead_in - self.clock.duration_s) > 1e-6:
            raise ValueError(f"the curve lasts {curve_s:g} s but clock.duration is {self.clock.duration_s:g} s"
                             + (f" after a lead_in of {lead_in:g} s" if lead_in else ""))
        if lead_in and all(abs(end - lead_in) > 1e-6 for end in itertools.accumulate(
                segment.duration_s for segment in self.curve)):
            raise ValueError(f"clock.lead_in ({lead_in:g} s) must end where a curve segment ends")
        for defect, fraction in self.defects.items():
            if not 0 <= fraction <= 1:
                raise ValueError(f"defects.{defect.value} = {fraction}: a fraction is between 0 and 1")
        if sum(self.defects.values()) > 1:
            raise ValueError("defect fractions add up to more than 1")
        if sum(self.followups[k].fraction for k in SIDE_PATHS if k in self.followups) > 1:
            raise ValueError("followups: amend, cancel and return fractions add up to more than 1")
        if FollowUpKind.ARRIVAL in self.followups and all(
                c.trade_mode is not TradeMode.DIRECT_MAIL and c.direction == "import" for c in self.channels):
            raise ValueError("followups.arrival: CEB711 arrival lists are for trade_mode 9610 (direct mail), "
                             "CEB507 port arrivals for export channels")
        if FollowUpKind.DEPARTURE in self.followups and all(c.direction == "import" for c in self.channels):
            raise ValueError("followups.departure: CEB509 departures are for export channels")
        if self.mix and ("trade_mode" in self.model_fields_set or "parties" in self.model_fields_set):
            raise ValueError("mix: give trade_mode and parties per channel, not beside a mix")
        return self

    @property
    def channels(self) -> list[Channel]:
        """The parcel mix: `mix`, or one channel of `trade_mode` and `parties`."""
        return self.mix or [Channel(weight=1, trade_mode=self.trade_mode, parties=self.parties)]

    @property
    def receivers(self) -> tuple[str, ...]:
        """Every enterprise whose receipt feed the generator reads."""
        return tuple(dict.fromkeys(code for c in self.channels for code in c.parties.receivers))

    @property
    def followup_fractions(self) -> dict[FollowUpKind, float]:
        """Each follow-up kind's fraction of parcels."""
        return {kind: followup.fraction for kind, followup in self.followups.items()}

    def compiled_curve(self) -> list[CompiledSegment]:
        """The replayed curve on its timeline (0 = `clock.start`), ready for the pure curve functions."""
        lead_in = self.clock.lead_in_s
        return [replace(s, start_s=s.start_s - lead_in, end_s=s.end_s - lead_in)
                for s in self._whole_curve() if s.start_s >= lead_in - 1e-6]

    def lead_in_curve(self) -> list[CompiledSegment]:
        """The lead-in's curve on its own timeline (0 = `clock.lead_in` before `clock.start`)."""
        return [s for s in self._whole_curve() if s.end_s <= self.clock.lead_in_s + 1e-6]

    def _whole_curve(self) -> list[CompiledSegment]:
        return compile_curve([PlacedSegment(segment) for segment in self.curve])

    @property
    def longest_wave_s(self) -> float:
        """Wall seconds the last downstream document may trail its order (compressed)."""
        waves = self.waves
        after_list = max((f.delay.upper_bound_s for f in self.followups.values()), default=0.0)
        return max(waves.payment.upper_bound_s, waves.waybill.upper_bound_s,
                   waves.inventory_list.upper_bound_s + after_list) / self.clock.compression

    def with_id_tag(self, id_tag: str) -> Scenario:
        """The scenario with another `generator.id_tag`; ValueError when the tag is not valid."""
        generator = Generator.model_validate({**self.generator.model_dump(by_alias=True), "id_tag": id_tag})
        return self.model_copy(update={"generator": generator})

    def deadline_s(self, slack_s: float) -> float:
        """Wall seconds after which a replay of this scenario is stopped, whatever it is doing (a
        window's replay sends nothing after its end, so no document waves trail it)."""
        trailing_s = 0.0 if self.clock.window else self.longest_wave_s
        return self.clock.run_duration_s + trailing_s + self.generator.drain_s + slack_s

    @property
    def baseline_rate(self) -> float:
        """The baseline volume as orders per second."""
        return self.baseline_orders_per_day / 86400
