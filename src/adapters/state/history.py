"""Cursors, sync results and notifications, as transaction bodies (rules E1, E3); runs are in
``runs``.

Decided:
- A cursor is clamped to the run's start and never moves back; what is stored is returned.
- ``record_results`` folds the errors into their rows (``domain.results.record_result``) in one
  transaction and returns one row per distinct identity, in order of first appearance. The link
  status is the record's link's (found by Re-Leased id or Intacct key), LINKED when none.
- Results are listed latest seen first; notifications newest first. Marking a notification read
  again changes nothing; one the connection does not have is REJECTED.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import aiosqlite
from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec
from released_intacct.adapters.state.checks import results_where
from released_intacct.adapters.state.connections import require
from released_intacct.adapters.state.database import one, rows
from released_intacct.adapters.state.fences import fenced
from released_intacct.adapters.state.outbox import link_status
from released_intacct.adapters.state.rows import RESULT_COLUMNS, notification_from, result_row
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.links import LinkStatus
from released_intacct.domain.ports import Notification
from released_intacct.domain.results import (
    ResultIdentity,
    SyncResult,
    record_result,
    result_identity,
)
from released_intacct.domain.state import (
    Cursor,
    Fence,
    ResultFilter,
    StoredNotification,
    advanced,
    no_notification,
)


async def cursor(db: aiosqlite.Connection, id: ConnectionId, feed: str) -> Cursor | None:
    row = await one(
        db, "SELECT position FROM cursors WHERE connection = ? AND feed = ?", (id, feed)
    )
    return None if row is None else Cursor(feed=feed, position=codec.from_column(row[0]))


async def advance_cursor(
    db: aiosqlite.Connection,
    id: ConnectionId,
    wanted: Cursor,
    run_started: datetime,
    fence: Fence | None,
) -> Result[Cursor, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    refused = await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    stored = await cursor(db, id, wanted.feed)
    moved, changed = advanced(stored, wanted, run_started=run_started)
    if not changed:
        return Success(moved)
    await db.execute(
        "INSERT OR REPLACE INTO cursors (connection, feed, position) VALUES (?, ?, ?)",
        (id, moved.feed, codec.to_column(moved.position)),
    )
    return Success(moved)


async def record_results(
    db: aiosqlite.Connection, id: ConnectionId, errors: Sequence[SyncError], at: datetime
) -> Result[tuple[SyncResult, ...], SyncError]:
    missing = await require(db, id)
    if missing is not None:
        return Failure(missing)
    recorded: dict[ResultIdentity, SyncResult] = {}
    for error in errors:
        row = await _result_row(db, id, result_identity(error))
        existing = None if row is None else codec.decode_result(row["body"])
        status = await _link_status(db, id, error)
        result = record_result(existing, error, at=at, link_status=status)
        await _store_result(db, id, None if row is None else row["id"], result)
        recorded[result.identity] = result
    return Success(tuple(recorded.values()))


async def results(
    db: aiosqlite.Connection, id: ConnectionId, where: ResultFilter
) -> tuple[SyncResult, ...]:
    chosen, args = results_where(where, "?")
    sql = "SELECT body FROM results WHERE connection = ?" + chosen  # noqa: S608 - constant names
    found = await rows(db, sql, [id, *args])
    return tuple(codec.decode_result(row["body"]) for row in found)


async def notify(
    db: aiosqlite.Connection, id: ConnectionId, notification: Notification, at: datetime
) -> Result[StoredNotification, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    return Success(await add_notification(db, id, notification, at))


async def add_notification(
    db: aiosqlite.Connection, id: ConnectionId, notification: Notification, at: datetime
) -> StoredNotification:
    """Store a notification of a connection known to be stored."""
    cursor_ = await db.execute(
        "INSERT INTO notifications (connection, body, created_at) VALUES (?, ?, ?)",
        (id, codec.encode_notification(notification), codec.to_column(at)),
    )
    number = cursor_.lastrowid
    if number is None:  # pragma: no cover - SQLite always reports the rowid of an INSERT
        msg = "SQLite reported no row id for an inserted notification"
        raise RuntimeError(msg)
    return StoredNotification(id=number, notification=notification, created_at=at)


async def notifications(
    db: aiosqlite.Connection, id: ConnectionId, unread_only: bool
) -> tuple[StoredNotification, ...]:
    found = await rows(
        db,
        "SELECT id, body, created_at, read FROM notifications WHERE connection = ?"  # noqa: S608 - constant names
        + (" AND read = 0" if unread_only else "")
        + " ORDER BY id DESC",
        (id,),
    )
    return tuple(notification_from(row) for row in found)


async def mark_read(
    db: aiosqlite.Connection, id: ConnectionId, number: int
) -> Result[None, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    cursor_ = await db.execute(
        "UPDATE notifications SET read = 1 WHERE id = ? AND connection = ?", (number, id)
    )
    if cursor_.rowcount != 1:
        return Failure(no_notification(id, number))
    return Success(None)


async def _result_row(
    db: aiosqlite.Connection, id: ConnectionId, identity: ResultIdentity
) -> aiosqlite.Row | None:
    record_type, released_id, intacct_key, direction, rule, kind = identity
    return await one(
        db,
        "SELECT id, body FROM results WHERE connection = ? AND record_type = ?"
        " AND released_id IS ? AND intacct_key IS ? AND direction = ? AND rule IS ? AND kind = ?",
        (
            id,
            record_type.value,
            released_id,
            intacct_key,
            direction.value,
            rule.value if rule else None,
            kind.value,
        ),
    )


async def _link_status(db: aiosqlite.Connection, id: ConnectionId, error: SyncError) -> LinkStatus:
    record = error.record
    if record is None:  # result_identity has already refused it
        return LinkStatus.LINKED
    found = await link_status(db, id, record.record_type, record.released_id, record.intacct_key)
    return found or LinkStatus.LINKED


async def _store_result(
    db: aiosqlite.Connection, id: ConnectionId, row_id: int | None, result: SyncResult
) -> None:
    body = codec.encode_result(result)
    if row_id is not None:
        await db.execute(
            "UPDATE results SET link_status = ?, last_seen = ?, body = ? WHERE id = ?",
            (result.link_status.value, codec.to_column(result.last_seen), body, row_id),
        )
        return
    await db.execute(
        f"INSERT INTO results ({RESULT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant names
        result_row(id, result),
    )
