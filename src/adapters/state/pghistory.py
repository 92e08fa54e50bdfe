"""The PostgreSQL store's bodies for cursors, sync results and notifications (rules E1, E3),
beside SQLite's ``history``, whose decisions (``checks``, ``domain``) and row converters
(``rows``) they share.

Each takes the open transaction (``pgdatabase``) and returns a ``Result``; a ``Failure`` rolls it
back. Every write first locks the row of its connection (``pgconnections.require``, ``fenced``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec
from released_intacct.adapters.state.checks import (
    folded,
    identities_json,
    link_statuses,
    records_by_type,
    results_where,
)
from released_intacct.adapters.state.pgconnections import fenced, require
from released_intacct.adapters.state.pgdatabase import Db, one, rows
from released_intacct.adapters.state.pgoutbox import links_of
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

# --- cursors --------------------------------------------------------------------------------------


async def cursor(db: Db, id: ConnectionId, feed: str) -> Cursor | None:
    row = await one(
        db,
        "SELECT position::text AS position FROM cursors WHERE connection = %s AND feed = %s",
        (id, feed),
    )
    return None if row is None else Cursor(feed=feed, position=codec.from_column(row["position"]))


async def advance_cursor(
    db: Db, id: ConnectionId, wanted: Cursor, run_started: datetime, fence: Fence | None
) -> Result[Cursor, SyncError]:
    refused = await require(db, id) or await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    stored = await cursor(db, id, wanted.feed)
    moved, changed = advanced(stored, wanted, run_started=run_started)
    if not changed:
        return Success(moved)
    await db.execute(
        "INSERT INTO cursors (connection, feed, position) VALUES (%s, %s, %s)"
        " ON CONFLICT (connection, feed) DO UPDATE SET position = excluded.position",
        (id, moved.feed, codec.to_column(moved.position)),
    )
    return Success(moved)


# --- sync results (E1) and notifications (E3) -----------------------------------------------------


async def record_results(
    db: Db, id: ConnectionId, errors: Sequence[SyncError], at: datetime
) -> Result[tuple[SyncResult, ...], SyncError]:
    """As SQLite's: one read of the rows the errors fold into, one of their records' links per
    record type, and one pipelined statement each for the rows updated and added."""
    missing = await require(db, id)
    if missing is not None:
        return Failure(missing)
    stored = await _stored_results(db, id, [result_identity(error) for error in errors])
    found = await links_of(db, id, records_by_type(errors))
    recorded, updates, added = folded(errors, stored, link_statuses(errors, found), at)
    async with db.cursor() as cursor:
        await cursor.executemany(
            "UPDATE results SET link_status = %s, last_seen = %s, body = %s WHERE id = %s",
            [
                (r.link_status.value, codec.to_column(r.last_seen), codec.encode_result(r), row)
                for row, r in updates
            ],
        )
        await cursor.executemany(
            f"INSERT INTO results ({RESULT_COLUMNS})"  # noqa: S608 - constant names
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [result_row(id, r) for r in added],
        )
    return Success(recorded)


async def results(db: Db, id: ConnectionId, where: ResultFilter) -> tuple[SyncResult, ...]:
    chosen, args = results_where(where, "%s")
    sql = "SELECT body::text AS body FROM results WHERE connection = %s" + chosen  # noqa: S608
    found = await rows(db, sql, [id, *args])
    return tuple(codec.decode_result(row["body"]) for row in found)


async def notify(
    db: Db, id: ConnectionId, notification: Notification, at: datetime
) -> Result[StoredNotification, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    return Success(await add_notification(db, id, notification, at))


async def add_notification(
    db: Db, id: ConnectionId, notification: Notification, at: datetime
) -> StoredNotification:
    row = await one(
        db,
        "INSERT INTO notifications (connection, body, created_at) VALUES (%s, %s, %s) RETURNING id",
        (id, codec.encode_notification(notification), codec.to_column(at)),
    )
    if row is None:  # pragma: no cover - INSERT ... RETURNING always answers its row
        msg = "PostgreSQL returned no id for an inserted notification"
        raise RuntimeError(msg)
    return StoredNotification(id=int(row["id"]), notification=notification, created_at=at)


async def notifications(
    db: Db, id: ConnectionId, unread_only: bool
) -> tuple[StoredNotification, ...]:
    found = await rows(
        db,
        "SELECT id, body::text AS body, created_at::text AS created_at, read FROM notifications"  # noqa: S608
        " WHERE connection = %s" + (" AND NOT read" if unread_only else "") + " ORDER BY id DESC",
        (id,),
    )
    return tuple(notification_from(row) for row in found)


async def mark_read(db: Db, id: ConnectionId, number: int) -> Result[None, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    cursor_ = await db.execute(
        "UPDATE notifications SET read = true WHERE id = %s AND connection = %s", (number, id)
    )
    if cursor_.rowcount != 1:
        return Failure(no_notification(id, number))
    return Success(None)


async def _stored_results(
    db: Db, id: ConnectionId, identities: Sequence[ResultIdentity]
) -> dict[ResultIdentity, tuple[object, SyncResult]]:
    """The stored rows (id, result) of these identities, in one read."""
    found = await rows(
        db,
        "SELECT r.id, r.body::text AS body FROM jsonb_array_elements(%s::jsonb) AS j(v)"
        " JOIN results AS r ON r.connection = %s AND r.record_type = j.v ->> 0"
        " AND r.released_id IS NOT DISTINCT FROM j.v ->> 1"
        " AND r.intacct_key IS NOT DISTINCT FROM j.v ->> 2 AND r.direction = j.v ->> 3"
        " AND r.rule IS NOT DISTINCT FROM j.v ->> 4 AND r.kind = j.v ->> 5",
        (identities_json(identities), id),
    )
    stored = ((row["id"], codec.decode_result(row["body"])) for row in found)
    return {result.identity: (row_id, result) for row_id, result in stored}
