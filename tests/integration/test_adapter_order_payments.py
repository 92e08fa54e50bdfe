"""Payments of Order Entry documents through the adapter and the simulator (rules D2, D17, D19).

The domain names an OE invoice by its DOCID; Intacct applies a payment to the AR invoice the
document posted (SODOCUMENT.PRRECORDKEY). The adapter translates both ways.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import Origin, PaymentKind, RecordType
from released_intacct.domain.errors import ErrorKind
from released_intacct.domain.ids import EntityId, IdempotencyKey, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctPayment, PaymentApplication
from released_intacct.domain.money import Currency
from released_intacct.domain.ports import FeedQuery, IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct import seed
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CREDENTIALS = IntacctCredentials(
    sender_id="demo-sender",
    sender_password=Secret("demo-sender-pass"),
    company_id="DEMO",
    user_id="ws_user",
    user_password=Secret("ws_pass"),
)
DOCID = "Sales Invoice-SI0001"  # posted: its AR invoice is its PRRECORDKEY


@asynccontextmanager
async def _demo() -> AsyncIterator[tuple[Simulator, IntacctAdapter]]:
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)
    transport = httpx.ASGITransport(app=intacct_app.create_app(sim))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        settings = ClientSettings(endpoint="http://sim/ia/xml/xmlgw.phtml", backoff=0.0)
        yield sim, IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)


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


def test_D2_a_payment_of_an_oe_invoice_is_applied_to_its_ar_record_and_reads_back_by_docid() -> (
    None
):
    async def main() -> None:
        async with _demo() as (sim, adapter):
            await value(adapter.setup(EntityId("")))
            (outcome,) = await value(adapter.write([_payment(DOCID)]))
            written = outcome.result.unwrap()
            assert isinstance(written, IntacctPayment)
            assert [a.document_key for a in written.applications] == [DOCID]
            held = sim.companies["DEMO"].tables["ARPYMT"][int(written.record_no or 0)]
            details = held["ARPYMTDETAILS"]
            assert isinstance(details, list)
            company = sim.companies["DEMO"]
            document = company.by_field("SODOCUMENT", "DOCID", DOCID)
            assert document is not None
            assert [d["RECORDKEY"] for d in details] == [document["PRRECORDKEY"]]
            page = await value(adapter.payments(Origin.AR, FeedQuery()))
            (read,) = [p for p in page.items if p.record_no == written.record_no]
            assert [a.document_key for a in read.applications] == [DOCID]
            # a payment of a plain AR invoice keeps its RECORDNO
            first = min(company.tables["ARPYMT"])
            paid = company.tables["ARPYMT"][first]["ARPYMTDETAILS"]
            assert isinstance(paid, list)
            plain = [p for p in page.items if p.record_no == str(first)]
            assert [a.document_key for a in plain[0].applications] == [paid[0]["RECORDKEY"]]

    asyncio.run(main())


def test_D2_a_payment_of_a_document_not_posted_is_refused_with_the_reason() -> None:
    async def main() -> None:
        async with _demo() as (sim, adapter):
            before = len(sim.companies["DEMO"].tables["ARPYMT"])
            (outcome,) = await value(adapter.write([_payment("Sales Invoice-SI9999")]))
            error = outcome.result.failure()
            assert error.kind is ErrorKind.REJECTED
            assert "Sales Invoice-SI9999, which is not posted in Sage Intacct yet" in error.message
            assert "Approve the invoice in Re-Leased" in error.fix
            assert len(sim.companies["DEMO"].tables["ARPYMT"]) == before

    asyncio.run(main())


def test_a_company_without_order_modules_pays_no_extra_request_for_payments() -> None:
    async def main() -> None:
        async with _demo() as (sim, adapter):
            setup = await value(adapter.setup(EntityId("")))
            assert setup.order_entry  # the demo uses Order Entry: one look-up per payment page
            spent = adapter.transactions_spent()
            await value(adapter.payments(Origin.AR, FeedQuery()))
            # the page, its details (the line object), the pairing of its one Reversal entry
            # and the look-up of OE-posted records
            assert adapter.transactions_spent() - spent == 4
            for params in ("SODOCUMENTPARAMS", "PODOCUMENTPARAMS"):
                sim.companies["DEMO"].tables[params].clear()  # no definitions: modules not used
            setup = await value(adapter.setup(EntityId("")))
            assert not setup.order_entry
            assert not setup.purchasing
            spent = adapter.transactions_spent()
            await value(adapter.payments(Origin.AR, FeedQuery()))
            assert adapter.transactions_spent() - spent == 3  # all but the OE look-up

    asyncio.run(main())
