"""The SQLite state store's schema, connection settings and transactions."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Coroutine
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
import pytest
from returns.result import Failure, Result, Success

from released_intacct.adapters.state import SqliteStateStore, generate_key, schema
from released_intacct.adapters.state.database import Database
from released_intacct.domain.enums import RecordType, System
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    IntacctCompanyId,
    IntacctKey,
    ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.links import Link
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.results import RunStatus
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection
from released_intacct.fakes.awaiting import settled, value

T = TypeVar("T")
T0 = datetime(2026, 3, 1, tzinfo=UTC)
C1 = ConnectionId("c1")


def run(main: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(main)


def _versions(db: Path) -> list[int]:
    with sqlite3.connect(db) as raw:
        return [row[0] for row in raw.execute("SELECT version FROM schema_version")]


def test_migrations_run_at_open_once_and_again_as_a_no_op(tmp_path: Path) -> None:
    db = tmp_path / "s.db"

    async def main() -> None:
        for _ in range(3):
            store = await SqliteStateStore.open(db, key=generate_key())
            await store.close()
        async with aiosqlite.connect(db, isolation_level=None) as raw:
            assert await schema.migrate(raw) == len(schema.MIGRATIONS)
            assert await schema.migrate(raw) == len(schema.MIGRATIONS)

    run(main())
    assert _versions(db) == list(range(1, len(schema.MIGRATIONS) + 1))
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_failing_migration_leaves_nothing_of_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "s.db"
    broken = ("CREATE TABLE half_done (a TEXT)", "THIS IS NOT SQL")
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))

    async def main() -> None:
        with pytest.raises(sqlite3.OperationalError):
            await SqliteStateStore.open(db, key=generate_key())

    run(main())
    assert _versions(db) == list(range(1, len(schema.MIGRATIONS)))
    with sqlite3.connect(db) as raw:
        tables = {name for (name,) in raw.execute("SELECT name FROM sqlite_master")}
    assert "connections" in tables
    assert "half_done" not in tables


def test_each_connection_is_durable_with_foreign_keys_on(tmp_path: Path) -> None:
    async def main() -> None:
        async with aiosqlite.connect(tmp_path / "s.db", isolation_level=None) as raw:
            await schema.configure(raw)
            settings = {}
            for pragma in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
                async with raw.execute(f"PRAGMA {pragma}") as cursor:
                    settings[pragma] = (await cursor.fetchone() or (None,))[0]
        assert settings == {
            "journal_mode": "wal",
            "synchronous": 2,  # FULL
            "foreign_keys": 1,
            "busy_timeout": schema.BUSY_TIMEOUT_MS,
        }

    run(main())


def test_an_error_inside_a_transaction_rolls_all_of_it_back_as_a_fatal_error(
    tmp_path: Path,
) -> None:
    async def main() -> None:
        raw = await aiosqlite.connect(tmp_path / "s.db", isolation_level=None)
        database = Database(raw, "s.db")
        await raw.execute("CREATE TABLE t (a INTEGER PRIMARY KEY)")

        async def twice(db: aiosqlite.Connection) -> Result[None, SyncError]:
            await db.execute("INSERT INTO t VALUES (1)")
            await db.execute("INSERT INTO t VALUES (1)")
            return Success(None)

        async def refused(db: aiosqlite.Connection) -> Result[None, SyncError]:
            await db.execute("INSERT INTO t VALUES (2)")
            return Failure(SyncError(kind=ErrorKind.REJECTED, rule=None, message="no", fix="-"))

        error = (await database.write(twice)).failure()
        assert (error.kind, error.cause) == (
            ErrorKind.FATAL,
            "IntegrityError: UNIQUE constraint failed: t.a",
        )
        assert (await database.write(refused)).failure().message == "no"
        async with raw.execute("SELECT count(*) FROM t") as cursor:
            assert await cursor.fetchone() == (0,)
        await database.close()

    run(main())


def test_concurrent_calls_on_one_store_do_not_interleave_their_transactions(
    tmp_path: Path,
) -> None:
    creds = IntacctCredentials(
        sender_id="s",
        sender_password=Secret("a"),
        company_id="c",
        user_id="u",
        user_password=Secret("b"),
    )
    conn = Connection(
        id=C1,
        released_company=ReleasedCompanyId("RL"),
        intacct_company=IntacctCompanyId("INT"),
        created_at=T0,
    )

    def batch(n: int) -> list[Link]:
        return [
            Link(
                record_type=RecordType.CONTACT,
                released_id=ReleasedId(f"r{n}-{j}"),
                intacct_key=IntacctKey(f"k{n}-{j}"),
                origin=System.RELEASED,
            )
            for j in range(5)
        ]

    async def main() -> None:
        store = await SqliteStateStore.open(tmp_path / "s.db", key=generate_key())
        await value(store.add_connection(conn, creds))
        # refused as a whole: its last link's Intacct key is held by a link of batch 0
        clash = [*batch(99), replace(batch(0)[0], released_id=ReleasedId("other"))]
        outcomes = await asyncio.gather(
            *(settled(store.save_links(C1, batch(n))) for n in range(20)),
            settled(store.save_links(C1, clash)),
            *(settled(store.start_run(C1, at=T0 + timedelta(seconds=n))) for n in range(5)),
        )
        assert sum(isinstance(o, Success) for o in outcomes) == 20 + 1  # the links, one run
        assert len(await value(store.links(C1, RecordType.CONTACT))) == 100
        (only,) = await value(store.runs(C1))
        assert only.status is RunStatus.RUNNING
        await store.close()

    run(main())
