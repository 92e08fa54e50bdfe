"""The PostgreSQL store's bodies for runs (rules E3, E4), beside SQLite's ``runs``, whose
decisions (``checks``, ``domain.state.release_run``, ``beat``) and row converters (``rows``) they
share.

Each takes the open transaction (``pgdatabase``) and returns a ``Result``; a ``Failure`` rolls it
back. Every write first locks the row of its company (``pgdatabase.lock``), so the open run it
reads cannot change before it writes; ``release_stale`` locks all the companies it releases
first, in one order.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec
from released_intacct.adapters.state.checks import no_run, progress_refusal, to_take_over
from released_intacct.adapters.state.pgconnections import fenced, require
from released_intacct.adapters.state.pgdatabase import Db, lock, one, rows
from released_intacct.adapters.state.pghistory import add_notification
from released_intacct.adapters.state.rows import OPEN_RUN, RUN_COLUMNS, run_from, run_row
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.state import Fence, Run, beat, lost, release_run

_RUN = (
    "id, connection, started_at::text AS started_at, status, finished_at::text AS finished_at,"
    " counts::text AS counts, errors, progress::text AS progress,"
    " heartbeat_at::text AS heartbeat_at, epoch, holder, released_at::text AS released_at,"
    " transactions"
)


async def start_run(
    db: Db, id: ConnectionId, at: datetime, stale_after: timedelta, holder: str
) -> Result[Run, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    found = await one(db, f"SELECT {_RUN} FROM runs WHERE connection = %s AND {OPEN_RUN}", (id,))  # noqa: S608
    stale = to_take_over(None if found is None else run_from(found), at=at, stale_after=stale_after)
    if not isinstance(stale, Success):
        return Failure(stale.failure())
    stale_run = stale.unwrap()
    if stale_run is not None:
        await _release(db, stale_run, at)
    epoch = await one(
        db,
        "UPDATE connections SET run_epoch = run_epoch + 1 WHERE id = %s RETURNING run_epoch",
        (id,),
    )
    run_ = Run(
        id=uuid.uuid4().hex,
        connection=id,
        started_at=at,
        epoch=0 if epoch is None else int(epoch["run_epoch"]),
        holder=holder,
    )
    await db.execute(
        f"INSERT INTO runs ({RUN_COLUMNS})"  # noqa: S608
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        run_row(run_),
    )
    return Success(run_)


async def run(db: Db, id: ConnectionId, run_id: str) -> Run | None:
    found = await one(
        db,
        f"SELECT {_RUN} FROM runs WHERE id = %s AND connection = %s",  # noqa: S608
        (run_id, id),
    )
    return None if found is None else run_from(found)


async def save_progress(db: Db, given: Run, at: datetime) -> Result[Run, SyncError]:
    await lock(db, given.connection)
    stored = await run(db, given.connection, given.id)
    refused = progress_refusal(stored, given) or await fenced(db, given.fence)
    if stored is None or refused is not None:
        return Failure(refused or no_run(given))
    saved = beat(stored, given, at)
    await _update_run(db, saved)
    return Success(saved)


async def finish_run(db: Db, given: Run) -> Result[Run, SyncError]:
    await lock(db, given.connection)
    if await run(db, given.connection, given.id) is None:
        return Failure(no_run(given))
    refused = await fenced(db, given.fence)
    if refused is not None:
        return Failure(refused)
    await _update_run(db, given)
    return Success(given)


async def release(db: Db, fence: Fence, at: datetime) -> Result[Run, SyncError]:
    refused = await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    found = await run(db, fence.connection, fence.run)
    if found is None:
        return Failure(lost(fence))
    return Success(await _release(db, found, at))


async def runs(db: Db, id: ConnectionId, limit: int) -> tuple[Run, ...]:
    found = await rows(
        db,
        f"SELECT {_RUN} FROM runs WHERE connection = %s ORDER BY started_at DESC, seq DESC"  # noqa: S608
        " LIMIT %s",
        (id, limit),
    )
    return tuple(run_from(row) for row in found)


async def release_stale(
    db: Db, before: datetime, at: datetime, alive: Collection[ConnectionId]
) -> Result[tuple[Run, ...], SyncError]:
    stale = f"{OPEN_RUN} AND coalesce(heartbeat_at, started_at) < %s AND connection <> ALL(%s)"
    args = (codec.to_column(before), sorted(alive))
    # lock the companies first, in one order, then read their runs as they now are
    await rows(
        db,
        f"SELECT id FROM connections WHERE id IN (SELECT connection FROM runs WHERE {stale})"  # noqa: S608
        " ORDER BY id FOR UPDATE",
        args,
    )
    found = await rows(
        db,
        f"SELECT {_RUN} FROM runs WHERE {stale} ORDER BY started_at, connection",  # noqa: S608
        args,
    )
    return Success(tuple([await _release(db, run_from(row), at) for row in found]))


async def _release(db: Db, open_run: Run, at: datetime) -> Run:
    released, note = release_run(open_run, at=at)
    await _update_run(db, released)
    await add_notification(db, open_run.connection, note, at)
    return released


async def _update_run(db: Db, given: Run) -> None:
    await db.execute(
        "UPDATE runs SET started_at = %s, status = %s, finished_at = %s, counts = %s, errors = %s,"
        " progress = %s, heartbeat_at = %s, epoch = %s, holder = %s, released_at = %s,"
        " transactions = %s"
        " WHERE id = %s AND connection = %s",
        (*run_row(given)[2:], given.id, given.connection),
    )
