"""The PostgreSQL store's transaction bodies (issue 17), beside SQLite's ``connections``,
``outbox``, ``runs`` and ``history``, whose decisions they keep.

Each takes the open transaction (``pgdatabase``) and returns a ``Result`` or a value; a
``Failure`` rolls it back. Every write first locks the row of the connection it changes
(``pgdatabase.lock``), where SQLite took the file's write lock: the checks it then reads (rule C1,
the fence, the open run) cannot be overtaken before it writes. The rules, the refusals and the row
converters are the SQLite store's (``domain.rules.confirming``, ``domain.state.release_run``,
``domain.results.record_result``, ``connections.c1_conflict``, ...): moments, dates and JSON are
selected as text, so the same converters read them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from psycopg.rows import DictRow
from returns.result import Failure, Result, Success

from released_intacct.adapters.state import codec, connections, history, outbox, runs
from released_intacct.adapters.state.crypto import Vault
from released_intacct.adapters.state.pgdatabase import Db, lock, one, rows
from released_intacct.domain.enums import Prerequisite, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.links import Link, LinkStatus
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import IntacctCredentials, Notification
from released_intacct.domain.results import ResultIdentity, SyncResult, record_result
from released_intacct.domain.results import result_identity as identity_of
from released_intacct.domain.rules import confirming
from released_intacct.domain.state import (
    Acknowledgement,
    Connection,
    Cursor,
    Fence,
    Intent,
    IntentState,
    Phase,
    Resolution,
    ResultFilter,
    Run,
    StoredNotification,
    lost,
    release_run,
)

_CONNECTION = (
    "id, released_company, intacct_company, entity, phase, sync_from::text AS sync_from,"
    " created_at::text AS created_at, confirmed_at::text AS confirmed_at, confirm_token,"
    " confirm_since::text AS confirm_since, confirm_until::text AS confirm_until, confirm_holder"
)
_CONNECTION_INSERT = (
    "id, released_company, intacct_company, entity, phase, sync_from, created_at, confirmed_at,"
    " confirm_token, confirm_since, confirm_until, confirm_holder"
)
_LINK = (
    "record_type, released_id, intacct_key, origin, status, released_fingerprint,"
    " intacct_fingerprint, posted"
)
_RUN = (
    "id, connection, started_at::text AS started_at, status, finished_at::text AS finished_at,"
    " counts::text AS counts, errors, progress::text AS progress,"
    " heartbeat_at::text AS heartbeat_at, epoch, holder, released_at::text AS released_at"
)
_RUN_INSERT = (
    "id, connection, started_at, status, finished_at, counts, errors, progress, heartbeat_at,"
    " epoch, holder, released_at"
)
_OPEN_RUN = "status IN ('running', 'running_with_errors')"
_OPEN_INTENT = [IntentState.PENDING.value, IntentState.SENT.value]


# --- connections and credentials (C1, C2) --------------------------------------------------------


async def load(db: Db, id: ConnectionId, *, locked: bool = False) -> Connection | None:
    sql = f"SELECT {_CONNECTION} FROM connections WHERE id = %s"  # noqa: S608 - constant names
    row = await one(db, sql + (" FOR UPDATE" if locked else ""), (id,))
    return None if row is None else connections._connection(row)


async def load_all(db: Db) -> Result[tuple[Connection, ...], SyncError]:
    found = await rows(db, f"SELECT {_CONNECTION} FROM connections ORDER BY created_at, id")  # noqa: S608
    return Success(tuple(connections._connection(row) for row in found))


async def require(db: Db, id: ConnectionId) -> SyncError | None:
    """Lock the connection's row; None when it is stored, else the error to return."""
    return None if await lock(db, id) else connections.missing(id)


async def fenced(db: Db, fence: Fence | None) -> SyncError | None:
    """``fences.fenced``: None when ``fence`` holds (or none is given), else its ``lost``."""
    if fence is None:
        return None
    await lock(db, fence.connection)
    found = await one(
        db,
        "SELECT 1 FROM runs JOIN connections ON connections.id = runs.connection"  # noqa: S608
        f" WHERE runs.connection = %s AND {_OPEN_RUN} AND runs.id = %s AND runs.epoch = %s"
        " AND connections.run_epoch = %s",
        (fence.connection, fence.run, fence.epoch, fence.epoch),
    )
    return None if found is not None else lost(fence)


