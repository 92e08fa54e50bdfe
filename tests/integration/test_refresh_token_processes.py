"""Issue 20: a REST connection's refresh token spent by two processes at once, over SQLite and
over PostgreSQL. Intacct rotates refresh tokens (a spent one is dead), so the lock of
``spend_refresh_token`` must hold across processes: every token is spent exactly once, each
spender reading the one the other kept. And a PostgreSQL store of the previous schema migrates:
its connections speak XML, its credentials sealed before the kind tag still open."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from returns.result import Result, Success

from released_intacct.adapters.state import pgschema, postgres
from released_intacct.adapters.state.postgres import PostgresStateStore
from released_intacct.adapters.state.sqlite import SqliteStateStore
from released_intacct.domain.enums import IntacctApi
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.ports import IntacctCredentials, OAuthCredentials
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection
from released_intacct.fakes import refresh_trial
from released_intacct.fakes.awaiting import settled, value

KEY = Secret(base64.urlsafe_b64encode(bytes(range(32))).decode())
TRIAL = [sys.executable, "-m", refresh_trial.__name__]
C1 = ConnectionId("c1")
ROUNDS = 15
REST = Connection(
    id=C1,
    released_company=ReleasedCompanyId("RL-1"),
    intacct_company=IntacctCompanyId("INT-1"),
    created_at=datetime(2026, 3, 1, tzinfo=UTC),
    api=IntacctApi.REST,
)
OAUTH = OAuthCredentials(
    client_id="client-1", client_secret=Secret("client-secret"), company_id="INT-1", user_id=None
)


async def _prepared(store: SqliteStateStore | PostgresStateStore) -> None:
    try:
        await value(store.add_connection(REST, OAUTH))
        await value(store.save_refresh_token(C1, Secret("rt-0")))
    finally:
        await store.close()


async def _last(store: SqliteStateStore | PostgresStateStore) -> int:
    try:
        return await value(store.spend_refresh_token(C1, refresh_trial.next_token))
    finally:
        await store.close()


def _race(kind: str, database: str) -> list[list[int]]:
    """Two trial processes, told to start together, each spending ``ROUNDS`` times."""
    environ = {**os.environ, refresh_trial.KEY_VARIABLE: KEY.reveal()}
    command = [*TRIAL, kind, database, C1, str(ROUNDS)]
    trials = [
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environ
        )
        for _ in range(2)
    ]
    try:
        for trial in trials:
            assert trial.stdout is not None
            assert trial.stdout.readline().strip() == "ready"
        for trial in trials:
            assert trial.stdin is not None
            trial.stdin.write("go\n")
            trial.stdin.flush()
        outputs = [trial.communicate(timeout=120)[0] for trial in trials]
    finally:
        for trial in trials:
            trial.kill()
    return [json.loads(out) for out in outputs]


def _assert_each_spent_once(spent: list[list[int]]) -> None:
    assert [len(each) for each in spent] == [ROUNDS, ROUNDS]
    assert sorted(spent[0] + spent[1]) == list(range(2 * ROUNDS))  # none twice, none skipped
    assert all(each == sorted(each) for each in spent)


def test_C2_two_processes_on_one_sqlite_file_never_spend_the_same_refresh_token(
    tmp_path: Path,
) -> None:
    db = tmp_path / "s.sqlite3"
    asyncio.run(_prepared_sqlite(db))
    _assert_each_spent_once(_race("sqlite", str(db)))
    assert asyncio.run(_last_sqlite(db)) == 2 * ROUNDS


async def _prepared_sqlite(db: Path) -> None:
    await _prepared(await SqliteStateStore.open(db, key=KEY))


async def _last_sqlite(db: Path) -> int:
    return await _last(await SqliteStateStore.open(db, key=KEY))


def test_C2_two_processes_on_one_postgresql_database_never_spend_the_same_refresh_token(
    postgres_dsn: str,
) -> None:
    postgres.migrate_database(postgres_dsn)
    asyncio.run(_prepared_pg(postgres_dsn))
    _assert_each_spent_once(_race("postgres", postgres_dsn))
    assert asyncio.run(_last_pg(postgres_dsn)) == 2 * ROUNDS


async def _prepared_pg(dsn: str) -> None:
    await _prepared(await PostgresStateStore.open(dsn, key=KEY))


async def _last_pg(dsn: str) -> int:
    return await _last(await PostgresStateStore.open(dsn, key=KEY))


def test_D21_a_postgresql_store_of_the_previous_schema_migrates_and_its_credentials_open(
    postgres_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    untagged = {
        "sender_id": "sender",
        "sender_password": "sender-pass",
        "company_id": "INT-1",
        "user_id": "ws-user",
        "user_password": "user-pass",
    }
    sealed = Fernet(KEY.reveal().encode()).encrypt(json.dumps(untagged).encode())
    with monkeypatch.context() as patched:
        patched.setattr(pgschema, "MIGRATIONS", pgschema.MIGRATIONS[:-1])
        with psycopg.connect(postgres_dsn, autocommit=True) as db:
            assert pgschema.migrate(db) == len(pgschema.MIGRATIONS)
            db.execute(
                "INSERT INTO connections (id, released_company, intacct_company, entity, phase,"
                " created_at) VALUES ('c1', 'RL-1', 'INT-1', '', 'connected', now())"
            )
            db.execute("INSERT INTO credentials (connection, token) VALUES ('c1', %s)", (sealed,))
    postgres.migrate_database(postgres_dsn)

    async def main() -> None:
        store = await PostgresStateStore.open(postgres_dsn, key=KEY)
        try:
            found = await value(store.connection(C1))
            assert found is not None
            assert found.api is IntacctApi.XML
            assert await value(store.credentials(C1)) == IntacctCredentials(
                sender_id="sender",
                sender_password=Secret("sender-pass"),
                company_id="INT-1",
                user_id="ws-user",
                user_password=Secret("user-pass"),
            )
            spent = await settled(store.spend_refresh_token(C1, refresh_trial.next_token))
            assert spent.failure().kind is ErrorKind.NEEDS_USER
        finally:
            await store.close()

    asyncio.run(main())
    with psycopg.connect(postgres_dsn) as db:
        row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    assert row == (len(pgschema.MIGRATIONS),)


def test_C2_a_postgresql_session_dropped_after_the_spend_never_sends_the_token_twice(
    postgres_dsn: str,
) -> None:
    """The database fails after Intacct answered (the session drops before the new token is
    kept): the store runs its transaction again, but the token already sent is not sent again;
    the spend is RETRIABLE and the token kept is still the one read."""
    postgres.migrate_database(postgres_dsn)
    seen: list[Secret] = []

    async def spend_then_drop(token: Secret) -> Result[tuple[Secret, int], SyncError]:
        seen.append(token)
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        return Success((Secret("rt-new"), 1))

    async def main() -> None:
        await _prepared(await PostgresStateStore.open(postgres_dsn, key=KEY))
        store = await PostgresStateStore.open(postgres_dsn, key=KEY, pool_size=1)
        try:
            error = (await settled(store.spend_refresh_token(C1, spend_then_drop))).failure()
            assert error.kind is ErrorKind.RETRIABLE
            assert "connect --api rest" in error.fix
            assert seen == [Secret("rt-0")]
            assert await value(store.spend_refresh_token(C1, refresh_trial.next_token)) == 0
        finally:
            await store.close()

    asyncio.run(main())
