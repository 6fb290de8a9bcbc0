"""The bonded warehouse's account books (账册, `emsNo`): stock per item, as pure bookkeeping.

Goods are tallied into a book before they can be declared (先理货，后报关). A declared 1210 list
reserves its lines; release moves them to released; an exit batch at the zone gate (出区), or
the offline fast-delivery and on-site pickup channels (线下快速配送、现场提货), moves released goods
out; a cancel gives reserved goods back, a return gives released or exited goods back; a zone
transfer (转区) moves available goods between books. Quantities are per `itemRecordNo`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from ceb.documents import InventoryList

StockKey = tuple[str, str]  # (emsNo, itemRecordNo)
StockLines = tuple[tuple[StockKey, Decimal], ...]  # what one list draws, by line


class ExitChannel(str, Enum):
    """How released goods leave the zone."""

    GATE = "gate"  # an exit batch at the zone gate (卡口)
    FAST_DELIVERY = "fast-delivery"  # 线下快速配送
    ON_SITE_PICKUP = "on-site-pickup"  # 现场提货


@dataclass(slots=True)
class StockLine:
    """One item of one book."""

    gcode: str
    tallied: Decimal = Decimal(0)  # everything ever brought in (tally, transfer in)
    reserved: Decimal = Decimal(0)  # held by declared, unreleased lists
    released: Decimal = Decimal(0)  # released, still in the zone
    exited: Decimal = Decimal(0)  # left the zone
    transferred_out: Decimal = Decimal(0)

    @property
    def available(self) -> Decimal:
        """What a new list may still draw."""
        return self.tallied - self.transferred_out - self.reserved - self.released - self.exited

    def as_json(self) -> dict[str, str]:
        return {"gcode": self.gcode, "tallied": str(self.tallied), "reserved": str(self.reserved),
                "released": str(self.released), "exited": str(self.exited),
                "transferredOut": str(self.transferred_out), "available": str(self.available)}


@dataclass(frozen=True, slots=True)
class StockRow:
    """A line as stored."""

    ems_no: str
    item_record_no: str
    gcode: str
    tallied: Decimal
    reserved: Decimal
    released: Decimal
    exited: Decimal
    transferred_out: Decimal

    @property
    def line(self) -> StockLine:
        return StockLine(self.gcode, self.tallied, self.reserved, self.released, self.exited, self.transferred_out)


class StockShort(Exception):
    """A book lacks an item; `field` names the line at fault."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.detail = field, detail


def lines_of(inventory: InventoryList) -> StockLines:
    """The stock a 1210 list draws: each line's quantity against its book and item record."""
    return tuple(((inventory.ems_no, item.item_record_no or item.gcode), item.qty) for item in inventory.items)


class StockBook:
    """Every account book's lines; `changed` collects what a caller must write."""

    def __init__(self, lines: dict[StockKey, StockLine] | None = None) -> None:
        self.lines: dict[StockKey, StockLine] = lines or {}
        self.books = {ems for ems, _ in self.lines}
        self.changed: set[StockKey] = set()

    def tally(self, ems_no: str, items: Iterable[tuple[str, str, Decimal]]) -> None:
        """Goods counted into a book: (itemRecordNo, gcode, qty)."""
        self.books.add(ems_no)
        for record, gcode, qty in items:
            line = self.lines.setdefault((ems_no, record), StockLine(gcode))
            line.tallied += qty
            self.changed.add((ems_no, record))

    def reserve(self, lines: StockLines) -> None:
        """Hold a list's lines, all or none; StockShort naming the first line that is short."""
        for index, (key, qty) in enumerate(lines, start=1):
            line = self.lines.get(key)
            have = Decimal(0) if line is None else line.available
            if have < qty:
                raise StockShort(f"InventoryList[{index}]/itemRecordNo",
                                 f"book {key[0]} item {key[1]}: {qty} declared, {have} tallied and free")
        self._move(lines, "reserved", +1)

    def release(self, lines: StockLines) -> None:
        self._move(lines, "reserved", -1)
        self._move(lines, "released", +1)

    def unreserve(self, lines: StockLines) -> None:
        """A list rejected or cancelled before release."""
        self._move(lines, "reserved", -1)

    def leave(self, lines: StockLines) -> None:
        """Released goods out of the zone (an exit batch or an offline channel)."""
        self._move(lines, "released", -1)
        self._move(lines, "exited", +1)

    def take_back(self, lines: StockLines, exited: bool) -> None:
        """Returned goods back into the zone, available again."""
        self._move(lines, "exited" if exited else "released", -1)

    def transfer(self, from_ems: str, to_ems: str, items: Iterable[tuple[str, Decimal]]) -> None:
        """Move available goods to another book (转区), all or none."""
        items = list(items)
        for index, (record, qty) in enumerate(items, start=1):
            line = self.lines.get((from_ems, record))
            if line is None or line.available < qty:
                have = Decimal(0) if line is None else line.available
                raise StockShort(f"items[{index}]/qty", f"book {from_ems} item {record}: {qty} asked, {have} free")
        self.books.add(to_ems)
        for record, qty in items:
            source = self.lines[(from_ems, record)]
            source.transferred_out += qty
            target = self.lines.setdefault((to_ems, record), StockLine(source.gcode))
            target.tallied += qty
            self.changed |= {(from_ems, record), (to_ems, record)}

    def _move(self, lines: StockLines, column: str, sign: int) -> None:
        for key, qty in lines:
            line = self.lines.setdefault(key, StockLine(""))
            setattr(line, column, getattr(line, column) + sign * qty)
            self.changed.add(key)

    def drain_changes(self) -> list[StockRow]:
        """Snapshots of the lines changed since the last call, to be written with the change."""
        out = [StockRow(key[0], key[1], line.gcode, line.tallied, line.reserved, line.released, line.exited,
                        line.transferred_out)
               for key in sorted(self.changed) for line in (self.lines[key],)]
        self.changed.clear()
        return out

    def book(self, ems_no: str) -> dict[str, StockLine]:
        """Every line of one book, by item record."""
        return {record: line for (ems, record), line in sorted(self.lines.items()) if ems == ems_no}