async def add(
    db: Db, vault: Vault, connection: Connection, creds: IntacctCredentials
) -> Result[Connection, SyncError]:
    if await load(db, connection.id, locked=True) is not None:
        return Failure(connections._already(connection.id))
    refusal = confirming.outside_claim(connection) or await _c1_refusal(db, connection)
    if refusal is not None:
        return Failure(refusal)
    await db.execute(
        f"INSERT INTO connections ({_CONNECTION_INSERT}) VALUES"  # noqa: S608 - constant names
        " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        connections._row(connection),
    )
    await db.execute(
        "INSERT INTO credentials (connection, token) VALUES (%s, %s)",
        (connection.id, vault.seal(creds)),
    )
    return Success(connection)


async def save(db: Db, connection: Connection) -> Result[Connection, SyncError]:
    stored = await load(db, connection.id, locked=True)
    if stored is None:
        return Failure(connections.missing(connection.id))
    if stored == connection:
        return Success(stored)
    if stored.phase is Phase.CONFIRMED:
        return Failure(connections._locked(stored))
    refusal = confirming.save_refusal(stored, connection) or await _c1_refusal(db, connection)
    if refusal is not None:
        return Failure(refusal)
    await _update_connection(db, connection)
    return Success(connection)


async def transition(
    db: Db, id: ConnectionId, decide: Callable[[Connection], Result[Connection, SyncError]]
) -> Result[Connection, SyncError]:
    """A confirm's compare-and-set (``connections._transition``), on the locked row."""
    stored = await load(db, id, locked=True)
    if stored is None:
        return Failure(connections.missing(id))
    decided = decide(stored)
    if isinstance(decided, Success) and decided.unwrap() != stored:
        await _update_connection(db, decided.unwrap())
    return decided


async def finish_confirm(
    db: Db, id: ConnectionId, onboarding: Onboarding, token: str, at: datetime
) -> Result[Connection, SyncError]:
    done = await transition(db, id, lambda stored: confirming.finish(stored, token=token, at=at))
    if isinstance(done, Success):
        await _store_onboarding(db, id, onboarding)
    return done


async def _update_connection(db: Db, connection: Connection) -> None:
    await db.execute(
        "UPDATE connections SET released_company = %s, intacct_company = %s, entity = %s,"
        " phase = %s, sync_from = %s, created_at = %s, confirmed_at = %s, confirm_token = %s,"
        " confirm_since = %s, confirm_until = %s, confirm_holder = %s WHERE id = %s",
        (*connections._row(connection)[1:], connection.id),
    )


async def remove(db: Db, id: ConnectionId) -> Result[None, SyncError]:
    stored = await load(db, id, locked=True)
    if stored is not None and stored.phase is Phase.CONFIRMED:
        return Failure(connections._locked(stored))
    refusal = None if stored is None else confirming.save_refusal(stored)
    if refusal is not None:
        return Failure(refusal)
    await db.execute("DELETE FROM connections WHERE id = %s", (id,))
    return Success(None)


async def credentials(
    db: Db, vault: Vault, id: ConnectionId
) -> Result[IntacctCredentials, SyncError]:
    if not await lock(db, id):
        return Failure(connections.missing(id))
    row = await one(db, "SELECT token FROM credentials WHERE connection = %s", (id,))
    if row is None:
        return Failure(connections.missing(id))
    opened = vault.open(bytes(row["token"]))
    if not isinstance(opened, Success):
        return Failure(opened.failure())
    found = opened.unwrap()
    if found.rotated is not None:
        await _store_token(db, id, found.rotated)
    return Success(found.credentials)


async def rotate(db: Db, vault: Vault) -> Result[int, SyncError]:
    rotated = 0
    for row in await rows(db, "SELECT connection, token FROM credentials FOR UPDATE"):
        opened = vault.open(bytes(row["token"]))
        if not isinstance(opened, Success):
            return Failure(opened.failure())
        token = opened.unwrap().rotated
        if token is not None:
            await _store_token(db, row["connection"], token)
            rotated += 1
    return Success(rotated)


async def _store_token(db: Db, id: str, token: bytes) -> None:
    await db.execute("UPDATE credentials SET token = %s WHERE connection = %s", (token, id))


async def _c1_refusal(db: Db, new: Connection) -> SyncError | None:
    row = await one(
        db,
        f"SELECT {_CONNECTION} FROM connections WHERE id <> %s AND (released_company = %s"  # noqa: S608
        " OR (intacct_company = %s AND entity = %s)) ORDER BY released_company <> %s LIMIT 1",
        (new.id, new.released_company, new.intacct_company, new.entity, new.released_company),
    )
    return None if row is None else connections.c1_conflict(new, connections._connection(row))


