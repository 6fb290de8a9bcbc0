"""A past festival's counts, read from a CSV of timestamps and counts or from the platform's daily
statistics export, as evenly spaced buckets of China time."""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

CHINA_TIME = dt.timezone(dt.timedelta(hours=8))
# Column names a CSV may use for each series: ours, and the message types'.
COLUMNS = {"orders": ("orders", "ceb311"), "payment": ("payments", "ceb411"),
           "waybill": ("waybills", "ceb511"), "inventory_list": ("lists", "ceb621")}
_TIME_COLUMNS = ("time", "timestamp")
_STATS_TYPES = {"orders": "CEB311", "payment": "CEB411", "waybill": "CEB511", "inventory_list": "CEB621"}


class HistoryError(ValueError):
    """A history that cannot be read; the message names the file and the line or day at fault."""


@dataclass(frozen=True, slots=True)
class History:
    """Counts per bucket: orders, and the downstream documents when the source has them."""

    start: dt.datetime
    step_s: float
    orders: list[float]
    documents: dict[str, list[float]]  # "payment", "waybill", "inventory_list": counts per bucket

    @property
    def duration_s(self) -> float:
        return self.step_s * len(self.orders)


def read_history(path: Path) -> History:
    """A history from a CSV file or a statistics export (`.json`: one `/stats/daily` document, an
    array of them, or one per line)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HistoryError(f"{path}: cannot read: {exc}") from None
    history = _from_stats(path, text) if path.suffix.lower() in (".json", ".jsonl") else _from_csv(path, text)
    if len(history.orders) < 2:
        raise HistoryError(f"{path}: fewer than two rows of counts")
    if not any(history.orders):
        raise HistoryError(f"{path}: no orders in any row")
    return history


def _from_csv(path: Path, text: str) -> History:
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise HistoryError(f"{path}: empty")
    header = [name.strip().lower() for name in rows[0]]
    time_at = next((header.index(n) for n in _TIME_COLUMNS if n in header), None)
    found = {series: next((header.index(n) for n in names if n in header), None) for series, names in COLUMNS.items()}
    if time_at is None or found["orders"] is None:
        raise HistoryError(f"{path}: the first row must name a 'time' column and an 'orders' (or 'CEB311') "
                           f"column; it has {', '.join(header) or 'nothing'}")
    columns = {series: at for series, at in found.items() if at is not None}
    times, counts = [], {series: [] for series in columns}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            times.append(_moment(row[time_at]))
            for series, at in columns.items():
                value = float(row[at])
                if not value >= 0:
                    raise ValueError(f"{value} is not a count")
                counts[series].append(value)
        except (ValueError, IndexError) as exc:
            raise HistoryError(f"{path}:{line}: {exc}") from None
    step = _even_step(path, times)
    orders = counts.pop("orders")
    return History(start=times[0], step_s=step, orders=orders, documents=counts)


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=CHINA_TIME) if moment.tzinfo is None else moment


def _even_step(path: Path, times: list[dt.datetime]) -> float:
    if len(times) < 2:
        raise HistoryError(f"{path}: fewer than two rows of counts")
    step = (times[1] - times[0]).total_seconds()
    if step <= 0:
        raise HistoryError(f"{path}: the times must rise")
    for line, (a, b) in enumerate(zip(times, times[1:]), start=3):
        if (b - a).total_seconds() != step:
            raise HistoryError(f"{path}:{line}: {b.isoformat()} is not {step:g} s after the row before "
                               "(the rows must be evenly spaced, none missing)")
    return step


def _from_stats(path: Path, text: str) -> History:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        try:  # one document per line
            parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise HistoryError(f"{path}: not a statistics export: {exc}") from None
    days = parsed if isinstance(parsed, list) else [parsed]
    by_date: dict[dt.date, dict] = {}
    for day in days:
        try:
            date = dt.datetime.strptime(str(day["date"]), "%Y%m%d").date()
            by_type = day["documentsByMessageType"]
        except (KeyError, TypeError, ValueError):
            raise HistoryError(f"{path}: each document needs 'date' (YYYYMMDD) and 'documentsByMessageType', "
                               "as GET /stats/daily gives them") from None
        by_date[date] = by_type
    dates = sorted(by_date)
    for a, b in zip(dates, dates[1:]):
        if (b - a).days != 1:
            raise HistoryError(f"{path}: no statistics for {a + dt.timedelta(days=1):%Y%m%d} (the days must follow "
                               "each other)")
    series = {name: [float(by_date[d].get(code, 0)) for d in dates] for name, code in _STATS_TYPES.items()}
    orders = series.pop("orders")
    start = dt.datetime.combine(dates[0], dt.time(0), tzinfo=CHINA_TIME)
    return History(start=start, step_s=86400.0, orders=orders, documents={k: v for k, v in series.items() if any(v)})
