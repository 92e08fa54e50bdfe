"""Connections and their encrypted credentials (rules C1, C2), as transaction bodies.

Each function takes the open transaction and returns a ``Result``; a ``Failure`` rolls it back.
Rule C1 is checked inside the write transaction (so no other writer can slip in between) and is
backed by the table's unique constraints; a refusal names the company that holds the link.
Decided: saving a connection unchanged is accepted (nothing changes); any change to a confirmed one
is refused, as is removing it. Removing an unconfirmed connection removes everything it owns.

One confirm at a time (O5): each confirm call (``transition``, ``finish_confirm``) reads the row
and writes the transition ``domain.rules.confirming`` decides
inside the caller's ``BEGIN IMMEDIATE`` transaction, which takes SQLite's write lock before the
read: a compare-and-set that serialises confirms across coroutines, connections and processes
sharing the file. While a confirm holds the connection, every other change is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import aiosqlite
from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec, refresh
from released_intacct.adapters.state.checks import (
    already_stored,
    c1_conflict,
    missing,
    transitioned,
)
from released_intacct.adapters.state.crypto import Vault
from released_intacct.adapters.state.database import one, rows
from released_intacct.adapters.state.rows import (
    CONNECTION_COLUMNS,
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
from released_intacct.domain.state import Acknowledgement, Connection

_COLUMNS = CONNECTION_COLUMNS


async def add(
    db: aiosqlite.Connection,
    vault: Vault,
    connection: Connection,
    creds: Credentials,
    refresh_token: Secret | None = None,
) -> Result[Connection, SyncError]:
    if await load(db, connection.id) is not None:
        return Failure(already_stored(connection.id))
    refusal = (
        api_refusal(connection.api, creds)
        or confirming.outside_claim(connection)
        or await _c1_refusal(db, connection)
    )
    if refusal is not None:
        return Failure(refusal)
    await db.execute(
        f"INSERT INTO connections ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608 - constant names
        connection_row(connection),
    )
    await db.execute(
        "INSERT INTO credentials (connection, token) VALUES (?, ?)",
        (connection.id, vault.seal(creds)),
    )
    if refresh_token is not None:
        await refresh.keep(db, vault, connection.id, refresh_token)
    return Success(connection)


async def save(db: aiosqlite.Connection, connection: Connection) -> Result[Connection, SyncError]:
    stored = await load(db, connection.id)
    if stored is None:
        return Failure(missing(connection.id))
    if stored == connection:
        return Success(stored)  # unchanged: nothing to refuse
    refusal = (
        api_change_refusal(stored, connection)
        or confirming.changes_refused(stored, connection)
        or await _c1_refusal(db, connection)
    )
    if refusal is not None:
        return Failure(refusal)
    await _update(db, connection)
    return Success(connection)


async def finish_confirm(
    db: aiosqlite.Connection, id: ConnectionId, onboarding: Onboarding, token: str, at: datetime
) -> Result[Connection, SyncError]:
    """CONFIRMED, and the confirmed ``onboarding`` stored in the same transaction."""
    done = await transition(db, id, lambda stored: confirming.finish(stored, token=token, at=at))
    if isinstance(done, Success):
        await _store_onboarding(db, id, onboarding)
    return done


async def transition(
    db: aiosqlite.Connection,
    id: ConnectionId,
    decide: Callable[[Connection], Result[Connection, SyncError]],
) -> Result[Connection, SyncError]:
    """A confirm's compare-and-set: the transition ``decide`` makes of the stored connection
    (``checks.transitioned``), written when it changes it."""
    decided, changed = transitioned(id, await load(db, id), decide)
    if changed is not None:
        await _update(db, changed)
    return decided


async def _update(db: aiosqlite.Connection, connection: Connection) -> None:
    await db.execute(
        "UPDATE connections SET released_company = ?, intacct_company = ?, entity = ?, phase = ?,"
        " sync_from = ?, created_at = ?, confirmed_at = ?, confirm_token = ?, confirm_since = ?,"
        " confirm_until = ?, confirm_holder = ?,"
        " api = ? WHERE id = ?",
        (*connection_row(connection)[1:], connection.id),
    )


async def remove(db: aiosqlite.Connection, id: ConnectionId) -> Result[None, SyncError]:
    stored = await load(db, id)
    refusal = None if stored is None else confirming.changes_refused(stored)
    if refusal is not None:
        return Failure(refusal)
    await db.execute("DELETE FROM connections WHERE id = ?", (id,))
    return Success(None)


async def load(db: aiosqlite.Connection, id: ConnectionId) -> Connection | None:
    row = await one(db, f"SELECT {_COLUMNS} FROM connections WHERE id = ?", (id,))  # noqa: S608 - constant names
    return None if row is None else connection_from(row)


async def load_all(db: aiosqlite.Connection) -> tuple[Connection, ...]:
    found = await rows(db, f"SELECT {_COLUMNS} FROM connections ORDER BY created_at, id")  # noqa: S608 - constant names
    return tuple(connection_from(row) for row in found)


async def credentials(
    db: aiosqlite.Connection, vault: Vault, id: ConnectionId
) -> Result[Credentials, SyncError]:
    """Decrypted; a token under a previous key is re-encrypted under the current one."""
    row = await one(db, "SELECT token FROM credentials WHERE connection = ?", (id,))
    if row is None:
        return Failure(missing(id))
    opened = vault.open(bytes(row["token"]))
    if not isinstance(opened, Success):
        return Failure(opened.failure())
    found = opened.unwrap()
    if found.rotated is not None:
        await _store_token(db, id, found.rotated)
    return Success(found.credentials)


async def rotate(db: aiosqlite.Connection, vault: Vault) -> Result[int, SyncError]:
    """Re-encrypt every sealed token (credentials, refresh tokens) still under a previous key;
    all or none. How many connections had one re-encrypted (``rotate-key`` counts connections)."""
    changes: list[tuple[str, str, bytes]] = []
    for table in refresh.TABLES:
        found = await rows(db, f"SELECT connection, token FROM {table}")  # noqa: S608 - constant names
        rotated = vault.rotations((row["connection"], bytes(row["token"])) for row in found)
        if not isinstance(rotated, Success):
            return Failure(rotated.failure())
        changes += [(table, id, token) for id, token in rotated.unwrap()]
    for table, id, token in changes:
        await db.execute(f"UPDATE {table} SET token = ? WHERE connection = ?", (token, id))  # noqa: S608
    return Success(len({id for _, id, _ in changes}))


async def require(db: aiosqlite.Connection, id: ConnectionId) -> SyncError | None:
    """None when the connection is stored, else the error to return."""
    return None if await load(db, id) is not None else missing(id)


async def _store_token(db: aiosqlite.Connection, id: str, token: bytes) -> None:
    await db.execute("UPDATE credentials SET token = ? WHERE connection = ?", (token, id))


async def _c1_refusal(db: aiosqlite.Connection, new: Connection) -> SyncError | None:
    holder_row = await one(
        db,
        f"SELECT {_COLUMNS} FROM connections WHERE id <> ? AND (released_company = ?"  # noqa: S608 - constant names
        " OR (intacct_company = ? AND entity = ?)) ORDER BY released_company <> ? LIMIT 1",
        (new.id, new.released_company, new.intacct_company, new.entity, new.released_company),
    )
    if holder_row is None:
        return None
    return c1_conflict(new, connection_from(holder_row))


async def acknowledge(
    db: aiosqlite.Connection,
    id: ConnectionId,
    prerequisites: Sequence[Prerequisite],
    at: datetime,
) -> Result[None, SyncError]:
    """Rule C5: the first acknowledgement of each prerequisite stays; refused once confirmed."""
    stored = await load(db, id)
    refusal = missing(id) if stored is None else confirming.changes_refused(stored)
    if refusal is not None:
        return Failure(refusal)
    await db.executemany(
        "INSERT OR IGNORE INTO acknowledgements (connection, prerequisite, acknowledged_at)"
        " VALUES (?, ?, ?)",
        [(id, p.value, codec.to_column(at)) for p in prerequisites],
    )
    return Success(None)


async def acknowledgements(
    db: aiosqlite.Connection, id: ConnectionId
) -> Result[tuple[Acknowledgement, ...], SyncError]:
    if await load(db, id) is None:
        return Failure(missing(id))
    found = await rows(
        db,
        "SELECT prerequisite, acknowledged_at FROM acknowledgements WHERE connection = ?",
        (id,),
    )
    return Success(acknowledged(found))


# --- onboarding (O1-O5) ---------------------------------------------------------------------------


async def save_onboarding(
    db: aiosqlite.Connection, id: ConnectionId, onboarding: Onboarding
) -> Result[None, SyncError]:
    """Refused while a confirm holds the connection (``confirming.save_refusal``)."""
    stored = await load(db, id)
    error = missing(id) if stored is None else confirming.save_refusal(stored)
    if error is not None:
        return Failure(error)
    await _store_onboarding(db, id, onboarding)
    return Success(None)


async def onboarding(db: aiosqlite.Connection, id: ConnectionId) -> Onboarding | None:
    row = await one(db, "SELECT body FROM onboarding WHERE connection = ?", (id,))
    return None if row is None else codec.decode_onboarding(row["body"])


async def _store_onboarding(
    db: aiosqlite.Connection, id: ConnectionId, onboarding: Onboarding
) -> None:
    await db.execute(
        "INSERT OR REPLACE INTO onboarding (connection, body) VALUES (?, ?)",
        (id, codec.encode_onboarding(onboarding)),
    )
