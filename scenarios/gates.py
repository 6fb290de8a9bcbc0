"""Gates: the capacity and response requirements a scenario holds its run to."""

from __future__ import annotations

import operator
from enum import Enum

from pydantic import Field, model_validator

from ceb.types import MessageType
from scenarios.fields import Model, PositiveSeconds


class GateMetric(str, Enum):
    """A summary figure a gate can hold to a threshold."""

    ACHIEVED_RATIO = "achieved_ratio"  # achieved / intended order rate
    ERROR_RATIO = "error_ratio"  # failed requests / requests
    THROTTLED_RATIO = "throttled_ratio"  # 429 answers / requests
    LATENCY_P50_MS = "latency_p50_ms"
    LATENCY_P95_MS = "latency_p95_ms"
    LATENCY_P99_MS = "latency_p99_ms"
    LATENCY_MAX_MS = "latency_max_ms"
    DROPPED_ARRIVALS = "dropped_arrivals"
    RELEASED_RATIO = "released_ratio"  # clean lists released (800) / clean lists sent
    CLEARANCE_P95_S = "clearance_p95_s"  # list sent -> 800 receipt seen


class Comparison(str, Enum):
    """How a gate compares the metric to its threshold (the metric must satisfy it)."""

    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


WINDOWED_METRICS = frozenset({GateMetric.ERROR_RATIO, GateMetric.THROTTLED_RATIO,
                              GateMetric.ACHIEVED_RATIO, GateMetric.LATENCY_P50_MS,
                              GateMetric.LATENCY_P95_MS, GateMetric.LATENCY_P99_MS})
_COMPARE = {Comparison.LT: operator.lt, Comparison.LE: operator.le,
            Comparison.GT: operator.gt, Comparison.GE: operator.ge}


class Gate(Model):
    """A requirement on the run's results: `metric op threshold` must hold.

    With `window`, it must hold in every sliding window of that length (error, 429 and achieved
    ratios; latency percentiles, judged by the worst latency step of the run's timeline inside
    the window); with `stop_loss` too, the generator stops the run as soon as a window breaks it.
    """

    metric: GateMetric
    op: Comparison
    threshold: float
    message_type: MessageType | None = None
    name: str | None = None
    window_s: PositiveSeconds | None = Field(None, alias="window")
    stop_loss: bool = False

    @model_validator(mode="after")
    def _window(self) -> Gate:
        if self.window_s is not None and self.metric not in WINDOWED_METRICS:
            raise ValueError(f"a window applies to {', '.join(sorted(m.value for m in WINDOWED_METRICS))}, "
                             f"not {self.metric.value}")
        if self.window_s is not None and self.message_type is not None:
            raise ValueError("a windowed gate covers every message type")
        if self.stop_loss and self.window_s is None:
            raise ValueError("stop_loss needs a window")
        return self

    def holds(self, value: float) -> bool:
        """Whether `value` meets the gate."""
        return _COMPARE[self.op](value, self.threshold)

    @property
    def label(self) -> str:
        """The gate's name, or one built from its terms."""
        if self.name:
            return self.name
        scope = f"[{self.message_type.value}]" if self.message_type else ""
        window = f" over {self.window_s:g} s" if self.window_s else ""
        return f"{self.metric.value}{scope} {self.op.value} {self.threshold:g}{window}"
