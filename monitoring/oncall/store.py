"""The on-call receiver's records in SQLite: one row a page, updated as it lives."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from monitoring.oncall.model import Page, Route

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    fingerprint TEXT PRIMARY KEY, alertname TEXT NOT NULL, severity TEXT NOT NULL,
    route TEXT NOT NULL, paged_at REAL NOT NULL, acked_at REAL, acked_by TEXT,
    escalated_at REAL, resolved_at REAL);
"""


class PageStore:
    """Pages by fingerprint. A page that fires again after resolving starts a new life."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()

    def _row(self, row) -> Page:
        return Page(row[0], row[1], row[2], Route(row[3]), *row[4:])

    def firing(self, fingerprint: str, alertname: str, severity: str, route: Route, now: float) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO pages VALUES (?,?,?,?,?,NULL,NULL,NULL,NULL) ON CONFLICT(fingerprint) DO UPDATE"
                " SET paged_at=excluded.paged_at, acked_at=NULL, acked_by=NULL, escalated_at=NULL,"
                " resolved_at=NULL, route=excluded.route WHERE pages.resolved_at IS NOT NULL",
                (fingerprint, alertname, severity, route.value, now))

    def resolved(self, fingerprint: str, now: float) -> None:
        with self._lock:
            self._conn.execute("UPDATE pages SET resolved_at=? WHERE fingerprint=? AND resolved_at IS NULL",
                               (now, fingerprint))

    def acknowledge(self, fingerprint: str, who: str, now: float) -> bool:
        with self._lock:
            cur = self._conn.execute("UPDATE pages SET acked_at=?, acked_by=? WHERE fingerprint=?"
                                     " AND acked_at IS NULL", (now, who, fingerprint))
            return cur.rowcount == 1

    def escalated(self, fingerprint: str, now: float) -> None:
        with self._lock:
            self._conn.execute("UPDATE pages SET escalated_at=? WHERE fingerprint=?", (now, fingerprint))

    def all(self) -> list[Page]:
        with self._lock:
            return [self._row(r) for r in self._conn.execute("SELECT * FROM pages ORDER BY paged_at")]
