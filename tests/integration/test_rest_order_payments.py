"""Payments of Order Entry documents through the REST adapter (rules D2, D19), as
test_adapter_order_payments checks the XML adapter: the domain names an OE invoice by its DOCID,
Intacct applies the payment to the AR invoice the document posted (its ``invoiceNumber`` is the
DOCID, its ``moduleKey`` Order Entry's)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct_rest.adapter import IntacctRestAdapter
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import Origin, PaymentKind, RecordType
from released_intacct.domain.errors import ErrorKind
from released_intacct.domain.ids import EntityId, IdempotencyKey, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctPayment, PaymentApplication
from released_intacct.domain.money import Currency
from released_intacct.domain.ports import FeedQuery, IntacctCredentials, OAuthCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct import seed
from released_intacct.fakes.simulators.intacct.seeddata import OAUTH_CLIENT
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
DOCID = "Sales Invoice-SI0001"  # posted: its AR invoice is its PRRECORDKEY
OAUTH = OAuthCredentials(
    client_id=OAUTH_CLIENT[0],
    client_secret=Secret(OAUTH_CLIENT[1]),
    company_id="DEMO",
    user_id="ws_user",
)
XML = IntacctCredentials(
    sender_id="demo-sender",
    sender_password=Secret("demo-sender-pass"),
    company_id="DEMO",
    user_id="ws_user",
    user_password=Secret("ws_pass"),
)


class _Clock:
    def now(self) -> datetime:
        return NOW


@asynccontextmanager
async def _demo() -> AsyncIterator[tuple[Simulator, IntacctRestAdapter, IntacctAdapter]]:
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)
    transport = httpx.ASGITransport(app=intacct_app.create_app(sim))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        settings = ClientSettings(
            endpoint="http://sim/ia/xml/xmlgw.phtml", api_base="http://sim/ia/api/v1", backoff=0.0
        )
        rest = IntacctRestAdapter(client, OAUTH, entity=None, settings=settings, clock=_Clock())
        yield sim, rest, IntacctAdapter(client, XML, entity=None, settings=settings)


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


def test_D2_a_payment_of_an_oe_invoice_over_rest_pays_its_ar_record_and_reads_back_by_docid() -> (
    None
):
    async def main() -> None:
        async with _demo() as (sim, rest, xml):
            await value(rest.setup(EntityId("")))
            write = _payment(DOCID)
            (outcome,) = await value(rest.write([write]))
            written = outcome.result.unwrap()
            assert isinstance(written, IntacctPayment)
            assert [a.document_key for a in written.applications] == [DOCID]
            company = sim.companies["DEMO"]
            details = company.tables["ARPYMT"][int(written.record_no or 0)]["ARPYMTDETAILS"]
            document = company.by_field("SODOCUMENT", "DOCID", DOCID)
            assert isinstance(details, list)
            assert document is not None
            assert [d["RECORDKEY"] for d in details] == [document["PRRECORDKEY"]]
            for port in (rest, xml):
                page = await value(port.payments(Origin.AR, FeedQuery()))
                (read,) = [p for p in page.items if p.record_no == written.record_no]
                assert [a.document_key for a in read.applications] == [DOCID]
            found = await value(rest.find_written(write))
            assert isinstance(found, IntacctPayment)
            assert [a.document_key for a in found.applications] == [DOCID]
            (alike,) = await value(rest.candidates(_payment(DOCID, "ri-other")))
            assert isinstance(alike, IntacctPayment)
            assert [a.document_key for a in alike.applications] == [DOCID]

    asyncio.run(main())


def test_D2_a_payment_over_rest_of_a_document_not_posted_is_refused_with_the_reason() -> None:
    async def main() -> None:
        async with _demo() as (sim, rest, _):
            before = len(sim.companies["DEMO"].tables["ARPYMT"])
            (outcome,) = await value(rest.write([_payment("Sales Invoice-SI9999")]))
            error = outcome.result.failure()
            assert error.kind is ErrorKind.REJECTED
            assert "Sales Invoice-SI9999, which is not posted in Sage Intacct yet" in error.message
            assert len(sim.companies["DEMO"].tables["ARPYMT"]) == before

    asyncio.run(main())


def test_a_company_without_order_modules_pays_no_extra_rest_request_for_payments() -> None:
    async def main() -> None:
        async with _demo() as (sim, rest, _):
            setup = await value(rest.setup(EntityId("")))
            assert setup.order_entry  # the demo uses Order Entry: one look-up per payment page
            spent = rest.transactions_spent()
            await value(rest.payments(Origin.AR, FeedQuery()))
            with_orders = rest.transactions_spent() - spent
            for params in ("SODOCUMENTPARAMS", "PODOCUMENTPARAMS"):
                sim.companies["DEMO"].tables[params].clear()  # no definitions: modules not used
            setup = await value(rest.setup(EntityId("")))
            assert not setup.order_entry
            assert not setup.purchasing
            spent = rest.transactions_spent()
            await value(rest.payments(Origin.AR, FeedQuery()))
            assert rest.transactions_spent() - spent == with_orders - 1  # all but the OE look-up

    asyncio.run(main())
