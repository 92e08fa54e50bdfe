"""Connections and their encrypted credentials (rules C1, C2), as transaction bodies.

Each function takes the open transaction and returns a ``Result``; a ``Failure`` rolls it back.
Rule C1 is checked inside the write transaction (so no other writer can slip in between) and is
backed by the table's unique constraints; a refusal names the company that holds the link.
Decided: saving a connection unchanged is accepted (nothing changes); any change to a confirmed one
is refused, as is removing it. Removing an unconfirmed connection removes everything it owns.

One confirm at a time (O5): ``claim_confirm``, ``renew_confirm``, ``finish_confirm`` and
``release_confirm`` each read the row and write the transition ``domain.rules.confirming`` decides
inside the caller's ``BEGIN IMMEDIATE`` transaction, which takes SQLite's write lock before the
read: a compare-and-set that serialises confirms across coroutines, connections and processes
sharing the file. While a confirm holds the connection, every other change is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta

import aiosqlite
from returns.result import Failure, Result, Success

from released_intacct.adapters.state.codec import Row, from_column, to_column
from released_intacct.adapters.state.crypto import Vault
from released_intacct.adapters.state.database import one, rows
from released_intacct.domain.enums import Prerequisite
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctCompanyId,
    ReleasedCompanyId,
)
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.rules import confirming
from released_intacct.domain.rules.connection import TOP_LEVEL, check_link_change, record_of
from released_intacct.domain.state import Acknowledgement, ConfirmClaim, Connection, Phase

_COLUMNS = (
    "id, released_company, intacct_company, entity, phase, sync_from, created_at, confirmed_at,"
    " confirm_token, confirm_since, confirm_until, confirm_holder"
)


async def add(
    db: aiosqlite.Connection, vault: Vault, connection: Connection, creds: IntacctCredentials
) -> Result[Connection, SyncError]:
    if await load(db, connection.id) is not None:
        return Failure(_already(connection.id))
    refusal = confirming.outside_claim(connection) or await _c1_refusal(db, connection)
    if refusal is not None:
        return Failure(refusal)
    await db.execute(
        f"INSERT INTO connections ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",  # noqa: S608 - constant names
        _row(connection),
    )
    await db.execute(
        "INSERT INTO credentials (connection, token) VALUES (?, ?)",
        (connection.id, vault.seal(creds)),
    )
    return Success(connection)


async def save(db: aiosqlite.Connection, connection: Connection) -> Result[Connection, SyncError]:
    stored = await load(db, connection.id)
    if stored is None:
        return Failure(missing(connection.id))
    if stored == connection:
        return Success(stored)  # unchanged: nothing to refuse
    if stored.phase is Phase.CONFIRMED:
        return Failure(_locked(stored))
    refusal = confirming.save_refusal(stored, connection) or await _c1_refusal(db, connection)
    if refusal is not None:
        return Failure(refusal)
    await _update(db, connection)
    return Success(connection)


async def claim_confirm(
    db: aiosqlite.Connection,
    id: ConnectionId,
    token: str,
    at: datetime,
    lease: timedelta,
    *,
    holder: str,
    over: str | None,
) -> Result[Connection, SyncError]:
    return await _transition(
        db,
        id,
        lambda stored: confirming.claim(
            stored, token=token, at=at, lease=lease, holder=holder, over=over
        ),
    )


async def renew_confirm(
    db: aiosqlite.Connection, id: ConnectionId, token: str, at: datetime, lease: timedelta
) -> Result[Connection, SyncError]:
    return await _transition(
        db, id, lambda stored: confirming.renew(stored, token=token, at=at, lease=lease)
    )


async def finish_confirm(
    db: aiosqlite.Connection, id: ConnectionId, token: str, at: datetime
) -> Result[Connection, SyncError]:
    """CONFIRMED; the caller stores the confirmed onboarding in the same transaction."""
    return await _transition(db, id, lambda stored: confirming.finish(stored, token=token, at=at))


async def release_confirm(
    db: aiosqlite.Connection, id: ConnectionId, token: str
) -> Result[Connection, SyncError]:
    return await _transition(
        db, id, lambda stored: Success(confirming.release(stored, token=token))
    )


async def _transition(
    db: aiosqlite.Connection,
    id: ConnectionId,
    decide: Callable[[Connection], Result[Connection, SyncError]],
) -> Result[Connection, SyncError]:
    stored = await load(db, id)
    if stored is None:
        return Failure(missing(id))
    decided = decide(stored)
    if isinstance(decided, Success) and decided.unwrap() != stored:
        await _update(db, decided.unwrap())
    return decided


async def _update(db: aiosqlite.Connection, connection: Connection) -> None:
    await db.execute(
        "UPDATE connections SET released_company = ?, intacct_company = ?, entity = ?, phase = ?,"
        " sync_from = ?, created_at = ?, confirmed_at = ?, confirm_token = ?, confirm_since = ?,"
        " confirm_until = ?, confirm_holder = ? WHERE id = ?",
        (*_row(connection)[1:], connection.id),
    )


async def remove(db: aiosqlite.Connection, id: ConnectionId) -> Result[None, SyncError]:
    stored = await load(db, id)
    if stored is not None and stored.phase is Phase.CONFIRMED:
        return Failure(_locked(stored))
    refusal = None if stored is None else confirming.save_refusal(stored)
    if refusal is not None:
        return Failure(refusal)
    await db.execute("DELETE FROM connections WHERE id = ?", (id,))
    return Success(None)


async def load(db: aiosqlite.Connection, id: ConnectionId) -> Connection | None:
    row = await one(db, f"SELECT {_COLUMNS} FROM connections WHERE id = ?", (id,))  # noqa: S608 - constant names
    return None if row is None else _connection(row)


async def load_all(db: aiosqlite.Connection) -> tuple[Connection, ...]:
    found = await rows(db, f"SELECT {_COLUMNS} FROM connections ORDER BY created_at, id")  # noqa: S608 - constant names
    return tuple(_connection(row) for row in found)


async def credentials(
    db: aiosqlite.Connection, vault: Vault, id: ConnectionId
) -> Result[IntacctCredentials, SyncError]:
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
    """Re-encrypt every token still under a previous key; all or none. How many were."""
    rotated = 0
    for row in await rows(db, "SELECT connection, token FROM credentials"):
        opened = vault.open(bytes(row["token"]))
        if not isinstance(opened, Success):
            return Failure(opened.failure())
        token = opened.unwrap().rotated
        if token is not None:
            await _store_token(db, row["connection"], token)
            rotated += 1
    return Success(rotated)


async def require(db: aiosqlite.Connection, id: ConnectionId) -> SyncError | None:
    """None when the connection is stored, else the error to return."""
    return None if await load(db, id) is not None else missing(id)


async def changeable(db: aiosqlite.Connection, id: ConnectionId) -> SyncError | None:
    """None when the connection is stored and no confirm holds it, else the error to return."""
    stored = await load(db, id)
    return missing(id) if stored is None else confirming.save_refusal(stored)


def missing(id: ConnectionId) -> SyncError:
    """A change naming a connection the store does not hold is REJECTED (nothing is changed)."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Connection {id} is not stored.",
        fix="Connect the company first, or check which connection is meant.",
    )


