"""What an idle sync costs in requests on the demo pair (issue 19, deliverable 1), counted, never
timed: both simulators in process, every request to the Intacct gateway seen on its way in.

The demo pair is confirmed (its initial sync writes to both sides) and synced once more to settle
(the initial sync's own writes come back as echoes). Then a day passes on the shared clock and
nobody does anything, three times: the first idle run reads what the settling run wrote, the
second reads it again only because it lies in the overlap window, the third is the steady state;
then a Re-Leased user approves ten invoices and a day passes again.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from released_intacct.adapters.intacct.convert.feeds import READ_TWICE
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.app.sync.steps import _DELETED
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctApi,
    Origin,
)
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.state import Cursor, Run, StateStore
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DemoPair, confirmed, demo_pair
from released_intacct.fakes.restsim import API as REST_PREFIX
from released_intacct.fakes.state_store import FakeStateStore

DAY = timedelta(days=1)
TEN = 10
OVERLAP = ClientSettings().overlap + ClientSettings().calibrated_overlap
"""The demo's adapter reads WHENMODIFIED in a calibrated zone (no ``company_timezone``)."""
_FUNCTIONS = re.compile(rb"<function\b[^>]*>\s*<([A-Za-z_]+)")
_OBJECT = re.compile(rb"<object>\s*([A-Za-z_]+)\s*</object>")
_CURSOR_FILTER = re.compile(rb"WHENMODIFIED &gt;=|<field>ACCESSTIME</field>")
_REST_ENTITY = b'"object":"company-config/entity"'


@dataclass(frozen=True, slots=True)
class Request:
    functions: tuple[str, ...]
    objects: tuple[str, ...]
    body: bytes
    path: str = ""

    @property
    def feed_page(self) -> bool:
        """A page of a change feed: read since a cursor (the audit trail: by ACCESSTIME; over
        REST any query but the entities', as tax details have no stamp to filter on)."""
        if self.path.startswith(REST_PREFIX):
            return self.path.endswith("/services/core/query") and _REST_ENTITY not in self.body
        return _CURSOR_FILTER.search(self.body) is not None


