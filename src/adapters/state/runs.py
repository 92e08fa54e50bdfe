"""Runs, their progress and heartbeat, and the release of stale runs, as transaction bodies
(rules E3, E4).

Decided:
- A run's id is a random UUID; at most one run per connection is open (RUNNING or
  RUNNING_WITH_ERRORS), guarded by a check (REJECTED, E4) and a partial unique index. An open run
  with no sign of life for ``stale_after`` does not refuse ``start_run``: it is released first,
  in the same transaction.
- Fencing (issue 16): ``start_run`` raises the company's ``run_epoch`` and gives the new run that
  epoch; ``save_progress``, ``finish_run`` and ``release`` are refused (``lost``) unless the run is
  open under the company's current epoch (``fences``). The stored start is kept; a run the store
  does not hold is REJECTED.
- Releasing (``domain.state.release_run``) finishes the run FAILED and stores its notification.
  The open runs are read through the partial index ``runs_one_open`` (open runs only, at most one
  per company), so the scheduler's look on every tick never reads the finished runs.
- Runs come latest first; released runs oldest start first, then by connection. The ``alive``
  companies' runs are never released.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta

import aiosqlite
from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec
from released_intacct.adapters.state.checks import no_run, progress_refusal, to_take_over
from released_intacct.adapters.state.connections import require
from released_intacct.adapters.state.database import one, rows
from released_intacct.adapters.state.fences import fenced
from released_intacct.adapters.state.history import add_notification
from released_intacct.adapters.state.rows import OPEN_RUN, RUN_COLUMNS, run_from, run_row
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.state import Fence, Run, beat, lost, release_run

_OPEN = OPEN_RUN
_COLUMNS = RUN_COLUMNS
_SELECT = f"SELECT {_COLUMNS} FROM runs"  # noqa: S608 - constant names


async def start_run(
    db: aiosqlite.Connection, id: ConnectionId, at: datetime, stale_after: timedelta, holder: str
) -> Result[Run, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    found = await one(db, f"{_SELECT} WHERE connection = ? AND {_OPEN}", (id,))
    stale = to_take_over(None if found is None else run_from(found), at=at, stale_after=stale_after)
    if not isinstance(stale, Success):
        return Failure(stale.failure())
    stale_run = stale.unwrap()
    if stale_run is not None:
        await _release(db, stale_run, at)
    await db.execute("UPDATE connections SET run_epoch = run_epoch + 1 WHERE id = ?", (id,))
    epoch = await one(db, "SELECT run_epoch FROM connections WHERE id = ?", (id,))
    run = Run(
        id=uuid.uuid4().hex,
        connection=id,
        started_at=at,
        epoch=0 if epoch is None else int(epoch[0]),
        holder=holder,
    )
    await db.execute(
        f"INSERT INTO runs ({_COLUMNS}, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"  # noqa: S608 - constant names
        " (SELECT coalesce(max(seq), 0) + 1 FROM runs))",
        run_row(run),
    )
    return Success(run)


async def run(db: aiosqlite.Connection, id: ConnectionId, run_id: str) -> Run | None:
    found = await one(db, f"{_SELECT} WHERE id = ? AND connection = ?", (run_id, id))
    return None if found is None else run_from(found)


async def save_progress(db: aiosqlite.Connection, run: Run, at: datetime) -> Result[Run, SyncError]:
    stored = await _stored(db, run)
    refused = progress_refusal(stored, run) or await fenced(db, run.fence)
    if stored is None or refused is not None:
        return Failure(refused or no_run(run))
    saved = beat(stored, run, at)
    await _update(db, saved)
    return Success(saved)


async def finish_run(db: aiosqlite.Connection, run: Run) -> Result[Run, SyncError]:
    stored = await _stored(db, run)
    if stored is None:
        return Failure(no_run(run))
    refused = await fenced(db, run.fence)
    if refused is not None:
        return Failure(refused)
    await _update(db, run)
    return Success(run)


async def release(db: aiosqlite.Connection, fence: Fence, at: datetime) -> Result[Run, SyncError]:
    """The operator's release of a run whose process is dead (``StateStore.release``)."""
    refused = await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    found = await run(db, fence.connection, fence.run)
    if found is None:  # fenced() found it open a moment ago, in this transaction
        return Failure(lost(fence))
    return Success(await _release(db, found, at))


async def runs(db: aiosqlite.Connection, id: ConnectionId, limit: int) -> tuple[Run, ...]:
    found = await rows(
        db,
        f"{_SELECT} WHERE connection = ? ORDER BY started_at DESC, seq DESC LIMIT ?",
        (id, limit),
    )
    return tuple(run_from(row) for row in found)


async def release_stale(
    db: aiosqlite.Connection, before: datetime, at: datetime, alive: Collection[ConnectionId]
) -> Result[tuple[Run, ...], SyncError]:
    found = await rows(
        db,
        f"{_SELECT} WHERE {_OPEN} AND coalesce(heartbeat_at, started_at) < ?"  # noqa: S608 - constant names
        " AND connection NOT IN (SELECT value FROM json_each(?))"
        " ORDER BY started_at, connection",
        (codec.to_column(before), json.dumps(sorted(alive))),
    )
    return Success(tuple([await _release(db, run_from(row), at) for row in found]))


async def _release(db: aiosqlite.Connection, run: Run, at: datetime) -> Run:
    released, note = release_run(run, at=at)
    await _update(db, released)
    await add_notification(db, run.connection, note, at)
    return released


async def _stored(db: aiosqlite.Connection, run: Run) -> Run | None:
    found = await one(db, f"{_SELECT} WHERE id = ? AND connection = ?", (run.id, run.connection))
    return None if found is None else run_from(found)


async def _update(db: aiosqlite.Connection, run: Run) -> None:
    await db.execute(
        "UPDATE runs SET started_at = ?, status = ?, finished_at = ?, counts = ?, errors = ?,"
        " progress = ?, heartbeat_at = ?, epoch = ?, holder = ?, released_at = ?,"
        " transactions = ?"
        " WHERE id = ? AND connection = ?",
        (*run_row(run)[2:], run.id, run.connection),
    )
