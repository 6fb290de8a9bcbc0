"""The auxiliary statistics of one day (the decision-support figures of docs/contract.md, "Looking things up"), computed from the
platform's own tables: no second set of books. Pure aggregation of rows the store reads."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from mock_platform.receipts import CHINA_TIME

_RULE = re.compile(r"^\[rule:([a-z_]+);")
RELEASED, REJECTED = 800, 100


def day_bounds(date: str) -> tuple[float, float]:
    """Epoch seconds of the China-time day `YYYYMMDD`; ValueError when it is not a date."""
    start = dt.datetime.strptime(date, "%Y%m%d").replace(tzinfo=CHINA_TIME)
    return start.timestamp(), (start + dt.timedelta(days=1)).timestamp()


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """The nearest-rank percentile `q` (0..100) of ascending values; None when there are none."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass(frozen=True, slots=True)
class DayRows:
    """What the store read for one day."""

    documents: list[tuple[str, str]]  # (message type, sender copCode) of documents received
    lists: list[tuple[int, str, str, float, float]]  # (status, closed, trade mode, declared, updated)
    rejections: list[str]  # returnInfo of the day's 100 receipts of lists
    lists_released_today: list[float]  # declared -> released seconds of lists released this day


def daily(date: str, rows: DayRows) -> dict[str, object]:
    """The statistics document of `GET /stats/daily`."""
    by_type = Counter(message_type for message_type, _ in rows.documents)
    by_enterprise = Counter(sender for _, sender in rows.documents)
    by_mode = Counter(mode for _, _, mode, _, _ in rows.lists)
    closed = Counter(how for _, how, _, _, _ in rows.lists if how)
    released = sum(1 for status, how, *_ in rows.lists if status == RELEASED and how != "cancelled")
    rejected = sum(1 for status, *_ in rows.lists if status == REJECTED)
    rules = Counter(m.group(1) for info in rows.rejections if (m := _RULE.match(info)))
    clearance = sorted(rows.lists_released_today)
    return {
        "date": date,
        "documentsByMessageType": dict(sorted(by_type.items())),
        "documentsByEnterprise": dict(sorted(by_enterprise.items())),
        "listsByTradeMode": dict(sorted(by_mode.items())),
        "lists": {"declared": len(rows.lists), "released": released, "rejected": rejected,
                  "cancelled": closed["cancelled"], "returned": closed["returned"],
                  "pending": len(rows.lists) - released - rejected - closed["cancelled"]},
        "rejectedByRule": dict(sorted(rules.items())),
        "clearanceSeconds": {"count": len(clearance), "mean": sum(clearance) / len(clearance) if clearance else None,
                             **{f"p{q}": percentile(clearance, q) for q in (50, 95, 99)}},
        "parcels": len(rows.lists),
        "expressWaybills": by_type["CEB511"],
    }