def _watching(log: list[Request]) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def watched(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            messages: list[Message] = []
            while not messages or messages[-1].get("more_body"):
                messages.append(await receive())
            body = b"".join(m.get("body", b"") for m in messages)
            functions = tuple(f.decode() for f in _FUNCTIONS.findall(body))
            objects = tuple(o.decode() for o in _OBJECT.findall(body))
            log.append(Request(functions, objects, body, str(scope["path"])))
            replay = iter(messages)

            async def again() -> Message:
                return next(replay)

            await app(scope, again, send)

        return watched

    return wrap


def _intacct_feeds(*, order_modules: bool = True) -> list[str]:
    """Every Intacct change feed a run of the demo reads (its cursors), as the steps name them
    (without Order Entry and Purchasing: the REST demo's company, seed ``demo-blue-rest``)."""
    origins = list(Origin) if order_modules else [Origin.AR, Origin.AP]
    return [
        "intacct.accounts",
        "intacct.tax_details",
        *(f"intacct.dimensions.{kind.value}" for kind in DimensionKind),
        *(f"intacct.parties.{role.value}" for role in ContactRole),
        *(f"intacct.transactions.{o.value}.{k.value}" for o in origins for k in DocumentKind),
        *(f"intacct.payments.{o.value}" for o in (Origin.AR, Origin.AP)),
        *(f"intacct.deletions.{rt.value}" for rt in _DELETED),
    ]


@dataclass(frozen=True, slots=True)
class Idle:
    runs: tuple[Run, ...]
    """Settle; a day with nothing done, three times; a day with ten invoices approved."""
    requests: tuple[tuple[Request, ...], ...]
    cursors: tuple[dict[str, Cursor | None], ...]
    """After each run, every Intacct feed's cursor and the Re-Leased contacts'."""


async def _cursors(store: StateStore, id: ConnectionId) -> dict[str, Cursor | None]:
    names = [*_intacct_feeds(), "released.contacts"]  # over REST, OE/PO's are None
    return {name: await value(store.cursor(id, name)) for name in names}


async def _ten_invoices(pair: DemoPair) -> None:
    """Ten invoices approved in Re-Leased, each 900.00 of rent for a healthy contact."""
    line: dict[str, Any] = {"description": "Rent", "accountId": "acc-4000", "quantity": "1"}
    line |= {"unitPrice": "900.00", "taxTypeId": "tax-standard", "taxAmount": "0.00"}
    for n in range(TEN):
        body: dict[str, Any] = {"type": "Income", "invoiceNumber": f"IDLE-{n}"}
        body |= {"contactId": "con-northwind", "currency": "USD", "lines": [line]}
        body |= {"issueDate": "2026-05-01", "dueDate": "2026-05-31"}
        await pair.released_user.approved(body)


async def _scenario(*, rest: bool = False) -> Idle:
    log: list[Request] = []
    store = FakeStateStore()
    api = IntacctApi.REST if rest else IntacctApi.XML
    watched = demo_pair(store, before_intacct=_watching(log), sync_errors=not rest, api=api)
    async with watched as pair:
        id = await confirmed(pair)
        runs: list[Run] = []
        requests: list[tuple[Request, ...]] = []
        cursors: list[dict[str, Cursor | None]] = []
        for act in (None, None, None, None, _ten_invoices):
            pair.clock.advance(DAY)
            if act is not None:
                await act(pair)
                pair.clock.advance()
            log.clear()
            runs.append(await value(pair.sync.run(id)))
            requests.append(tuple(log))
            cursors.append(await _cursors(store, id))
        return Idle(tuple(runs), tuple(requests), tuple(cursors))


@pytest.fixture(scope="module")
def idle() -> Idle:
    return asyncio.run(_scenario())


def test_every_feed_of_the_demo_has_a_cursor(idle: Idle) -> None:
    missing = [feed for feed, cursor in idle.cursors[0].items() if cursor is None]
    assert missing == []


def test_a_feed_that_brought_nothing_new_moves_to_the_start_of_the_run_less_the_overlap(
    idle: Idle,
) -> None:
    first, second = idle.runs[1], idle.runs[2]
    before, after = idle.cursors[1], idle.cursors[2]
    for feed in _intacct_feeds():
        was = before[feed]
        assert was is not None
        assert was.position <= first.started_at  # the rule the store keeps (never past the start)
        moved = after[feed]
        assert moved is not None
        assert moved.position == second.started_at - OVERLAP, feed
    # Re-Leased reads from its cursor exactly (no overlap): it moves only to what it read
    assert after["released.contacts"] == before["released.contacts"]


def test_what_was_written_in_the_overlap_window_is_not_read_again(idle: Idle) -> None:
    """The first idle run reads what the settling run wrote (new to it, so its cursors move to
    those stamps); the second reads it again only for the overlap, finds nothing new and moves on
    to its start less the overlap; the third reads none of it (no line, no second page)."""
    lines = {"ARINVOICEITEM", "APBILLITEM", "SODOCUMENTENTRY", "PODOCUMENTENTRY", "ARPYMTDETAIL"}
    read_again, steady = idle.requests[2], idle.requests[3]
    assert lines & {o for r in read_again for o in r.objects}
    assert not lines & {o for r in steady for o in r.objects}
    assert Counter(f for r in steady for f in r.functions)["readMore"] == 0


def test_an_idle_sync_reads_each_feed_in_one_request_and_nothing_twice(idle: Idle) -> None:
    """Customers and vendors are read by two feeds each (dimension values and parties) with the
    same query: asked once, the page serves both (``READ_TWICE``)."""
    steady = idle.requests[3]
    pages = [r for r in steady if r.feed_page]
    assert len(pages) == len(_intacct_feeds()) - len(READ_TWICE)
    asked = Counter(r.body[r.body.index(b"<content>") :] for r in steady)
    assert max(asked.values()) == 1
    objects = Counter(o for r in pages for o in r.objects)
    assert all(objects[o] == 1 for o in READ_TWICE)


def test_an_idle_sync_costs_one_request_per_feed(idle: Idle) -> None:
    """Issue 19's target: requests <= feeds + 2. Besides its feeds' pages, a run logs in once and
    reads its set-up (rule C5) in one request."""
    steady = idle.requests[3]
    set_up = [r for r in steady if not r.feed_page]
    assert [r.functions for r in set_up if r.functions == ("getAPISession",)] == [
        ("getAPISession",)
    ]
    assert len(set_up) == SET_UP
    assert len(steady) <= len(_intacct_feeds()) + 2


SET_UP = 2
"""Requests of a run besides its feeds' pages: one log-in, and one request holding the set-up
(subscriptions, preferences, order definitions, account labels, Items, the entity's row)."""


def test_ten_changes_read_no_more_feed_pages(idle: Idle) -> None:
    """Ten invoices approved in Re-Leased are read there (one page) and written to Intacct; the
    Intacct feeds still cost one page each (ceil(10 / page size) = 1 per feed touched)."""
    changed = idle.requests[4]
    assert -(-TEN // ClientSettings().page_size) == 1
    assert len([r for r in changed if r.feed_page]) == len(_intacct_feeds()) - len(READ_TWICE)
    assert Counter(f for r in changed for f in r.functions)["readMore"] == 0


def test_D17_ten_documents_written_are_read_back_in_one_request_and_their_lines_in_one(
    idle: Idle,
) -> None:
    """The ten invoices go to Intacct as Order Entry documents, each then read back for what
    Intacct added (its DOCID and tax, rule D17): all ten looked up in one request, their lines
    read in one query, not one of each per document."""
    changed = [r for r in idle.requests[4] if not r.feed_page]
    looked_up = [r for r in changed if "SODOCUMENT" in r.objects]
    assert [Counter(r.objects)["SODOCUMENT"] for r in looked_up] == [TEN]
    lines = [r for r in changed if "SODOCUMENTENTRY" in r.objects]
    assert len(lines) == 1


@pytest.fixture(scope="module")
def idle_rest() -> Idle:
    return asyncio.run(_scenario(rest=True))


def test_an_idle_sync_over_rest_costs_one_request_per_feed(idle_rest: Idle) -> None:
    """Issue 20: over REST too, requests <= feeds + 2 once a day has passed (the set-up facts
    kept between runs have expired: ``setup_lifetime``). Besides its feeds' pages (customers and
    vendors asked once for two feeds each), a run asks a token, then the company's entities and
    its set-up's five reads in ONE composite request (``intacct_rest.composite``), not one each."""
    feeds = _intacct_feeds(order_modules=False)
    assert [f for f, cursor in idle_rest.cursors[3].items() if cursor is None] == [
        f for f in _intacct_feeds() if f not in feeds
    ]
    steady = idle_rest.requests[3]
    assert all(r.path.startswith(REST_PREFIX) for r in steady)
    pages = [r for r in steady if r.feed_page]
    assert len(pages) == len(feeds) - len(READ_TWICE)
    set_up = [r.path.removeprefix(REST_PREFIX) for r in steady if not r.feed_page]
    assert sorted(set_up) == ["/oauth2/token", "/services/core/composite"]
    subs = json.loads(next(r.body for r in steady if r.path.endswith("/composite")))
    assert len(subs) == REST_SET_UP_READS
    assert len(steady) <= len(feeds) + 2


REST_SET_UP_READS = 6
"""The entities, two account labels, the items, two transaction definitions
(``intacct_rest.directory``)."""
