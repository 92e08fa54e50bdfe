"""An in-memory ``StateStore``: the engine's memory kept in dicts (rules C1, C4, E1, E4).

It does what the port's docstrings say, as the aiosqlite store does (one contract suite,
``tests/contract/test_state_store.py``, runs both). Decided where the port is silent:

- C1 both ways: a second connection of the same Re-Leased company is refused, and so is one of the
  same Intacct company + entity. The entity is chosen after the connection is added, so the
  Intacct side is checked whenever a connection with an entity is added or saved. The refusal
  names the company and connection holding it. A confirmed connection can be neither saved
  (changed) nor removed; removing an unconfirmed one forgets all that is stored for it, removing
  an unknown one does nothing.
- Every other change naming an unknown connection is REJECTED; ``connection`` of one is None.
- Credentials are kept as given (memory needs no encryption); ``repr`` shows counts only.
- Links are keyed by record type + Re-Leased id (saving one replaces it) and unique by record type
  + Intacct key: a link whose key another Re-Leased record holds is refused, all or none. Links
  by Intacct key prefix are those whose key ``startswith`` it, ordered by key.
- Acknowledgements (C5): the first of each prerequisite stays; refused once confirmed.
- One confirm at a time (O5): the confirm transitions are ``domain.rules.confirming``'s, as the
  SQLite store's; while a confirm holds a connection, saving, removing it, its onboarding and its
  acknowledgements are refused.
- Cursors are clamped to the start of the run and never moved back.
- Outbox: intents are stored PENDING in the order recorded; a repeated key keeps its place and
  is reopened (PENDING, the new action and run) unless it is SENT; ``settle`` refuses an unknown
  key and changes nothing when its link is refused. The user's answer about an open intent is
  kept until taken once (``take_resolution``).
- Leases (issue 17): each book keeps its worker, lease end, next run and request
  (``state_book.due``, ``due_order``, ``lease``, ``hand_back``); one process, so a claim is
  trivially one worker's.
- Fencing: each connection has an epoch, raised by ``start_run``; a fenced write is refused
  (``lost``) unless its run is open under the current epoch (``state_book.fence_refusal``).
- Runs are numbered ``run-<n>``; one run per connection is open (not finished) at a time (E4),
  unless the open one is stale: ``start_run`` then releases it (``domain.state.release_run``)
  first. ``save_progress`` keeps the stored start; ``finish_run`` stores the run as given but never
  reopens a finished one. Listed latest started first; released runs oldest start first.
- Results: one row per ``result_identity`` (E1); the link status is the record's link's, LINKED
  when it has none; listed most recently seen first. An error about no record is a programmer
  error (``ValueError``), and then nothing of the batch is stored.
- Notifications are numbered from 1 across connections and listed newest first; ``mark_read``
  refuses a number the connection does not have.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from returns.future import FutureResult
from returns.result import Failure, Result, Success

from released_intacct.adapters.state.doorbell import Doorbell
from released_intacct.domain.enums import Prerequisite, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.links import Link
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import IntacctCredentials, Notification
from released_intacct.domain.results import (
    ResultIdentity,
    SyncResult,
    record_result,
    result_identity,
)
from released_intacct.domain.rules import confirming
from released_intacct.domain.state import (
    DEFAULT_STALE_AFTER,
    Acknowledgement,
    Connection,
    Cursor,
    Fence,
    Intent,
    IntentState,
    Lease,
    Phase,
    Resolution,
    ResultFilter,
    Run,
    StoredNotification,
    claim_refusal,
    lost,
    not_confirmed,
    release_run,
)
from released_intacct.fakes.state_book import (
    Book,
    acknowledge,
    acknowledged,
    due,
    due_order,
    fence_refusal,
    hand_back,
    lease,
    links_by_prefix,
    links_of,
    merged_links,
    resolve_open,
    settle_intents,
    take_answer,
)
from released_intacct.fakes.state_refusals import (
    c1_holder,
    changes_refused,
    confirmed_refusal,
    finish_refusal,
    kept,
    link_status,
    no_notification,
    not_held,
    progress_refusal,
    refused,
    running,
    unknown,
)

T = TypeVar("T")
_EVERY = ResultFilter()


class FakeStateStore:
    """The ``StateStore`` port in memory."""

    def __init__(self) -> None:
        self._books: dict[ConnectionId, Book] = {}
        self._runs = itertools.count(1)
        self._notes = itertools.count(1)
        self._doorbell = Doorbell()

    def __repr__(self) -> str:
        return f"FakeStateStore(connections={len(self._books)})"

    # --- connections and credentials (C1, C2) ----------------------------------------------------

    def add_connection(
        self, connection: Connection, credentials: IntacctCredentials
    ) -> FutureResult[Connection, SyncError]:
        if connection.id in self._books:
            error = refused(f"Connection {connection.id} is already stored.", "Use a new id.")
            return FutureResult.from_failure(error)
        conflict = confirming.outside_claim(connection) or self._holder(connection)
        if conflict is not None:
            return FutureResult.from_failure(conflict)
        self._books[connection.id] = Book(connection=connection, credentials=credentials)
        return FutureResult.from_value(connection)

    def save_connection(self, connection: Connection) -> FutureResult[Connection, SyncError]:
        book = self._books.get(connection.id)
        if book is None:
            return FutureResult.from_failure(unknown(connection.id))
        if book.connection == connection:
            return FutureResult.from_value(connection)  # unchanged: nothing to refuse (as SQLite)
        error = (
            confirmed_refusal(book.connection)
            or confirming.save_refusal(book.connection, connection)
            or c1_holder((b.connection for b in self._books.values()), connection)
        )
        if error is not None:
            return FutureResult.from_failure(error)
        book.connection = connection
        return FutureResult.from_value(connection)

    def connection(self, id: ConnectionId) -> FutureResult[Connection | None, SyncError]:
        book = self._books.get(id)
        return FutureResult.from_value(None if book is None else book.connection)

    def connections(self) -> FutureResult[tuple[Connection, ...], SyncError]:
        return FutureResult.from_value(tuple(book.connection for book in self._books.values()))

    def credentials(self, id: ConnectionId) -> FutureResult[IntacctCredentials, SyncError]:
        return self._with(id, lambda book: Success(book.credentials))

    def remove_connection(self, id: ConnectionId) -> FutureResult[None, SyncError]:
        book = self._books.get(id)
        error = None if book is None else changes_refused(book.connection)
        if error is not None:
            return FutureResult.from_failure(error)
        self._books.pop(id, None)
        return FutureResult.from_value(None)

    # --- one confirm at a time (O5, C1) ----------------------------------------------------------

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
        return self._turn(
            id,
            lambda c: confirming.claim(
                c, token=token, at=at, lease=lease, holder=holder, over=over
            ),
        )

    def renew_confirm(
        self,
        id: ConnectionId,
        *,
        token: str,
        at: datetime,
        lease: timedelta = DEFAULT_STALE_AFTER,
    ) -> FutureResult[Connection, SyncError]:
        return self._turn(id, lambda c: confirming.renew(c, token=token, at=at, lease=lease))

    def finish_confirm(
        self, id: ConnectionId, onboarding: Onboarding, *, token: str, at: datetime
    ) -> FutureResult[Connection, SyncError]:
        def finish(book: Book) -> Result[Connection, SyncError]:
            done = confirming.finish(book.connection, token=token, at=at)
            if isinstance(done, Success):
                book.connection, book.onboarding = done.unwrap(), onboarding
            return done

        return self._with(id, finish)

    def release_confirm(
        self, id: ConnectionId, *, token: str
    ) -> FutureResult[Connection, SyncError]:
        return self._turn(id, lambda c: Success(confirming.release(c, token=token)))

    # --- acknowledgements (C5) ------------------------------------------------------------------

    def acknowledge(
        self, id: ConnectionId, prerequisites: Sequence[Prerequisite], *, at: datetime
    ) -> FutureResult[None, SyncError]:
        return self._with(id, lambda book: acknowledge(book, prerequisites, at))

    def acknowledgements(
        self, id: ConnectionId
    ) -> FutureResult[tuple[Acknowledgement, ...], SyncError]:
        return self._with(id, lambda book: Success(acknowledged(book)))

    # --- onboarding (O1-O5) ----------------------------------------------------------------------

    def save_onboarding(
        self, id: ConnectionId, onboarding: Onboarding
    ) -> FutureResult[None, SyncError]:
        def save(book: Book) -> Result[None, SyncError]:
            error = confirming.save_refusal(book.connection)
            if error is not None:
                return Failure(error)
            book.onboarding = onboarding
            return Success(None)

        return self._with(id, save)

    def onboarding(self, id: ConnectionId) -> FutureResult[Onboarding | None, SyncError]:
        return self._with(id, lambda book: Success(book.onboarding))

    # --- links (E2, D21) -------------------------------------------------------------------------

    def save_links(self, id: ConnectionId, links: Sequence[Link]) -> FutureResult[None, SyncError]:
        return self._with(id, lambda book: merged_links(book, links).map(lambda _: None))

    def links(
        self,
        id: ConnectionId,
        record_type: RecordType,
        *,
        released_ids: Sequence[ReleasedId] = (),
        intacct_keys: Sequence[IntacctKey] = (),
    ) -> FutureResult[tuple[Link, ...], SyncError]:
        chosen = links_of(record_type, released_ids=released_ids, intacct_keys=intacct_keys)
        return self._with(id, lambda book: Success(chosen(book)))

    def links_by_intacct_prefix(
        self, id: ConnectionId, record_type: RecordType, prefix: str
    ) -> FutureResult[tuple[Link, ...], SyncError]:
        return self._with(id, lambda book: Success(links_by_prefix(book, record_type, prefix)))

    # --- cursors ---------------------------------------------------------------------------------

    def cursor(self, id: ConnectionId, feed: str) -> FutureResult[Cursor | None, SyncError]:
        return self._with(id, lambda book: Success(book.cursors.get(feed)))

    def advance_cursor(
        self, id: ConnectionId, cursor: Cursor, *, run_started: datetime, fence: Fence | None = None
    ) -> FutureResult[Cursor, SyncError]:
        def advance(book: Book) -> Result[Cursor, SyncError]:
            refusal = fence_refusal(book, fence)
            if refusal is not None:
                return Failure(refusal)
            position = min(cursor.position, run_started)
            current = book.cursors.get(cursor.feed)
            if current is not None and current.position >= position:
                return Success(current)
            book.cursors[cursor.feed] = Cursor(feed=cursor.feed, position=position)
            return Success(book.cursors[cursor.feed])

        return self._with(id, advance)

    # --- the outbox ------------------------------------------------------------------------------

    def record_intents(
        self, intents: Sequence[Intent], *, fence: Fence | None = None
    ) -> FutureResult[frozenset[IdempotencyKey], SyncError]:
        stranger = next((i.connection for i in intents if i.connection not in self._books), None)
        if stranger is not None:
            return FutureResult.from_failure(unknown(stranger))
        if fence is not None:
            book = self._books.get(fence.connection)
            refusal = lost(fence) if book is None else fence_refusal(book, fence)
            if refusal is None and any(i.connection != fence.connection for i in intents):
                refusal = lost(fence)
            if refusal is not None:
                return FutureResult.from_failure(refusal)
        held: set[IdempotencyKey] = set()
        run = None if fence is None else fence.run
        for intent in intents:
            stored = self._books[intent.connection].intents
            before = stored.get(intent.key)
            if before is not None and before.state is IntentState.SENT:
                continue
            pending = replace(intent, state=IntentState.PENDING, run=run, sent_at=None)
            stored[intent.key] = pending  # a reopened key keeps its place in the dict
            held.add(intent.key)
        return FutureResult.from_value(frozenset(held))

    def hold(
        self, fence: Fence, keys: Sequence[IdempotencyKey] = (), *, at: datetime
    ) -> FutureResult[None, SyncError]:
        def mark(book: Book) -> Result[None, SyncError]:
            refusal = fence_refusal(book, fence)
            if refusal is not None:
                return Failure(refusal)
            mine = [book.intents.get(key) for key in keys]
            if any(
                i is None or i.state is not IntentState.PENDING or i.run != fence.run for i in mine
            ):
                return Failure(not_held(fence))
            for key in keys:
                book.intents[key] = replace(book.intents[key], state=IntentState.SENT, sent_at=at)
            return Success(None)

        return self._with(fence.connection, mark)

    def open_intents(self, id: ConnectionId) -> FutureResult[tuple[Intent, ...], SyncError]:
        still = (IntentState.PENDING, IntentState.SENT)
        return self._with(
            id, lambda book: Success(tuple(i for i in book.intents.values() if i.state in still))
        )

    def settle(
        self,
        id: ConnectionId,
        key: IdempotencyKey,
        *,
        state: IntentState,
        link: Link | None = None,
        fence: Fence | None = None,
    ) -> FutureResult[None, SyncError]:
        return self._with(id, lambda book: settle_intents(book, [(key, link)], state, fence))

    def confirm_all(
        self,
        id: ConnectionId,
        confirmed: Sequence[tuple[IdempotencyKey, Link]],
        *,
        fence: Fence | None = None,
    ) -> FutureResult[None, SyncError]:
        return self._with(
            id, lambda book: settle_intents(book, confirmed, IntentState.CONFIRMED, fence)
        )

    def resolve_intent(
        self, id: ConnectionId, key: IdempotencyKey, resolution: Resolution
    ) -> FutureResult[None, SyncError]:
        return self._with(id, lambda book: resolve_open(book, key, resolution))

    def take_resolution(
        self, id: ConnectionId, key: IdempotencyKey, *, fence: Fence | None = None
    ) -> FutureResult[Resolution | None, SyncError]:
        return self._with(id, lambda book: take_answer(book, key, fence))

    # --- runs (E3, E4) ---------------------------------------------------------------------------

    def start_run(
        self,
        id: ConnectionId,
        *,
        at: datetime,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
        holder: str = "",
    ) -> FutureResult[Run, SyncError]:
        def start(book: Book) -> Result[Run, SyncError]:
            open_run = next((r for r in book.runs.values() if not r.status.finished), None)
            if open_run is not None and not open_run.is_stale(before=at - stale_after):
                return Failure(running(open_run))
            if open_run is not None:
                self._release(book, open_run, at)
            book.epoch += 1
            number = next(self._runs)
            run = Run(
                id=f"run-{number}", connection=id, started_at=at, epoch=book.epoch, holder=holder
            )
            book.runs[run.id] = run
            return Success(run)

        return self._with(id, start)

    def run(self, id: ConnectionId, run_id: str) -> FutureResult[Run | None, SyncError]:
        return self._with(id, lambda book: Success(book.runs.get(run_id)))

    def save_progress(self, run: Run, *, at: datetime) -> FutureResult[Run, SyncError]:
        def save(book: Book) -> Result[Run, SyncError]:
            stored = book.runs.get(run.id)
            error = progress_refusal(stored, run) or fence_refusal(book, run.fence)
            if stored is None or error is not None:
                return Failure(error or unknown(run.connection))
            book.runs[run.id] = replace(
                stored,
                status=run.status,
                counts=run.counts,
                errors=run.errors,
                progress=run.progress,
                heartbeat_at=at,
            )
            return Success(book.runs[run.id])

        return self._with(run.connection, save)

    def finish_run(self, run: Run) -> FutureResult[Run, SyncError]:
        def finish(book: Book) -> Result[Run, SyncError]:
            error = finish_refusal(book.runs.get(run.id), run) or fence_refusal(book, run.fence)
            if error is not None:
                return Failure(error)
            book.runs[run.id] = run
            return Success(run)

        return self._with(run.connection, finish)

    def release(self, fence: Fence, *, at: datetime) -> FutureResult[Run, SyncError]:
        def free(book: Book) -> Result[Run, SyncError]:
            refusal = fence_refusal(book, fence)
            if refusal is not None:
                return Failure(refusal)
            return Success(self._release(book, book.runs[fence.run], at))

        return self._with(fence.connection, free)

    def release_stale_runs(
        self, *, before: datetime, at: datetime, alive: Collection[ConnectionId] = ()
    ) -> FutureResult[tuple[Run, ...], SyncError]:
        every = (run for book in self._books.values() for run in book.runs.values())
        stale = sorted(
            (r for r in every if r.is_stale(before=before) and r.connection not in alive),
            key=lambda run: (run.started_at, run.connection),
        )
        return FutureResult.from_value(
            tuple(self._release(self._books[r.connection], r, at) for r in stale)
        )

    def runs(
        self, id: ConnectionId, *, limit: int = 20
    ) -> FutureResult[tuple[Run, ...], SyncError]:
        def latest(book: Book) -> Result[tuple[Run, ...], SyncError]:
            newest_first = reversed(book.runs.values())
            ordered = sorted(newest_first, key=lambda run: run.started_at, reverse=True)
            return Success(tuple(ordered[:limit]))

        return self._with(id, latest)

    # --- sync results (E1) and notifications (E3) ------------------------------------------------

    # --- leases (issue 17) -----------------------------------------------------------------------

    def claim_due(
        self, worker: str, free: int, *, at: datetime, ttl: timedelta
    ) -> FutureResult[tuple[Lease, ...], SyncError]:
        refusal = claim_refusal(worker, free, ttl)
        if refusal is not None:
            return FutureResult.from_failure(refusal)
        taken = sorted((b for b in self._books.values() if due(b, at)), key=due_order)[:free]
        leases = (lease(book, worker, at + ttl) for book in taken)
        return FutureResult.from_value(tuple(sorted(leases, key=lambda held: held.connection)))

    def renew_leases(
        self, worker: str, *, at: datetime, ttl: timedelta
    ) -> FutureResult[int, SyncError]:
        refusal = claim_refusal(worker, 0, ttl)
        if refusal is not None:
            return FutureResult.from_failure(refusal)
        held = [
            book
            for book in self._books.values()
            if book.leased_by == worker and book.lease_until is not None and book.lease_until >= at
        ]
        for book in held:
            book.lease_until = at + ttl
        return FutureResult.from_value(len(held))

    def request_run(self, id: ConnectionId, *, at: datetime) -> FutureResult[None, SyncError]:
        def request(book: Book) -> Result[None, SyncError]:
            if book.connection.phase is not Phase.CONFIRMED:
                return Failure(not_confirmed(id))
            book.requested_at = book.requested_at or at
            return Success(None)

        return self._with(id, request).map(self._doorbell.rang)

    def wait_requested(self, within: timedelta) -> FutureResult[bool, SyncError]:
        return self._doorbell.heard(within)

    def release_lease(
        self,
        worker: str,
        id: ConnectionId,
        *,
        next_run_at: datetime,
        ran_from: datetime | None = None,
    ) -> FutureResult[bool, SyncError]:
        return self._with(id, lambda book: Success(hand_back(book, worker, next_run_at, ran_from)))

    def record_results(
        self, id: ConnectionId, errors: Sequence[SyncError], *, at: datetime
    ) -> FutureResult[tuple[SyncResult, ...], SyncError]:
        def record(book: Book) -> Result[tuple[SyncResult, ...], SyncError]:
            rows, touched = dict(book.results), dict[ResultIdentity, SyncResult]()
            for error in errors:
                identity, status = result_identity(error), link_status(book.links.values(), error)
                rows[identity] = record_result(rows.get(identity), error, at=at, link_status=status)
                touched[identity] = rows[identity]
            book.results = rows
            return Success(tuple(touched.values()))

        return self._with(id, record)

    def results(
        self, id: ConnectionId, where: ResultFilter = _EVERY
    ) -> FutureResult[tuple[SyncResult, ...], SyncError]:
        def listed(book: Book) -> Result[tuple[SyncResult, ...], SyncError]:
            chosen = [row for row in book.results.values() if kept(row, where)]
            chosen.sort(key=lambda row: row.last_seen, reverse=True)
            return Success(tuple(chosen[where.offset : where.offset + where.limit]))

        return self._with(id, listed)

    def notify(
        self, id: ConnectionId, notification: Notification, *, at: datetime
    ) -> FutureResult[StoredNotification, SyncError]:
        return self._with(id, lambda book: Success(self._note(book, notification, at)))

    def notifications(
        self, id: ConnectionId, *, unread_only: bool = False
    ) -> FutureResult[tuple[StoredNotification, ...], SyncError]:
        def listed(book: Book) -> Result[tuple[StoredNotification, ...], SyncError]:
            newest = reversed(book.notifications)
            return Success(tuple(n for n in newest if not (unread_only and n.read)))

        return self._with(id, listed)

    def mark_read(self, id: ConnectionId, notification_id: int) -> FutureResult[None, SyncError]:
        def mark(book: Book) -> Result[None, SyncError]:
            for n, stored in enumerate(book.notifications):
                if stored.id == notification_id:
                    book.notifications[n] = replace(stored, read=True)
                    return Success(None)
            return Failure(no_notification(id, notification_id))

        return self._with(id, mark)

    # --- helpers ---------------------------------------------------------------------------------

    def _with(
        self, id: ConnectionId, body: Callable[[Book], Result[T, SyncError]]
    ) -> FutureResult[T, SyncError]:
        book = self._books.get(id)
        if book is None:
            return FutureResult.from_failure(unknown(id))
        return FutureResult.from_result(body(book))

    def _turn(
        self, id: ConnectionId, decide: Callable[[Connection], Result[Connection, SyncError]]
    ) -> FutureResult[Connection, SyncError]:
        """A confirm's transition of the connection, stored when allowed."""

        def turn(book: Book) -> Result[Connection, SyncError]:
            decided = decide(book.connection)
            if isinstance(decided, Success):
                book.connection = decided.unwrap()
            return decided

        return self._with(id, turn)

    def _holder(self, candidate: Connection) -> SyncError | None:
        return c1_holder((book.connection for book in self._books.values()), candidate)

    def _note(self, book: Book, notification: Notification, at: datetime) -> StoredNotification:
        stored = StoredNotification(id=next(self._notes), notification=notification, created_at=at)
        book.notifications.append(stored)
        return stored

    def _release(self, book: Book, run: Run, at: datetime) -> Run:
        """Rule E4: ``run``, left open by a dead process, finished red with its notification."""
        released, note = release_run(run, at=at)
        book.runs[run.id] = released
        self._note(book, note, at)
        return released