async def acknowledge(
    db: Db, id: ConnectionId, prerequisites: Sequence[Prerequisite], at: datetime
) -> Result[None, SyncError]:
    stored = await load(db, id, locked=True)
    if stored is None:
        return Failure(connections.missing(id))
    if stored.phase is Phase.CONFIRMED:
        return Failure(connections._locked(stored))
    refusal = confirming.save_refusal(stored)
    if refusal is not None:
        return Failure(refusal)
    async with db.cursor() as cursor:
        await cursor.executemany(
            "INSERT INTO acknowledgements (connection, prerequisite, acknowledged_at)"
            " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [(id, p.value, codec.to_column(at)) for p in prerequisites],
        )
    return Success(None)


async def acknowledgements(
    db: Db, id: ConnectionId
) -> Result[tuple[Acknowledgement, ...], SyncError]:
    if await load(db, id) is None:
        return Failure(connections.missing(id))
    found = await rows(
        db,
        "SELECT prerequisite, acknowledged_at::text AS acknowledged_at FROM acknowledgements"
        " WHERE connection = %s",
        (id,),
    )
    return Success(connections.acknowledged(found))


# --- onboarding (O1-O5) ---------------------------------------------------------------------------


async def save_onboarding(
    db: Db, id: ConnectionId, onboarding: Onboarding
) -> Result[None, SyncError]:
    stored = await load(db, id, locked=True)
    error = connections.missing(id) if stored is None else confirming.save_refusal(stored)
    if error is not None:
        return Failure(error)
    await _store_onboarding(db, id, onboarding)
    return Success(None)


async def _store_onboarding(db: Db, id: ConnectionId, onboarding: Onboarding) -> None:
    await db.execute(
        "INSERT INTO onboarding (connection, body) VALUES (%s, %s)"
        " ON CONFLICT (connection) DO UPDATE SET body = excluded.body",
        (id, codec.encode_onboarding(onboarding)),
    )


async def onboarding(db: Db, id: ConnectionId) -> Result[Onboarding | None, SyncError]:
    row = await one(db, "SELECT body::text AS body FROM onboarding WHERE connection = %s", (id,))
    return Success(None if row is None else codec.decode_onboarding(row["body"]))


# --- links (E2, D21) ------------------------------------------------------------------------------


async def save_links(db: Db, id: ConnectionId, links: Sequence[Link]) -> Result[None, SyncError]:
    missing = await require(db, id)
    if missing is not None:
        return Failure(missing)
    for link in links:
        found = await rows(
            db,
            "SELECT released_id, status FROM links WHERE connection = %s AND record_type = %s"
            " AND (intacct_key = %s OR released_id = %s)",
            (id, link.record_type.value, link.intacct_key, link.released_id),
        )
        holder = next((r for r in found if r["released_id"] != link.released_id), None)
        if holder is not None:
            return Failure(outbox._held(link, holder["released_id"]))
        before = next((LinkStatus(r["status"]) for r in found), LinkStatus.LINKED)
        if before is not link.status:
            await _restate_results(db, id, link)
        await db.execute(
            f"INSERT INTO links (connection, {_LINK}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
            " ON CONFLICT (connection, record_type, released_id) DO UPDATE SET"
            " intacct_key = excluded.intacct_key, origin = excluded.origin,"
            " status = excluded.status, released_fingerprint = excluded.released_fingerprint,"
            " intacct_fingerprint = excluded.intacct_fingerprint, posted = excluded.posted",
            (id, *outbox._link_row(link)[:-1], link.posted),
        )
    return Success(None)


async def links(
    db: Db,
    id: ConnectionId,
    record_type: RecordType,
    released_ids: Sequence[ReleasedId],
    intacct_keys: Sequence[IntacctKey],
) -> Result[tuple[Link, ...], SyncError]:
    sql = f"SELECT {_LINK} FROM links WHERE connection = %s AND record_type = %s"  # noqa: S608
    args: list[object] = [id, record_type.value]
    if released_ids or intacct_keys:
        sql += " AND (released_id = ANY(%s) OR intacct_key = ANY(%s))"
        args += [list(released_ids), list(intacct_keys)]
    found = await rows(db, sql + ' ORDER BY released_id COLLATE "C"', args)
    return Success(tuple(outbox._link(row) for row in found))


