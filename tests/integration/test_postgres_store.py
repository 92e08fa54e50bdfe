"""Issue 17: what the PostgreSQL store adds to the contract suite, with more than one session.

Two stores (two pools, as two worker processes would have) race on one database: rule C1 and
rule E4 hold with the refusal the rule gives (a unique violation between two writers that both
checked first is retried, and the check then names the holder); two workers claiming one due
company at once, 200 rounds (issue 17), never both win it (``FOR UPDATE SKIP LOCKED``); a
session the server drops is retried on a fresh one; any other database failure is FATAL and
names no value. The
``database`` setting takes a ``postgresql://`` URL: ``open_store`` and ``migrate`` use it, and a
server that cannot be reached is one line that shows no password.
"""

from __future__ import annotations

import asyncio
import base64
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict
from returns.result import Failure, Result

from released_intacct.adapters.state import generate_key, pgleases, pgschema, postgres
from released_intacct.adapters.state.postgres import PostgresStateStore
from released_intacct.app.bootstrap import open_store
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import REFUSED, Console
from released_intacct.app.settings import Settings
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.results import RunStatus
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection, Phase, Run
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.postgres import url_of

KEY = Secret(base64.urlsafe_b64encode(bytes(range(32))).decode())
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CREDS = IntacctCredentials(
    sender_id="sender",
    sender_password=Secret("sender-secret-pw"),
    user_id="user",
    user_password=Secret("user-secret-pw"),
    company_id="acme",
)


def _connection(id: str, company: str) -> Connection:
    return Connection(
        id=ConnectionId(id),
        released_company=ReleasedCompanyId(company),
        intacct_company=IntacctCompanyId(f"intacct-{id}"),
        phase=Phase.ONBOARDING,
        sync_from=date(2026, 1, 1),
        created_at=T0,
    )


async def _two(dsn: str) -> tuple[PostgresStateStore, PostgresStateStore]:
    postgres.migrate_database(dsn)
    return (
        await PostgresStateStore.open(dsn, key=KEY),
        await PostgresStateStore.open(dsn, key=KEY),
    )


def _refusals(outcomes: list[Result[object, SyncError]]) -> list[SyncError]:
    return [o.failure() for o in outcomes if isinstance(o, Failure)]


def test_two_stores_adding_one_company_at_once_one_wins_the_other_names_it(
    postgres_dsn: str,
) -> None:
    async def main() -> None:
        first, second = await _two(postgres_dsn)
        try:
            for round_ in range(20):
                company = f"re-{round_}"
                outcomes: list[Result[object, SyncError]] = list(
                    await asyncio.gather(
                        settled(first.add_connection(_connection(f"a{round_}", company), CREDS)),
                        settled(second.add_connection(_connection(f"b{round_}", company), CREDS)),
                    )
                )
                refused = _refusals(outcomes)
                assert len(refused) == 1, outcomes
                assert refused[0].kind is ErrorKind.REJECTED
                assert refused[0].rule is Rule.C1
                assert f"Re-Leased company {company} is already linked" in refused[0].message
        finally:
            await first.close()
            await second.close()

    asyncio.run(main())


def test_two_stores_starting_one_company_at_once_one_run_wins_each_round(
    postgres_dsn: str,
) -> None:
    async def main() -> None:
        first, second = await _two(postgres_dsn)
        id = ConnectionId("c")
        try:
            await value(first.add_connection(_connection(id, "re"), CREDS))
            epochs: list[int] = []
            for round_ in range(30):
                at = T0 + timedelta(minutes=round_)
                outcomes: list[Result[object, SyncError]] = list(
                    await asyncio.gather(
                        settled(first.start_run(id, at=at, holder="one/1")),
                        settled(second.start_run(id, at=at, holder="two/2")),
                    )
                )
                refused = _refusals(outcomes)
                assert len(refused) == 1, outcomes
                assert (refused[0].kind, refused[0].rule) == (ErrorKind.REJECTED, Rule.E4)
                won = next(o.unwrap() for o in outcomes if not isinstance(o, Failure))
                assert isinstance(won, Run)
                epochs.append(won.epoch)
                await value(
                    first.finish_run(replace(won, status=RunStatus.SUCCEEDED, finished_at=at))
                )
            assert epochs == list(range(1, 31))
        finally:
            await first.close()
            await second.close()

    asyncio.run(main())


