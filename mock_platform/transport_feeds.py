"""The receipts the other transports hand out, read from the one receipts table.

The e-port pull reads by DXP id, receipt type and time; the folder transport reads by position
(the table's id) and keeps its position in `feed_cursors`, committed after the files are written:
a crash between the two writes those files again (at-least-once, as a DXP delivers), never loses
one. Who is behind a DXP id is `dxp_senders`, filled as messages arrive (`Store.insert_message`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ceb.types import TransportKind
from mock_platform.backends import Connection
from mock_platform.store import WriteOp


@dataclass(frozen=True, slots=True)
class FeedRow:
    """A stored receipt and the DXP id it goes out under."""

    position: int
    dxp_id: str
    receiver: str
    message_type: str
    guid: str
    return_status: int
    return_time: str
    return_info: str
    keys: dict[str, str]
    created_at: float


_COLUMNS = ("r.id, s.dxp_id, r.receiver, r.message_type, r.doc_guid, r.return_status, r.return_time,"
            " r.return_info, r.keys, r.created_at")


def _rows(cursor) -> list[FeedRow]:
    return [FeedRow(*row[:8], json.loads(row[8]), row[9]) for row in cursor]


def pull_rows(conn: Connection, dxp_id: str, message_type: str, since: float, visible_before: float,
              limit: int, offset: int) -> list[FeedRow]:
    """Receipts of one type to the enterprises that sent under `dxp_id`, made at or after `since`,
    oldest first (then in the order stored)."""
    return _rows(conn.execute(
        f"SELECT {_COLUMNS} FROM dxp_senders s JOIN receipts r ON r.receiver = s.sender"
        " WHERE s.dxp_id = ? AND r.message_type = ? AND r.created_at >= ? AND r.created_at <= ?"
        " ORDER BY r.created_at, r.id LIMIT ? OFFSET ?",
        (dxp_id, message_type, since, visible_before, limit, offset)))


def folder_rows(conn: Connection, after: int, limit: int) -> list[FeedRow]:
    """Receipts after position `after` to enterprises that sent through the folder, in the order
    stored (one row per DXP id an enterprise sent under)."""
    return _rows(conn.execute(
        f"SELECT {_COLUMNS} FROM receipts r JOIN dxp_senders s ON s.sender = r.receiver"
        " WHERE r.id > ? AND s.transport = ? ORDER BY r.id, s.dxp_id LIMIT ?",
        (after, TransportKind.DXP_FOLDER.value, limit)))


def cursor_of(conn: Connection, name: str) -> int:
    """The saved position of a feed (0: from the start)."""
    row = conn.execute("SELECT position FROM feed_cursors WHERE name = ?", (name,)).fetchone()
    return 0 if row is None else int(row[0])


def save_cursor(name: str, position: int) -> WriteOp:
    """An op saving a feed's position."""

    def op(conn: Connection) -> None:
        conn.execute("INSERT INTO feed_cursors VALUES (?,?) ON CONFLICT(name) DO UPDATE"
                     " SET position = excluded.position", (name, position))

    return op
