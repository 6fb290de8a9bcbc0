"""Group-commit batches on each backend: one failing op costs only itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_platform.backends import backend_for
from mock_platform.records import DocumentRow, IntakeOutcome, IntakeRecord
from mock_platform.store import Store
from tests.conftest import make_database


def _record(guid: str) -> IntakeRecord:
    return IntakeRecord(guid=guid, message_type="CEB311", content_hash=f"hash-{guid}", sender="5000000001",
                        received_at=1.0, body=b"<x/>",
                        documents=(DocumentRow(0, f"doc-{guid}", f"order-{guid}", "EBP"),))


def _failing(conn) -> None:
    conn.execute("INSERT INTO messages(guid) VALUES (NULL)")  # violates NOT NULL / primary key


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_failing_op_gets_its_error_and_the_rest_of_the_batch_commits(backend: str, tmp_path: Path):
    store = Store(backend_for(make_database(backend, tmp_path)))
    conn = store.open_writer()
    try:
        results = store.write_batch(conn, [Store.insert_message(_record("A")), _failing,
                                           Store.insert_message(_record("B"))])
        assert results[0].outcome is results[2].outcome is IntakeOutcome.ACCEPTED
        assert isinstance(results[1], Exception)
        # Each message was stored once, with its document: the retried batch did not insert twice.
        again = store.write_batch(conn, [Store.insert_message(_record("A")), Store.insert_message(_record("B"))])
        assert [r.outcome for r in again] == [IntakeOutcome.DUPLICATE] * 2
        (documents,), = conn.execute("SELECT count(*) FROM documents").fetchall()
        assert documents == 2
    finally:
        conn.close()
