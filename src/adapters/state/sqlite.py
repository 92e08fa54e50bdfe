"""``SqliteStateStore``: the ``StateStore`` port on one SQLite file (aiosqlite), the default.

``open`` creates a new database file owner-only (0600: SQLite gives its ``-wal`` and ``-shm``
files the database file's mode, whenever it creates them), applies the schema migrations
(``schema``), sets WAL and ``synchronous=FULL`` and checks the encryption key's form; every
method is one transaction (``database``), so a multi-row change is all or nothing even when the
process is killed half way. Credentials are encrypted with the caller's Fernet key (``crypto``);
``previous_keys`` allow rotating it (re-encrypted on read, or all at once with ``rotate``).
Values kept as JSON go through ``codec``.

Nothing here logs, and no ``repr`` shows a key or a credential.
"""

from __future__ import annotations

import os
import pathlib
import sqlite3
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

import aiosqlite
from returns.future import FutureResult
from returns.result import Result, Success

from released_intacct.adapters.state import (
    connections,
    history,
    leases,
    outbox,
    refresh,
    runs,
    schema,
)
from released_intacct.adapters.state.crypto import Vault
from released_intacct.adapters.state.database import Database
from released_intacct.adapters.state.doorbell import Doorbell
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


class SqliteStateStore:
    """The engine's memory in one SQLite file; build it with ``await SqliteStateStore.open()``."""

    __slots__ = ("_db", "_doorbell", "_vault")

    def __init__(self, db: Database, vault: Vault) -> None:
        self._db = db
        self._vault = vault
        self._doorbell = Doorbell()

    @classmethod
    async def open(
        cls, path: pathlib.Path, *, key: Secret, previous_keys: Sequence[Secret] = ()
    ) -> SqliteStateStore:
        """Open (creating if need be) and migrate the database at ``path``.

        Raises ``ValueError`` when a key is not a Fernet key, and ``sqlite3.Error`` when the file
        cannot be opened or migrated: both mean the settings are wrong, before any run starts.
        """
        vault = Vault(key, previous_keys)
        _create_private(path)
        db = await aiosqlite.connect(path, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            await schema.configure(db)
            await schema.migrate(db)
        except BaseException:
            await db.close()
            raise
        return cls(Database(db, str(path)), vault)

    async def close(self) -> None:
        await self._db.close()

    def __repr__(self) -> str:
        return f"SqliteStateStore(path={self._db.path!r})"

    def rotate(self) -> FutureResult[int, SyncError]:
        """Re-encrypt every credential still under a previous key with the current one, in one
        transaction; how many were. A credential no key opens: FATAL, nothing changed."""
        return self._write(lambda db: connections.rotate(db, self._vault))

    # connections and credentials (C1, C2)
    def add_connection(
        self,
        connection: Connection,
        credentials: Credentials,
        *,
        refresh_token: Secret | None = None,
    ) -> FutureResult[Connection, SyncError]:
        return self._write(
            lambda db: connections.add(db, self._vault, connection, credentials, refresh_token)
        )

    def save_connection(self, connection: Connection) -> FutureResult[Connection, SyncError]:
        return self._write(lambda db: connections.save(db, connection))

    def connection(self, id: ConnectionId) -> FutureResult[Connection | None, SyncError]:
        return self._read(lambda db: connections.load(db, id))

    def connections(self) -> FutureResult[tuple[Connection, ...], SyncError]:
        return self._read(connections.load_all)

    def credentials(self, id: ConnectionId) -> FutureResult[Credentials, SyncError]:
        # A write transaction: a credential under a previous key is re-encrypted as it is read.
        return self._write(lambda db: connections.credentials(db, self._vault, id))

    def save_refresh_token(self, id: ConnectionId, token: Secret) -> FutureResult[None, SyncError]:
        return self._write(lambda db: refresh.save(db, self._vault, id, token))

    def spend_refresh_token(self, id: ConnectionId, spend: Spend[T]) -> FutureResult[T, SyncError]:
        return self._write(lambda db: refresh.spend(db, self._vault, id, spend))

    def remove_connection(self, id: ConnectionId) -> FutureResult[None, SyncError]:
        return self._write(lambda db: connections.remove(db, id))

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
        return self._write(lambda db: connections.transition(db, id, claim))

    def renew_confirm(
        self,
        id: ConnectionId,
        *,
        token: str,
        at: datetime,
        lease: timedelta = DEFAULT_STALE_AFTER,
    ) -> FutureResult[Connection, SyncError]:
        renew = partial(confirming.renew, token=token, at=at, lease=lease)
        return self._write(lambda db: connections.transition(db, id, renew))

    def finish_confirm(
        self, id: ConnectionId, onboarding: Onboarding, *, token: str, at: datetime
    ) -> FutureResult[Connection, SyncError]:
        return self._write(lambda db: connections.finish_confirm(db, id, onboarding, token, at))

    def release_confirm(
        self, id: ConnectionId, *, token: str
    ) -> FutureResult[Connection, SyncError]:
        def release(stored: Connection) -> Result[Connection, SyncError]:
            return Success(confirming.release(stored, token=token))

        return self._write(lambda db: connections.transition(db, id, release))

    # acknowledgements (C5)
    def acknowledge(
        self, id: ConnectionId, prerequisites: Sequence[Prerequisite], *, at: datetime
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: connections.acknowledge(db, id, prerequisites, at))

    def acknowledgements(
        self, id: ConnectionId
    ) -> FutureResult[tuple[Acknowledgement, ...], SyncError]:
        return FutureResult(self._db.read(lambda db: connections.acknowledgements(db, id)))

    # onboarding (O1-O5)
    def save_onboarding(
        self, id: ConnectionId, onboarding: Onboarding
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: connections.save_onboarding(db, id, onboarding))

    def onboarding(self, id: ConnectionId) -> FutureResult[Onboarding | None, SyncError]:
        return self._read(lambda db: connections.onboarding(db, id))

    # links (E2, D21)
    def save_links(self, id: ConnectionId, links: Sequence[Link]) -> FutureResult[None, SyncError]:
        return self._write(lambda db: outbox.save_links(db, id, links))

    def links(
        self,
        id: ConnectionId,
        record_type: RecordType,
        *,
        released_ids: Sequence[ReleasedId] = (),
        intacct_keys: Sequence[IntacctKey] = (),
    ) -> FutureResult[tuple[Link, ...], SyncError]:
        return self._read(lambda db: outbox.links(db, id, record_type, released_ids, intacct_keys))

    def links_by_intacct_prefix(
        self, id: ConnectionId, record_type: RecordType, prefix: str
    ) -> FutureResult[tuple[Link, ...], SyncError]:
        return self._read(lambda db: outbox.links_by_intacct_prefix(db, id, record_type, prefix))

    # cursors
    def cursor(self, id: ConnectionId, feed: str) -> FutureResult[Cursor | None, SyncError]:
        return self._read(lambda db: history.cursor(db, id, feed))

    def advance_cursor(
        self, id: ConnectionId, cursor: Cursor, *, run_started: datetime, fence: Fence | None = None
    ) -> FutureResult[Cursor, SyncError]:
        return self._write(lambda db: history.advance_cursor(db, id, cursor, run_started, fence))

    # the outbox
    def record_intents(
        self, intents: Sequence[Intent], *, fence: Fence | None = None
    ) -> FutureResult[frozenset[IdempotencyKey], SyncError]:
        return self._write(lambda db: outbox.record_intents(db, intents, fence))

    def hold(
        self, fence: Fence, keys: Sequence[IdempotencyKey] = (), *, at: datetime
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: outbox.hold(db, fence, keys, at))

    def open_intents(self, id: ConnectionId) -> FutureResult[tuple[Intent, ...], SyncError]:
        return self._read(lambda db: outbox.open_intents(db, id))

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
            lambda db: outbox.settle(db, id, key, state=state, link=link, fence=fence)
        )

    def settle_many(
        self, id: ConnectionId, settlements: Sequence[Settlement], *, fence: Fence | None = None
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: outbox.settle_many(db, id, settlements, fence))

    def resolve_intent(
        self, id: ConnectionId, key: IdempotencyKey, resolution: Resolution
    ) -> FutureResult[None, SyncError]:
        return self._write(lambda db: outbox.resolve_intent(db, id, key, resolution))

    def take_resolution(
        self, id: ConnectionId, key: IdempotencyKey, *, fence: Fence | None = None
    ) -> FutureResult[Resolution | None, SyncError]:
        return self._write(lambda db: outbox.take_resolution(db, id, key, fence))

    # runs (E3, E4)
    def start_run(
        self,
        id: ConnectionId,
        *,
        at: datetime,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        holder: str = "",
    ) -> FutureResult[Run, SyncError]:
        return self._write(lambda db: runs.start_run(db, id, at, stale_after, holder))

    def run(self, id: ConnectionId, run_id: str) -> FutureResult[Run | None, SyncError]:
        return self._read(lambda db: runs.run(db, id, run_id))

    def save_progress(self, run: Run, *, at: datetime) -> FutureResult[Run, SyncError]:
        return self._write(lambda db: runs.save_progress(db, run, at))

    def finish_run(self, run: Run) -> FutureResult[Run, SyncError]:
        return self._write(lambda db: runs.finish_run(db, run))

    def release(self, fence: Fence, *, at: datetime) -> FutureResult[Run, SyncError]:
        return self._write(lambda db: runs.release(db, fence, at))

    def release_stale_runs(
        self, *, before: datetime, at: datetime, alive: Collection[ConnectionId] = ()
    ) -> FutureResult[tuple[Run, ...], SyncError]:
        return self._write(lambda db: runs.release_stale(db, before, at, alive))

    def runs(
        self, id: ConnectionId, *, limit: int = 20
    ) -> FutureResult[tuple[Run, ...], SyncError]:
        return self._read(lambda db: runs.runs(db, id, limit))

    # leases (issue 17)
    def claim_due(
        self, worker: str, free: int, *, at: datetime, ttl: timedelta
    ) -> FutureResult[tuple[Lease, ...], SyncError]:
        return self._write(lambda db: leases.claim_due(db, worker, free, at, ttl))

    def renew_leases(
        self, worker: str, *, at: datetime, ttl: timedelta
    ) -> FutureResult[int, SyncError]:
        return self._write(lambda db: leases.renew_leases(db, worker, at, ttl))

    def request_run(self, id: ConnectionId, *, at: datetime) -> FutureResult[None, SyncError]:
        return self._write(lambda db: leases.request_run(db, id, at)).map(self._doorbell.rang)

    def wait_requested(self, within: timedelta) -> FutureResult[bool, SyncError]:
        """One process: the requests made through this store object."""
        return self._doorbell.heard(within)

    def release_lease(
        self,
        worker: str,
        id: ConnectionId,
        *,
        next_run_at: datetime,
        ran_from: datetime | None = None,
    ) -> FutureResult[bool, SyncError]:
        return self._write(lambda db: leases.release_lease(db, worker, id, next_run_at, ran_from))

    # sync results (E1) and notifications (E3)
    def record_results(
        self, id: ConnectionId, errors: Sequence[SyncError], *, at: datetime
    ) -> FutureResult[tuple[SyncResult, ...], SyncError]:
        return self._write(lambda db: history.record_results(db, id, errors, at))

    def results(
        self, id: ConnectionId, where: ResultFilter = _EVERY
    ) -> FutureResult[tuple[SyncResult, ...], SyncError]:
        return self._read(lambda db: history.results(db, id, where))

    def notify(
        self, id: ConnectionId, notification: Notification, *, at: datetime
    ) -> FutureResult[StoredNotification, SyncError]:
        return self._write(lambda db: history.notify(db, id, notification, at))

    def notifications(
        self, id: ConnectionId, *, unread_only: bool = False
    ) -> FutureResult[tuple[StoredNotification, ...], SyncError]:
        return self._read(lambda db: history.notifications(db, id, unread_only))

    def mark_read(self, id: ConnectionId, notification_id: int) -> FutureResult[None, SyncError]:
        return self._write(lambda db: history.mark_read(db, id, notification_id))

    # plumbing
    def _write(
        self, work: Callable[[aiosqlite.Connection], Awaitable[Result[T, SyncError]]]
    ) -> FutureResult[T, SyncError]:
        return FutureResult(self._db.write(work))

    def _read(
        self, query: Callable[[aiosqlite.Connection], Awaitable[T]]
    ) -> FutureResult[T, SyncError]:
        async def work(db: aiosqlite.Connection) -> Result[T, SyncError]:
            return Success(await query(db))

        return FutureResult(self._db.read(work))


def _create_private(path: pathlib.Path) -> None:
    """Create ``path`` empty with mode 0600 when it does not exist (an empty file is an empty
    SQLite database); an existing file keeps its mode. A file that cannot be created is a
    ``sqlite3.OperationalError`` naming why, raised before SQLite's worker thread is started."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return
    except OSError as error:
        msg = f"unable to create the database file: {error.strerror or error}"
        raise sqlite3.OperationalError(msg) from None