def _already(id: ConnectionId) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.C1,
        message=f"Connection {id} is already stored.",
        fix="Save the changed connection instead of adding it again.",
    )


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
    return c1_conflict(new, _connection(holder_row))


def c1_conflict(new: Connection, holder: Connection) -> SyncError:
    """Rule C1: ``new`` is refused because ``holder`` already holds one of its two sides."""
    if holder.released_company == new.released_company:
        message = (
            f"Re-Leased company {new.released_company} is already linked to "
            f"{_intacct_side(holder.intacct_company, holder.entity)}."
        )
    else:
        message = (
            f"{_intacct_side(new.intacct_company, new.entity)} is already linked to "
            f"Re-Leased company {holder.released_company}."
        )
    fix = (
        "That link was confirmed and can never be changed; use another company."
        if holder.phase is Phase.CONFIRMED
        else "Use that connection, or remove it before its initial sync is confirmed."
    )
    return SyncError(kind=ErrorKind.REJECTED, rule=Rule.C1, message=message, fix=fix)


def _intacct_side(company: IntacctCompanyId, entity: EntityId | None) -> str:
    if entity is None:
        return f"Sage Intacct company {company}"
    where = "its top level" if entity == TOP_LEVEL else f'entity "{entity}"'
    return f"Sage Intacct company {company} at {where}"


def _locked(stored: Connection) -> SyncError:
    return check_link_change(record_of(stored)).failure()


def _row(c: Connection) -> tuple[object, ...]:
    held = c.confirming
    return (
        c.id,
        c.released_company,
        c.intacct_company,
        c.entity,
        c.phase.value,
        c.sync_from.isoformat() if c.sync_from else None,
        to_column(c.created_at),
        to_column(c.confirmed_at) if c.confirmed_at else None,
        None if held is None else held.token,
        None if held is None else to_column(held.since),
        None if held is None else to_column(held.until),
        None if held is None else held.holder,
    )


def _connection(row: Row) -> Connection:
    return Connection(
        id=ConnectionId(row["id"]),
        released_company=ReleasedCompanyId(row["released_company"]),
        intacct_company=IntacctCompanyId(row["intacct_company"]),
        entity=None if row["entity"] is None else EntityId(row["entity"]),
        phase=Phase(row["phase"]),
        sync_from=date.fromisoformat(row["sync_from"]) if row["sync_from"] else None,
        created_at=from_column(row["created_at"]),
        confirmed_at=from_column(row["confirmed_at"]) if row["confirmed_at"] else None,
        confirming=_claim(row),
    )


def _claim(row: Row) -> ConfirmClaim | None:
    if row["confirm_token"] is None:
        return None
    return ConfirmClaim(
        token=row["confirm_token"],
        since=from_column(row["confirm_since"]),
        until=from_column(row["confirm_until"]),
        holder=row["confirm_holder"] or "",
    )


async def acknowledge(
    db: aiosqlite.Connection,
    id: ConnectionId,
    prerequisites: Sequence[Prerequisite],
    at: datetime,
) -> Result[None, SyncError]:
    """Rule C5: the first acknowledgement of each prerequisite stays; refused once confirmed."""
    stored = await load(db, id)
    if stored is None:
        return Failure(missing(id))
    if stored.phase is Phase.CONFIRMED:
        return Failure(_locked(stored))
    refusal = confirming.save_refusal(stored)
    if refusal is not None:
        return Failure(refusal)
    await db.executemany(
        "INSERT OR IGNORE INTO acknowledgements (connection, prerequisite, acknowledged_at)"
        " VALUES (?, ?, ?)",
        [(id, p.value, to_column(at)) for p in prerequisites],
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


def acknowledged(found: Iterable[Row]) -> tuple[Acknowledgement, ...]:
    """The stored acknowledgements (``prerequisite``, ``acknowledged_at``), in the order of
    ``Prerequisite``; a prerequisite this version does not know is left out."""
    known = {p.value: p for p in Prerequisite}
    at = {
        known[row["prerequisite"]]: from_column(row["acknowledged_at"])
        for row in found
        if row["prerequisite"] in known
    }
    return tuple(Acknowledgement(prerequisite=p, at=at[p]) for p in Prerequisite if p in at)
