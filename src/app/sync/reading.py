"""Reading a step's feeds page by page from each side, since each feed's cursor.

A step has sources on both sides (Intacct and Re-Leased feeds, one cursor each). Each round reads
the next page of every source not yet at its end and hands both sides' records to the step's
handler together (so planning sees a record changed on both sides at once), then the next round.

Decided: a source's cursor moves when its last page has been applied, to the highest mark of its
pages (clamped by the store to the start of the run); a source that reads an overlap before
its cursor and brought nothing new moves to the run's start less that overlap
(``domain.stored.read_to``), so a bulk load written inside the window is not read again on every
later run. Intacct's ``readByQuery`` is not ordered
by WHENMODIFIED (nor is the fake), so moving it after each page could pass records still on later
pages; a run stopped midway reads the step again from the old cursor, and what it applied
already is recognised as an echo (rule D21). A page token offered twice stops the run rather than
reading forever. Records a page could not read become sync results (rule E1).

Progress (E3): each source counts the records it read against the total its first page announced
(an estimate, summed over the feeds of a record type); after each round is read, the run's
progress is stored, which is also its heartbeat (``beat``).

Pipelined (issue 19): the next round's pages are asked for as soon as this round's have come
back, so they are in flight while this round is beaten, planned, written and read back (an
Intacct transaction page brings its lines with it). Decided:
- A round's Intacct feeds are read side by side, through the company's one governor
  (``intacct.concurrency``), which the round's writes share; its Re-Leased feeds one after
  another, so at most one Re-Leased read is in flight (beside the round's own writes, which go
  one by one as before): the Re-Leased client has no governor and gets no more than that.
- Only one round ahead, and only within a step: a step's first pages are read when the steps
  before it are done, since what they wrote may be on them (Items read as dimension values,
  D17, D21). Planning and applying stay in order: a round is handled after the one before it
  is applied, so its plan sees every link written before it.
- A page fetched ahead is taken (counted for progress, its problems reported, E1, its mark and
  overlap kept for the cursor) when its round comes, in the order of the sources, exactly as if
  it had been read then; its error (a Failure, or an exception, raised there) surfaces there
  too. A source ends when its last page is taken, not when it is asked for, so its cursor still
  moves only once that page is applied.
- A run that stops midway (a failure, a refused heartbeat, E4, a crash or a cancel) cancels the
  round asked for ahead and waits for it: nothing is left running, and what it read is dropped
  (read again from the cursor by the next run).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.paging import Pages, read_all
from released_intacct.app.ports import awaited, settled
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.outcomes import report
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.ports import FeedQuery, Page
from released_intacct.domain.state import Cursor
from released_intacct.domain.stored import read_to

T = TypeVar("T")
R = TypeVar("R")
I = TypeVar("I")  # noqa: E741 - the Intacct side, beside R for Re-Leased
Fetch = Callable[[FeedQuery], FutureResult[Page[T], SyncError]]
Handle = Callable[[Sequence[R], Sequence[I]], Awaitable[Result[None, SyncError]]]


@dataclass(frozen=True, slots=True)
class Source(Generic[T]):
    feed: str
    """The cursor's name: ``intacct.accounts``, ``released.invoices.invoice``, ..."""
    fetch: Fetch[T]
    record_type: RecordType | None
    """What the feed's records are, for the run's progress (None: not counted, deletions)."""


class _Reader(Generic[T]):
    __slots__ = ("ended", "high", "moved", "overlap", "pages", "since", "source")

    def __init__(self, source: Source[T], since: datetime | None) -> None:
        self.source = source
        self.pages: Pages[T] = Pages(awaited(source.fetch), what=f"{source.feed} feed", since=since)
        self.since = since
        self.high: datetime | None = None
        self.overlap: timedelta | None = None
        self.ended = False
        """Its last page was taken (``take``); asked for (``pages.done``) may be a round sooner."""
        self.moved = False

    async def fetch(self) -> _Read[T]:
        """The next page as it comes back, nothing of it counted yet; an exception is kept, to be
        raised where the page is taken."""
        first = self.pages.query.token is None
        try:
            page = await self.pages.next()
        except Exception as error:  # raised again by ``take``, where the page is taken
            return _Read(self, first, error)
        return _Read(self, first, page)

    def take(self, read: _Read[T], tally: Tally) -> Result[Page[T], SyncError]:
        """The page fetched, counted for the run's progress and the cursor's mark."""
        if isinstance(read.outcome, Exception):
            raise read.outcome
        if not is_successful(read.outcome):
            return read.outcome
        page = read.outcome.unwrap()
        counted = self.source.record_type
        if counted is not None:
            if page.total is not None and read.first:
                tally.expect(counted, page.total)
            tally.handled(counted, len(page.items) + len(page.problems))
        if page.high_water is not None:
            self.high = page.high_water if self.high is None else max(self.high, page.high_water)
        if page.overlap is not None:
            self.overlap = page.overlap if self.overlap is None else max(self.overlap, page.overlap)
        self.ended = page.next_token is None
        return Success(page)


