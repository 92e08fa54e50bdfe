"""Schema versions 2 (run progress and heartbeat, rules E3, E4) and 3 (the outbox's sequence
index): a database of version 1 upgrades cleanly and once, and the queries a sync repeats per
record or per page read through indexes (none scans a table that grows with the company)."""

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

from released_intacct.adapters.state import (
    SqliteStateStore,
    codec,
    generate_key,
    outbox,
    runs,
    schema,
)
from released_intacct.domain.actions import CreateInReleased
from released_intacct.domain.enums import RecordType
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.released import Contact
from released_intacct.domain.results import Progress, RunCounts, RunStatus
from released_intacct.domain.state import Intent, Run
from released_intacct.fakes.awaiting import value

T = TypeVar("T")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
C1 = ConnectionId("c1")
COUNTS = RunCounts().add(RecordType.INVOICE, created=2, failed=1)


def run(main: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(main)


def _versions(db: Path) -> list[int]:
    with sqlite3.connect(db) as raw:
        return [row[0] for row in raw.execute("SELECT version FROM schema_version")]


def _shape(db: Path) -> tuple[list[Any], list[Any]]:
    """The columns of every table and the SQL of every index and table."""
    with sqlite3.connect(db) as raw:
        objects = raw.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        columns = [
            (name, raw.execute(f"PRAGMA table_info({name})").fetchall())
            for kind, name, _ in objects
            if kind == "table"
        ]
    return objects, columns


def _version_1(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database left by the release before version 2: a company, an open and a finished run."""
    with monkeypatch.context() as patched:
        patched.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])

        async def migrate() -> None:
            async with aiosqlite.connect(db, isolation_level=None) as raw:
                await schema.configure(raw)
                await schema.migrate(raw)

        run(migrate())
    with sqlite3.connect(db) as raw:
        raw.execute(
            "INSERT INTO connections (id, released_company, intacct_company, entity, phase,"
            " created_at) VALUES (?, 'RL-1', 'INT-1', '', 'confirmed', ?)",
            (C1, codec.to_column(T0)),
        )
        for n, (status, finished) in enumerate((("failed", T0), ("running", None))):
            raw.execute(
                "INSERT INTO runs (id, connection, started_at, status, finished_at, counts,"
                " errors, seq) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
                (
                    f"run-{n}",
                    C1,
                    codec.to_column(T0 + timedelta(hours=n)),
                    status,
                    None if finished is None else codec.to_column(finished),
                    codec.encode_counts(COUNTS),
                    n,
                ),
            )


def test_E4_a_version_1_database_upgrades_to_version_2_once_keeping_its_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, fresh = tmp_path / "old.db", tmp_path / "fresh.db"
    _version_1(old, monkeypatch)
    assert _versions(old) == [1]
    kept = Run(id="run-1", connection=C1, started_at=T0 + timedelta(hours=1), errors=1)

    async def main() -> None:
        store = await SqliteStateStore.open(old, key=generate_key())
        try:
            listed = await value(store.runs(C1))
            assert [r.id for r in listed] == ["run-1", "run-0"]
            assert all(
                (r.progress, r.heartbeat_at, r.counts) == (Progress(), None, COUNTS) for r in listed
            )
            alive = replace(listed[0], progress=Progress().add(RecordType.INVOICE, done=3))
            beat = await value(store.save_progress(alive, at=T0 + timedelta(hours=2)))
            assert beat == replace(
                kept, counts=COUNTS, progress=alive.progress, heartbeat_at=beat.heartbeat_at
            )
        finally:
            await store.close()
        for _ in range(2):  # opened again: nothing more to apply
            again = await SqliteStateStore.open(old, key=generate_key())
            assert (await value(again.runs(C1)))[0].heartbeat_at == T0 + timedelta(hours=2)
            await again.close()
        async with aiosqlite.connect(old, isolation_level=None) as raw:
            assert await schema.migrate(raw) == len(schema.MIGRATIONS)
        await (await SqliteStateStore.open(fresh, key=generate_key())).close()

    run(main())
    assert _versions(old) == list(range(1, len(schema.MIGRATIONS) + 1))
    assert _shape(old) == _shape(fresh)  # upgraded as if created at the latest version


def test_E4_an_open_run_of_version_1_is_released_by_its_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.db"
    _version_1(db, monkeypatch)

    async def main() -> None:
        store = await SqliteStateStore.open(db, key=generate_key())
        try:
            at = T0 + timedelta(days=1)
            before = T0 + timedelta(hours=1, minutes=1)
            (released,) = await value(store.release_stale_runs(before=before, at=at))
            assert (released.id, released.status, released.finished_at) == (
                "run-1",
                RunStatus.FAILED,
                at,
            )
            assert released.errors == 2  # the stop is one more error
        finally:
            await store.close()

    run(main())


def test_release_and_prefix_queries_read_through_indexes(tmp_path: Path) -> None:
    """The scheduler looks for stale runs on every tick: only the open runs are read, through
    the partial index of open runs; links by prefix are a range of the Intacct-key index."""
    statements: list[str] = []

    async def main() -> None:
        async with aiosqlite.connect(tmp_path / "s.db", isolation_level=None) as raw:
            await schema.configure(raw)
            await schema.migrate(raw)
            await raw.set_trace_callback(statements.append)
            await runs.release_stale(raw, T0, T0, [C1])
            await outbox.links_by_intacct_prefix(raw, C1, RecordType.PAYMENT, "123/")
            traced = list(statements)
            plans = []
            for statement in traced:
                async with raw.execute(f"EXPLAIN QUERY PLAN {statement}") as cursor:
                    plans.append(" ".join(row[3] for row in await cursor.fetchall()))
        release, prefix = plans
        assert "USING INDEX runs_one_open" in release
        assert "intacct_key>? AND intacct_key<?" in prefix
        assert "SEARCH links USING INDEX" in prefix

    run(main())


def test_the_outbox_and_link_queries_of_a_page_search_their_indexes(tmp_path: Path) -> None:
    """Recording an intent finds the next sequence number through ``outbox_seq``; loading a
    page's links searches the released-id and the Intacct-key indexes, never every link."""
    statements: list[str] = []
    intent = Intent(
        connection=C1,
        key=IdempotencyKey("k1"),
        action=CreateInReleased(
            key=IdempotencyKey("k1"),
            record_type=RecordType.CONTACT,
            intacct_key=IntacctKey("CUSTOMER:C1"),
            record=Contact(id=ReleasedId("k1"), name="Acme"),
            source_fingerprint="fp",
        ),
    )

    async def main() -> list[str]:
        async with aiosqlite.connect(tmp_path / "s.db", isolation_level=None) as raw:
            await schema.configure(raw)
            await schema.migrate(raw)
            raw.row_factory = sqlite3.Row
            await raw.execute(
                "INSERT INTO connections (id, released_company, intacct_company, entity, phase,"
                " created_at) VALUES (?, 'RL-1', 'INT-1', '', 'confirmed', ?)",
                (C1, codec.to_column(T0)),
            )
            await raw.set_trace_callback(statements.append)
            await outbox.record_intents(raw, [intent], None)
            ids, keys = [ReleasedId("r1")], [IntacctKey("i1")]
            await outbox.links(raw, C1, RecordType.INVOICE, ids, keys)
            traced = list(statements)
            plans = []
            for statement in traced:
                if statement.startswith(("INSERT", "SELECT")):
                    async with raw.execute(f"EXPLAIN QUERY PLAN {statement}") as cursor:
                        plans.append(" ".join(row[3] for row in await cursor.fetchall()))
            return plans

    plans = run(main())
    insert, load = plans[-2:]
    assert "outbox_seq" in insert
    assert "SCAN outbox" not in insert
    assert "(connection=? AND record_type=? AND released_id=?)" in load
    assert "(connection=? AND record_type=? AND intacct_key=?)" in load
