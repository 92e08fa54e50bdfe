"""The run is pipelined (issue 19, deliverable 2): the next round's pages are asked for while this
round's writes are in flight, under the company's governor, counted, never timed.

The demo pair synced with small pages (two records an Intacct page) so its steps take several
rounds; every request to the Intacct gateway is seen on its way in, with how many were in flight
then. The Intacct simulator answers each a moment later than at once, so requests sent side by
side are in flight together.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import pytest
from returns.future import FutureResult
from returns.result import Failure, Result, Success
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.app.sync.context import RunContext, Tally
from released_intacct.app.sync.reading import Source, run_step
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery, Page
from released_intacct.domain.state import Cursor, Run
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import confirmed, demo_pair
from released_intacct.fakes.state_store import FakeStateStore
from released_intacct.fakes.sync_world import CONNECTION, T0, SyncWorld
from released_intacct.fakes.sync_world import SETTINGS as WORLD_SETTINGS

SETTINGS = ClientSettings(backoff=0.0, page_size=2)
_FUNCTIONS = re.compile(rb"<function\b[^>]*>\s*<([A-Za-z_]+)")
_READS = frozenset({"readByQuery", "readMore", "query", "read", "readByName", "getAPISession"})


@dataclass(slots=True)
class Request:
    functions: tuple[str, ...]
    in_flight: int
    """Requests in flight when this one arrived, itself included."""
    during_writes: bool = False
    """A write was in flight when this one arrived."""

    @property
    def write(self) -> bool:
        return not set(self.functions) <= _READS

    @property
    def next_page(self) -> bool:
        """A feed's next page (``readMore``: its query's result set read on)."""
        return "readMore" in self.functions


class Line:
    """The Intacct gateway's side of the line: every request, and what was in flight with it."""

    def __init__(self) -> None:
        self.log: list[Request] = []
        self.in_flight: list[Request] = []

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def watched(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            messages: list[Message] = []
            while not messages or messages[-1].get("more_body"):
                messages.append(await receive())
            body = b"".join(m.get("body", b"") for m in messages)
            functions = tuple(f.decode() for f in _FUNCTIONS.findall(body))
            request = Request(functions, len(self.in_flight) + 1)
            request.during_writes = any(r.write for r in self.in_flight)
            self.log.append(request)
            self.in_flight.append(request)
            replay = iter(messages)

            async def again() -> Message:
                return next(replay)

            try:
                await asyncio.sleep(0.005)  # latency, so that what is sent side by side overlaps
                await app(scope, again, send)
            finally:
                self.in_flight.remove(request)

        return watched


async def _initial_sync(line: Line) -> Run:
    store = FakeStateStore()
    async with demo_pair(store, before_intacct=line.wrap, intacct_settings=SETTINGS) as pair:
        id = await confirmed(pair)
        line.log.clear()  # onboarding's reads
        return await value(pair.sync.run(id))


@pytest.fixture(scope="module")
def line() -> Line:
    line = Line()
    run = asyncio.run(_initial_sync(line))
    assert run.finished_at is not None
    return line


def test_the_initial_sync_of_the_demo_in_small_pages_writes_to_intacct(line: Line) -> None:
    assert any(r.write for r in line.log)
    assert sum(r.next_page for r in line.log) > 1


def test_the_next_page_is_read_while_this_page_s_writes_are_in_flight(line: Line) -> None:
    """Read one round ahead: a feed's next page goes out before the round that read the page
    before it has finished writing (read round by round, no page is read while a write is in
    flight)."""
    assert any(r.next_page and r.during_writes for r in line.log)


def test_the_governor_s_limit_is_never_exceeded(line: Line) -> None:
    """Read-ahead and writes share the company's governor (``intacct.concurrency``)."""
    peak = max(r.in_flight for r in line.log)
    assert peak == SETTINGS.concurrency


# --- the read-ahead itself, at ``run_step``: one Intacct feed of three pages ----------------------

FEED = "intacct.accounts"
STAMP = T0 - timedelta(hours=1)
"""The newest record of every page: before the run's start, where the cursor may move."""
STOPPED = SyncError(kind=ErrorKind.RETRIABLE, rule=None, message="stopped", fix="again")


class Feed:
    """Three pages (``1``, ``2``, ``3``); page 2 is held until ``release`` (or answers
    ``second`` at once when given), and what became of each fetch is kept."""

    def __init__(self, second: Result[Page[str], SyncError] | Exception | None = None) -> None:
        self.second = second
        self.asked: list[str | None] = []
        self.cancelled: list[str | None] = []
        self.answered: list[str | None] = []
        self.second_asked = asyncio.Event()
        self.release = asyncio.Event()

    def fetch(self, query: FeedQuery) -> FutureResult[Page[str], SyncError]:
        return FutureResult(self._page(query.token))

    async def _page(self, token: str | None) -> Result[Page[str], SyncError]:
        self.asked.append(token)
        if token == "2":
            self.second_asked.set()
            if isinstance(self.second, Exception):
                raise self.second
            if self.second is not None:
                return self.second
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled.append(token)
                raise
        following = {None: "2", "2": "3", "3": None}[token]
        self.answered.append(token)
        return Success(Page(items=(f"page {token or 1}",), next_token=following, high_water=STAMP))


async def _context() -> RunContext:
    world = SyncWorld()
    await world.connect()
    run = await value(world.store.start_run(CONNECTION, at=world.clock.now()))
    return RunContext(
        store=world.store,
        intacct=world.intacct,
        released=world.released,
        settings=WORLD_SETTINGS,
        run=run,
        clock=world.clock,
    )


Handle = Callable[[RunContext, Sequence[str]], Awaitable[Result[None, SyncError]]]


async def _step(feed: Feed, handle: Handle) -> tuple[Result[None, SyncError], RunContext]:
    ctx = await _context()

    async def handled(_: Sequence[object], pages: Sequence[str]) -> Result[None, SyncError]:
        return await handle(ctx, pages)

    source = Source(FEED, feed.fetch, RecordType.ACCOUNT)
    done = await run_step(ctx, Tally(), handled, intacct=[source])
    return done, ctx


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0)
    for _ in range(5):  # and through the paginator to the round
        await asyncio.sleep(0)


