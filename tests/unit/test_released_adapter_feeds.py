"""Re-Leased change feeds against scripted replies (httpx.MockTransport is the fake server)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import pytest
from returns.future import FutureResult
from returns.io import IOResult
from returns.pipeline import is_successful
from returns.unsafe import unsafe_perform_io

from released_intacct.adapters.released import ReleasedAdapter, ReleasedSettings
from released_intacct.domain.enums import DocumentKind, ReleasedStatus
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery, Page
from released_intacct.domain.secret import Secret

T = TypeVar("T")
KEY = "rl-live-5ecret-api-key"
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Server:
    """Answers each request with the next scripted reply and keeps what it was sent."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.seen: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply if isinstance(reply, httpx.Response) else reply(request)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def adapter(replies: list[Reply], **settings: Any) -> tuple[ReleasedAdapter, Server]:
    server = Server(replies)
    client = httpx.AsyncClient(transport=httpx.MockTransport(server.handle))
    made = ReleasedAdapter(
        client,
        base_url="https://released.test/",
        api_key=Secret(KEY),
        company_id="co-1",
        settings=ReleasedSettings(**settings),
        sleep=server.sleep,
        jitter=lambda: 0.5,
    )
    return made, server


def run(call: FutureResult[T, SyncError]) -> IOResult[T, SyncError]:
    async def main() -> IOResult[T, SyncError]:
        return await call

    return asyncio.run(main())


def ok(call: FutureResult[T, SyncError]) -> T:
    return unsafe_perform_io(run(call).unwrap())


def failed(call: FutureResult[T, SyncError]) -> SyncError:
    result = run(call)
    assert not is_successful(result)
    return unsafe_perform_io(result.failure())


def contact(number: int, *, minute: int = 0, **changes: Any) -> dict[str, Any]:
    record = {
        "id": f"c-{number}",
        "name": f"Tenant {number}",
        "email": None,
        "postalAddress": None,
        "streetAddress": {"address": "1 Main St", "townCity": "Wellington"},
        "currency": "NZD",
        "status": "Active",
        "role": None,
        "lastModified": f"2026-03-01T09:{minute:02d}:00Z",
        "version": 1,
    }
    return {**record, **changes}


def page(
    items: list[Any], *, number: int = 1, has_more: bool = False, size: int = 500
) -> httpx.Response:
    body = {"items": items, "page": number, "pageSize": size, "totalCount": len(items),
            "hasMore": has_more}  # fmt: skip
    return httpx.Response(200, json=body)


def test_the_first_page_sends_the_cursor_the_page_size_and_the_headers() -> None:
    released, server = adapter([page([contact(1)])])
    since = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    got = ok(released.contacts(FeedQuery(since=since)))
    request = server.seen[0]
    assert request.url.path == "/api/contacts"
    assert dict(request.url.params) == {
        "modifiedSince": "2026-03-01T09:00:00.000000Z",
        "page": "1",
        "pageSize": "500",
        "includeArchived": "true",
    }
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["x-company-id"] == "co-1"
    assert "idempotency-key" not in request.headers
    assert [c.name for c in got.items] == ["Tenant 1"]
    assert got.items[0].street_address.city == "Wellington"
    assert got.next_token is None


def test_an_empty_feed_is_one_request_and_no_high_water() -> None:
    released, server = adapter([page([])])
    got = ok(released.contacts(FeedQuery()))
    assert (got.items, got.next_token, got.high_water, got.problems) == ((), None, None, ())
    assert "modifiedSince" not in server.seen[0].url.params


@pytest.mark.parametrize(("count", "size", "pages"), [(1, 3, 1), (3, 3, 1), (4, 3, 2), (7, 3, 3)])
def test_paging_reads_every_record_once(count: int, size: int, pages: int) -> None:
    """Continuation is by key: each next page asks ``modifiedSince`` the last record returned,
    which the server sends again (the filter is inclusive, and the page size counts it) and the
    adapter drops."""
    records = [contact(n, minute=n) for n in range(count)]
    served: list[list[dict[str, Any]]] = []

    def serve(request: httpx.Request) -> httpx.Response:
        since = request.url.params.get("modifiedSince")
        fresh = [r for r in records if since is None or r["lastModified"] >= since[:16] + ":00Z"]
        served.append(fresh[:size])
        return page(fresh[:size], has_more=len(fresh) > size)

    released, server = adapter([serve] * pages, page_size=size)
    seen: list[str] = []
    query = FeedQuery()
    while True:
        got: Page[Any] = ok(released.contacts(query))
        seen.extend(c.id for c in got.items)
        if got.next_token is None:
            break
        query = FeedQuery(token=got.next_token)
    assert seen == [f"c-{n}" for n in range(count)]
    assert [r.url.params["page"] for r in server.seen] == ["1"] * pages
    cursors = [r.url.params.get("modifiedSince") for r in server.seen]
    assert cursors == [None] + [
        f"2026-03-01T09:{c[-1]['lastModified'][14:16]}:00.000000Z" for c in served[:-1]
    ]
    assert all(r.url.params["pageSize"] == str(size) for r in server.seen)