async def links_by_intacct_prefix(
    db: Db, id: ConnectionId, record_type: RecordType, prefix: str
) -> Result[tuple[Link, ...], SyncError]:
    """A range of the (connection, record type, Intacct key) index, compared by code point
    (``intacct_key`` is ``COLLATE "C"``): ``outbox.after_prefix`` bounds it."""
    sql = (
        f"SELECT {_LINK} FROM links WHERE connection = %s AND record_type = %s"  # noqa: S608
        " AND intacct_key >= %s"
    )
    args: list[object] = [id, record_type.value, prefix]
    upper = outbox.after_prefix(prefix)
    if upper is not None:
        sql += " AND intacct_key < %s"
        args.append(upper)
    found = await rows(db, sql + " ORDER BY intacct_key", args)
    return Success(tuple(outbox._link(row) for row in found))


async def _restate_results(db: Db, id: ConnectionId, link: Link) -> None:
    found = await rows(
        db,
        "SELECT id, body::text AS body FROM results WHERE connection = %s AND record_type = %s"
        " AND (released_id = %s OR intacct_key = %s)",
        (id, link.record_type.value, link.released_id, link.intacct_key),
    )
    for row in found:
        result = replace(codec.decode_result(row["body"]), link_status=link.status)
        await db.execute(
            "UPDATE results SET link_status = %s, body = %s WHERE id = %s",
            (link.status.value, codec.encode_result(result), row["id"]),
        )


# --- cursors --------------------------------------------------------------------------------------


async def cursor(db: Db, id: ConnectionId, feed: str) -> Result[Cursor | None, SyncError]:
    row = await one(
        db,
        "SELECT position::text AS position FROM cursors WHERE connection = %s AND feed = %s",
        (id, feed),
    )
    found = None if row is None else Cursor(feed=feed, position=codec.from_column(row["position"]))
    return Success(found)


async def advance_cursor(
    db: Db, id: ConnectionId, wanted: Cursor, run_started: datetime, fence: Fence | None
) -> Result[Cursor, SyncError]:
    refused = await require(db, id) or await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    stored = (await cursor(db, id, wanted.feed)).unwrap()
    position = min(wanted.position, run_started)
    if stored is not None and stored.position >= position:
        return Success(stored)
    await db.execute(
        "INSERT INTO cursors (connection, feed, position) VALUES (%s, %s, %s)"
        " ON CONFLICT (connection, feed) DO UPDATE SET position = excluded.position",
        (id, wanted.feed, codec.to_column(position)),
    )
    return Success(Cursor(feed=wanted.feed, position=position))


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
    wanted = list(keys)
    found = await one(
        db,
        "SELECT count(*) AS n FROM outbox WHERE connection = %s AND state = %s AND run = %s"
        " AND key = ANY(%s)",
        (fence.connection, IntentState.PENDING.value, fence.run, wanted),
    )
    if found is None or found["n"] != len(set(keys)):
        return Failure(outbox._not_held(fence))
    await db.execute(
        "UPDATE outbox SET state = %s, sent_at = %s WHERE connection = %s AND key = ANY(%s)",
        (IntentState.SENT.value, codec.to_column(at), fence.connection, wanted),
    )
    return Success(None)


async def open_intents(db: Db, id: ConnectionId) -> Result[tuple[Intent, ...], SyncError]:
    found = await rows(
        db,
        "SELECT key, state, action::text AS action, run, sent_at::text AS sent_at FROM outbox"
        " WHERE connection = %s AND state = ANY(%s) ORDER BY seq",
        (id, _OPEN_INTENT),
    )
    return Success(tuple(outbox.intent(id, row) for row in found))


async def settle(  # noqa: PLR0917 - the port's settle, with its transaction
    db: Db,
    id: ConnectionId,
    key: IdempotencyKey,
    state: IntentState,
    link: Link | None,
    fence: Fence | None,
) -> Result[None, SyncError]:
    refused = await require(db, id) or await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    cursor_ = await db.execute(
        "UPDATE outbox SET state = %s WHERE connection = %s AND key = %s", (state.value, id, key)
    )
    if cursor_.rowcount != 1:
        return Failure(outbox._no_intent(id, key))
    return await save_links(db, id, [link]) if link is not None else Success(None)


