"""The link table and the outbox of write intents, as transaction bodies.

Decided:
- A link is keyed by (connection, record type, Re-Leased id); saving it again replaces it. A link
  whose Intacct key is already held by another Re-Leased record of that type is refused
  (REJECTED, naming the holder), and the whole batch with it. A batch is judged link by link in
  order, each as if those before it were saved (``checks.link_verdicts``): one read of the links it
  touches and one ``executemany``, not two statements a link.
- A link saved with another status than it had (unlinked or relinked, rule E2) restates the
  link status of the record's sync results in the same transaction: one read of the results of
  each record type, one ``executemany`` of those that change (``checks.restatements``).
- Links by Intacct key prefix are a key range of the links' unique index (``checks.after_prefix``),
  ordered by key: exact and case-sensitive, whatever characters the prefix holds.
- Intents are kept oldest first by a sequence number given at insert. Recording a key already
  stored reopens it (PENDING, the new action, the recording run; its place is kept) unless it is
  SENT, which is left alone and not held (issue 16, F2). The action is stored as tagged JSON.
- Intents are stored PENDING whatever state they carry; settling one the outbox does not hold is
  REJECTED (nothing is changed), and so is a settle whose link is refused.
- Every change a run makes is fenced (``fences``): checked in its own transaction first.
- ``hold`` and ``settle_many`` (``settle`` is it for one) update the
  intents and count what the update returned (``RETURNING``), one statement a state where a check
  and an update were two; a count short of the keys is the refusal, and the refusal rolls the
  update back with the rest of the transaction.
- The user's answer about an open intent (issue 16, F3) is a row of ``resolutions`` keyed like
  the intent, replaced by a later answer and deleted when taken (``take_resolution``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import aiosqlite
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
from released_intacct.adapters.state.connections import require
from released_intacct.adapters.state.database import one, rows
from released_intacct.adapters.state.fences import fenced
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

_LINK_COLUMNS = LINK_COLUMNS
_OPEN = (IntentState.PENDING.value, IntentState.SENT.value)


async def save_links(
    db: aiosqlite.Connection, id: ConnectionId, batch: Sequence[Link]
) -> Result[None, SyncError]:
    """Judged in one read per record type (``checks.link_verdicts``), written in one statement."""
    missing = await require(db, id)
    if missing is not None:
        return Failure(missing)
    stored = await links_of(db, id, links_by_type(batch))
    verdicts = link_verdicts(batch, stored)
    if not isinstance(verdicts, Success):
        return Failure(verdicts.failure())
    await _restate_results(db, id, verdicts.unwrap())
    await db.executemany(
        f"INSERT OR REPLACE INTO links (connection, {_LINK_COLUMNS})"  # noqa: S608 - constant names
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(id, *link_row(link)) for link in batch],
    )
    return Success(None)


async def links(
    db: aiosqlite.Connection,
    id: ConnectionId,
    record_type: RecordType,
    released_ids: Sequence[ReleasedId],
    intacct_keys: Sequence[IntacctKey],
) -> tuple[Link, ...]:
    sql = f"SELECT {_LINK_COLUMNS} FROM links WHERE connection = ? AND record_type = ?"  # noqa: S608 - constant names
    args: list[object] = [id, record_type.value]
    if released_ids or intacct_keys:
        # two searches of their own indexes (an OR of the two would scan every link of the type)
        by_id = f"{sql} AND released_id IN (SELECT value FROM json_each(?))"  # noqa: S608
        by_key = f"{sql} AND intacct_key IN (SELECT value FROM json_each(?))"  # noqa: S608
        sql = f"SELECT * FROM ({by_id} UNION {by_key})"  # noqa: S608 - constant names
        args = [*args, _json_list(released_ids), *args, _json_list(intacct_keys)]
    found = await rows(db, sql + " ORDER BY released_id", args)
    return tuple(link_from(row) for row in found)


async def links_of(db: aiosqlite.Connection, id: ConnectionId, groups: ByType) -> list[Link]:
    """The stored links of each group's records (``checks.links_by_type``, ``records_by_type``),
    one read a record type."""
    return [link for kind, ids, keys in groups for link in await links(db, id, kind, ids, keys)]


async def links_by_intacct_prefix(
    db: aiosqlite.Connection, id: ConnectionId, record_type: RecordType, prefix: str
) -> tuple[Link, ...]:
    """A range of the (connection, record type, Intacct key) index, never LIKE (whose ``%`` and
    ``_`` in a key would be wildcards, and which ignores case)."""
    sql = (
        f"SELECT {_LINK_COLUMNS} FROM links WHERE connection = ? AND record_type = ?"  # noqa: S608 - constant names
        " AND intacct_key >= ?"
    )
    args: list[object] = [id, record_type.value, prefix]
    upper = after_prefix(prefix)
    if upper is not None:
        sql += " AND intacct_key < ?"
        args.append(upper)
    found = await rows(db, sql + " ORDER BY intacct_key", args)
    return tuple(link_from(row) for row in found)


async def record_intents(
    db: aiosqlite.Connection, intents: Sequence[Intent], fence: Fence | None
) -> Result[frozenset[IdempotencyKey], SyncError]:
    connections = list(dict.fromkeys(intent.connection for intent in intents))
    for connection in connections:
        error = await require(db, connection)
        if error is not None:
            return Failure(error)
    refused = await fenced(db, fence)
    if fence is not None and any(c != fence.connection for c in connections):
        refused = lost(fence)
    if refused is not None:
        return Failure(refused)
    in_flight: set[tuple[str, str]] = set()
    for connection in connections:
        keys = [intent.key for intent in intents if intent.connection == connection]
        sent = await rows(
            db,
            "SELECT key FROM outbox WHERE connection = ? AND state = ? AND key IN"
            " (SELECT value FROM json_each(?))",
            (connection, IntentState.SENT.value, _json_list(keys)),
        )
        in_flight.update((connection, row["key"]) for row in sent)
    held = [i for i in intents if (i.connection, i.key) not in in_flight]
    run = None if fence is None else fence.run
    await db.executemany(
        "INSERT INTO outbox (connection, key, seq, state, action, run) VALUES (?, ?,"
        " (SELECT coalesce(max(seq), 0) + 1 FROM outbox), ?, ?, ?)"
        " ON CONFLICT (connection, key) DO UPDATE SET state = excluded.state,"
        " action = excluded.action, run = excluded.run, sent_at = NULL",
        [
            (i.connection, i.key, IntentState.PENDING.value, codec.encode_action(i.action), run)
            for i in held
        ],
    )
    return Success(frozenset(i.key for i in held))


async def hold(
    db: aiosqlite.Connection, fence: Fence, keys: Sequence[IdempotencyKey], at: datetime
) -> Result[None, SyncError]:
    refused = await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    if not keys:
        return Success(None)
    held = await rows(
        db,
        "UPDATE outbox SET state = ?, sent_at = ? WHERE connection = ? AND state = ? AND run = ?"
        " AND key IN (SELECT value FROM json_each(?)) RETURNING key",
        (
            IntentState.SENT.value,
            codec.to_column(at),
            fence.connection,
            IntentState.PENDING.value,
            fence.run,
            _json_list(keys),
        ),
    )
    if len(held) != len(set(keys)):  # some not PENDING in this run: the refusal rolls back
        return Failure(not_held(fence))
    return Success(None)


async def open_intents(db: aiosqlite.Connection, id: ConnectionId) -> tuple[Intent, ...]:
    found = await rows(
        db,
        "SELECT key, state, action, run, sent_at FROM outbox WHERE connection = ?"
        " AND state IN (?, ?) ORDER BY seq",
        (id, *_OPEN),
    )
    return tuple(intent_from(id, row) for row in found)


async def settle(
    db: aiosqlite.Connection,
    id: ConnectionId,
    key: IdempotencyKey,
    *,
    state: IntentState,
    link: Link | None,
    fence: Fence | None,
) -> Result[None, SyncError]:
    return await settle_many(db, id, [Settlement(key, state, link)], fence)


async def settle_many(
    db: aiosqlite.Connection,
    id: ConnectionId,
    settlements: Sequence[Settlement],
    fence: Fence | None,
) -> Result[None, SyncError]:
    """Every intent to its state, one statement a state, with the links in one ``save_links``;
    the first refusal is returned (and the caller's transaction rolled back)."""
    refused = await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    for state, keys in by_state(settlements):
        updated = await rows(
            db,
            "UPDATE outbox SET state = ? WHERE connection = ? AND key IN"
            " (SELECT value FROM json_each(?)) RETURNING key",
            (state.value, id, _json_list(keys)),
        )
        if len(updated) != len(set(keys)):  # the refusal rolls back
            absent = [key for key in keys if await _absent(db, id, key)]
            return Failure(no_intent(id, absent[0]))
    links = [s.link for s in settlements if s.link is not None]
    return await save_links(db, id, links) if links else Success(None)


async def _absent(db: aiosqlite.Connection, id: ConnectionId, key: IdempotencyKey) -> bool:
    found = await one(db, "SELECT 1 FROM outbox WHERE connection = ? AND key = ?", (id, key))
    return found is None


async def _restate_results(
    db: aiosqlite.Connection, id: ConnectionId, restate: Sequence[Link]
) -> None:
    """The records' sync results show their link status as it is now (rule E2): one read of
    the results a record type's links touch, one ``executemany`` of the changed ones."""
    found = []
    for record_type, ids, keys in links_by_type(restate):
        found += await rows(
            db,
            "SELECT id, record_type, released_id, intacct_key, body FROM results"
            " WHERE connection = ? AND record_type = ?"
            " AND (released_id IN (SELECT value FROM json_each(?))"
            " OR intacct_key IN (SELECT value FROM json_each(?)))",
            (id, record_type.value, _json_list(ids), _json_list(keys)),
        )
    changed = restatements(restate, found)
    if changed:
        await db.executemany("UPDATE results SET link_status = ?, body = ? WHERE id = ?", changed)


def _json_list(values: Sequence[str]) -> str:
    return json.dumps(list(values))


async def resolve_intent(
    db: aiosqlite.Connection, id: ConnectionId, key: IdempotencyKey, resolution: Resolution
) -> Result[None, SyncError]:
    missing = await require(db, id)
    if missing is not None:
        return Failure(missing)
    found = await one(
        db,
        "SELECT 1 FROM outbox WHERE connection = ? AND key = ? AND state IN (?, ?)",
        (id, key, *_OPEN),
    )
    if found is None:
        return Failure(not_open(id, key))
    await db.execute(
        "INSERT OR REPLACE INTO resolutions (connection, key, link_to) VALUES (?, ?, ?)",
        (id, key, resolution.link_to),
    )
    return Success(None)


async def take_resolution(
    db: aiosqlite.Connection, id: ConnectionId, key: IdempotencyKey, fence: Fence | None
) -> Result[Resolution | None, SyncError]:
    missing = await require(db, id) or await fenced(db, fence)
    if missing is not None:
        return Failure(missing)
    found = await one(
        db, "SELECT link_to FROM resolutions WHERE connection = ? AND key = ?", (id, key)
    )
    if found is None:
        return Success(None)
    await db.execute("DELETE FROM resolutions WHERE connection = ? AND key = ?", (id, key))
    return Success(resolution_from(found))