def test_high_water_is_the_latest_last_modified_of_the_page() -> None:
    released, _ = adapter(
        [page([contact(1, minute=5), contact(2, minute=42), contact(3, minute=7)])]
    )
    got = ok(released.contacts(FeedQuery()))
    assert got.high_water == datetime(2026, 3, 1, 9, 42, tzinfo=UTC)


def test_an_unreadable_record_is_a_problem_naming_its_path_and_the_rest_is_read() -> None:
    items = [contact(0), contact(1), contact(2), contact(3, minute=59, status=7)]
    released, _ = adapter([page(items)])
    got = ok(released.contacts(FeedQuery()))
    assert [c.id for c in got.items] == ["c-0", "c-1", "c-2"]
    (problem,) = got.problems
    assert problem.kind is ErrorKind.REJECTED
    assert "$.items[3].status" in problem.message
    assert problem.record is not None
    assert problem.record.released_id == "c-3"
    assert got.high_water == datetime(2026, 3, 1, 9, 59, tzinfo=UTC)


def invoice(number: int, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"i-{number}", "type": "Income", "invoiceNumber": f"INV-{number}",
        "status": "Approved", "contactId": "c-1", "issueDate": "2026-03-01",
        "dueDate": None, "currency": "NZD", "subTotal": "10.00", "totalTax": "1.50",
        "total": "11.50", "amountPaid": "0.00", "amountDue": "11.50", "lines": [],
        "lastModified": "2026-03-01T10:00:00Z", "version": 2,
    }  # fmt: skip
    return {**record, **changes}


def test_a_money_field_sent_as_a_number_is_a_problem_with_its_path() -> None:
    items = [invoice(0), invoice(1), invoice(2), invoice(3, total=11.5)]
    released, server = adapter([page(items)])
    got = ok(released.invoices(DocumentKind.INVOICE, FeedQuery()))
    assert server.seen[0].url.path == "/api/invoices"
    assert len(got.items) == 3
    assert "$.items[3].total" in got.problems[0].message
    assert "JSON number" in got.problems[0].message


@pytest.mark.parametrize(
    ("change", "path"),
    [({"total": None}, "$.items[0].total"), ({"lines": "x"}, "$.items[0].lines")],
)
def test_a_missing_or_mistyped_field_names_its_path(change: dict[str, Any], path: str) -> None:
    record = invoice(0, **change)
    if change.get("total", "") is None:
        del record["total"]
    released, _ = adapter([page([record])])
    got = ok(released.invoices(DocumentKind.INVOICE, FeedQuery()))
    assert got.items == ()
    assert path in got.problems[0].message


def test_credit_notes_are_read_from_their_own_resource() -> None:
    note = {**invoice(5), "remainingCredit": "11.50"}
    del note["dueDate"]
    released, server = adapter([page([note])])
    got = ok(released.invoices(DocumentKind.CREDIT_NOTE, FeedQuery()))
    assert server.seen[0].url.path == "/api/credit-notes"
    assert got.items[0].kind is DocumentKind.CREDIT_NOTE


@pytest.mark.parametrize(
    ("body", "kind", "said"),
    [
        (b"<html><body>Bad gateway</body></html>", ErrorKind.RETRIABLE, "not JSON"),
        (b'{"items": [], "page": 1', ErrorKind.RETRIABLE, "not JSON"),
        (b'{"items": [], "page": 1, "pageSize": 5, "totalCount": 0}', ErrorKind.FATAL, "$.hasMore"),
        (
            b'{"items": {}, "page": 1, "pageSize": 5, "totalCount": 0, "hasMore": false}',
            ErrorKind.FATAL,
            "$.items",
        ),
    ],
)
def test_a_malformed_page_is_a_clear_error(body: bytes, kind: ErrorKind, said: str) -> None:
    """A reply that is not JSON at all is asked for again (the next may be whole); one whose
    JSON has the wrong shape is not."""
    released, server = adapter([httpx.Response(200, content=body)] * 3, attempts=3)
    error = failed(released.accounts(FeedQuery()))
    assert error.kind is kind
    assert said in error.message
    assert len(server.seen) == (3 if kind is ErrorKind.RETRIABLE else 1)


def test_a_reply_cut_off_is_asked_for_again() -> None:
    whole = page([])
    released, server = adapter([httpx.Response(200, content=whole.content[:9]), whole])
    assert ok(released.accounts(FeedQuery())).items == ()
    assert len(server.seen) == 2


