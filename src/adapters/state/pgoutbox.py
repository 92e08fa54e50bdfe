"""The PostgreSQL store's bodies for links (E2, D21) and the outbox of write intents (issue 16),
beside SQLite's ``outbox``, whose decisions (``checks``) and row converters (``rows``) they share.

Each takes the open transaction (``pgdatabase``) and returns a ``Result``; a ``Failure`` rolls it
back. Every write first locks the row of its connection (``pgconnections.require``, ``fenced``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec
from released_intacct.adapters.state.checks import (
    ByType,
    after_prefix,
    by_state,
    link_verdicts,
    links_by_type,
    no_intent,
    restatements,
)
from released_intacct.adapters.state.pgconnections import fenced, require
from released_intacct.adapters.state.pgdatabase import Db, one, rows
from released_intacct.adapters.state.rows import (
    LINK_COLUMNS,
    intent_from,
    link_from,
    link_row,
    resolution_from,
)
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.links import Link
from released_intacct.domain.state import (
    Fence,
    Intent,
    IntentState,
    Resolution,
    Settlement,
    lost,
    not_held,
    not_open,
)

_OPEN_INTENT = [IntentState.PENDING.value, IntentState.SENT.value]


# --- links (E2, D21) ------------------------------------------------------------------------------


async def save_links(db: Db, id: ConnectionId, batch: Sequence[Link]) -> Result[None, SyncError]:
    """Judged in one read per record type (``checks.link_verdicts``), written in one pipeline."""
    missing = await require(db, id)
    if missing is not None:
        return Failure(missing)
    stored = await links_of(db, id, links_by_type(batch))
    verdicts = link_verdicts(batch, stored)
    if not isinstance(verdicts, Success):
        return Failure(verdicts.failure())
    await _restate_results(db, id, verdicts.unwrap())
    async with db.cursor() as cursor:
        await cursor.executemany(
            f"INSERT INTO links (connection, {LINK_COLUMNS})"  # noqa: S608 - constant names
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (connection, record_type, released_id) DO UPDATE SET"
            " intacct_key = excluded.intacct_key, origin = excluded.origin,"
            " status = excluded.status, released_fingerprint = excluded.released_fingerprint,"
            " intacct_fingerprint = excluded.intacct_fingerprint, posted = excluded.posted",
            [(id, *link_row(link)[:-1], link.posted) for link in batch],
        )
    return Success(None)


async def links(
    db: Db,
    id: ConnectionId,
    record_type: RecordType,
    released_ids: Sequence[ReleasedId],
    intacct_keys: Sequence[IntacctKey],
) -> tuple[Link, ...]:
    sql = f"SELECT {LINK_COLUMNS} FROM links WHERE connection = %s AND record_type = %s"  # noqa: S608
    args: list[object] = [id, record_type.value]
    if released_ids or intacct_keys:
        sql += " AND (released_id = ANY(%s) OR intacct_key = ANY(%s))"
        args += [list(released_ids), list(intacct_keys)]
    found = await rows(db, sql + ' ORDER BY released_id COLLATE "C"', args)
    return tuple(link_from(row) for row in found)


async def links_of(db: Db, id: ConnectionId, groups: ByType) -> list[Link]:
    """The stored links of each group's records (``checks.links_by_type``, ``records_by_type``),
    one read a record type."""
    return [link for kind, ids, keys in groups for link in await links(db, id, kind, ids, keys)]


async def links_by_intacct_prefix(
    db: Db, id: ConnectionId, record_type: RecordType, prefix: str
) -> tuple[Link, ...]:
    """A range of the (connection, record type, Intacct key) index, compared by code point
    (``intacct_key`` is ``COLLATE "C"``): ``checks.after_prefix`` bounds it."""
    sql = (
        f"SELECT {LINK_COLUMNS} FROM links WHERE connection = %s AND record_type = %s"  # noqa: S608
        " AND intacct_key >= %s"
    )
    args: list[object] = [id, record_type.value, prefix]
    upper = after_prefix(prefix)
    if upper is not None:
        sql += " AND intacct_key < %s"
        args.append(upper)
    found = await rows(db, sql + " ORDER BY intacct_key", args)
    return tuple(link_from(row) for row in found)


async def _restate_results(db: Db, id: ConnectionId, restate: Sequence[Link]) -> None:
    """The records' sync results show their link status as it is now (rule E2): one read of
    the results a record type's links touch, one ``executemany`` of the changed ones."""
    found = []
    for record_type, ids, keys in links_by_type(restate):
        found += await rows(
            db,
            "SELECT id, record_type, released_id, intacct_key, body::text AS body FROM results"
            " WHERE connection = %s AND record_type = %s"
            " AND (released_id = ANY(%s) OR intacct_key = ANY(%s))",
            (id, record_type.value, ids, keys),
        )
    changed = restatements(restate, found)
    if changed:
        async with db.cursor() as cursor:
            await cursor.executemany(
                "UPDATE results SET link_status = %s, body = %s WHERE id = %s", changed
            )


