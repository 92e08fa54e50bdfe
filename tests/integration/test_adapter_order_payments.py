"""Payments of Order Entry documents through each adapter and the simulator (rules D2, D17, D19),
over XML and over REST (issue 20), on the one demo company.

The domain names an OE invoice by its DOCID; Intacct applies a payment to the AR invoice the
document posted (SODOCUMENT.PRRECORDKEY; over REST the AR invoice whose ``invoiceNumber`` is the
DOCID and whose ``moduleKey`` is Order Entry's). Each adapter translates both ways, and a payment
written through one API reads back by DOCID through the other.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal

import pytest

from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import Origin, PaymentKind, RecordType
from released_intacct.domain.errors import ErrorKind
from released_intacct.domain.ids import EntityId, IdempotencyKey, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctPayment, PaymentApplication
from released_intacct.domain.money import Currency
from released_intacct.domain.ports import FeedQuery, IntacctPort
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.sim_adapters import At, served
from released_intacct.fakes.simulators.intacct import seed
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
DOCID = "Sales Invoice-SI0001"  # posted: its AR invoice is its PRRECORDKEY
Api = Literal["xml", "rest"]
APIS = pytest.mark.parametrize("api", ["xml", "rest"])
PAGE_SPEND = {"xml": 4, "rest": 4}
"""Transactions a page of the demo company's AR payments costs with Order Entry in use: over XML
the page, its details (the line object), the pairing of its one Reversal entry and the look-up of
OE-posted records; over REST as many (measured). Without the order modules, one fewer."""


@asynccontextmanager
async def _demo(api: Api) -> AsyncIterator[tuple[Simulator, IntacctPort, IntacctPort]]:
    """The demo company, the adapter of ``api`` and the adapter of the other API."""
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)
    async with served(sim, At(NOW)) as both:
        if api == "xml":
            yield sim, both.xml, both.rest
        else:
            yield sim, both.rest, both.xml


def _payment(document: str, key: str = "ri-pay-oe-1") -> CreateInIntacct:
    payment = IntacctPayment(
        origin=Origin.AR,
        kind=PaymentKind.ORDINARY,
        party_id=IntacctId("CUS-1001"),
        date=date(2026, 4, 20),
        currency=Currency("USD"),
        amount=Decimal("100.00"),
        applications=(
            PaymentApplication(document_key=IntacctKey(document), amount=Decimal("100.00")),
        ),
        reference="CHQ-OE-1",
    )
    return CreateInIntacct(
        key=IdempotencyKey(key),
        record_type=RecordType.PAYMENT,
        released_id=ReleasedId("pay-oe-1"),
        record=payment,
        source_fingerprint="fp",
    )


@APIS
def test_D2_a_payment_of_an_oe_invoice_is_applied_to_its_ar_record_and_reads_back_by_docid(
    api: Api,
) -> None:
    async def main() -> None:
        async with _demo(api) as (sim, adapter, other):
            await value(adapter.setup(EntityId("")))
            write = _payment(DOCID)
            (outcome,) = await value(adapter.write([write]))
            written = outcome.result.unwrap()
            assert isinstance(written, IntacctPayment)
            assert [a.document_key for a in written.applications] == [DOCID]
            company = sim.companies["DEMO"]
            details = company.tables["ARPYMT"][int(written.record_no or 0)]["ARPYMTDETAILS"]
            document = company.by_field("SODOCUMENT", "DOCID", DOCID)
            assert isinstance(details, list)
            assert document is not None
            assert [d["RECORDKEY"] for d in details] == [document["PRRECORDKEY"]]
            for port in (adapter, other):
                page = await value(port.payments(Origin.AR, FeedQuery()))
                (read,) = [p for p in page.items if p.record_no == written.record_no]
                assert [a.document_key for a in read.applications] == [DOCID]
            found = await value(adapter.find_written(write))
            assert isinstance(found, IntacctPayment)
            assert [a.document_key for a in found.applications] == [DOCID]
            (alike,) = await value(adapter.candidates(_payment(DOCID, "ri-other")))
            assert isinstance(alike, IntacctPayment)
            assert [a.document_key for a in alike.applications] == [DOCID]
            # a payment of a plain AR invoice keeps its RECORDNO
            first = min(company.tables["ARPYMT"])
            paid = company.tables["ARPYMT"][first]["ARPYMTDETAILS"]
            assert isinstance(paid, list)
            plain = [p for p in page.items if p.record_no == str(first)]
            assert [a.document_key for a in plain[0].applications] == [paid[0]["RECORDKEY"]]

    asyncio.run(main())


@APIS
def test_D2_a_payment_of_a_document_not_posted_is_refused_with_the_reason(api: Api) -> None:
    async def main() -> None:
        async with _demo(api) as (sim, adapter, _):
            before = len(sim.companies["DEMO"].tables["ARPYMT"])
            (outcome,) = await value(adapter.write([_payment("Sales Invoice-SI9999")]))
            error = outcome.result.failure()
            assert error.kind is ErrorKind.REJECTED
            assert "Sales Invoice-SI9999, which is not posted in Sage Intacct yet" in error.message
            assert "Approve the invoice in Re-Leased" in error.fix
            assert len(sim.companies["DEMO"].tables["ARPYMT"]) == before

    asyncio.run(main())


@APIS
def test_a_company_without_order_modules_pays_no_extra_request_for_payments(api: Api) -> None:
    async def main() -> None:
        async with _demo(api) as (sim, adapter, _):
            setup = await value(adapter.setup(EntityId("")))
            assert setup.order_entry  # the demo uses Order Entry: one look-up per payment page
            spent = adapter.transactions_spent()
            await value(adapter.payments(Origin.AR, FeedQuery()))
            assert adapter.transactions_spent() - spent == PAGE_SPEND[api]
            for params in ("SODOCUMENTPARAMS", "PODOCUMENTPARAMS"):
                sim.companies["DEMO"].tables[params].clear()  # no definitions: modules not used
            setup = await value(adapter.setup(EntityId("")))
            assert not setup.order_entry
            assert not setup.purchasing
            spent = adapter.transactions_spent()
            await value(adapter.payments(Origin.AR, FeedQuery()))
            assert adapter.transactions_spent() - spent == PAGE_SPEND[api] - 1  # no OE look-up

    asyncio.run(main())