def test_a_page_that_says_has_more_with_no_items_is_refused() -> None:
    released, _ = adapter([page([], has_more=True)])
    error = failed(released.tax_types(FeedQuery()))
    assert error.kind is ErrorKind.FATAL
    assert "inconsistently" in error.message


def test_the_wrong_page_is_refused() -> None:
    released, _ = adapter([page([], number=1)])
    assert "page 2" in failed(released.contacts(FeedQuery(token="||2"))).message


def test_lists_read_into_domain_records() -> None:
    stamp = "2026-03-01T10:00:00Z"
    category = {"id": "tc-1", "name": "Department", "kind": "DEPARTMENT", "status": "Active",
                "options": [{"id": "o-1", "name": "Sales", "status": "Archived"}],
                "lastModified": stamp, "version": 4}  # fmt: skip
    account = {"id": "a-1", "code": "200", "name": "Rent", "type": "Revenue", "status": "Active",
               "lastModified": stamp, "version": 1}  # fmt: skip
    released, server = adapter([page([category]), page([account])])
    (got,) = ok(released.tracking_categories(FeedQuery())).items
    assert got.kind is not None
    assert got.kind.value == "DEPARTMENT"
    assert got.options[0].status is ReleasedStatus.ARCHIVED
    assert got.options[0].category_id == "tc-1"
    (read,) = ok(released.accounts(FeedQuery())).items
    assert (read.code, read.account_type) == ("200", "Revenue")
    assert [r.url.path for r in server.seen] == ["/api/tracking-categories", "/api/accounts"]


def payment(number: int, **changes: Any) -> dict[str, Any]:
    record = {"id": f"p-{number}", "invoiceId": "i-1", "date": "2026-03-05", "amount": "0.10",
              "reference": "dd", "status": "Active", "lastModified": "2026-03-05T00:00:00Z",
              "version": 1}  # fmt: skip
    return {**record, **changes}


def test_payments_take_their_documents_currency_read_once() -> None:
    doc = httpx.Response(200, json=invoice(1, currency="AUD"))
    released, server = adapter([page([payment(1), payment(2), payment(3, currency="NZD")]), doc])
    got = ok(released.payments(FeedQuery()))
    assert [(p.currency, p.amount) for p in got.items] == [
        ("AUD", Decimal("0.10")),
        ("AUD", Decimal("0.10")),
        ("NZD", Decimal("0.10")),
    ]
    assert [r.url.path for r in server.seen] == ["/api/payments", "/api/invoices/i-1"]


def test_a_payment_whose_document_is_gone_is_a_problem() -> None:
    gone = httpx.Response(404, json={"error": {"code": "not_found", "message": "No invoice"}})
    released, _ = adapter([page([payment(1, invoiceId="i-9")]), gone])
    got = ok(released.payments(FeedQuery()))
    assert got.items == ()
    assert "i-9" in got.problems[0].message


def _line(**changes: Any) -> dict[str, Any]:
    line = {"accountId": "a-1", "quantity": "1", "unitPrice": "10.00", "taxAmount": "1.50",
            "lineAmount": "10.00"}  # fmt: skip
    return {**line, **changes}


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("unitPrice", "1" * 27 + ".00", "more than 15 digits before the decimal point"),
        ("quantity", "1000000000000000", "more than 15 digits before the decimal point"),
        ("taxAmount", "0.00000000001", "more than 10 decimal places"),
        ("taxAmount", "-0.00000000001", "more than 10 decimal places"),
    ],
)
def test_F5_an_amount_beyond_the_bounds_is_a_problem_of_its_record_naming_the_field(
    field: str, value: str, why: str
) -> None:
    """A 27-digit amount made ``quantize`` raise in planning, run after run: it is now refused
    where it is read, as a problem of its page naming the field, and the rest is read."""
    items = [invoice(0, lines=[_line()]), invoice(1, lines=[_line(**{field: value})]), invoice(2)]
    released, _ = adapter([page(items)])
    got = ok(released.invoices(DocumentKind.INVOICE, FeedQuery()))
    assert [i.id for i in got.items] == ["i-0", "i-2"]
    (problem,) = got.problems
    assert problem.kind is ErrorKind.REJECTED
    assert problem.record is not None
    assert problem.record.released_id == "i-1"
    assert f"$.items[1].lines[0].{field}" in problem.message
    assert why in problem.message


def test_F5_a_payment_amount_beyond_the_bounds_is_a_problem_of_its_record() -> None:
    items = [payment(1, currency="NZD"), payment(2, currency="NZD", amount="9" * 16)]
    released, _ = adapter([page(items)])
    got = ok(released.payments(FeedQuery()))
    assert [p.id for p in got.items] == ["p-1"]
    assert "$.items[1].amount" in got.problems[0].message
