"""The PostgreSQL store's bodies for connections, credentials, acknowledgements and onboarding
(rules C1, C2, C5, O1-O5), beside SQLite's ``connections``; and the checks every write of a
company makes first (``require``, ``fenced``).

Each takes the open transaction (``pgdatabase``) and returns a ``Result`` or a value; a
``Failure`` rolls it back. Every write first locks the row of the connection it changes
(``pgdatabase.lock``, or ``load(..., locked=True)``), where SQLite took the file's write lock: the
checks it then reads (rule C1, the fence, the open run) cannot be overtaken before it writes. The
rules and refusals are the SQLite store's (``domain.rules.confirming``, ``checks``), and so are
the row converters (``rows``): moments, dates and JSON are selected as text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec, refresh
from released_intacct.adapters.state.checks import (
    already_stored,
    c1_conflict,
    missing,
    transitioned,
)
from released_intacct.adapters.state.crypto import Vault
from released_intacct.adapters.state.pgdatabase import Db, lock, one, rows
from released_intacct.adapters.state.rows import (
    CONNECTION_COLUMNS,
    OPEN_RUN,
    acknowledged,
    connection_from,
    connection_row,
)
from released_intacct.domain.enums import Prerequisite
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import Credentials
from released_intacct.domain.rules import confirming
from released_intacct.domain.rules.connection import api_change_refusal, api_refusal
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Acknowledgement, Connection, Fence, lost
from released_intacct.domain.tokens import Spend

T = TypeVar("T")

_CONNECTION = (
    "id, released_company, intacct_company, entity, phase, sync_from::text AS sync_from,"
    " created_at::text AS created_at, confirmed_at::text AS confirmed_at, confirm_token,"
    " confirm_since::text AS confirm_since, confirm_until::text AS confirm_until, confirm_holder,"
    " api"
)


async def load(db: Db, id: ConnectionId, *, locked: bool = False) -> Connection | None:
    sql = f"SELECT {_CONNECTION} FROM connections WHERE id = %s"  # noqa: S608 - constant names
    row = await one(db, sql + (" FOR UPDATE" if locked else ""), (id,))
    return None if row is None else connection_from(row)


async def load_all(db: Db) -> tuple[Connection, ...]:
    found = await rows(db, f"SELECT {_CONNECTION} FROM connections ORDER BY created_at, id")  # noqa: S608
    return tuple(connection_from(row) for row in found)


async def require(db: Db, id: ConnectionId) -> SyncError | None:
    """Lock the connection's row; None when it is stored, else the error to return."""
    return None if await lock(db, id) else missing(id)


async def fenced(db: Db, fence: Fence | None) -> SyncError | None:
    """``fences.fenced``: None when ``fence`` holds (or none is given), else its ``lost``."""
    if fence is None:
        return None
    await lock(db, fence.connection)
    found = await one(
        db,
        "SELECT 1 FROM runs JOIN connections ON connections.id = runs.connection"  # noqa: S608
        f" WHERE runs.connection = %s AND {OPEN_RUN} AND runs.id = %s AND runs.epoch = %s"
        " AND connections.run_epoch = %s",
        (fence.connection, fence.run, fence.epoch, fence.epoch),
    )
    return None if found is not None else lost(fence)


async def add(
    db: Db,
    vault: Vault,
    connection: Connection,
    creds: Credentials,
    refresh_token: Secret | None = None,
) -> Result[Connection, SyncError]:
    if await load(db, connection.id, locked=True) is not None:
        return Failure(already_stored(connection.id))
    refusal = (
        api_refusal(connection.api, creds)
        or confirming.outside_claim(connection)
        or await _c1_refusal(db, connection)
    )
    if refusal is not None:
        return Failure(refusal)
    await db.execute(
        f"INSERT INTO connections ({CONNECTION_COLUMNS}) VALUES"  # noqa: S608 - constant names
        " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        connection_row(connection),
    )
    await db.execute(
        "INSERT INTO credentials (connection, token) VALUES (%s, %s)",
        (connection.id, vault.seal(creds)),
    )
    if refresh_token is not None:
        await db.execute(refresh.PG_KEEP, (connection.id, vault.seal_secret(refresh_token)))
    return Success(connection)


async def save(db: Db, connection: Connection) -> Result[Connection, SyncError]:
    stored = await load(db, connection.id, locked=True)
    if stored is None:
        return Failure(missing(connection.id))
    if stored == connection:
        return Success(stored)
    refusal = (
        api_change_refusal(stored, connection)
        or confirming.changes_refused(stored, connection)
        or await _c1_refusal(db, connection)
    )
    if refusal is not None:
        return Failure(refusal)
    await _update_connection(db, connection)
    return Success(connection)


async def transition(
    db: Db, id: ConnectionId, decide: Callable[[Connection], Result[Connection, SyncError]]
) -> Result[Connection, SyncError]:
    """A confirm's compare-and-set (``checks.transitioned``), on the locked row."""
    decided, changed = transitioned(id, await load(db, id, locked=True), decide)
    if changed is not None:
        await _update_connection(db, changed)
    return decided


async def finish_confirm(
    db: Db, id: ConnectionId, onboarding: Onboarding, token: str, at: datetime
) -> Result[Connection, SyncError]:
    done = await transition(db, id, lambda stored: confirming.finish(stored, token=token, at=at))
    if isinstance(done, Success):
        await _store_onboarding(db, id, onboarding)
    return done


async def _update_connection(db: Db, connection: Connection) -> None:
    await db.execute(
        "UPDATE connections SET released_company = %s, intacct_company = %s, entity = %s,"
        " phase = %s, sync_from = %s, created_at = %s, confirmed_at = %s, confirm_token = %s,"
        " confirm_since = %s, confirm_until = %s, confirm_holder = %s,"
        " api = %s WHERE id = %s",
        (*connection_row(connection)[1:], connection.id),
    )


