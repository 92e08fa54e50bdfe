"""The REST payments feed against replies shaped as the pages show them (nested blocks, amounts
as strings or numbers, AP ``recordType`` ``apPayment``: docs/intacct-rest.md 4.11), and the
requests it sends: the headers on the cursor, then their details by owner key."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
from returns.result import Result

from released_intacct.adapters.intacct_rest.batch import Batches
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.oauth import AccessTokens, TokenClient
from released_intacct.adapters.intacct_rest.payments import payments
from released_intacct.adapters.intacct_rest.query import QueryPages
from released_intacct.adapters.intacct_rest.transport import RestTransport
from released_intacct.domain.enums import IntacctState, Origin, PaymentKind
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import IntacctPayment, PaymentApplication
from released_intacct.domain.ports import FeedQuery, Page
from released_intacct.fakes.rest_stub import Client, Clock, RestStub, body, settings

SINCE = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _rows(rows: list[dict[str, Any]]) -> httpx.Response:
    meta = {"totalCount": len(rows), "start": 1, "pageSize": 4000, "next": None}
    return body({"ia::result": rows, "ia::meta": meta})


def _feed(stub: RestStub, origin: Origin) -> Result[Page[IntacctPayment], SyncError]:
    async def go() -> Result[Page[IntacctPayment], SyncError]:
        async with stub.client() as client:
            config, clock = settings(), Clock()
            tokens = AccessTokens(TokenClient(client, config, Client(), clock), config, clock)
            transport = RestTransport(client, config, tokens)
            rest = Rest(
                transport=transport,
                pages=QueryPages(transport, config),
                batches=Batches(transport, config),
                settings=config,
                clock=clock,
            )
            return await payments(rest, origin, FeedQuery(since=SINCE))

    return asyncio.run(go())


AP_HEADER = {
    "key": "3302",
    "recordType": "apPayment",
    "state": "confirmed",
    "vendor": {"id": "201"},
    "paymentDate": "2024-04-04",
    "txnCurrency": {"currency": "USD", "totalAmount": 110, "totalDue": "0"},
    "documentNumber": "3086",
    "description": "ri-0123",
    "audit": {"modifiedDateTime": "2026-12-06T12:30:00Z"},
}
AP_DETAILS = [
    {"key": "1133", "apPayment": {"key": "3302"}, "bill": {"key": "2570"},
     "txnCurrency": {"paymentAmount": "100.00"}},
    {"key": "1134", "apPayment": {"key": "3302"}, "bill": {"key": "2571"},
     "txnCurrency": {"paymentAmount": 10, "adjustmentAmount": "5.00"}},
]  # fmt: skip


def test_an_ap_payment_in_the_pages_shapes_is_read_with_its_details() -> None:
    stub = RestStub([_rows([AP_HEADER]), _rows(AP_DETAILS)])
    page = _feed(stub, Origin.AP).unwrap()
    (payment,) = page.items
    assert payment == IntacctPayment(
        origin=Origin.AP,
        kind=PaymentKind.ORDINARY,
        party_id=payment.party_id,
        date=date(2024, 4, 4),
        currency=payment.currency,
        amount=Decimal(110),
        applications=(
            PaymentApplication(document_key=IntacctKey("2570"), amount=Decimal("100.00")),
            PaymentApplication(document_key=IntacctKey("2571"), amount=Decimal(10)),
        ),
        state=IntacctState.POSTED,
        reference="3086",
        record_no="3302",
        modified_at=datetime(2026, 12, 6, 12, 30, tzinfo=UTC),
        credits=(PaymentApplication(document_key=IntacctKey("2571"), amount=Decimal("5.00")),),
    )
    assert (payment.party_id, payment.currency) == ("201", "USD")
    headers, details = stub.sent(0), stub.sent(1)
    assert headers["object"] == "accounts-payable/payment"
    cursor = {
        "field": "audit.modifiedDateTime",
        "operator": "$gte",
        "value": "2026-12-06T11:55:00Z",
    }
    assert cursor in headers["filters"]
    assert details["object"] == "accounts-payable/payment-detail"
    assert details["filters"] == [{"field": "apPayment.key", "operator": "$in", "value": ["3302"]}]


def test_an_empty_page_of_payments_asks_for_no_details() -> None:
    stub = RestStub([_rows([])])
    assert _feed(stub, Origin.AR).unwrap().items == ()
    assert len(stub.requests) == 1


def test_M1_an_unknown_state_is_a_problem_of_its_page_naming_the_payment() -> None:
    header = {**AP_HEADER, "state": "teleported"}
    page = _feed(RestStub([_rows([header]), _rows([])]), Origin.AP).unwrap()
    assert page.items == ()
    (problem,) = page.problems
    assert problem.kind is ErrorKind.REJECTED
    assert "3302" in problem.message
    assert "teleported" in str(problem) + str(problem.cause)