async def confirm_all(
    db: Db, id: ConnectionId, confirmed: Sequence[tuple[IdempotencyKey, Link]], fence: Fence | None
) -> Result[None, SyncError]:
    refused = await require(db, id) or await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    keys = [key for key, _ in confirmed]
    found = await rows(
        db, "SELECT key FROM outbox WHERE connection = %s AND key = ANY(%s)", (id, keys)
    )
    stored = {row["key"] for row in found}
    absent = [key for key in keys if key not in stored]
    if absent:
        return Failure(outbox._no_intent(id, absent[0]))
    await db.execute(
        "UPDATE outbox SET state = %s WHERE connection = %s AND key = ANY(%s)",
        (IntentState.CONFIRMED.value, id, keys),
    )
    return await save_links(db, id, [link for _, link in confirmed])


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
        return Failure(outbox._not_open(id, key))
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
    if found is None:
        return Success(None)
    link_to = found["link_to"]
    return Success(Resolution(link_to=None if link_to is None else IntacctKey(link_to)))


# --- runs (E3, E4) --------------------------------------------------------------------------------


async def start_run(
    db: Db, id: ConnectionId, at: datetime, stale_after: timedelta, holder: str
) -> Result[Run, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    found = await one(db, f"SELECT {_RUN} FROM runs WHERE connection = %s AND {_OPEN_RUN}", (id,))  # noqa: S608
    if found is not None:
        open_run = runs._run(found)
        if not open_run.is_stale(before=at - stale_after):
            return Failure(runs._already_running(open_run))
        await _release(db, open_run, at)
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
        f"INSERT INTO runs ({_RUN_INSERT}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
        runs._row(run_),
    )
    return Success(run_)


async def run(db: Db, id: ConnectionId, run_id: str) -> Result[Run | None, SyncError]:
    found = await one(
        db,
        f"SELECT {_RUN} FROM runs WHERE id = %s AND connection = %s",  # noqa: S608
        (run_id, id),
    )
    return Success(None if found is None else runs._run(found))


async def save_progress(db: Db, given: Run, at: datetime) -> Result[Run, SyncError]:
    await lock(db, given.connection)
    stored = (await run(db, given.connection, given.id)).unwrap()
    if stored is None:
        return Failure(runs._no_run(given))
    if given.status.finished:
        return Failure(runs._given_finished(given))
    refused = await fenced(db, given.fence)
    if refused is not None:
        return Failure(refused)
    saved = runs.beat(stored, given, at)
    await _update_run(db, saved)
    return Success(saved)


async def finish_run(db: Db, given: Run) -> Result[Run, SyncError]:
    await lock(db, given.connection)
    if (await run(db, given.connection, given.id)).unwrap() is None:
        return Failure(runs._no_run(given))
    refused = await fenced(db, given.fence)
    if refused is not None:
        return Failure(refused)
    await _update_run(db, given)
    return Success(given)


async def release(db: Db, fence: Fence, at: datetime) -> Result[Run, SyncError]:
    refused = await fenced(db, fence)
    if refused is not None:
        return Failure(refused)
    found = (await run(db, fence.connection, fence.run)).unwrap()
    if found is None:
        return Failure(lost(fence))
    return Success(await _release(db, found, at))


async def latest_runs(db: Db, id: ConnectionId, limit: int) -> Result[tuple[Run, ...], SyncError]:
    found = await rows(
        db,
        f"SELECT {_RUN} FROM runs WHERE connection = %s ORDER BY started_at DESC, seq DESC"  # noqa: S608
        " LIMIT %s",
        (id, limit),
    )
    return Success(tuple(runs._run(row) for row in found))


async def release_stale(
    db: Db, before: datetime, at: datetime, alive: Collection[ConnectionId]
) -> Result[tuple[Run, ...], SyncError]:
    stale = f"{_OPEN_RUN} AND coalesce(heartbeat_at, started_at) < %s AND connection <> ALL(%s)"
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
    return Success(tuple([await _release(db, runs._run(row), at) for row in found]))


async def _release(db: Db, open_run: Run, at: datetime) -> Run:
    released, note = release_run(open_run, at=at)
    await _update_run(db, released)
    await add_notification(db, open_run.connection, note, at)
    return released


async def _update_run(db: Db, given: Run) -> None:
    await db.execute(
        "UPDATE runs SET started_at = %s, status = %s, finished_at = %s, counts = %s, errors = %s,"
        " progress = %s, heartbeat_at = %s, epoch = %s, holder = %s, released_at = %s"
        " WHERE id = %s AND connection = %s",
        (*runs._row(given)[2:], given.id, given.connection),
    )


