"""The runs, leases, sync results and notifications of the in-memory ``StateStore``
(``fakes.state_store``, whose docstring says what is decided), with the books every part keeps.
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
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.ports import Notification
from released_intacct.domain.results import (
    ResultIdentity,
    SyncResult,
    record_result,
    result_identity,
)
from released_intacct.domain.state import (
    DEFAULT_STALE_AFTER,
    Fence,
    Lease,
    Phase,
    ResultFilter,
    Run,
    StoredNotification,
    beat,
    claim_refusal,
    no_notification,
    not_confirmed,
    release_run,
    run_open,
)
from released_intacct.fakes.state_book import (
    Book,
    due,
    due_order,
    fence_refusal,
    hand_back,
    lease,
)
from released_intacct.fakes.state_refusals import (
    finish_refusal,
    kept,
    link_status,
    progress_refusal,
    unknown,
)

T = TypeVar("T")
_EVERY = ResultFilter()


class FakeRuns:
    """What ``FakeStateStore`` keeps, and its runs (E3, E4), leases (issue 17), sync results (E1)
    and notifications (E3)."""

    def __init__(self) -> None:
        self._books: dict[ConnectionId, Book] = {}
        self._runs = itertools.count(1)
        self._notes = itertools.count(1)
        self._doorbell = Doorbell()

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
                return Failure(run_open(open_run))
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
            book.runs[run.id] = beat(stored, run, at)
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

    # --- sync results (E1) and notifications (E3) ------------------------------------------------

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
