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
    escalated_at REAL, resolved_at REAL,
    summary TEXT NOT NULL DEFAULT '', runbook TEXT NOT NULL DEFAULT '');
"""
# Columns added since the first schema: a receiver keeps the database of an older one.
_ADDED = {"summary": "TEXT NOT NULL DEFAULT ''", "runbook": "TEXT NOT NULL DEFAULT ''"}
_COLUMNS = ("fingerprint, alertname, severity, route, paged_at, acked_at, acked_by, escalated_at,"
            " resolved_at, summary, runbook")


class PageStore:
    """Pages by fingerprint. A page that fires again after resolving starts a new life."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)
        present = {row[1] for row in self._conn.execute("PRAGMA table_info(pages)")}
        for column, kind in _ADDED.items():
            if column not in present:
                self._conn.execute(f"ALTER TABLE pages ADD COLUMN {column} {kind}")
        self._lock = threading.Lock()

    def firing(self, page: Page) -> None:
        """Record a new page; an open one is left as it is, a resolved one starts again."""
        with self._lock:
            self._conn.execute(
                f"INSERT INTO pages ({_COLUMNS}) VALUES (?,?,?,?,?,NULL,NULL,NULL,NULL,?,?)"
                " ON CONFLICT(fingerprint) DO UPDATE SET alertname=excluded.alertname,"
                " severity=excluded.severity, route=excluded.route, paged_at=excluded.paged_at,"
                " acked_at=NULL, acked_by=NULL, escalated_at=NULL, resolved_at=NULL,"
                " summary=excluded.summary, runbook=excluded.runbook WHERE pages.resolved_at IS NOT NULL",
                (page.fingerprint, page.alertname, page.severity, page.route.value, page.paged_at,
                 page.summary, page.runbook))

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
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM pages ORDER BY paged_at").fetchall()
        return [Page(r[0], r[1], r[2], Route(r[3]), *r[4:]) for r in rows]