# --- sync results (E1) and notifications (E3) -----------------------------------------------------


async def record_results(
    db: Db, id: ConnectionId, errors: Sequence[SyncError], at: datetime
) -> Result[tuple[SyncResult, ...], SyncError]:
    missing = await require(db, id)
    if missing is not None:
        return Failure(missing)
    recorded: dict[ResultIdentity, SyncResult] = {}
    for error in errors:
        row = await _result_row(db, id, identity_of(error))
        existing = None if row is None else codec.decode_result(row["body"])
        status = await _link_status(db, id, error)
        result = record_result(existing, error, at=at, link_status=status)
        await _store_result(db, id, None if row is None else row["id"], result)
        recorded[result.identity] = result
    return Success(tuple(recorded.values()))


async def results(
    db: Db, id: ConnectionId, where: ResultFilter
) -> Result[tuple[SyncResult, ...], SyncError]:
    sql = "SELECT body::text AS body FROM results WHERE connection = %s"
    args: list[object] = [id]
    for column, wanted in (
        ("record_type", where.record_type),
        ("direction", where.direction),
        ("link_status", where.link_status),
    ):
        if wanted is not None:
            sql += f" AND {column} = %s"
            args.append(wanted.value)
    if where.since is not None:
        sql += " AND last_seen >= %s"
        args.append(codec.to_column(where.since))
    sql += " ORDER BY last_seen DESC, id DESC LIMIT %s OFFSET %s"
    found = await rows(db, sql, [*args, where.limit, where.offset])
    return Success(tuple(codec.decode_result(row["body"]) for row in found))


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
) -> Result[tuple[StoredNotification, ...], SyncError]:
    found = await rows(
        db,
        "SELECT id, body::text AS body, created_at::text AS created_at, read FROM notifications"  # noqa: S608
        " WHERE connection = %s" + (" AND NOT read" if unread_only else "") + " ORDER BY id DESC",
        (id,),
    )
    return Success(
        tuple(
            StoredNotification(
                id=int(row["id"]),
                notification=codec.decode_notification(row["body"]),
                created_at=codec.from_column(row["created_at"]),
                read=bool(row["read"]),
            )
            for row in found
        )
    )


async def mark_read(db: Db, id: ConnectionId, number: int) -> Result[None, SyncError]:
    error = await require(db, id)
    if error is not None:
        return Failure(error)
    cursor_ = await db.execute(
        "UPDATE notifications SET read = true WHERE id = %s AND connection = %s", (number, id)
    )
    if cursor_.rowcount != 1:
        return Failure(history._no_notification(id, number))
    return Success(None)


async def _result_row(db: Db, id: ConnectionId, identity: ResultIdentity) -> DictRow | None:
    record_type, released_id, intacct_key, direction, rule, kind = identity
    return await one(
        db,
        "SELECT id, body::text AS body FROM results WHERE connection = %s AND record_type = %s"
        " AND released_id IS NOT DISTINCT FROM %s::text"
        " AND intacct_key IS NOT DISTINCT FROM %s::text AND direction = %s"
        " AND rule IS NOT DISTINCT FROM %s::text AND kind = %s",
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


async def _link_status(db: Db, id: ConnectionId, error: SyncError) -> LinkStatus:
    record = error.record
    if record is None:
        return LinkStatus.LINKED
    row = await one(
        db,
        "SELECT status FROM links WHERE connection = %s AND record_type = %s"
        " AND (released_id = %s OR intacct_key = %s)"
        " ORDER BY released_id IS NOT DISTINCT FROM %s DESC LIMIT 1",
        (id, record.record_type.value, record.released_id, record.intacct_key, record.released_id),
    )
    return LinkStatus.LINKED if row is None else LinkStatus(row["status"])


async def _store_result(db: Db, id: ConnectionId, row_id: object, result: SyncResult) -> None:
    body = codec.encode_result(result)
    if row_id is not None:
        await db.execute(
            "UPDATE results SET link_status = %s, last_seen = %s, body = %s WHERE id = %s",
            (result.link_status.value, codec.to_column(result.last_seen), body, row_id),
        )
        return
    await db.execute(
        f"INSERT INTO results ({history.RESULT_COLUMNS})"  # noqa: S608 - constant names
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        history.result_row(id, result),
    )