@dataclass(frozen=True, slots=True)
class _Read(Generic[T]):
    """One page fetched by ``reader``, not yet taken."""

    reader: _Reader[T]
    first: bool
    outcome: Result[Page[T], SyncError] | Exception

    @property
    def ok(self) -> bool:
        return not isinstance(self.outcome, Exception) and is_successful(self.outcome)


class _Ahead(Generic[R, I]):
    """The pages of the next round, asked for while this round is handled (one round ahead)."""

    __slots__ = ("_intacct", "_released", "_task")

    def __init__(self, released: Sequence[_Reader[R]], intacct: Sequence[_Reader[I]]) -> None:
        self._released = released
        self._intacct = intacct
        self._task: asyncio.Task[tuple[list[_Read[R]], list[_Read[I]]]] | None = None
        self._ask()

    async def next(self) -> tuple[list[_Read[R]], list[_Read[I]]] | None:
        """The next round's pages (None: every source was read to its end); the round after it
        is asked for at once, unless a page of this one failed (the run stops at it)."""
        if self._task is None:
            return None
        reads = await self._task
        if all(read.ok for side in reads for read in side):
            self._ask()
        else:
            self._task = None
        return reads

    def _ask(self) -> None:
        released = [r for r in self._released if not r.pages.done]
        intacct = [r for r in self._intacct if not r.pages.done]
        if not released and not intacct:
            self._task = None
            return
        self._task = asyncio.create_task(_fetch_round(released, intacct), name="read-ahead")

    async def close(self) -> None:
        """A round asked for and not taken is cancelled, and waited for (nothing left running).
        Only a BaseException it raised (not an error of a page, which was never taken) leaves."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        await asyncio.wait([task])
        if not task.cancelled() and (error := task.exception()) is not None:
            raise error


async def _fetch_round(
    released: Sequence[_Reader[R]], intacct: Sequence[_Reader[I]]
) -> tuple[list[_Read[R]], list[_Read[I]]]:
    """One page of each reader: the Intacct feeds side by side (the company's governor keeps its
    limit), the Re-Leased feeds one after another (as before: one read in flight), both sides
    at once."""
    async with asyncio.TaskGroup() as group:
        ours = group.create_task(_one_by_one(released))
        theirs = [group.create_task(reader.fetch()) for reader in intacct]
    return ours.result(), [task.result() for task in theirs]


async def _one_by_one(readers: Sequence[_Reader[T]]) -> list[_Read[T]]:
    """Each reader's page in turn, stopping at one that failed (the run stops there)."""
    reads: list[_Read[T]] = []
    for reader in readers:
        read = await reader.fetch()
        reads.append(read)
        if not read.ok:
            break
    return reads


async def run_step(
    ctx: RunContext,
    tally: Tally,
    handle: Handle[R, I],
    *,
    released: Sequence[Source[R]] = (),
    intacct: Sequence[Source[I]] = (),
) -> Result[None, SyncError]:
    """Read every source to its end, round by round, handling each round's records; the next
    round's pages are read while this one is handled."""
    opened_r = await _open(ctx, released)
    if not is_successful(opened_r):
        return Failure(opened_r.failure())
    opened_i = await _open(ctx, intacct)
    if not is_successful(opened_i):
        return Failure(opened_i.failure())
    readers_r, readers_i = opened_r.unwrap(), opened_i.unwrap()
    ahead = _Ahead(readers_r, readers_i)
    try:
        while (reads := await ahead.next()) is not None:
            done = await _one_round(ctx, tally, handle, reads, (readers_r, readers_i))
            if not is_successful(done):
                return done
    finally:
        await ahead.close()
    return Success(None)


