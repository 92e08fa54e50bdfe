"""The OAuth 2 refresh token of a REST connection, for both SQL stores (issue 20).

Intacct rotates refresh tokens: spending one returns the next, and the spent one is dead. So a
token is spent under a lock of its connection that holds across processes, and the new one is
kept in the same transaction (``spent``; the SQLite bodies here, PostgreSQL's in
``pgconnections``): SQLite's ``BEGIN IMMEDIATE`` (the caller's ``Database.write``; the
file's write lock), PostgreSQL's ``SELECT ... FOR UPDATE`` of the token's row (other companies and
this company's other writes do not wait). The second of two spenders reads the first's new token.

Decided:
- The token is sealed by the store's ``Vault`` (``seal_secret``), as the credentials are, and
  rotated with them (``rotate``).
- ``spend`` runs inside the transaction, so it must not use the store; in SQLite it holds the
  file's write lock while it calls Intacct (one token request: a refresh is rare, an hour apart).
- A failed ``spend`` rolls back: the token kept stays the one read. A connection with no token is
  NEEDS_USER (``no_refresh_token``); an unknown connection is REJECTED (``missing``).
- PostgreSQL runs a transaction again when its session drops (``pgdatabase``); a token ``spend``
  already sent must not be sent again (Intacct rotated it), so that store spends ``once``: the run
  again is RETRIABLE (``lost_refresh``) instead, and the next sign-in tries the token kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

import aiosqlite
from returns.result import Failure, Result, Success

from released_intacct.adapters.state import database
from released_intacct.adapters.state.checks import missing
from released_intacct.adapters.state.crypto import Vault
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.secret import Secret
from released_intacct.domain.tokens import Spend, no_refresh_token

T = TypeVar("T")

TABLES: Final = ("credentials", "refresh_tokens")
"""The tables of sealed tokens (``connection``, ``token``) a key rotation re-encrypts."""

_SQLITE_KEEP: Final = (
    "INSERT INTO refresh_tokens (connection, token) VALUES (?, ?)"
    " ON CONFLICT (connection) DO UPDATE SET token = excluded.token"
)
PG_KEEP: Final = _SQLITE_KEEP.replace("?", "%s")
"""The same statement for PostgreSQL (``pgconnections``)."""


async def save(
    db: aiosqlite.Connection, vault: Vault, id: ConnectionId, token: Secret
) -> Result[None, SyncError]:
    if await database.one(db, "SELECT 1 FROM connections WHERE id = ?", (id,)) is None:
        return Failure(missing(id))
    await keep(db, vault, id, token)
    return Success(None)


async def keep(db: aiosqlite.Connection, vault: Vault, id: ConnectionId, token: Secret) -> None:
    """Keep ``token`` sealed as the connection's (replacing any), in the caller's transaction."""
    await db.execute(_SQLITE_KEEP, (id, vault.seal_secret(token)))


async def spend(
    db: aiosqlite.Connection, vault: Vault, id: ConnectionId, spend: Spend[T]
) -> Result[T, SyncError]:
    """Inside ``Database.write``'s ``BEGIN IMMEDIATE``: no other writer until it commits."""
    if await database.one(db, "SELECT 1 FROM connections WHERE id = ?", (id,)) is None:
        return Failure(missing(id))
    row = await database.one(db, "SELECT token FROM refresh_tokens WHERE connection = ?", (id,))
    sealed = None if row is None else bytes(row["token"])
    return await spent(
        vault, id, sealed, spend, lambda token: db.execute(_SQLITE_KEEP, (id, token))
    )


async def spent(
    vault: Vault,
    id: ConnectionId,
    sealed: bytes | None,
    spend: Spend[T],
    keep: Callable[[bytes], Awaitable[object]],
) -> Result[T, SyncError]:
    """Spend the token ``sealed`` holds and ``keep`` the new one sealed; the value ``spend``
    returned. Nothing is kept when there is no token, no key opens it, or ``spend`` fails."""
    if sealed is None:
        return Failure(no_refresh_token(id))
    current = vault.open_secret(sealed)
    if not isinstance(current, Success):
        return Failure(current.failure())
    outcome = await spend(current.unwrap())
    if not isinstance(outcome, Success):
        return Failure(outcome.failure())
    new, value = outcome.unwrap()
    await keep(vault.seal_secret(new))
    return Success(value)


def once(spend: Spend[T]) -> Spend[T]:
    """``spend`` for a transaction that may be run again: its second call (the first spent the
    token, then the database failed before the new one was kept) is ``lost_refresh``."""
    called = False

    async def first(token: Secret) -> Result[tuple[Secret, T], SyncError]:
        nonlocal called
        if called:
            return Failure(lost_refresh())
        called = True
        return await spend(token)

    return first


def lost_refresh() -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message="Sage Intacct was asked for a new access token, but the state database failed "
        "before the new refresh token was kept.",
        fix="Nothing to do now: the next sync signs in again. If it cannot, connect again: "
        "`released-intacct connect --api rest`.",
    )
