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
from released_intacct.adapters.state.checks import (
    folded,
    identities_json,
    link_statuses,
    records_by_type,
    results_where,
)
from released_intacct.adapters.state.connections import require
from released_intacct.adapters.state.database import one, rows
from released_intacct.adapters.state.fences import fenced
from released_intacct.adapters.state.outbox import links_of
from released_intacct.adapters.state.rows import RESULT_COLUMNS, notification_from, result_row
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.ports import Notification
from released_intacct.domain.results import (
    ResultIdentity,
    SyncResult,
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
    """One read of the rows the errors fold into, one of their records' links per record type,
    and one statement each for the rows updated and the rows added (``checks.folded``)."""
    missing = await require(db, id)
    if missing is not None:
        return Failure(missing)
    stored = await _stored_results(db, id, [result_identity(error) for error in errors])
    found = await links_of(db, id, records_by_type(errors))
    recorded, updates, added = folded(errors, stored, link_statuses(errors, found), at)
    await db.executemany(
        "UPDATE results SET link_status = ?, last_seen = ?, body = ? WHERE id = ?",
        [
            (r.link_status.value, codec.to_column(r.last_seen), codec.encode_result(r), row_id)
            for row_id, r in updates
        ],
    )
    await db.executemany(
        f"INSERT INTO results ({RESULT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - constant names
        [result_row(id, r) for r in added],
    )
    return Success(recorded)


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


async def _stored_results(
    db: aiosqlite.Connection, id: ConnectionId, identities: Sequence[ResultIdentity]
) -> dict[ResultIdentity, tuple[int, SyncResult]]:
    """The stored rows (id, result) of these identities, in one read: a search of
    ``results_identity`` for each (its NULLs folded as the index folds them; CROSS JOIN keeps
    the identities the outer loop, where the planner would rather scan the company's results)."""
    found = await rows(
        db,
        "SELECT r.id, r.body FROM json_each(?) AS j CROSS JOIN results AS r ON r.connection = ?"
        " AND r.record_type = json_extract(j.value, '$[0]')"
        " AND coalesce(r.released_id, x'00') = coalesce(json_extract(j.value, '$[1]'), x'00')"
        " AND coalesce(r.intacct_key, x'00') = coalesce(json_extract(j.value, '$[2]'), x'00')"
        " AND r.direction = json_extract(j.value, '$[3]')"
        " AND coalesce(r.rule, x'00') = coalesce(json_extract(j.value, '$[4]'), x'00')"
        " AND r.kind = json_extract(j.value, '$[5]')",
        (identities_json(identities), id),
    )
    stored = ((int(row["id"]), codec.decode_result(row["body"])) for row in found)
    return {result.identity: (row_id, result) for row_id, result in stored}
