"""Rule C5 over REST: the set-up's six reads (the entities at the top level; two account labels,
the items, two transaction definitions at the entity) go to the REST simulator as one composite
request, and a sub-request that fails
stops the composite without making a fact unreadable that a plain read would have got."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from returns.result import Result

from released_intacct.adapters.intacct_rest.adapter import IntacctRestAdapter
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import IntacctSetup
from released_intacct.fakes.awaiting import outcome, value
from released_intacct.fakes.restsim import company
from released_intacct.fakes.sim_adapters import At, served, settings
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.faults import FaultRule, Kind
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MORE: dict[str, list[dict[str, object]]] = {
    "LOCATIONENTITY": [{"LOCATIONID": "E100", "NAME": "East", "CURRENCY": "USD"}],
    "ITEM": [{"ITEMID": "RENT", "NAME": "Rent", "INCOMEACCTKEY": "4000"}],
    "ARACCOUNTLABEL": [{"ACCOUNTLABEL": "Rent", "GLACCOUNTNO": "4000", "STATUS": "active"}],
    "SODOCUMENTPARAMS": [{"DOCID": "Sales Invoice", "DOCCLASS": "Invoice"}],
}


def _setup(
    before: Callable[[Simulator], None] = lambda _: None,
    *,
    at: str = "E100",
    composite: bool = True,
) -> tuple[Result[IntacctSetup, SyncError], int, int]:
    """The set-up at ``at`` read afresh after ``before`` (the token asked first, at E100), with
    ``intacct.rest_composite`` as ``composite``; HTTP requests and API transactions it cost the
    company."""

    async def go() -> tuple[Result[IntacctSetup, SyncError], int, int]:
        clock = At(T0)
        sim = Simulator(clock=clock)
        load_company(sim, company(more=MORE), now=T0)
        chosen = settings(rest_composite=composite)
        async with served(sim, clock, with_settings=chosen) as both:
            rest: IntacctRestAdapter = both.rest
            await value(rest.setup(EntityId("E100")))  # the token, once
            usage = sim.usage["DEMO"]
            requests, transactions = usage.requests, usage.transactions
            before(sim)
            setup = await outcome(rest.setup(EntityId(at), reuse=False))
            return setup, usage.requests - requests, usage.transactions - transactions

    return asyncio.run(go())


def _fault(kind: Kind, obj: str, *, times: int) -> Callable[[Simulator], None]:
    def add(sim: Simulator) -> None:
        rule = FaultRule(rule_id="r1", kind=kind, function="query", object=obj, remaining=times)
        sim.faults.add(rule)

    return add


def _facts(read: Result[IntacctSetup, SyncError]) -> tuple[object, ...]:
    setup = read.unwrap()
    items = tuple(i.item_id for i in setup.items)
    return (setup.account_labels, setup.order_entry, setup.purchasing, items)


def test_C5_the_set_up_reads_its_facts_in_one_composite_request() -> None:
    setup, requests, transactions = _setup()
    assert _facts(setup) == (True, True, False, ("RENT",))
    assert requests == 1
    assert transactions == 6  # a transaction per sub-request (inferred)


def test_C5_with_composites_off_the_set_up_reads_each_fact_on_its_own_to_the_same_facts() -> None:
    """``intacct.rest_composite = false`` (``doctor``'s ``rest.composite_entity`` fix): six plain
    requests where one composite was, the same facts."""
    setup, requests, transactions = _setup(composite=False)
    assert _facts(setup) == (True, True, False, ("RENT",))
    assert (requests, transactions) == (6, 6)


def test_C5_a_sub_request_that_failed_for_now_is_read_again_alone_and_the_facts_are_the_same() -> (
    None
):
    plain, _, _ = _setup()
    setup, requests, _ = _setup(_fault("processing_error", "ITEM", times=1))
    assert _facts(setup) == _facts(plain)
    # the composite stopped at the items, then the items and both definitions alone
    assert requests == 1 + 3


def test_C3_an_entity_the_company_does_not_list_costs_the_composite_alone() -> None:
    """The facts' sub-requests at an unknown entity are refused; none is asked again alone."""
    setup, requests, _ = _setup(at="E999")
    assert setup.failure().rule is Rule.C3
    assert requests == 1
