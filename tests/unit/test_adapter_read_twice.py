"""Customers and vendors are read by two feeds with the same query (dimension values and parties):
the adapter asks once when the answer is one page, and hands the other feed the same records."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.enums import ContactRole, DimensionKind
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import FeedQuery
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DEMO
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.seed import load_demo
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _requests_for_parties(page_size: int, *, new_run: bool = False) -> tuple[int, int, int]:
    """Requests the customer parties' first page cost after the customer dimension's, the
    parties it held, and the parties a fresh adapter reads."""

    async def main() -> tuple[int, int, int]:
        sim = Simulator(clock=lambda: NOW)
        load_demo(sim, now=NOW)
        transport = httpx.ASGITransport(app=create_app(sim))
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            settings = ClientSettings(
                endpoint="http://sim/ia/xml/xmlgw.phtml", backoff=0.0, page_size=page_size
            )

            def adapter() -> IntacctAdapter:
                return IntacctAdapter(client, DEMO, entity=None, settings=settings)

            shared = adapter()
            await value(shared.dimension_values(DimensionKind.CUSTOMER, FeedQuery()))
            if new_run:
                await value(shared.setup(EntityId("E100")))
            before = sim.usage["DEMO"].requests
            parties = await value(shared.parties(ContactRole.CUSTOMER, FeedQuery()))
            spent = sim.usage["DEMO"].requests - before
            alone = await value(adapter().parties(ContactRole.CUSTOMER, FeedQuery()))
            return spent, len(parties.items), len(alone.items)

    return asyncio.run(main())


def test_a_one_page_answer_serves_the_second_feed_without_a_request() -> None:
    spent, held, alone = _requests_for_parties(page_size=1000)
    assert spent == 0
    assert held == alone > 1


def test_a_longer_answer_is_asked_again_by_the_second_feed() -> None:
    spent, held, alone = _requests_for_parties(page_size=1)
    assert spent == 1  # its result id serves one reader: never shared
    assert held == alone == 1


def test_a_held_answer_never_serves_the_next_run() -> None:
    spent, held, alone = _requests_for_parties(page_size=1000, new_run=True)
    assert spent == 1  # the set-up that starts a run lets the held page go
    assert held == alone
