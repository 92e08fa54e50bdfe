"""Runs, their progress and heartbeat, and the release of stale runs, as transaction bodies
(rules E3, E4).

Decided:
- A run's id is a random UUID; at most one run per connection is open (RUNNING or
  RUNNING_WITH_ERRORS), guarded by a check (REJECTED, E4) and a partial unique index. An open run
  with no sign of life for ``stale_after`` does not refuse ``start_run``: it is released first,
  in the same transaction.
- ``save_progress`` writes the status, counts, errors and progress of a run the store holds open,
  and its heartbeat; the stored start is kept. ``finish_run`` stores the run as given, but never
  over a finished run with an open status. A run the store does not hold is REJECTED.
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
from dataclasses import replace
from datetime import datetime, timedelta

import aiosqlite
from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec
from released_intacct.adapters.state.connections import require
from released_intacct.adapters.state.database import one, rows
from released_intacct.adapters.state.history import add_notification
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.results import RunStatus
from released_intacct.domain.state import Run, release_run

# Written out, not bound: SQLite uses the partial index ``runs_one_open`` only for a WHERE term
# that matches its own.
_OPEN = "status IN ('running', 'running_with_errors')"
_COLUMNS = "id, connection, started_at, status, finished_at, counts, errors, progress, heartbeat_at"
_SELECT = f"SELECT {_COLUMNS} FROM runs"  # noqa: S608 - constant names


async def start_run(
    db: aiosqlite.Connection, id: ConnectionId, at: datetime, stale_after: timedelta
) -> Result[Run, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    found = await one(db, f"{_SELECT} WHERE connection = ? AND {_OPEN}", (id,))
    if found is not None:
        open_run = _run(found)
        if not open_run.is_stale(before=at - stale_after):
            return Failure(_already_running(open_run))
        await _release(db, open_run, at)
    run = Run(id=uuid.uuid4().hex, connection=id, started_at=at)
    await db.execute(
        f"INSERT INTO runs ({_COLUMNS}, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"  # noqa: S608 - constant names
        " (SELECT coalesce(max(seq), 0) + 1 FROM runs))",
        _row(run),
    )
    return Success(run)


async def save_progress(db: aiosqlite.Connection, run: Run, at: datetime) -> Result[Run, SyncError]:
    stored = await _stored(db, run)
    if stored is None:
        return Failure(_no_run(run))
    if stored.status.finished or run.status.finished:
        return Failure(_not_open(run, stored))
    saved = replace(
        stored,
        status=run.status,
        counts=run.counts,
        errors=run.errors,
        progress=run.progress,
        heartbeat_at=at,
    )
    await _update(db, saved)
    return Success(saved)


async def finish_run(db: aiosqlite.Connection, run: Run) -> Result[Run, SyncError]:
    stored = await _stored(db, run)
    if stored is None:
        return Failure(_no_run(run))
    if stored.status.finished and not run.status.finished:
        return Failure(_reopened(run, stored))
    await _update(db, run)
    return Success(run)


async def runs(db: aiosqlite.Connection, id: ConnectionId, limit: int) -> tuple[Run, ...]:
    found = await rows(
        db,
        f"{_SELECT} WHERE connection = ? ORDER BY started_at DESC, seq DESC LIMIT ?",
        (id, limit),
    )
    return tuple(_run(row) for row in found)


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
    return Success(tuple([await _release(db, _run(row), at) for row in found]))


async def _release(db: aiosqlite.Connection, run: Run, at: datetime) -> Run:
    released, note = release_run(run, at=at)
    await _update(db, released)
    await add_notification(db, run.connection, note, at)
    return released


async def _stored(db: aiosqlite.Connection, run: Run) -> Run | None:
    found = await one(db, f"{_SELECT} WHERE id = ? AND connection = ?", (run.id, run.connection))
    return None if found is None else _run(found)


async def _update(db: aiosqlite.Connection, run: Run) -> None:
    await db.execute(
        "UPDATE runs SET started_at = ?, status = ?, finished_at = ?, counts = ?, errors = ?,"
        " progress = ?, heartbeat_at = ? WHERE id = ? AND connection = ?",
        (*_row(run)[2:], run.id, run.connection),
    )


def _already_running(run: Run) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.E4,
        message=(
            f"A sync of connection {run.connection} is already running (started "
            f"{run.started_at.isoformat()}, last sign of life {run.last_alive.isoformat()})."
        ),
        fix="Wait for it to finish; one sync per company runs at a time.",
    )


def _no_run(run: Run) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Run {run.id} of connection {run.connection} is not stored.",
        fix="Use the run that start_run returned.",
    )


def _not_open(run: Run, stored: Run) -> SyncError:
    if stored.status.finished:
        return SyncError(
            kind=ErrorKind.REJECTED,
            rule=Rule.E4,
            message=f"Run {run.id} is already finished ({stored.status.value}); it cannot go on.",
            fix="Stop this run: the next sync picks up where it stopped.",
        )
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Run {run.id} is given as finished ({run.status.value}), not as running.",
        fix="Store a finished run with finish_run.",
    )


def _reopened(run: Run, stored: Run) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.E4,
        message=f"Run {run.id} is already finished ({stored.status.value}) and cannot reopen.",
        fix="Start a new run.",
    )


def _row(run: Run) -> tuple[object, ...]:
    return (
        run.id,
        run.connection,
        codec.to_column(run.started_at),
        run.status.value,
        codec.to_column(run.finished_at) if run.finished_at else None,
        codec.encode_counts(run.counts),
        run.errors,
        codec.encode_progress(run.progress),
        codec.to_column(run.heartbeat_at) if run.heartbeat_at else None,
    )


def _run(row: aiosqlite.Row) -> Run:
    return Run(
        id=row["id"],
        connection=ConnectionId(row["connection"]),
        started_at=codec.from_column(row["started_at"]),
        status=RunStatus(row["status"]),
        finished_at=codec.from_column(row["finished_at"]) if row["finished_at"] else None,
        counts=codec.decode_counts(row["counts"]),
        errors=row["errors"],
        progress=codec.decode_progress(row["progress"]),
        heartbeat_at=codec.from_column(row["heartbeat_at"]) if row["heartbeat_at"] else None,
    )
