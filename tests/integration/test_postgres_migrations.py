"""Issue 17: the PostgreSQL schema migrates once, whoever migrates at the same time.

Eight sessions run ``pgschema.migrate`` on one fresh database at once (released together by a
barrier): each version is applied once, every table is there, and migrating again is a no-op.
Without the advisory lock, concurrent ``CREATE TABLE IF NOT EXISTS`` raced into a UniqueViolation
of PostgreSQL's catalog.
"""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest

from released_intacct.adapters.state import pgschema
from released_intacct.fakes import postgres

TABLES = {
    "acknowledgements", "connections", "credentials", "cursors", "intacct_slots", "links",
    "notifications", "onboarding", "outbox", "refresh_tokens", "resolutions", "results", "runs",
    "schema_version",
}  # fmt: skip


def test_eight_concurrent_migrations_apply_each_version_once(postgres_dsn: str) -> None:
    start = threading.Barrier(8)
    reached: list[int] = []
    failures: list[BaseException] = []

    def one() -> None:
        try:
            with psycopg.connect(postgres_dsn, autocommit=True) as db:
                start.wait(timeout=30)
                reached.append(pgschema.migrate(db))
        except BaseException as error:  # reported below, with the others
            failures.append(error)

    sessions = [threading.Thread(target=one) for _ in range(8)]
    for session in sessions:
        session.start()
    for session in sessions:
        session.join(timeout=60)
    assert failures == []
    assert reached == [len(pgschema.MIGRATIONS)] * 8
    with psycopg.connect(postgres_dsn, autocommit=True) as db:
        rows = db.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
        assert [r[0] for r in rows] == list(range(1, len(pgschema.MIGRATIONS) + 1))
        names = db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        assert {n[0] for n in names} == TABLES
        assert pgschema.migrate(db) == len(pgschema.MIGRATIONS)  # again: nothing to do
        applied = db.execute("SELECT count(*) FROM schema_version").fetchone()
        assert applied == (len(pgschema.MIGRATIONS),)


def test_the_result_identity_treats_missing_ids_as_one_value(postgres_dsn: str) -> None:
    """Rule E1 (one row per record and cause) holds with NULL ids: NULLS NOT DISTINCT."""
    with psycopg.connect(postgres_dsn, autocommit=True) as db:
        pgschema.migrate(db)
        db.execute(
            "INSERT INTO connections (id, released_company, intacct_company, phase, created_at)"
            " VALUES ('c1', 'RL-1', 'INT-1', 'confirmed', now())"
        )
        row = (
            "INSERT INTO results (connection, record_type, released_id, intacct_key, direction,"
            " rule, kind, link_status, last_seen, body) VALUES ('c1', 'invoice', 'r1', NULL,"
            " 'outgoing', NULL, 'rejected', 'linked', now(), '{}')"
        )
        db.execute(row)
        try:
            db.execute(row)
        except psycopg.errors.UniqueViolation:
            pass
        else:
            raise AssertionError("a second row of the same record and cause was stored")


def test_without_postgresql_the_tests_are_skipped_with_one_line_saying_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(postgres, "_BIN", tmp_path / "missing")
    why = postgres.find()
    assert isinstance(why, str)
    assert "\n" not in why
    assert "apt-get install postgresql-15" in why
