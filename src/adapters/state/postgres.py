"""``PostgresStateStore``: the ``StateStore`` port on PostgreSQL (psycopg 3, async, pooled), for
many workers on many machines (issue 17); SQLite stays the embedded default.

``open`` connects a pool (``pgdatabase``) to a database migrated by ``migrate_database``
(``pgschema``, the sync driver under an advisory lock). Every method is one transaction, a write
locking the row of the company it changes (``pgconnections``, ``pgoutbox``, ``pgruns``,
``pghistory``, ``pgleases``); the rules and refusals (``checks``, ``domain``), the row converters
(``rows``), the JSON codec and the credentials' encryption (``crypto.Vault``, same key) are the
SQLite store's.

Nothing here logs, and no ``repr`` shows a key, a credential or the DSN (which may hold a
password).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict
from returns.future import FutureResult
from returns.result import Result, Success

from released_intacct.adapters.state import (
    pgconnections,
    pghistory,
    pgleases,
    pgoutbox,
    pgruns,
    pgschema,
    refresh,
)
from released_intacct.adapters.state.crypto import Vault
from released_intacct.adapters.state.pgdatabase import Db, PgDatabase
from released_intacct.adapters.state.pgslots import PgSlots
from released_intacct.domain.enums import Prerequisite, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.links import Link
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import Credentials, Notification
from released_intacct.domain.results import SyncResult
from released_intacct.domain.rules import confirming
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import (
    DEFAULT_STALE_AFTER,
    Acknowledgement,
    Connection,
    Cursor,
    Fence,
    Intent,
    IntentState,
    Lease,
    Resolution,
    ResultFilter,
    Run,
    Settlement,
    StoredNotification,
)
from released_intacct.domain.tokens import Spend

T = TypeVar("T")
_EVERY = ResultFilter()


def migrate_database(dsn: str) -> int:
    """Apply the PostgreSQL migrations not yet applied (``pgschema.migrate``); the version."""
    with psycopg.connect(dsn, autocommit=True) as db:
        return pgschema.migrate(db)


def describe(dsn: str) -> str:
    """The database ``dsn`` names, for a message: its name and host, never a password."""
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "PostgreSQL database (connection string unreadable)"
    name, host = parts.get("dbname") or "?", parts.get("host") or "localhost"
    return f"PostgreSQL database {name} on {host}"


class PostgresStateStore:
    """The engine's memory in PostgreSQL; build it with ``await PostgresStateStore.open()``."""

    __slots__ = ("_db", "_listener", "_vault")

    def __init__(self, db: PgDatabase, vault: Vault) -> None:
        self._db = db
        self._vault = vault
        self._listener = pgleases.DueListener(db)

    @classmethod
    async def open(
        cls,
        dsn: str,
        *,
        key: Secret,
        previous_keys: Sequence[Secret] = (),
        pool_size: int = 4,
        migrate: bool = False,
    ) -> PostgresStateStore:
        """A pool of up to ``pool_size`` sessions on the database at ``dsn``, migrated first
        when ``migrate`` (else it must be already: ``migrate_database``).

        Raises ``ValueError`` when a key is not a Fernet key, and ``psycopg.OperationalError``
        when the server cannot be reached: both mean the settings are wrong, before any run.
        """
        vault = Vault(key, previous_keys)
        if migrate:
            await asyncio.to_thread(migrate_database, dsn)
        return cls(await PgDatabase.open(dsn, max_size=pool_size), vault)

    async def close(self) -> None:
        await self._listener.close()
        await self._db.close()

    def __repr__(self) -> str:
        return "PostgresStateStore()"

    def request_slots(self, *, limit: int, expiry: timedelta, wait: float) -> PgSlots:
        """The governor's request slots shared by every process on this database (``pgslots``),
        through this store's pool: they need no closing of their own."""
        return PgSlots(self._db, limit=limit, expiry=expiry, wait=wait)

    def rotate(self) -> FutureResult[int, SyncError]:
        """Re-encrypt every credential still under a previous key with the current one, in one
        transaction; how many were. A credential no key opens: FATAL, nothing changed."""
        return self._write(lambda db: pgconnections.rotate(db, self._vault))

    # connections and credentials (C1, C2)
    def add_connection(
        self,
        connection: Connection,
        credentials: Credentials,
        *,
        refresh_token: Secret | None = None,
    ) -> FutureResult[Connection, SyncError]:
        return self._write(
            lambda db: pgconnections.add(db, self._vault, connection, credentials, refresh_token)
        )

    def save_connection(self, connection: Connection) -> FutureResult[Connection, SyncError]:
        return self._write(lambda db: pgconnections.save(db, connection))

    def connection(self, id: ConnectionId) -> FutureResult[Connection | None, SyncError]:
        return self._read(lambda db: pgconnections.load(db, id))

    def connections(self) -> FutureResult[tuple[Connection, ...], SyncError]:
        return self._read(pgconnections.load_all)

    def credentials(self, id: ConnectionId) -> FutureResult[Credentials, SyncError]:
        # A write transaction: a credential under a previous key is re-encrypted as it is read.
        return self._write(lambda db: pgconnections.credentials(db, self._vault, id))

    def save_refresh_token(self, id: ConnectionId, token: Secret) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pgconnections.save_refresh_token(db, self._vault, id, token))

    def spend_refresh_token(self, id: ConnectionId, spend: Spend[T]) -> FutureResult[T, SyncError]:
        once = refresh.once(spend)  # the transaction may run again: the token is sent once
        return self._write(lambda db: pgconnections.spend_refresh_token(db, self._vault, id, once))

    def remove_connection(self, id: ConnectionId) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pgconnections.remove(db, id))

    # one confirm at a time (O5, C1)
    def claim_confirm(
        self,
        id: ConnectionId,
        *,
        token: str,
        at: datetime,
        lease: timedelta = DEFAULT_STALE_AFTER,
        holder: str = "",
        over: str | None = None,
    ) -> FutureResult[Connection, SyncError]:
        claim = partial(confirming.claim, token=token, at=at, lease=lease, holder=holder, over=over)
        return self._write(lambda db: pgconnections.transition(db, id, claim))

    def renew_confirm(
        self,
        id: ConnectionId,
        *,
        token: str,
        at: datetime,
        lease: timedelta = DEFAULT_STALE_AFTER,
    ) -> FutureResult[Connection, SyncError]:
        renew = partial(confirming.renew, token=token, at=at, lease=lease)
        return self._write(lambda db: pgconnections.transition(db, id, renew))

    def finish_confirm(
        self, id: ConnectionId, onboarding: Onboarding, *, token: str, at: datetime
    ) -> FutureResult[Connection, SyncError]:
        return self._write(lambda db: pgconnections.finish_confirm(db, id, onboarding, token, at))

    def release_confirm(
        self, id: ConnectionId, *, token: str
    ) -> FutureResult[Connection, SyncError]:
        def release(stored: Connection) -> Result[Connection, SyncError]:
            return Success(confirming.release(stored, token=token))

        return self._write(lambda db: pgconnections.transition(db, id, release))

    # acknowledgements (C5)
    def acknowledge(
        self, id: ConnectionId, prerequisites: Sequence[Prerequisite], *, at: datetime
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pgconnections.acknowledge(db, id, prerequisites, at))

    def acknowledgements(
        self, id: ConnectionId
    ) -> FutureResult[tuple[Acknowledgement, ...], SyncError]:
        return FutureResult(self._db.read(lambda db: pgconnections.acknowledgements(db, id)))

    # onboarding (O1-O5)
    def save_onboarding(
        self, id: ConnectionId, onboarding: Onboarding
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pgconnections.save_onboarding(db, id, onboarding))

    def onboarding(self, id: ConnectionId) -> FutureResult[Onboarding | None, SyncError]:
        return self._read(lambda db: pgconnections.onboarding(db, id))

    # links (E2, D21)
    def save_links(self, id: ConnectionId, links: Sequence[Link]) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pgoutbox.save_links(db, id, links))

    def links(
        self,
        id: ConnectionId,
        record_type: RecordType,
        *,
        released_ids: Sequence[ReleasedId] = (),
        intacct_keys: Sequence[IntacctKey] = (),
    ) -> FutureResult[tuple[Link, ...], SyncError]:
        return self._read(
            lambda db: pgoutbox.links(db, id, record_type, released_ids, intacct_keys)
        )

    def links_by_intacct_prefix(
        self, id: ConnectionId, record_type: RecordType, prefix: str
    ) -> FutureResult[tuple[Link, ...], SyncError]:
        return self._read(lambda db: pgoutbox.links_by_intacct_prefix(db, id, record_type, prefix))

    # cursors
    def cursor(self, id: ConnectionId, feed: str) -> FutureResult[Cursor | None, SyncError]:
        return self._read(lambda db: pghistory.cursor(db, id, feed))

    def advance_cursor(
        self, id: ConnectionId, cursor: Cursor, *, run_started: datetime, fence: Fence | None = None
    ) -> FutureResult[Cursor, SyncError]:
        return self._write(lambda db: pghistory.advance_cursor(db, id, cursor, run_started, fence))

    # the outbox
    def record_intents(
        self, intents: Sequence[Intent], *, fence: Fence | None = None
    ) -> FutureResult[frozenset[IdempotencyKey], SyncError]:
        return self._write(lambda db: pgoutbox.record_intents(db, intents, fence))

    def hold(
        self, fence: Fence, keys: Sequence[IdempotencyKey] = (), *, at: datetime
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pgoutbox.hold(db, fence, keys, at))

    def open_intents(self, id: ConnectionId) -> FutureResult[tuple[Intent, ...], SyncError]:
        return self._read(lambda db: pgoutbox.open_intents(db, id))

    def settle(
        self,
        id: ConnectionId,
        key: IdempotencyKey,
        *,
        state: IntentState,
        link: Link | None = None,
        fence: Fence | None = None,
    ) -> FutureResult[None, SyncError]:
        return self._write(
            lambda db: pgoutbox.settle(db, id, key, state=state, link=link, fence=fence)
        )

    def settle_many(
        self, id: ConnectionId, settlements: Sequence[Settlement], *, fence: Fence | None = None
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pgoutbox.settle_many(db, id, settlements, fence))

    def resolve_intent(
        self, id: ConnectionId, key: IdempotencyKey, resolution: Resolution
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pgoutbox.resolve_intent(db, id, key, resolution))

    def take_resolution(
        self, id: ConnectionId, key: IdempotencyKey, *, fence: Fence | None = None
    ) -> FutureResult[Resolution | None, SyncError]:
        return self._write(lambda db: pgoutbox.take_resolution(db, id, key, fence))

    # runs (E3, E4)
    def start_run(
        self,
        id: ConnectionId,
        *,
        at: datetime,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        holder: str = "",
    ) -> FutureResult[Run, SyncError]:
        return self._write(lambda db: pgruns.start_run(db, id, at, stale_after, holder))

    def run(self, id: ConnectionId, run_id: str) -> FutureResult[Run | None, SyncError]:
        return self._read(lambda db: pgruns.run(db, id, run_id))

    def save_progress(self, run: Run, *, at: datetime) -> FutureResult[Run, SyncError]:
        return self._write(lambda db: pgruns.save_progress(db, run, at))

    def finish_run(self, run: Run) -> FutureResult[Run, SyncError]:
        return self._write(lambda db: pgruns.finish_run(db, run))

    def release(self, fence: Fence, *, at: datetime) -> FutureResult[Run, SyncError]:
        return self._write(lambda db: pgruns.release(db, fence, at))

    def release_stale_runs(
        self, *, before: datetime, at: datetime, alive: Collection[ConnectionId] = ()
    ) -> FutureResult[tuple[Run, ...], SyncError]:
        return self._write(lambda db: pgruns.release_stale(db, before, at, alive))

    def runs(
        self, id: ConnectionId, *, limit: int = 20
    ) -> FutureResult[tuple[Run, ...], SyncError]:
        return self._read(lambda db: pgruns.runs(db, id, limit))

    # leases (issue 17)
    def claim_due(
        self, worker: str, free: int, *, at: datetime, ttl: timedelta
    ) -> FutureResult[tuple[Lease, ...], SyncError]:
        return self._write(lambda db: pgleases.claim_due(db, worker, free, at, ttl))

    def renew_leases(
        self, worker: str, *, at: datetime, ttl: timedelta
    ) -> FutureResult[int, SyncError]:
        return self._write(lambda db: pgleases.renew_leases(db, worker, at, ttl))

    def request_run(self, id: ConnectionId, *, at: datetime) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pgleases.request_run(db, id, at))

    def wait_requested(self, within: timedelta) -> FutureResult[bool, SyncError]:
        """Every process's requests: ``LISTEN`` on a session of its own (``pgleases``)."""
        return FutureResult(self._listener.wait(within))

    def release_lease(
        self,
        worker: str,
        id: ConnectionId,
        *,
        next_run_at: datetime,
        ran_from: datetime | None = None,
    ) -> FutureResult[bool, SyncError]:
        return self._write(lambda db: pgleases.release_lease(db, worker, id, next_run_at, ran_from))

    # sync results (E1) and notifications (E3)
    def record_results(
        self, id: ConnectionId, errors: Sequence[SyncError], *, at: datetime
    ) -> FutureResult[tuple[SyncResult, ...], SyncError]:
        return self._write(lambda db: pghistory.record_results(db, id, errors, at))

    def results(
        self, id: ConnectionId, where: ResultFilter = _EVERY
    ) -> FutureResult[tuple[SyncResult, ...], SyncError]:
        return self._read(lambda db: pghistory.results(db, id, where))

    def notify(
        self, id: ConnectionId, notification: Notification, *, at: datetime
    ) -> FutureResult[StoredNotification, SyncError]:
        return self._write(lambda db: pghistory.notify(db, id, notification, at))

    def notifications(
        self, id: ConnectionId, *, unread_only: bool = False
    ) -> FutureResult[tuple[StoredNotification, ...], SyncError]:
        return self._read(lambda db: pghistory.notifications(db, id, unread_only))

    def mark_read(self, id: ConnectionId, notification_id: int) -> FutureResult[None, SyncError]:
        return self._write(lambda db: pghistory.mark_read(db, id, notification_id))

    # plumbing
    def _write(
        self, work: Callable[[Db], Awaitable[Result[T, SyncError]]]
    ) -> FutureResult[T, SyncError]:
        return FutureResult(self._db.write(work))

    def _read(self, query: Callable[[Db], Awaitable[T]]) -> FutureResult[T, SyncError]:
        async def work(db: Db) -> Result[T, SyncError]:
            return Success(await query(db))

        return FutureResult(self._db.read(work))
