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
"""

from __future__ import annotations

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
    __slots__ = ("high", "moved", "overlap", "pages", "since", "source")

    def __init__(self, source: Source[T], since: datetime | None) -> None:
        self.source = source
        self.pages: Pages[T] = Pages(awaited(source.fetch), what=f"{source.feed} feed", since=since)
        self.since = since
        self.high: datetime | None = None
        self.overlap: timedelta | None = None
        self.moved = False

    @property
    def done(self) -> bool:
        return self.pages.done

    async def next(self, tally: Tally) -> Result[Page[T], SyncError]:
        first = self.pages.query.token is None
        page = await self.pages.next()
        if not is_successful(page):
            return page
        read = page.unwrap()
        counted = self.source.record_type
        if counted is not None:
            if read.total is not None and first:
                tally.expect(counted, read.total)
            tally.handled(counted, len(read.items) + len(read.problems))
        if read.high_water is not None:
            self.high = read.high_water if self.high is None else max(self.high, read.high_water)
        if read.overlap is not None:
            self.overlap = read.overlap if self.overlap is None else max(self.overlap, read.overlap)
        return Success(read)


async def run_step(
    ctx: RunContext,
    tally: Tally,
    handle: Handle[R, I],
    *,
    released: Sequence[Source[R]] = (),
    intacct: Sequence[Source[I]] = (),
) -> Result[None, SyncError]:
    """Read every source to its end, round by round, handling each round's records."""
    opened_r = await _open(ctx, released)
    if not is_successful(opened_r):
        return Failure(opened_r.failure())
    opened_i = await _open(ctx, intacct)
    if not is_successful(opened_i):
        return Failure(opened_i.failure())
    readers_r, readers_i = opened_r.unwrap(), opened_i.unwrap()
    while not all(r.done for r in readers_r) or not all(r.done for r in readers_i):
        done = await _one_round(ctx, tally, handle, readers_r, readers_i)
        if not is_successful(done):
            return done
    return Success(None)


async def _one_round(
    ctx: RunContext,
    tally: Tally,
    handle: Handle[R, I],
    readers_r: Sequence[_Reader[R]],
    readers_i: Sequence[_Reader[I]],
) -> Result[None, SyncError]:
    pages_r = await _round(ctx, tally, readers_r)
    if not is_successful(pages_r):
        return Failure(pages_r.failure())
    pages_i = await _round(ctx, tally, readers_i)
    if not is_successful(pages_i):
        return Failure(pages_i.failure())
    alive = await beat(ctx, tally)
    if not is_successful(alive):
        return alive
    handled = await handle(pages_r.unwrap(), pages_i.unwrap())
    if not is_successful(handled):
        return handled
    moved = await _advance(ctx, readers_r)
    if not is_successful(moved):
        return moved
    return await _advance(ctx, readers_i)


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


async def _round(
    ctx: RunContext, tally: Tally, readers: Sequence[_Reader[T]]
) -> Result[list[T], SyncError]:
    """The next page of every reader not at its end; its unreadable records become results."""
    items: list[T] = []
    for reader in readers:
        if reader.done:
            continue
        page = await reader.next(tally)
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
        if not reader.done or reader.moved:
            continue
        reader.moved = True  # moved once, when the source is at its end
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