async def remove(db: Db, id: ConnectionId) -> Result[None, SyncError]:
    stored = await load(db, id, locked=True)
    refusal = None if stored is None else confirming.changes_refused(stored)
    if refusal is not None:
        return Failure(refusal)
    await db.execute("DELETE FROM connections WHERE id = %s", (id,))
    return Success(None)


async def credentials(db: Db, vault: Vault, id: ConnectionId) -> Result[Credentials, SyncError]:
    if not await lock(db, id):
        return Failure(missing(id))
    row = await one(db, "SELECT token FROM credentials WHERE connection = %s", (id,))
    if row is None:
        return Failure(missing(id))
    opened = vault.open(bytes(row["token"]))
    if not isinstance(opened, Success):
        return Failure(opened.failure())
    found = opened.unwrap()
    if found.rotated is not None:
        await _store_token(db, id, found.rotated)
    return Success(found.credentials)


async def rotate(db: Db, vault: Vault) -> Result[int, SyncError]:
    """Re-encrypt every sealed token (credentials, refresh tokens) still under a previous key;
    all or none. How many connections had one re-encrypted (``rotate-key`` counts connections)."""
    changes: list[tuple[str, str, bytes]] = []
    for table in refresh.TABLES:
        found = await rows(db, f"SELECT connection, token FROM {table} FOR UPDATE")  # noqa: S608 - constant names
        rotated = vault.rotations((row["connection"], bytes(row["token"])) for row in found)
        if not isinstance(rotated, Success):
            return Failure(rotated.failure())
        changes += [(table, id, token) for id, token in rotated.unwrap()]
    for table, id, token in changes:
        await db.execute(f"UPDATE {table} SET token = %s WHERE connection = %s", (token, id))  # noqa: S608
    return Success(len({id for _, id, _ in changes}))


async def save_refresh_token(
    db: Db, vault: Vault, id: ConnectionId, token: Secret
) -> Result[None, SyncError]:
    if await one(db, "SELECT 1 FROM connections WHERE id = %s", (id,)) is None:
        return Failure(missing(id))
    await db.execute(refresh.PG_KEEP, (id, vault.seal_secret(token)))
    return Success(None)


async def spend_refresh_token(
    db: Db, vault: Vault, id: ConnectionId, spend: Spend[T]
) -> Result[T, SyncError]:
    """The token's row locked (FOR UPDATE) until the transaction ends."""
    if await one(db, "SELECT 1 FROM connections WHERE id = %s", (id,)) is None:
        return Failure(missing(id))
    row = await one(db, "SELECT token FROM refresh_tokens WHERE connection = %s FOR UPDATE", (id,))
    sealed = None if row is None else bytes(row["token"])
    return await refresh.spent(
        vault, id, sealed, spend, lambda token: db.execute(refresh.PG_KEEP, (id, token))
    )


async def _store_token(db: Db, id: str, token: bytes) -> None:
    await db.execute("UPDATE credentials SET token = %s WHERE connection = %s", (token, id))


async def _c1_refusal(db: Db, new: Connection) -> SyncError | None:
    row = await one(
        db,
        f"SELECT {_CONNECTION} FROM connections WHERE id <> %s AND (released_company = %s"  # noqa: S608
        " OR (intacct_company = %s AND entity = %s)) ORDER BY released_company <> %s LIMIT 1",
        (new.id, new.released_company, new.intacct_company, new.entity, new.released_company),
    )
    return None if row is None else c1_conflict(new, connection_from(row))


async def acknowledge(
    db: Db, id: ConnectionId, prerequisites: Sequence[Prerequisite], at: datetime
) -> Result[None, SyncError]:
    stored = await load(db, id, locked=True)
    refusal = missing(id) if stored is None else confirming.changes_refused(stored)
    if refusal is not None:
        return Failure(refusal)
    async with db.cursor() as cursor:
        await cursor.executemany(
            "INSERT INTO acknowledgements (connection, prerequisite, acknowledged_at)"
            " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [(id, p.value, codec.to_column(at)) for p in prerequisites],
        )
    return Success(None)


async def acknowledgements(
    db: Db, id: ConnectionId
) -> Result[tuple[Acknowledgement, ...], SyncError]:
    if await load(db, id) is None:
        return Failure(missing(id))
    found = await rows(
        db,
        "SELECT prerequisite, acknowledged_at::text AS acknowledged_at FROM acknowledgements"
        " WHERE connection = %s",
        (id,),
    )
    return Success(acknowledged(found))


# --- onboarding (O1-O5) ---------------------------------------------------------------------------


async def save_onboarding(
    db: Db, id: ConnectionId, onboarding: Onboarding
) -> Result[None, SyncError]:
    stored = await load(db, id, locked=True)
    error = missing(id) if stored is None else confirming.save_refusal(stored)
    if error is not None:
        return Failure(error)
    await _store_onboarding(db, id, onboarding)
    return Success(None)


async def _store_onboarding(db: Db, id: ConnectionId, onboarding: Onboarding) -> None:
    await db.execute(
        "INSERT INTO onboarding (connection, body) VALUES (%s, %s)"
        " ON CONFLICT (connection) DO UPDATE SET body = excluded.body",
        (id, codec.encode_onboarding(onboarding)),
    )


async def onboarding(db: Db, id: ConnectionId) -> Onboarding | None:
    row = await one(db, "SELECT body::text AS body FROM onboarding WHERE connection = %s", (id,))
    return None if row is None else codec.decode_onboarding(row["body"])