async def _others() -> set[asyncio.Task[object]]:
    await asyncio.sleep(0)
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}


def test_E4_a_run_stopped_midway_cancels_the_page_read_ahead_and_leaves_nothing_running() -> None:
    async def main() -> None:
        feed = Feed()

        async def handle(_: RunContext, pages: Sequence[str]) -> Result[None, SyncError]:
            await asyncio.wait_for(feed.second_asked.wait(), 10)  # asked while this round runs
            return Failure(STOPPED)  # the heartbeat refused, a write failed, ...

        done, _ = await _step(feed, handle)
        assert done == Failure(STOPPED)
        assert feed.cancelled == ["2"]
        assert await _others() == set()

    asyncio.run(main())


def test_E4_a_run_cancelled_midway_cancels_the_page_read_ahead() -> None:
    async def main() -> None:
        feed = Feed()
        handling = asyncio.Event()

        async def handle(_: RunContext, pages: Sequence[str]) -> Result[None, SyncError]:
            handling.set()
            await asyncio.Event().wait()  # until the run is cancelled
            return Success(None)

        run = asyncio.create_task(_step(feed, handle))
        await handling.wait()
        await asyncio.wait_for(feed.second_asked.wait(), 10)
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run
        assert feed.cancelled == ["2"]
        assert await _others() == set()

    asyncio.run(main())


def test_an_error_of_a_page_read_ahead_stops_the_run_where_the_page_would_have_been_read() -> None:
    """The page before it is handled and applied first; no cursor moves (rule E1's failure of a
    feed: the next run reads it again from the cursor)."""

    async def main() -> None:
        feed = Feed(second=Failure(STOPPED))
        handled: list[Sequence[str]] = []

        async def handle(_: RunContext, pages: Sequence[str]) -> Result[None, SyncError]:
            await asyncio.wait_for(feed.second_asked.wait(), 10)
            handled.append(pages)
            return Success(None)

        done, ctx = await _step(feed, handle)
        assert done == Failure(STOPPED)
        assert handled == [["page 1"]]
        assert await value(ctx.store.cursor(CONNECTION, FEED)) is None

    asyncio.run(main())


def test_an_exception_of_a_page_read_ahead_is_raised_where_the_page_would_have_been_read() -> None:
    async def main() -> None:
        feed = Feed(second=LookupError("a bug in the adapter"))
        handled: list[Sequence[str]] = []

        async def handle(_: RunContext, pages: Sequence[str]) -> Result[None, SyncError]:
            await asyncio.wait_for(feed.second_asked.wait(), 10)
            handled.append(pages)
            return Success(None)

        with pytest.raises(LookupError, match="a bug in the adapter"):
            await _step(feed, handle)
        assert handled == [["page 1"]]

    asyncio.run(main())


def test_a_cursor_moves_only_once_its_last_page_is_applied_though_it_was_read_a_round_sooner() -> (
    None
):
    async def main() -> None:
        feed = Feed()
        feed.release.set()
        seen: list[tuple[Sequence[str], Cursor | None, list[str | None]]] = []

        async def handle(ctx: RunContext, pages: Sequence[str]) -> Result[None, SyncError]:
            if pages == ["page 2"]:  # the last page, read ahead, has come back
                await asyncio.wait_for(_until(lambda: "3" in feed.answered), 10)
            cursor = await value(ctx.store.cursor(CONNECTION, FEED))
            seen.append((pages, cursor, list(feed.asked)))
            return Success(None)

        done, ctx = await _step(feed, handle)
        assert done == Success(None)
        assert [pages for pages, _, _ in seen] == [["page 1"], ["page 2"], ["page 3"]]
        # while page 2 was handled, page 3 (the last) had been read, and the cursor stayed
        assert seen[1][2] == [None, "2", "3"]
        assert [cursor for _, cursor, _ in seen] == [None, None, None]
        moved = await value(ctx.store.cursor(CONNECTION, FEED))
        assert moved is not None
        assert moved.position == STAMP

    asyncio.run(main())
