"""Leases (issue 17) in the PostgreSQL store, as transaction bodies beside ``pgconnections``: the
SQLite store's (``leases``) with the same due condition and order, for many workers at once.

Decided:
- A claim is one ``UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED LIMIT free)``: two workers
  claiming at once never wait for each other's rows and never both take one (a row another
  claim locked is skipped; one it leased and committed no longer matches when re-checked).
- ``request_run`` sends ``NOTIFY released_intacct_due`` (``DUE_CHANNEL``) with the connection id
  as payload; PostgreSQL delivers it when the transaction commits, so a listening idle worker
  wakes at once and finds the company due.
- ``DueListener`` listens on a session of its own (a pooled one would be handed to other work
  between waits), opened at the first wait and again after it dropped. A request made while it
  was down is not heard: the worker's poll finds the company due all the same.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

import psycopg
from returns.result import Failure, Result, Success

from released_intacct.adapters.state.checks import request_refusal
from released_intacct.adapters.state.pgconnections import load, require
from released_intacct.adapters.state.pgdatabase import Db, PgDatabase, cause_of, rows
from released_intacct.adapters.state.rows import DUE, DUE_ORDER, by_connection, lease_from
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.state import Lease, claim_refusal

DUE_CHANNEL: Final = "released_intacct_due"
"""The channel ``request_run`` notifies (payload: the connection id); workers ``LISTEN`` on it."""
_CLAIM: Final = (
    "UPDATE connections SET leased_by = %s, lease_until = %s"  # noqa: S608 - constant names
    f" FROM (SELECT id FROM connections WHERE {DUE.format(at='%s')}"
    f" ORDER BY {DUE_ORDER} LIMIT %s FOR UPDATE SKIP LOCKED) AS due"
    " WHERE connections.id = due.id"
    " RETURNING connections.id, run_epoch, run_requested_at::text AS run_requested_at"
)


async def claim_due(
    db: Db, worker: str, free: int, at: datetime, ttl: timedelta
) -> Result[tuple[Lease, ...], SyncError]:
    refusal = claim_refusal(worker, free, ttl)
    if refusal is not None:
        return Failure(refusal)
    until = at + ttl
    claimed = await rows(
        db,
        _CLAIM,
        (worker, until, at, at, free),
    )
    return Success(
        tuple(sorted((lease_from(row, worker, until) for row in claimed), key=by_connection))
    )


async def renew_leases(db: Db, worker: str, at: datetime, ttl: timedelta) -> Result[int, SyncError]:
    refusal = claim_refusal(worker, 0, ttl)
    if refusal is not None:
        return Failure(refusal)
    cursor = await db.execute(
        "UPDATE connections SET lease_until = %s WHERE leased_by = %s AND lease_until >= %s",
        (at + ttl, worker, at),
    )
    return Success(cursor.rowcount)


async def request_run(db: Db, id: ConnectionId, at: datetime) -> Result[None, SyncError]:
    refusal = request_refusal(id, await load(db, id, locked=True))
    if refusal is not None:
        return Failure(refusal)
    await db.execute(
        "UPDATE connections SET run_requested_at = coalesce(run_requested_at, %s) WHERE id = %s",
        (at, id),
    )
    await db.execute("SELECT pg_notify(%s, %s)", (DUE_CHANNEL, id))
    return Success(None)


async def release_lease(
    db: Db, worker: str, id: ConnectionId, next_run_at: datetime, ran_from: datetime | None
) -> Result[bool, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    cursor = await db.execute(
        "UPDATE connections SET leased_by = NULL, lease_until = NULL, next_run_at = %s,"
        " run_requested_at = CASE WHEN run_requested_at <= %s THEN NULL"
        " ELSE run_requested_at END"
        " WHERE id = %s AND leased_by = %s",
        (next_run_at, ran_from, id, worker),
    )
    return Success(cursor.rowcount == 1)


class DueListener:
    """Hears ``request_run`` from every process: ``LISTEN released_intacct_due``."""

    __slots__ = ("_db", "_session")

    def __init__(self, db: PgDatabase) -> None:
        self._db = db
        self._session: psycopg.AsyncConnection[tuple[Any, ...]] | None = None

    def __repr__(self) -> str:
        return "DueListener()"

    async def wait(self, within: timedelta) -> Result[bool, SyncError]:
        """True as soon as a request is heard, False when ``within`` passed without one."""
        try:
            session = await self._listening()
            async for _ in session.notifies(timeout=within.total_seconds(), stop_after=1):
                return Success(True)
        except psycopg.Error as error:
            await self.close()
            return Failure(_deaf(error))
        return Success(False)

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def _listening(self) -> psycopg.AsyncConnection[tuple[Any, ...]]:
        if self._session is None or self._session.closed:
            session = await self._db.session()
            try:
                await session.execute(f"LISTEN {DUE_CHANNEL}")
            except BaseException:
                await session.close()
                raise
            self._session = session
        return self._session


def _deaf(error: psycopg.Error) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message="On-demand sync requests cannot be heard now: the PostgreSQL session that "
        "listens for them failed.",
        fix="Nothing to do: the worker finds requested companies at its next poll and listens "
        "again; check the PostgreSQL server if this repeats.",
        cause=cause_of(error),
    )