def test_a_session_the_server_drops_is_retried_on_a_fresh_one(postgres_dsn: str) -> None:
    async def main() -> None:
        postgres.migrate_database(postgres_dsn)
        store = await PostgresStateStore.open(postgres_dsn, key=KEY, pool_size=1)
        try:
            await value(store.add_connection(_connection("c", "re"), CREDS))
            with psycopg.connect(postgres_dsn, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            found = await value(store.connection(ConnectionId("c")))
            assert found is not None
            assert found.released_company == "re"
        finally:
            await store.close()

    asyncio.run(main())


def test_a_broken_database_is_fatal_and_names_no_value(postgres_dsn: str) -> None:
    async def main() -> None:
        postgres.migrate_database(postgres_dsn)
        store = await PostgresStateStore.open(postgres_dsn, key=KEY)
        try:
            await value(store.add_connection(_connection("c", "company-xyzzy"), CREDS))
            with psycopg.connect(postgres_dsn, autocommit=True) as admin:
                admin.execute("DROP TABLE credentials")
            result = await settled(store.credentials(ConnectionId("c")))
            assert isinstance(result, Failure)
            error = result.failure()
            assert error.kind is ErrorKind.FATAL
            assert error.cause == "UndefinedTable (SQLSTATE 42P01)"
            shown = f"{error.message} {error.fix} {error.cause} {error!r}"
            for secret in ("sender-secret-pw", "user-secret-pw", "company-xyzzy", postgres_dsn):
                assert secret not in shown
        finally:
            await store.close()

    asyncio.run(main())


def _config(tmp_path: Path, database: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        f'database = "{database}"\n'
        f'encryption_key = "{generate_key().reveal()}"\n'
        '[released]\nbase_url = "http://127.0.0.1:9"\napi_key = "unused"\n'
    )
    path.chmod(0o600)
    return path


def test_open_store_of_a_postgresql_url_migrates_and_opens_the_postgres_store(
    postgres_dsn: str,
) -> None:
    settings = Settings(database=url_of(postgres_dsn), encryption_key=KEY)

    async def main() -> None:
        store = await open_store(settings)
        try:
            assert isinstance(store, PostgresStateStore)
            await value(store.add_connection(_connection("c", "re"), CREDS))
            assert await value(store.credentials(ConnectionId("c"))) == CREDS
        finally:
            await store.close()

    asyncio.run(main())
    with psycopg.connect(postgres_dsn) as db:
        assert pgschema.version(db) == len(pgschema.MIGRATIONS)


def test_migrate_of_a_postgresql_url_prints_the_version_reached(
    postgres_dsn: str, tmp_path: Path
) -> None:
    config = _config(tmp_path, url_of(postgres_dsn))
    for _ in range(2):  # again: nothing left to apply, same version
        console = Console(out=io.StringIO(), err=io.StringIO(), environ={})
        assert main(["--config", str(config), "migrate"], console=console) == 0
        assert isinstance(console.out, io.StringIO)
        said = console.out.getvalue()
        dbname = conninfo_to_dict(postgres_dsn)["dbname"]
        assert f"PostgreSQL database {dbname} on " in said
        assert f"schema version {len(pgschema.MIGRATIONS)}" in said


def test_a_postgresql_server_out_of_reach_is_one_line_without_the_password(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, "postgresql://ri:hunter2-secret@127.0.0.1:9/state")
    console = Console(out=io.StringIO(), err=io.StringIO(), environ={})
    assert main(["--config", str(config), "migrate"], console=console) == REFUSED
    assert isinstance(console.err, io.StringIO)
    err = console.err.getvalue()
    assert err.startswith(
        "error: the state store (PostgreSQL database state on 127.0.0.1) cannot be opened: "
    )
    assert err.count("\n") == 1
    assert "RELEASED_INTACCT_DATABASE" in err
    assert "hunter2" not in err


def test_a_password_in_the_database_url_never_reaches_a_repr() -> None:
    settings = Settings(database="postgresql://ri:hunter2-secret@db/state", encryption_key=KEY)
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in postgres.describe(settings.database)


def _confirmed(id: str, company: str) -> Connection:
    return replace(_connection(id, company), phase=Phase.CONFIRMED, confirmed_at=T0)


def test_two_workers_claiming_one_due_company_at_once_one_wins_each_round(
    postgres_dsn: str,
) -> None:
    async def main() -> None:
        first, second = await _two(postgres_dsn)
        id = ConnectionId("c")
        ttl = timedelta(seconds=30)
        try:
            await value(first.add_connection(_confirmed(id, "re"), CREDS))
            for round_ in range(200):  # issue 17: 200 rounds
                at = T0 + timedelta(minutes=round_)
                claims = await asyncio.gather(
                    value(first.claim_due("one/1", 1, at=at, ttl=ttl)),
                    value(second.claim_due("two/2", 1, at=at, ttl=ttl)),
                )
                won = [lease for claim in claims for lease in claim]
                assert [lease.connection for lease in won] == [id], (round_, claims)
                (lease,) = won
                store = first if lease.worker == "one/1" else second
                handed = store.release_lease(lease.worker, id, next_run_at=at)
                assert await value(handed)
        finally:
            await first.close()
            await second.close()

    asyncio.run(main())


def test_request_run_notifies_the_due_channel_when_it_commits(postgres_dsn: str) -> None:
    async def main() -> None:
        postgres.migrate_database(postgres_dsn)
        store = await PostgresStateStore.open(postgres_dsn, key=KEY)
        try:
            await value(store.add_connection(_confirmed("c", "re"), CREDS))
            with psycopg.connect(postgres_dsn, autocommit=True) as listener:
                listener.execute(f"LISTEN {pgleases.DUE_CHANNEL}")
                await value(store.request_run(ConnectionId("c"), at=T0))
                heard = list(listener.notifies(timeout=5, stop_after=1))
            assert [(n.channel, n.payload) for n in heard] == [("released_intacct_due", "c")]
        finally:
            await store.close()

    asyncio.run(main())