async def _one_round(
    ctx: RunContext,
    tally: Tally,
    handle: Handle[R, I],
    reads: tuple[Sequence[_Read[R]], Sequence[_Read[I]]],
    readers: tuple[Sequence[_Reader[R]], Sequence[_Reader[I]]],
) -> Result[None, SyncError]:
    pages_r = await _take(ctx, tally, reads[0])
    if not is_successful(pages_r):
        return Failure(pages_r.failure())
    pages_i = await _take(ctx, tally, reads[1])
    if not is_successful(pages_i):
        return Failure(pages_i.failure())
    alive = await beat(ctx, tally)
    if not is_successful(alive):
        return alive
    handled = await handle(pages_r.unwrap(), pages_i.unwrap())
    if not is_successful(handled):
        return handled
    moved = await _advance(ctx, readers[0])
    if not is_successful(moved):
        return moved
    return await _advance(ctx, readers[1])


async def beat(ctx: RunContext, tally: Tally) -> Result[None, SyncError]:
    """Store the run's progress, which is also its sign of life: after a round's pages are read,
    before anything of them is written. Refused once the run was released as dead (E4): this run
    then stops before writing, and a run that took over goes on alone."""
    saved = await settled(ctx.store.save_progress(tally.snapshot(ctx.run), at=ctx.clock.now()))
    return saved.map(lambda _: None)


async def _open(
    ctx: RunContext, sources: Sequence[Source[T]]
) -> Result[list[_Reader[T]], SyncError]:
    readers: list[_Reader[T]] = []
    for source in sources:
        cursor = await settled(ctx.store.cursor(ctx.connection, source.feed))
        if not is_successful(cursor):
            return Failure(cursor.failure())
        found = cursor.unwrap()
        readers.append(_Reader(source, None if found is None else found.position))
    return Success(readers)


async def _take(
    ctx: RunContext, tally: Tally, reads: Sequence[_Read[T]]
) -> Result[list[T], SyncError]:
    """The pages of a round, in the order of its sources, as if read one after another: each
    counted, its unreadable records become results, the first error stops the round."""
    items: list[T] = []
    for read in reads:
        page = read.reader.take(read, tally)
        if not is_successful(page):
            return Failure(page.failure())
        items.extend(page.unwrap().items)
        reported = await report(ctx, tally, page.unwrap().problems)
        if not is_successful(reported):
            return Failure(reported.failure())
    return Success(items)


async def _advance(ctx: RunContext, readers: Sequence[_Reader[T]]) -> Result[None, SyncError]:
    started = ctx.run.started_at
    for reader in readers:
        if not reader.ended or reader.moved:
            continue
        reader.moved = True  # moved once, when the source's last page was applied
        to = read_to(reader.high, since=reader.since, run_started=started, overlap=reader.overlap)
        if to is None:
            continue
        cursor = Cursor(feed=reader.source.feed, position=to)
        moved = await settled(
            ctx.store.advance_cursor(ctx.connection, cursor, run_started=started, fence=ctx.fence)
        )
        if not is_successful(moved):
            return Failure(moved.failure())
    return Success(None)


class HasId(Protocol):
    @property
    def id(self) -> ReleasedId: ...


H = TypeVar("H", bound=HasId)


async def find_in_feed(fetch: Fetch[H], ids: Collection[ReleasedId]) -> Result[list[H], SyncError]:
    """The records ``ids`` read from a whole feed (no cursor), stopping once all are found.

    For a record a page names but the port cannot fetch by id (the invoice a payment pays, a
    contact an invoice bills); memory stays bounded by ``ids``.
    """
    wanted = set(ids)
    found = await read_all(
        awaited(_only(fetch, wanted)),
        what="Re-Leased documents",
        key=lambda record: record.id,
        until=lambda records: len(records) >= len(wanted),
    )
    return found.map(lambda read: list(read.items))


def _only(fetch: Fetch[H], ids: set[ReleasedId]) -> Fetch[H]:
    """``fetch`` keeping only the records ``ids`` of each page."""

    def kept(query: FeedQuery) -> FutureResult[Page[H], SyncError]:
        return fetch(query).map(
            lambda page: replace(page, items=tuple(r for r in page.items if r.id in ids))
        )

    return kept
