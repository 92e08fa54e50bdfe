"""Leases (issue 17) in the SQLite store, as transaction bodies: the queue is the ``connections``
table itself (``leased_by``, ``lease_until``, ``next_run_at``, ``run_requested_at``; the company's
``run_epoch`` is the lease's epoch, as it is every run's fence).

Decided: one process writes the file at a time (``BEGIN IMMEDIATE``), so a claim reads the due
companies and leases them in one transaction and no other claim comes between; the PostgreSQL
store does the same with ``FOR UPDATE SKIP LOCKED`` (``pgleases``). Moments are ``codec`` text,
which compares in time order. ``rows.DUE`` and ``rows.DUE_ORDER`` are shared by both stores.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite
from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec
from released_intacct.adapters.state.checks import missing, request_refusal
from released_intacct.adapters.state.connections import load
from released_intacct.adapters.state.database import one, rows
from released_intacct.adapters.state.rows import DUE, DUE_ORDER, by_connection, lease_from
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.state import Lease, claim_refusal

_CLAIM = (
    "UPDATE connections SET leased_by = ?, lease_until = ? WHERE id IN"  # noqa: S608 - constant names
    f" (SELECT id FROM connections WHERE {DUE.format(at='?')} ORDER BY {DUE_ORDER} LIMIT ?)"
    " RETURNING id, run_epoch, run_requested_at"
)


async def claim_due(
    db: aiosqlite.Connection, worker: str, free: int, at: datetime, ttl: timedelta
) -> Result[tuple[Lease, ...], SyncError]:
    refusal = claim_refusal(worker, free, ttl)
    if refusal is not None:
        return Failure(refusal)
    until, now = at + ttl, codec.to_column(at)
    claimed = await rows(
        db,
        _CLAIM,
        (worker, codec.to_column(until), now, now, free),
    )
    return Success(
        tuple(sorted((lease_from(row, worker, until) for row in claimed), key=by_connection))
    )


async def renew_leases(
    db: aiosqlite.Connection, worker: str, at: datetime, ttl: timedelta
) -> Result[int, SyncError]:
    refusal = claim_refusal(worker, 0, ttl)
    if refusal is not None:
        return Failure(refusal)
    cursor = await db.execute(
        "UPDATE connections SET lease_until = ? WHERE leased_by = ? AND lease_until >= ?",
        (codec.to_column(at + ttl), worker, codec.to_column(at)),
    )
    return Success(cursor.rowcount)


async def request_run(
    db: aiosqlite.Connection, id: ConnectionId, at: datetime
) -> Result[None, SyncError]:
    refusal = request_refusal(id, await load(db, id))
    if refusal is not None:
        return Failure(refusal)
    await db.execute(
        "UPDATE connections SET run_requested_at = coalesce(run_requested_at, ?) WHERE id = ?",
        (codec.to_column(at), id),
    )
    return Success(None)


async def release_lease(
    db: aiosqlite.Connection,
    worker: str,
    id: ConnectionId,
    next_run_at: datetime,
    ran_from: datetime | None,
) -> Result[bool, SyncError]:
    if await one(db, "SELECT 1 FROM connections WHERE id = ?", (id,)) is None:
        return Failure(missing(id))
    answered = None if ran_from is None else codec.to_column(ran_from)
    cursor = await db.execute(
        "UPDATE connections SET leased_by = NULL, lease_until = NULL, next_run_at = ?,"
        " run_requested_at = CASE WHEN run_requested_at <= ? THEN NULL"
        " ELSE run_requested_at END"
        " WHERE id = ? AND leased_by = ?",
        (codec.to_column(next_run_at), answered, id, worker),
    )
    return Success(cursor.rowcount == 1)
