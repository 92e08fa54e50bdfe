"""OAuth 2 in the SQLite state store (issue 20, rule C2): OAuth credentials and refresh tokens
sealed at rest and rotated with the key; credentials sealed before the kind tag still open, and a
store of the previous schema migrates (rule D21's spirit: stored forms stay readable)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite
import pytest
from cryptography.fernet import Fernet
from returns.result import Result, Success

from released_intacct.adapters.state import SqliteStateStore, generate_key, schema
from released_intacct.domain.enums import IntacctApi
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.ports import IntacctCredentials, OAuthCredentials
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection
from released_intacct.fakes.awaiting import settled, value

T = TypeVar("T")
T0 = datetime(2026, 3, 1, tzinfo=UTC)
C1 = ConnectionId("c1")
CLIENT_SECRET = "Vb7-client-Secret-3310"
REFRESH = "Rt4-refresh-Token-5521"
NEXT = "Rt5-refresh-Token-6632"
OAUTH = OAuthCredentials(
    client_id="client-1", client_secret=Secret(CLIENT_SECRET), company_id="INT-1", user_id=None
)
REST = Connection(
    id=C1,
    released_company=ReleasedCompanyId("RL-1"),
    intacct_company=IntacctCompanyId("INT-1"),
    created_at=T0,
    api=IntacctApi.REST,
)


def run(main: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(main)


def files_bytes(db: Path) -> bytes:
    found = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    return b"".join(path.read_bytes() for path in found if path.exists())


async def _to_next(_: Secret) -> Result[tuple[Secret, str], SyncError]:
    """A spend Intacct answers with the next refresh token and an access token."""
    return Success((Secret(NEXT), "access"))


def test_C2_oauth_credentials_and_refresh_tokens_never_appear_in_clear(tmp_path: Path) -> None:
    db = tmp_path / "s.db"

    async def main() -> bytes:
        store = await SqliteStateStore.open(db, key=generate_key())
        await value(store.add_connection(REST, OAUTH))
        await value(store.save_refresh_token(C1, Secret(REFRESH)))
        assert await value(store.credentials(C1)) == OAUTH
        assert await value(store.connection(C1)) == REST
        assert await value(store.spend_refresh_token(C1, _to_next)) == ("access")
        shown = files_bytes(db)
        await store.close()
        return shown + files_bytes(db)

    data = run(main())
    assert b"RL-1" in data
    for clear in (CLIENT_SECRET, REFRESH, NEXT):
        assert clear.encode() not in data


def test_C2_rotation_reencrypts_refresh_tokens_with_the_credentials(tmp_path: Path) -> None:
    db, old, new = tmp_path / "s.db", generate_key(), generate_key()

    async def main() -> None:
        store = await SqliteStateStore.open(db, key=old)
        await value(store.add_connection(REST, OAUTH))
        await value(store.save_refresh_token(C1, Secret(REFRESH)))
        await store.close()
        rotating = await SqliteStateStore.open(db, key=new, previous_keys=[old])
        assert await value(rotating.rotate()) == 1  # one connection: credentials and token
        assert await value(rotating.rotate()) == 0
        await rotating.close()
        only_new = await SqliteStateStore.open(db, key=new)
        seen: list[Secret] = []

        async def spend(token: Secret) -> Result[tuple[Secret, str], SyncError]:
            seen.append(token)
            return Success((Secret(NEXT), "ok"))

        assert await value(only_new.spend_refresh_token(C1, spend)) == "ok"
        assert seen == [Secret(REFRESH)]
        await only_new.close()

    run(main())


def _legacy_token(key: Secret) -> bytes:
    """XML credentials as the store sealed them before the kind tag."""
    untagged = {
        "sender_id": "sender",
        "sender_password": "sender-pass",
        "company_id": "INT-1",
        "user_id": "ws-user",
        "user_password": "user-pass",
    }
    return Fernet(key.reveal().encode()).encrypt(json.dumps(untagged).encode())


def test_D21_a_store_of_the_previous_schema_migrates_and_its_untagged_credentials_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, key = tmp_path / "s.db", generate_key()
    previous = schema.MIGRATIONS[:-1]

    async def main() -> None:
        with monkeypatch.context() as patched:
            patched.setattr(schema, "MIGRATIONS", previous)
            async with aiosqlite.connect(db, isolation_level=None) as raw:
                assert await schema.migrate(raw) == len(previous)
                await raw.execute(
                    "INSERT INTO connections (id, released_company, intacct_company, entity,"
                    " phase, created_at) VALUES ('c1', 'RL-1', 'INT-1', '', 'connected',"
                    " '2026-03-01T00:00:00.000000+00:00')"
                )
                await raw.execute(
                    "INSERT INTO credentials (connection, token) VALUES ('c1', ?)",
                    (_legacy_token(key),),
                )
        store = await SqliteStateStore.open(db, key=key)
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
        missing = (await settled(store.spend_refresh_token(C1, _to_next))).failure()
        assert (missing.kind, missing.rule) == (ErrorKind.NEEDS_USER, Rule.C2)
        await store.close()

    run(main())
    with sqlite3.connect(db) as raw:
        versions = [row[0] for row in raw.execute("SELECT version FROM schema_version")]
    assert versions == list(range(1, len(schema.MIGRATIONS) + 1))