# --- the outbox -----------------------------------------------------------------------------------


async def record_intents(
    db: Db, intents: Sequence[Intent], fence: Fence | None
) -> Result[frozenset[IdempotencyKey], SyncError]:
    targets = sorted({intent.connection for intent in intents})
    for connection in targets:
        error = await require(db, connection)
        if error is not None:
            return Failure(error)
    refused = await fenced(db, fence)
    if fence is not None and any(c != fence.connection for c in targets):
        refused = lost(fence)
    if refused is not None:
        return Failure(refused)
    in_flight: set[tuple[str, str]] = set()
    for connection in targets:
        sent = await rows(
            db,
            "SELECT key FROM outbox WHERE connection = %s AND state = %s AND key = ANY(%s)",
            (
                connection,
                IntentState.SENT.value,
                [i.key for i in intents if i.connection == connection],
            ),
        )
        in_flight.update((connection, row["key"]) for row in sent)
    held = [i for i in intents if (i.connection, i.key) not in in_flight]
    run = None if fence is None else fence.run
    if held:
        async with db.cursor() as cursor_:
            await cursor_.executemany(
                "INSERT INTO outbox (connection, key, state, action, run) VALUES (%s, %s, %s, %s,"
                " %s) ON CONFLICT (connection, key) DO UPDATE SET state = excluded.state,"
                " action = excluded.action, run = excluded.run, sent_at = NULL",
                [
                    (
                        i.connection,
                        i.key,
                        IntentState.PENDING.value,
                        codec.encode_action(i.action),
                        run,
                    )
                    for i in held
                ],
            )
    return Success(frozenset(i.key for i in held))


async def hold(
    db: Db, fence: Fence, keys: Sequence[IdempotencyKey], at: datetime
) -> Result[None, SyncError]:
    refused = await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    if not keys:
        return Success(None)
    held = await rows(
        db,
        "UPDATE outbox SET state = %s, sent_at = %s WHERE connection = %s AND state = %s"
        " AND run = %s AND key = ANY(%s) RETURNING key",
        (
            IntentState.SENT.value,
            codec.to_column(at),
            fence.connection,
            IntentState.PENDING.value,
            fence.run,
            list(keys),
        ),
    )
    if len(held) != len(set(keys)):  # some not PENDING in this run: the refusal rolls back
        return Failure(not_held(fence))
    return Success(None)


async def open_intents(db: Db, id: ConnectionId) -> tuple[Intent, ...]:
    found = await rows(
        db,
        "SELECT key, state, action::text AS action, run, sent_at::text AS sent_at FROM outbox"
        " WHERE connection = %s AND state = ANY(%s) ORDER BY seq",
        (id, _OPEN_INTENT),
    )
    return tuple(intent_from(id, row) for row in found)


async def settle(
    db: Db,
    id: ConnectionId,
    key: IdempotencyKey,
    *,
    state: IntentState,
    link: Link | None,
    fence: Fence | None,
) -> Result[None, SyncError]:
    return await settle_many(db, id, [Settlement(key, state, link)], fence)


async def settle_many(
    db: Db, id: ConnectionId, settlements: Sequence[Settlement], fence: Fence | None
) -> Result[None, SyncError]:
    """Every intent to its state, one statement a state, with the links in one ``save_links``;
    the first refusal is returned (and the caller's transaction rolled back)."""
    refused = await require(db, id) or await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    for state, keys in by_state(settlements):
        found = await rows(
            db,
            "UPDATE outbox SET state = %s WHERE connection = %s AND key = ANY(%s) RETURNING key",
            (state.value, id, keys),
        )
        stored = {row["key"] for row in found}
        absent = [key for key in keys if key not in stored]
        if absent:  # the refusal rolls the update back
            return Failure(no_intent(id, absent[0]))
    links = [s.link for s in settlements if s.link is not None]
    return await save_links(db, id, links) if links else Success(None)


async def resolve_intent(
    db: Db, id: ConnectionId, key: IdempotencyKey, resolution: Resolution
) -> Result[None, SyncError]:
    missing = await require(db, id)
    if missing is not None:
        return Failure(missing)
    found = await one(
        db,
        "SELECT 1 FROM outbox WHERE connection = %s AND key = %s AND state = ANY(%s)",
        (id, key, _OPEN_INTENT),
    )
    if found is None:
        return Failure(not_open(id, key))
    await db.execute(
        "INSERT INTO resolutions (connection, key, link_to) VALUES (%s, %s, %s)"
        " ON CONFLICT (connection, key) DO UPDATE SET link_to = excluded.link_to",
        (id, key, resolution.link_to),
    )
    return Success(None)


async def take_resolution(
    db: Db, id: ConnectionId, key: IdempotencyKey, fence: Fence | None
) -> Result[Resolution | None, SyncError]:
    refused = await require(db, id) or await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    found = await one(
        db,
        "DELETE FROM resolutions WHERE connection = %s AND key = %s RETURNING link_to",
        (id, key),
    )
    return Success(None if found is None else resolution_from(found))
