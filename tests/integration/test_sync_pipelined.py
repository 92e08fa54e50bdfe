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
from dataclasses import dataclass

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.state import Run
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import confirmed, demo_pair
from released_intacct.fakes.state_store import FakeStateStore

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
