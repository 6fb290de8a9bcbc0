"""Durable storage of the mock platform, in SQLite or PostgreSQL (`mock_platform.backends`).

Writes happen only on the group-commit writer's thread, through `write_batch`: many operations in
one transaction, each isolated by a savepoint so one failing operation does not undo the others.
Reads use one connection per reading thread, beside the writer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from mock_platform.backends import Backend, Connection
from mock_platform.bonded import StockRow
from mock_platform.stats import DayRows
from mock_platform.records import (
    DocumentRow,
    FinishedList,
    IntakeOutcome,
    IntakeRecord,
    IntakeResult,
    InventoryUpdate,
    PendingInventory,
    StoredReceipt,
    UnsettledDocument,
)

WriteOp = Callable[[Connection], Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    """A stored receipt as the receipts endpoint reads it."""

    cursor: int
    message_type: str
    guid: str
    return_status: int
    return_time: str
    return_info: str
    keys: dict[str, str]


class Store:
    """The platform's database: messages, documents, inventory lists and receipts."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._readers = threading.local()

    def open_writer(self) -> Connection:
        """The one connection that writes; creates the schema."""
        conn = self.backend.connect()
        self.backend.create_schema(conn)
        return conn

    def _reader(self) -> Connection:
        conn = getattr(self._readers, "conn", None)
        if conn is None:
            conn = self._readers.conn = self.backend.connect()
        return conn

    # ------------------------------------------------------------------------------ writing

    def write_batch(self, conn: Connection, ops: Sequence[WriteOp]) -> list[Any]:
        """Apply `ops` in one transaction; each result is its value or the exception it raised
        (a failing op does not undo the others)."""
        # Ops nearly never fail, so the batch first runs without a savepoint per op (two
        # statements an op saved); only if one fails is it rolled back and run again, isolated.
        conn.execute(self.backend.begin)
        try:
            results = [op(conn) for op in ops]
        except Exception:  # noqa: BLE001 - retried below, op by op
            conn.execute("ROLLBACK")
            return self._write_isolated(conn, ops)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return results

    def _write_isolated(self, conn: Connection, ops: Sequence[WriteOp]) -> list[Any]:
        results: list[Any] = []
        conn.execute(self.backend.begin)
        try:
            for op in ops:
                conn.execute("SAVEPOINT op")
                try:
                    results.append(op(conn))
                    conn.execute("RELEASE op")
                except Exception as exc:  # noqa: BLE001 - the op's caller gets its own error
                    conn.execute("ROLLBACK TO op")
                    conn.execute("RELEASE op")
                    results.append(exc)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return results

    @staticmethod
    def insert_message(record: IntakeRecord) -> WriteOp:
        """An op storing an accepted message, its documents and their first receipts."""

        def op(conn: Connection) -> IntakeResult:
            if record.dxp_id:
                conn.execute("INSERT INTO dxp_senders VALUES (?,?,?) ON CONFLICT DO NOTHING",
                             (record.transport, record.dxp_id, record.sender))
            inserted = conn.execute(
                "INSERT INTO messages VALUES (?,?,?,?,?,?,?) ON CONFLICT(guid) DO NOTHING RETURNING guid",
                (record.guid, record.message_type, record.content_hash, record.sender,
                 len(record.documents), record.received_at, record.body)).fetchone()
            if inserted is None:
                (stored_hash, stored_type, stored_docs), = conn.execute(
                    "SELECT content_hash, message_type, documents FROM messages WHERE guid=?",
                    (record.guid,))
                outcome = (IntakeOutcome.DUPLICATE if stored_hash == record.content_hash
                           else IntakeOutcome.CONFLICT)
                return IntakeResult(outcome, (), stored_type, stored_docs)
            ids = []
            for doc in record.documents:
                ids.append(_insert_document(conn, record, doc))
            return IntakeResult(IntakeOutcome.ACCEPTED, tuple(ids), record.message_type,
                                len(record.documents))

        return op

    @staticmethod
    def insert_receipts(receipts: Sequence[StoredReceipt]) -> WriteOp:
        """An op appending receipts to their receivers' feeds."""

        def op(conn: Connection) -> None:
            conn.executemany(
                "INSERT INTO receipts(receiver, message_type, doc_guid, return_status, return_time,"
                " return_info, keys, created_at) VALUES (?,?,?,?,?,?,?,?)",
                [(r.receiver, r.message_type, r.guid, r.return_status, r.return_time,
                  r.return_info, json.dumps(dict(r.keys), ensure_ascii=False), r.created_at)
                 for r in receipts])

        return op

    @staticmethod
    def settle_documents(doc_ids: Sequence[int]) -> WriteOp:
        """An op marking documents as done with by the workflow."""

        def op(conn: Connection) -> None:
            conn.executemany("UPDATE documents SET settled=1 WHERE id=?", [(i,) for i in doc_ids])

        return op

    @staticmethod
    def update_inventories(updates: Sequence[InventoryUpdate]) -> WriteOp:
        """An op creating or advancing inventory lists, with their status history."""

        def op(conn: Connection) -> None:
            # Rows in order: a list updated twice in one tick ends as its last update says.
            conn.executemany(
                "INSERT INTO inventories VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'',?)"
                " ON CONFLICT(doc_id) DO UPDATE SET status=excluded.status,"
                " amount=excluded.amount, invt_no=excluded.invt_no,"
                " next_status=excluded.next_status, next_at=excluded.next_at,"
                " updated_at=excluded.updated_at, partners=excluded.partners,"
                " closed=excluded.closed, stock_reserved=excluded.stock_reserved",
                [(u.doc_id, u.agent_code, u.cop_no, u.buyer_id, str(u.amount), u.year, u.status,
                  u.pre_no, u.invt_no, u.declared_at, u.next_status, u.next_at, u.at,
                  ",".join(map(str, u.partners)), u.closed, int(u.stock_reserved), u.trade_mode)
                 for u in updates])
            conn.executemany("INSERT INTO inventory_history(doc_id, status, at) VALUES (?,?,?)",
                             [(u.doc_id, u.status, u.at) for u in updates])

        return op

    @staticmethod
    def insert_arrivals(arrivals: Sequence[tuple[str, str, float]]) -> WriteOp:
        """An op recording direct-mail parcels arrived at the supervised site (CEB711)."""

        def op(conn: Connection) -> None:
            conn.executemany("INSERT INTO arrivals VALUES (?,?,?) ON CONFLICT DO NOTHING", arrivals)

        return op

    @staticmethod
    def close_lists(closures: Sequence[tuple[int, str, float]]) -> WriteOp:
        """An op marking finished lists as returned (their quota no longer counts)."""

        def op(conn: Connection) -> None:
            conn.executemany("UPDATE inventories SET closed=?, updated_at=? WHERE doc_id=?",
                             [(how, at, doc_id) for doc_id, how, at in closures])

        return op

    @staticmethod
    def upsert_stock(rows: Sequence[StockRow]) -> WriteOp:
        """An op writing account-book lines as they now stand."""

        def op(conn: Connection) -> None:
            conn.executemany(
                "INSERT INTO stock VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(ems_no, item_record_no) DO UPDATE SET"
                " tallied=excluded.tallied, reserved=excluded.reserved, released=excluded.released,"
                " exited=excluded.exited, transferred_out=excluded.transferred_out",
                [(r.ems_no, r.item_record_no, r.gcode, str(r.tallied), str(r.reserved), str(r.released),
                  str(r.exited), str(r.transferred_out)) for r in rows])

        return op

    @staticmethod
    def mark_exited(doc_ids: Sequence[int], exit_batch: str) -> WriteOp:
        """An op recording which exit batch (or offline channel) took released lists out."""

        def op(conn: Connection) -> None:
            conn.executemany("UPDATE inventories SET exit_batch=? WHERE doc_id=?", [(exit_batch, i) for i in doc_ids])

        return op

    # ------------------------------------------------------------------------------ reading

    def read(self, query: Callable[..., T], *args: Any) -> T:
        """`query(connection, *args)` on this thread's reading connection."""
        return query(self._reader(), *args)

    def receipts_after(self, receiver: str, cursor: int, limit: int,
                       visible_before: float = float("inf")) -> list[ReceiptRow]:
        """Receipts addressed to `receiver` after `cursor`, oldest first, issued before a time."""
        rows = self._reader().execute(
            "SELECT id, message_type, doc_guid, return_status, return_time, return_info, keys"
            " FROM receipts WHERE receiver=? AND id>? AND created_at<=? ORDER BY id LIMIT ?",
            (receiver, cursor, visible_before, limit)).fetchall()
        return [ReceiptRow(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in rows]

    def inventory(self, agent_code: str, cop_no: str) -> dict[str, Any] | None:
        """The newest inventory list with this copNo from this agent, with its status history."""
        conn = self._reader()
        row = conn.execute(
            "SELECT doc_id, status, invt_no, pre_no, closed FROM inventories WHERE agent_code=? AND cop_no=?"
            " ORDER BY doc_id DESC LIMIT 1", (agent_code, cop_no)).fetchone()
        if row is None:
            return None
        history = conn.execute(
            "SELECT status, at FROM inventory_history WHERE doc_id=? ORDER BY id", (row[0],))
        return {"copNo": cop_no, "agentCode": agent_code, "returnStatus": row[1],
                "invtNo": row[2], "preNo": row[3], "closed": row[4] or None,
                "history": [{"returnStatus": s, "at": at} for s, at in history]}

    def unsettled_documents(self) -> list[UnsettledDocument]:
        """Documents the workflow had not finished with, oldest first, with their messages."""
        rows = self._reader().execute(
            "SELECT d.id, d.doc_index, m.sender, d.received_at, m.guid, m.body FROM documents d"
            " JOIN messages m ON m.guid = d.message_guid WHERE d.settled = 0 ORDER BY d.id")
        return [UnsettledDocument(*row[:5], bytes(row[5])) for row in rows]

    def pending_inventories(self) -> list[PendingInventory]:
        """Matched lists whose next customs step had not happened yet."""
        rows = self._reader().execute(
            "SELECT doc_id, status, next_status, next_at, pre_no, invt_no, buyer_id, amount, year,"
            " partners, stock_reserved FROM inventories WHERE next_status IS NOT NULL AND closed = ''")
        return [PendingInventory(*row[:7], Decimal(row[7]), row[8],
                                 tuple(int(i) for i in row[9].split(",") if i), bool(row[10])) for row in rows]

    def annual_usage(self) -> list[tuple[str, int, Decimal]]:
        """(buyer id, year, amount) of every matched list that counts against a buyer's quota."""
        rows = self._reader().execute(
            "SELECT buyer_id, year, amount FROM inventories WHERE closed = ''"
            " AND status != 100 AND (status >= 120 OR next_status IS NOT NULL)")
        return [(buyer, year, Decimal(amount)) for buyer, year, amount in rows]

    def arrived(self) -> list[tuple[str, str]]:
        """(logisticsCode, logisticsNo) of every direct-mail parcel reported arrived."""
        return [(code, no) for code, no in self._reader().execute(
            "SELECT logistics_code, logistics_no FROM arrivals")]

    _FINISHED = ("SELECT i.doc_id, i.status, i.closed, i.buyer_id, i.amount, i.year, i.invt_no, i.pre_no,"
                 " i.updated_at, i.stock_reserved, i.exit_batch, m.body, d.doc_index FROM inventories i"
                 " JOIN documents d ON d.id = i.doc_id JOIN messages m ON m.guid = d.message_guid")

    @staticmethod
    def _finished(row) -> FinishedList:
        return FinishedList(row[0], row[1], row[2], row[3], Decimal(row[4]), row[5], row[6], row[7], row[8],
                            bool(row[9]), row[10], bytes(row[11]), row[12])

    def finished_list(self, agent_code: str, cop_no: str) -> FinishedList | None:
        """The newest list an agent calls `cop_no`, as it stands in the database."""
        row = self._reader().execute(
            self._FINISHED + " WHERE i.agent_code=? AND i.cop_no=? ORDER BY i.doc_id DESC LIMIT 1",
            (agent_code, cop_no)).fetchone()
        return None if row is None else self._finished(row)

    def lists_by_invt_no(self, invt_nos: Sequence[str]) -> dict[str, FinishedList]:
        """Lists by their customs number (`invtNo`), for an exit batch."""
        if not invt_nos:
            return {}
        marks = ",".join("?" * len(invt_nos))  # one query: an exit batch names up to 1,000 lists
        rows = self._reader().execute(self._FINISHED + f" WHERE i.invt_no IN ({marks}) ORDER BY i.doc_id",
                                      tuple(invt_nos))
        return {listed.invt_no: listed for listed in map(self._finished, rows)}  # the newest wins

    def day(self, start: float, end: float) -> DayRows:
        """The rows of one day's statistics (documents received, lists declared, rejections)."""
        conn = self._reader()
        documents = [(t, s) for t, s in conn.execute(
            "SELECT message_type, receiver FROM documents WHERE received_at >= ? AND received_at < ?", (start, end))]
        lists = [tuple(r) for r in conn.execute(
            "SELECT status, closed, trade_mode, declared_at, updated_at FROM inventories"
            " WHERE declared_at >= ? AND declared_at < ?", (start, end))]
        rejections = [info for (info,) in conn.execute(
            "SELECT return_info FROM receipts WHERE message_type = 'CEB622' AND return_status = 100"
            " AND created_at >= ? AND created_at < ?", (start, end))]
        released = [updated - declared for updated, declared in conn.execute(
            "SELECT updated_at, declared_at FROM inventories WHERE status = 800 AND closed != 'cancelled'"
            " AND updated_at >= ? AND updated_at < ?", (start, end))]
        return DayRows(documents, lists, rejections, released)

    def order(self, ebp_code: str, order_no: str) -> dict[str, Any] | None:
        """An order and the state of its partners (`GET /ceb/orders/{ebpCode}/{orderNo}`)."""
        conn = self._reader()
        rows = conn.execute(
            "SELECT d.id, d.message_type, d.doc_guid, d.received_at, d.settled, i.status, i.invt_no, i.cop_no,"
            " i.closed FROM documents d LEFT JOIN inventories i ON i.doc_id = d.id"
            " WHERE d.order_no = ? AND d.ebp_code IN (?, '') ORDER BY d.id", (order_no, ebp_code)).fetchall()
        if not any(r[1] == "CEB311" for r in rows):
            return None
        newest = {}
        for doc_id, message_type, guid, received_at, settled, status, invt_no, cop_no, closed in rows:
            newest[message_type] = {"guid": guid, "receivedAt": received_at, "settled": bool(settled),
                                    **({"returnStatus": status, "invtNo": invt_no, "copNo": cop_no,
                                        "closed": closed or None} if message_type == "CEB621" else {})}
        listed = newest.get("CEB621")
        return {"ebpCode": ebp_code, "orderNo": order_no, "order": newest["CEB311"],
                "payment": newest.get("CEB411"), "waybill": newest.get("CEB511"), "inventoryList": listed,
                "matched": listed is not None and (listed["returnStatus"] or 0) >= 120}

    def stock_rows(self) -> list[StockRow]:
        """Every account-book line."""
        return [StockRow(r[0], r[1], r[2], *(Decimal(v) for v in r[3:]))
                for r in self._reader().execute("SELECT * FROM stock")]

def _insert_document(conn: Connection, record: IntakeRecord, doc: DocumentRow) -> int:
    (doc_id,) = conn.execute(
        "INSERT INTO documents(message_guid, doc_index, message_type, doc_guid, receiver, order_no,"
        " ebp_code, received_at) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
        (record.guid, doc.index, record.message_type, doc.guid, record.sender, doc.order_no,
         doc.ebp_code, record.received_at)).fetchone()
    return doc_id
