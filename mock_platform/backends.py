"""Database backends: SQLite (embedded, the default) and PostgreSQL (production-like).

The store writes one SQL dialect, SQLite's, with `?` parameters and `RETURNING`; a backend
connects, creates the schema in its own types and adapts parameters. The schema only ever gains
tables and indexes (`IF NOT EXISTS`), so a database an older platform made opens as it is.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    guid TEXT PRIMARY KEY, message_type TEXT NOT NULL, content_hash TEXT NOT NULL,
    sender TEXT NOT NULL, documents INTEGER NOT NULL, received_at {real} NOT NULL,
    body {blob} NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id {serial}, message_guid TEXT NOT NULL, doc_index INTEGER NOT NULL,
    message_type TEXT NOT NULL, doc_guid TEXT NOT NULL, receiver TEXT NOT NULL,
    order_no TEXT NOT NULL, ebp_code TEXT NOT NULL, received_at {real} NOT NULL,
    settled INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS documents_unsettled ON documents(settled) WHERE settled = 0;
CREATE INDEX IF NOT EXISTS documents_order ON documents(ebp_code, order_no);
CREATE TABLE IF NOT EXISTS inventories (
    doc_id BIGINT PRIMARY KEY, agent_code TEXT NOT NULL, cop_no TEXT NOT NULL,
    buyer_id TEXT NOT NULL, amount TEXT NOT NULL, year INTEGER NOT NULL, status INTEGER NOT NULL,
    pre_no TEXT NOT NULL, invt_no TEXT NOT NULL, declared_at {real} NOT NULL,
    next_status INTEGER, next_at {real}, updated_at {real} NOT NULL, partners TEXT NOT NULL,
    closed TEXT NOT NULL DEFAULT '', stock_reserved INTEGER NOT NULL DEFAULT 0,
    exit_batch TEXT NOT NULL DEFAULT '', trade_mode TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS inventories_invt_no ON inventories(invt_no);
CREATE INDEX IF NOT EXISTS inventories_cop ON inventories(agent_code, cop_no);
CREATE TABLE IF NOT EXISTS inventory_history (
    id {serial}, doc_id BIGINT NOT NULL, status INTEGER NOT NULL, at {real} NOT NULL);
CREATE INDEX IF NOT EXISTS inventory_history_doc ON inventory_history(doc_id);
CREATE TABLE IF NOT EXISTS receipts (
    id {serial}, receiver TEXT NOT NULL, message_type TEXT NOT NULL,
    doc_guid TEXT NOT NULL, return_status INTEGER NOT NULL, return_time TEXT NOT NULL,
    return_info TEXT NOT NULL, keys TEXT NOT NULL, created_at {real} NOT NULL);
CREATE INDEX IF NOT EXISTS receipts_receiver ON receipts(receiver, id);
CREATE INDEX IF NOT EXISTS documents_received ON documents(received_at);
CREATE INDEX IF NOT EXISTS inventories_declared ON inventories(declared_at);
CREATE TABLE IF NOT EXISTS stock (
    ems_no TEXT NOT NULL, item_record_no TEXT NOT NULL, gcode TEXT NOT NULL, tallied TEXT NOT NULL,
    reserved TEXT NOT NULL, released TEXT NOT NULL, exited TEXT NOT NULL, transferred_out TEXT NOT NULL,
    PRIMARY KEY (ems_no, item_record_no));
CREATE TABLE IF NOT EXISTS arrivals (
    logistics_code TEXT NOT NULL, logistics_no TEXT NOT NULL, at {real} NOT NULL,
    PRIMARY KEY (logistics_code, logistics_no));
CREATE TABLE IF NOT EXISTS dxp_senders (
    transport TEXT NOT NULL, dxp_id TEXT NOT NULL, sender TEXT NOT NULL,
    PRIMARY KEY (transport, dxp_id, sender));
CREATE INDEX IF NOT EXISTS dxp_senders_sender ON dxp_senders(sender);
CREATE INDEX IF NOT EXISTS receipts_pull ON receipts(receiver, message_type, created_at);
CREATE TABLE IF NOT EXISTS feed_cursors (name TEXT PRIMARY KEY, position BIGINT NOT NULL);
"""


class Connection(Protocol):
    """What the store needs of a database connection (sqlite3's interface)."""

    def execute(self, sql: str, parameters: Any = ...) -> Any: ...
    def executemany(self, sql: str, seq_of_parameters: Any) -> Any: ...
    def close(self) -> None: ...


class Backend(Protocol):
    """A database the store can live in."""

    begin: str  # the statement that opens a write transaction

    def connect(self) -> Connection:
        """A new connection in autocommit mode (the store opens its transactions itself)."""
        ...

    def create_schema(self, conn: Connection) -> None:
        """Create the tables and indexes if they are not there."""
        ...


class SqliteBackend:
    """An SQLite file in WAL mode."""

    begin = "BEGIN IMMEDIATE"

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        self.path = path
        self.synchronous = synchronous

    def connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self.synchronous}")
        conn.execute("PRAGMA busy_timeout=5000")
        return conn

    def create_schema(self, conn: Connection) -> None:
        conn.executescript(_SCHEMA.format(serial="INTEGER PRIMARY KEY", real="REAL", blob="BLOB"))

    def __str__(self) -> str:
        return f"sqlite:{self.path}"


class _PostgresConnection:
    """psycopg behind sqlite3's interface: `?` parameters, `execute` and `executemany`."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, parameters: Any = ()) -> Any:
        return self._conn.execute(sql.replace("?", "%s"), parameters or None)

    def executemany(self, sql: str, seq_of_parameters: Any) -> Any:
        with self._conn.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), list(seq_of_parameters))

    def close(self) -> None:
        self._conn.close()


class PostgresBackend:
    """A PostgreSQL database (`postgresql://...`); commits are durable (synchronous_commit)."""

    begin = "BEGIN"

    def __init__(self, url: str) -> None:
        self.url = url

    def connect(self) -> _PostgresConnection:
        import psycopg  # imported here: only PostgreSQL users need the driver loaded

        return _PostgresConnection(psycopg.connect(self.url, autocommit=True))

    def create_schema(self, conn: Connection) -> None:
        schema = _SCHEMA.format(serial="BIGSERIAL PRIMARY KEY", real="DOUBLE PRECISION", blob="BYTEA")
        for statement in filter(str.strip, schema.split(";")):
            conn.execute(statement)

    def __str__(self) -> str:
        return "postgresql:" + self.url.split("@")[-1]  # never the credentials


def backend_for(database: str, synchronous: str = "FULL") -> Backend:
    """The backend a `--db` value names: a `postgresql://` URL, or an SQLite file path."""
    if database.startswith(("postgresql://", "postgres://")):
        return PostgresBackend(database)
    return SqliteBackend(Path(database), synchronous)


class StorageUnavailable(RuntimeError):
    """The database cannot be opened, or its schema cannot be created."""


def check_storage(backend: Backend) -> None:
    """Open the database and create its schema, or raise StorageUnavailable saying why: checked
    before the platform starts serving, so a wrong `--db` is one clear line, not a failed startup."""
    try:
        conn = backend.connect()
        try:
            backend.create_schema(conn)
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001 - sqlite3, psycopg and OS errors alike; only the text is kept
        reason = " ".join(str(exc).split())
        if isinstance(backend, PostgresBackend):
            password = urlsplit(backend.url).password
            reason = reason.replace(password, "***") if password else reason
        raise StorageUnavailable(f"cannot open the database {backend}: {reason}") from None
