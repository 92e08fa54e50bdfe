"""An in-memory ``StateStore``: the engine's memory kept in dicts (rules C1, C4, E1, E4).

It does what the port's docstrings say, as the aiosqlite store does (one contract suite,
``tests/contract/test_state_store.py``, runs both); its runs, leases, sync results and
notifications are ``fakes.state_runs``'s. Decided where the port is silent:

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

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

from returns.future import FutureResult
from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Prerequisite, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.links import Link
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import Credentials
from released_intacct.domain.rules import confirming
from released_intacct.domain.rules.connection import api_change_refusal, api_refusal
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import (
    DEFAULT_STALE_AFTER,
    Acknowledgement,
    Connection,
    Cursor,
    Fence,
    Intent,
    IntentState,
    Resolution,
    Settlement,
    advanced,
    lost,
    not_held,
)
from released_intacct.domain.tokens import Spend, no_refresh_token
from released_intacct.fakes.state_book import (
    Book,
    acknowledge,
    acknowledged,
    fence_refusal,
    links_by_prefix,
    links_of,
    merged_links,
    resolve_open,
    settle_intents,
    take_answer,
)
from released_intacct.fakes.state_refusals import (
    c1_holder,
    refused,
    unknown,
)
from released_intacct.fakes.state_runs import FakeRuns

T = TypeVar("T")


class FakeStateStore(FakeRuns):
    """The ``StateStore`` port in memory."""

    def __init__(self) -> None:
        super().__init__()
        self._spending: dict[ConnectionId, asyncio.Lock] = {}
        """Held while a connection's refresh token is spent: one spender at a time."""

    def __repr__(self) -> str:
        return f"FakeStateStore(connections={len(self._books)})"

    # --- connections and credentials (C1, C2) ----------------------------------------------------

    def add_connection(
        self,
        connection: Connection,
        credentials: Credentials,
        *,
        refresh_token: Secret | None = None,
    ) -> FutureResult[Connection, SyncError]:
        if connection.id in self._books:
            error = refused(f"Connection {connection.id} is already stored.", "Use a new id.")
            return FutureResult.from_failure(error)
        conflict = (
            api_refusal(connection.api, credentials)
            or confirming.outside_claim(connection)
            or self._holder(connection)
        )
        if conflict is not None:
            return FutureResult.from_failure(conflict)
        book = Book(connection=connection, credentials=credentials, refresh_token=refresh_token)
        self._books[connection.id] = book
        return FutureResult.from_value(connection)

    def save_connection(self, connection: Connection) -> FutureResult[Connection, SyncError]:
        book = self._books.get(connection.id)
        if book is None:
            return FutureResult.from_failure(unknown(connection.id))
        if book.connection == connection:
            return FutureResult.from_value(connection)  # unchanged: nothing to refuse (as SQLite)
        error = (
            api_change_refusal(book.connection, connection)
            or confirming.changes_refused(book.connection, connection)
            or self._holder(connection)
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

    def credentials(self, id: ConnectionId) -> FutureResult[Credentials, SyncError]:
        return self._with(id, lambda book: Success(book.credentials))

    def save_refresh_token(self, id: ConnectionId, token: Secret) -> FutureResult[None, SyncError]:
        def keep(book: Book) -> Result[None, SyncError]:
            book.refresh_token = token
            return Success(None)

        return self._with(id, keep)

    def spend_refresh_token(self, id: ConnectionId, spend: Spend[T]) -> FutureResult[T, SyncError]:
        """One spender at a time (the book's lock); a failed ``spend`` keeps the token read."""

        async def spending() -> Result[T, SyncError]:
            book = self._books.get(id)
            if book is None:
                return Failure(unknown(id))
            async with self._spending.setdefault(id, asyncio.Lock()):
                if book.refresh_token is None:
                    return Failure(no_refresh_token(id))
                outcome = await spend(book.refresh_token)
                if isinstance(outcome, Success):
                    book.refresh_token = outcome.unwrap()[0]
                return outcome.map(lambda found: found[1])

        return FutureResult(spending())

    def remove_connection(self, id: ConnectionId) -> FutureResult[None, SyncError]:
        book = self._books.get(id)
        error = None if book is None else confirming.changes_refused(book.connection)
        if error is not None:
            return FutureResult.from_failure(error)
        self._books.pop(id, None)
        self._spending.pop(id, None)
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
            moved, _ = advanced(book.cursors.get(cursor.feed), cursor, run_started=run_started)
            book.cursors[cursor.feed] = moved
            return Success(moved)

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
        settlement = Settlement(key, state, link)
        return self._with(id, lambda book: settle_intents(book, [settlement], fence))

    def settle_many(
        self, id: ConnectionId, settlements: Sequence[Settlement], *, fence: Fence | None = None
    ) -> FutureResult[None, SyncError]:
        return self._with(id, lambda book: settle_intents(book, settlements, fence))

    def resolve_intent(
        self, id: ConnectionId, key: IdempotencyKey, resolution: Resolution
    ) -> FutureResult[None, SyncError]:
        return self._with(id, lambda book: resolve_open(book, key, resolution))

    def take_resolution(
        self, id: ConnectionId, key: IdempotencyKey, *, fence: Fence | None = None
    ) -> FutureResult[Resolution | None, SyncError]:
        return self._with(id, lambda book: take_answer(book, key, fence))

    # --- helpers ---------------------------------------------------------------------------------

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
