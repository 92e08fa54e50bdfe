"""Re-Leased writes and errors against scripted replies (httpx.MockTransport is the fake server)."""

from __future__ import annotations

import asyncio
import json
import logging
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import msgspec
import pytest
from returns.future import FutureResult
from returns.io import IOResult
from returns.pipeline import is_successful
from returns.unsafe import unsafe_perform_io

from released_intacct.adapters.log import Event
from released_intacct.adapters.released import ReleasedAdapter, ReleasedSettings
from released_intacct.domain.enums import (
    DocumentKind,
    InvoiceType,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedStatus,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.money import Currency
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    InvoiceLine,
    Payment,
    TrackingOption,
)
from released_intacct.domain.secret import Secret

T = TypeVar("T")
KEY = "rl-live-5ecret-api-key"
IKEY = IdempotencyKey("ri-0123456789abcdef0123456789abcdef")
STAMP = "2026-03-01T10:00:00Z"
Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Server:
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

    def body(self, index: int) -> Any:
        return json.loads(self.seen[index].content)


def adapter(replies: list[Reply], **settings: Any) -> tuple[ReleasedAdapter, Server]:
    server = Server(replies)
    client = httpx.AsyncClient(transport=httpx.MockTransport(server.handle))
    made = ReleasedAdapter(
        client,
        base_url="https://released.test",
        api_key=Secret(KEY),
        company_id="co-1",
        settings=ReleasedSettings(**{"backoff": 1.0, **settings}),
        sleep=server.sleep,
        jitter=lambda: 0.5,
    )
    return made, server


def run(call: FutureResult[T, SyncError]) -> IOResult[T, SyncError]:
    async def main() -> IOResult[T, SyncError]:
        return await call

    return asyncio.run(main())


def ok(call: FutureResult[T, SyncError]) -> T:
    result = run(call)
    assert is_successful(result), result
    return unsafe_perform_io(result.unwrap())


def failed(call: FutureResult[T, SyncError]) -> SyncError:
    result = run(call)
    assert not is_successful(result)
    return unsafe_perform_io(result.failure())


def error(status: int, code: str, message: str = "", **extra: Any) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, **extra}})


def contact_json(**changes: Any) -> dict[str, Any]:
    record = {"id": "ri-key", "name": "Acme", "currency": "NZD", "status": "Active",
              "lastModified": STAMP, "version": 1}  # fmt: skip
    return {**record, **changes}


def listing(items: list[Any]) -> httpx.Response:
    body = {"items": items, "page": 1, "pageSize": 500, "totalCount": len(items), "hasMore": False}
    return httpx.Response(200, json=body)


CONTACT = Contact(id=ReleasedId("ri-key"), name="Acme", currency=Currency("NZD"))


def test_a_create_sends_the_key_and_proposes_the_id() -> None:
    released, server = adapter([httpx.Response(201, json=contact_json())])
    created = ok(released.create(IKEY, CONTACT))
    request = server.seen[0]
    assert (request.method, request.url.path) == ("POST", "/api/contacts")
    assert request.headers["idempotency-key"] == IKEY
    assert request.headers["x-sync-source"] == "intacct"
    assert server.body(0)["id"] == "ri-key"
    assert "version" not in server.body(0)
    assert isinstance(created, Contact)
    assert created.version == 1


@pytest.mark.parametrize(
    "first",
    [
        httpx.RemoteProtocolError("peer closed connection without response"),
        httpx.ReadTimeout("timed out"),
        httpx.Response(502),
        error(524, "timeout_after_commit"),
    ],
)
def test_a_create_retried_after_an_uncertain_failure_resends_the_same_key_and_body(
    first: Reply,
) -> None:
    replay = httpx.Response(201, json=contact_json(), headers={"Idempotent-Replayed": "true"})
    released, server = adapter([first, replay])
    created = ok(released.create(IKEY, CONTACT))
    assert created.id == "ri-key"
    assert len(server.seen) == 2
    keys = {request.headers["idempotency-key"] for request in server.seen}
    assert keys == {IKEY}
    assert server.seen[0].content == server.seen[1].content
    assert server.sleeps == [0.5]


def test_throttling_waits_for_retry_after() -> None:
    throttled = error(429, "rate_limited", "Slow down")
    throttled.headers["Retry-After"] = "7"
    released, server = adapter([throttled, throttled, listing([])])
    ok(released.find_by_key(RecordType.CONTACT, IKEY))
    assert server.sleeps == [7.0, 7.0]
    assert len(server.seen) == 3


def test_a_retry_of_a_re_leased_request_logs_its_cause_at_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    throttled = error(429, "rate_limited", "Slow down")
    throttled.headers["Retry-After"] = "7"
    caplog.set_level(logging.INFO, logger="released_intacct.adapters.retrying")
    released, _ = adapter([throttled, httpx.Response(503), listing([])])
    ok(released.find_by_key(RecordType.CONTACT, IKEY))
    logged = [r.msg for r in caplog.records if isinstance(r.msg, Event)]
    assert [(e["event"], e["system"], e["reason"], e["status"]) for e in logged] == [
        ("request_retried", "Re-Leased", "retry_after", 429),
        ("request_retried", "Re-Leased", "status", 503),
    ]
    assert logged[0]["retry_after"] == 7.0


def test_retries_stop_after_the_configured_attempts_with_growing_back_off() -> None:
    released, server = adapter([httpx.Response(503) for _ in range(4)], attempts=4)
    failure = failed(released.find_by_key(RecordType.CONTACT, IKEY))
    assert failure.kind is ErrorKind.RETRIABLE
    assert server.sleeps == [0.5, 1.0, 2.0]


def test_a_retry_after_beyond_the_limit_is_not_slept() -> None:
    throttled = error(429, "rate_limited")
    throttled.headers["Retry-After"] = "3600"
    released, server = adapter([throttled])
    assert failed(released.find_by_key(RecordType.CONTACT, IKEY)).kind is ErrorKind.RETRIABLE
    assert server.sleeps == []


def test_F13_pool_timeout_a_request_never_sent_is_unsent_a_read_timeout_is_not() -> None:
    pool = httpx.PoolTimeout("no connection free")
    released, server = adapter([pool, pool], attempts=2)
    failure = failed(released.create(IKEY, CONTACT))
    assert (failure.kind, failure.unsent, failure.cause) == (
        ErrorKind.RETRIABLE,
        True,
        "PoolTimeout",
    )
    assert "no connection to Re-Leased was free in time" in failure.message
    assert server.sleeps == [0.5]
    released, _ = adapter([httpx.ReadTimeout("no reply")], attempts=1)
    assert not failed(released.create(IKEY, CONTACT)).unsent  # it may have run


def test_F7_a_retry_after_beyond_the_limit_says_how_long_was_asked_and_the_limit() -> None:
    throttled = error(429, "rate_limited", f"Slow down, {KEY}")
    throttled.headers["Retry-After"] = "86400"
    released, server = adapter([throttled, listing([])], max_retry_after=90)
    failure = failed(released.find_by_key(RecordType.CONTACT, IKEY))
    assert (len(server.seen), server.sleeps) == (1, [])
    assert failure.kind is ErrorKind.RETRIABLE
    assert "Re-Leased is busy" in failure.message
    assert "asked to wait 86400 s before trying again, longer than the 90 s" in failure.message
    assert "raise released.max_retry_after" in failure.fix
    assert KEY not in f"{failure.message} {failure.fix} {failure.cause}"


def test_F7_a_request_s_waits_stop_at_max_retry_wait_in_all() -> None:
    throttled = error(429, "rate_limited")
    throttled.headers["Retry-After"] = "40"
    replies: list[Reply] = [throttled, throttled, throttled, throttled, listing([])]
    released, server = adapter(replies, max_retry_wait=100)
    failure = failed(released.find_by_key(RecordType.CONTACT, IKEY))
    assert server.sleeps == [40.0, 40.0]
    assert len(server.seen) == 3
    assert "past 100 s in all (released.max_retry_wait)" in failure.message


def test_an_update_sends_its_version_and_a_stale_one_is_a_retriable_conflict() -> None:
    stale = error(409, "version_conflict", "Version 3 is stale", currentVersion=4)
    changed = httpx.Response(200, json=contact_json(name="Acme Holdings", version=4))
    released, server = adapter([stale, changed])
    failure = failed(released.update(replace(CONTACT, version=3)))
    assert (server.seen[0].method, server.seen[0].url.path) == ("PUT", "/api/contacts/ri-key")
    assert server.body(0)["version"] == 3
    assert (server.seen[1].method, server.seen[1].url.path) == ("GET", "/api/contacts/ri-key")
    assert failure.kind is ErrorKind.RETRIABLE
    assert "changed in Re-Leased meanwhile" in failure.message


def test_a_conflict_with_the_update_itself_is_its_success() -> None:
    """The transport sent the PUT again after the first one's reply was lost: the 409 answers
    the repeat, and the record read back holds what was sent."""
    stale = error(409, "version_conflict", "Version 3 is stale", currentVersion=4)
    landed = httpx.Response(200, json=contact_json(version=4))
    released, _ = adapter([httpx.Response(524), stale, landed])
    updated = ok(released.update(replace(CONTACT, version=3)))
    assert isinstance(updated, Contact)
    assert (updated.name, updated.version) == ("Acme", 4)


def test_an_update_built_from_intacct_reads_the_current_version_first() -> None:
    account = Account(id=ReleasedId("a-1"), code="200", name="Rent income")
    stored = {"id": "a-1", "code": "200", "name": "Rent income", "type": None,
              "status": "Active", "lastModified": STAMP, "version": 9}  # fmt: skip
    released, server = adapter([httpx.Response(200, json={**stored, "version": 8}),
                                httpx.Response(200, json=stored)])  # fmt: skip
    updated = ok(released.update(account))
    assert [(r.method, r.url.path) for r in server.seen] == [
        ("GET", "/api/accounts/a-1"),
        ("PUT", "/api/accounts/a-1"),
    ]
    assert server.body(1)["version"] == 8
    assert updated == account


def test_a_validation_error_names_the_fields() -> None:
    details = [{"field": "lines[0].unitPrice", "message": "must be a decimal string"}]
    refused = error(400, "validation_failed", "The invoice is not valid.", details=details)
    released, _ = adapter([refused])
    failure = failed(released.create(IKEY, _invoice()))
    assert failure.kind is ErrorKind.REJECTED
    assert "lines[0].unitPrice: must be a decimal string" in failure.message
    assert failure.cause == "HTTP 400 validation_failed"


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, "unauthorized", ErrorKind.FATAL),
        (403, "forbidden", ErrorKind.FATAL),
        (404, "not_found", ErrorKind.NEEDS_USER),
        (409, "id_taken", ErrorKind.REJECTED),
        (422, "idempotency_key_reused", ErrorKind.REJECTED),
        (400, "missing_idempotency_key", ErrorKind.FATAL),
    ],
)
def test_error_bodies_are_classified(status: int, code: str, kind: ErrorKind) -> None:
    released, server = adapter([error(status, code, f"{code} happened")])
    failure = failed(released.create(IKEY, CONTACT))
    assert failure.kind is kind
    assert code in (failure.cause or "")
    assert len(server.seen) == 1


def test_an_error_that_is_an_html_page_is_still_classified() -> None:
    page = httpx.Response(403, content=b"<html><title>Forbidden</title></html>")
    released, _ = adapter([page])
    failure = failed(released.create(IKEY, CONTACT))
    assert failure.kind is ErrorKind.FATAL
    assert "<html>" in failure.message


def test_a_created_record_that_comes_back_malformed_names_the_path() -> None:
    released, _ = adapter([httpx.Response(201, json=contact_json(version="one"))])
    failure = failed(released.create(IKEY, CONTACT))
    assert "$.version" in failure.message


def test_the_api_key_is_never_shown() -> None:
    echoed = error(401, "unauthorized", f"Key {KEY} is not valid for company co-1")
    released, _ = adapter([echoed])
    failure = failed(released.create(IKEY, CONTACT))
    assert KEY not in repr(failure)
    assert KEY not in str(failure)
    assert "**********" in failure.message
    assert KEY not in repr(released)
    assert KEY not in repr(released.http)


def _invoice(**changes: Any) -> Invoice:
    invoice = Invoice(
        id=ReleasedId("ri-inv"),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.INCOME,
        invoice_number="INV-9",
        status=ReleasedInvoiceStatus.APPROVED,
        contact_id=ReleasedId("c-1"),
        issue_date=date(2026, 3, 1),
        due_date=date(2026, 3, 31),
        currency=Currency("NZD"),
        lines=(InvoiceLine(description="Rent", account_id=ReleasedId("a"), unit_price=Decimal(1)),),
    )
    return replace(invoice, **changes)


def test_documents_go_to_their_resource_by_kind() -> None:
    released, server = adapter([error(422, "x"), error(422, "x")])
    failed(released.create(IKEY, _invoice()))
    failed(released.create(IKEY, _invoice(kind=DocumentKind.CREDIT_NOTE)))
    assert [r.url.path for r in server.seen] == ["/api/invoices", "/api/credit-notes"]


def test_void_posts_the_action_and_a_repeat_is_harmless() -> None:
    voided = {"status": "Voided"}
    invoice = {"id": "i-1", "type": "Income", "invoiceNumber": "INV-1", "status": "Voided",
               "contactId": "c", "issueDate": "2026-03-01", "currency": "NZD",
               "subTotal": "1.00", "totalTax": "0.00", "total": "1.00", "amountPaid": "0.00",
               "amountDue": "1.00", "lines": [], "lastModified": STAMP, "version": 5}  # fmt: skip
    refused = error(422, "invalid_transition", "Voided invoices cannot be voided")
    released, server = adapter([httpx.Response(200, json=voided), refused,
                                httpx.Response(200, json=invoice)])  # fmt: skip
    ok(released.void(RecordType.INVOICE, ReleasedId("i-1")))
    ok(released.void(RecordType.INVOICE, ReleasedId("i-1")))
    assert [(r.method, r.url.path) for r in server.seen] == [
        ("POST", "/api/invoices/i-1/void"),
        ("POST", "/api/invoices/i-1/void"),
        ("GET", "/api/invoices/i-1"),
    ]


def test_a_refused_void_of_a_paid_invoice_stays_refused() -> None:
    paid = {"id": "i-1", "type": "Income", "invoiceNumber": "INV-1", "status": "Paid",
            "contactId": "c", "issueDate": "2026-03-01", "currency": "NZD",
            "subTotal": "1.00", "totalTax": "0.00", "total": "1.00", "amountPaid": "1.00",
            "amountDue": "0.00", "lines": [], "lastModified": STAMP, "version": 5}  # fmt: skip
    refused = error(422, "invalid_transition", "Paid invoices cannot be voided")
    released, _ = adapter([refused, httpx.Response(200, json=paid)])
    failure = failed(released.void(RecordType.INVOICE, ReleasedId("i-1")))
    assert failure.kind is ErrorKind.REJECTED
    assert "Paid invoices cannot be voided" in failure.message


@pytest.mark.parametrize(
    ("record_type", "archived", "path"),
    [
        (RecordType.CONTACT, True, "/api/contacts/x/archive"),
        (RecordType.ACCOUNT, False, "/api/accounts/x/unarchive"),
        (RecordType.TAX_TYPE, True, "/api/tax-types/x/archive"),
        (RecordType.TRACKING_CATEGORY, True, "/api/tracking-categories/x/archive"),
    ],
)
def test_set_archived_posts_the_action(record_type: RecordType, archived: bool, path: str) -> None:
    released, server = adapter([httpx.Response(200, json={})])
    ok(released.set_archived(record_type, ReleasedId("x"), archived=archived))
    assert (server.seen[0].method, server.seen[0].url.path) == ("POST", path)


def test_find_by_key_looks_the_record_up_by_its_key() -> None:
    released, server = adapter([listing([contact_json()]), listing([])])
    found = ok(released.find_by_key(RecordType.CONTACT, IKEY))
    assert isinstance(found, Contact)
    assert server.seen[0].url.params["idempotencyKey"] == IKEY
    assert ok(released.find_by_key(RecordType.CONTACT, IKEY)) is None


def test_F6_a_key_look_up_answered_with_a_flood_is_ambiguous_before_any_item_is_read() -> None:
    """One record per key: a look-up answered with more (here a million ``{}``) is refused after
    the second item is seen, the others skipped unread."""
    flood = b'{"items":[' + b"{}," * 999_999 + b'{}],"page":1,"pageSize":100,"totalCount":1,'
    flood += b'"hasMore":false}'
    for body in (flood, msgspec.json.encode({"items": [contact_json()] * 2, "page": 1,
                                             "pageSize": 100, "totalCount": 2,
                                             "hasMore": False})):  # fmt: skip
        released, _ = adapter([httpx.Response(200, content=body)])
        tracemalloc.start()
        try:
            refused = failed(released.find_by_key(RecordType.CONTACT, IKEY))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 3 * len(body) + 4 * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"
        assert refused.kind is ErrorKind.FATAL
        assert f"more than one contacts created with the key {IKEY}" in refused.message


def test_a_payment_is_applied_by_a_create_with_its_key() -> None:
    payment = Payment(id=ReleasedId("ri-pay"), invoice_id=ReleasedId("i-1"),
                      document_kind=DocumentKind.INVOICE, date=date(2026, 3, 5),
                      amount=Decimal("100.10"), currency=Currency("NZD"))  # fmt: skip
    stored = {"id": "ri-pay", "invoiceId": "i-1", "date": "2026-03-05", "amount": "100.10",
              "reference": "", "status": "Active", "lastModified": STAMP, "version": 1}  # fmt: skip
    released, server = adapter([httpx.Response(201, json=stored)])
    created = ok(released.create(IKEY, payment))
    assert server.seen[0].url.path == "/api/payments"
    assert server.body(0)["amount"] == "100.10"
    assert server.seen[0].headers["idempotency-key"] == IKEY
    assert isinstance(created, Payment)
    assert created == replace(payment, modified_at=created.modified_at)


def category_json(options: list[Any], version: int = 4) -> dict[str, Any]:
    return {"id": "tc-1", "name": "Department", "kind": "DEPARTMENT", "status": "Active",
            "options": options, "lastModified": STAMP, "version": version}  # fmt: skip


OPTION = TrackingOption(id=ReleasedId("ri-opt"), name="Sales", category_id=ReleasedId("tc-1"))


def test_a_tracking_option_is_created_through_its_category_with_its_version() -> None:
    before = [{"id": "o-1", "name": "Admin", "status": "Active"}]
    after = [*before, {"id": "ri-opt", "name": "Sales", "status": "Active"}]
    released, server = adapter([httpx.Response(200, json=category_json(before)),
                                httpx.Response(200, json=category_json(after, 5))])  # fmt: skip
    created = ok(released.create(IKEY, OPTION))
    assert [(r.method, r.url.path) for r in server.seen] == [
        ("GET", "/api/tracking-categories/tc-1"),
        ("PUT", "/api/tracking-categories/tc-1"),
    ]
    assert server.body(1)["version"] == 4
    assert server.body(1)["options"] == after
    assert created == OPTION


def test_a_repeated_option_create_finds_it_and_writes_nothing() -> None:
    present = [{"id": "ri-opt", "name": "Sales", "status": "Active"}]
    released, server = adapter([httpx.Response(200, json=category_json(present))])
    assert ok(released.create(IKEY, OPTION)) == OPTION
    assert len(server.seen) == 1


def test_an_option_is_archived_in_the_category_that_holds_it() -> None:
    present = [{"id": "ri-opt", "name": "Sales", "status": "Active"}]
    archived = [{"id": "ri-opt", "name": "Sales", "status": "Archived"}]
    released, server = adapter([listing([category_json(present)]),
                                httpx.Response(200, json=category_json(present)),
                                httpx.Response(200, json=category_json(archived, 5)),
                                listing([category_json(archived, 5)])])  # fmt: skip
    ok(released.set_archived(RecordType.TRACKING_OPTION, ReleasedId("ri-opt"), archived=True))
    assert server.body(2)["options"] == archived
    assert server.body(2)["version"] == 4
    option = ok(released.find_by_key(RecordType.TRACKING_OPTION, IdempotencyKey("ri-opt")))
    assert isinstance(option, TrackingOption)
    assert (option.status, option.category_id) == (ReleasedStatus.ARCHIVED, "tc-1")


def test_an_option_renamed_whose_reply_was_lost_is_found_renamed_not_in_conflict() -> None:
    present = [{"id": "ri-opt", "name": "Sales", "status": "Active"}]
    renamed = [{"id": "ri-opt", "name": "Sales and lettings", "status": "Active"}]
    stale = error(409, "version_conflict", "Version 4 is stale", currentVersion=5)
    released, server = adapter([httpx.Response(200, json=category_json(present)),
                                httpx.Response(524), stale,
                                httpx.Response(200, json=category_json(renamed, 5))])  # fmt: skip
    option = ok(released.update(replace(OPTION, name="Sales and lettings")))
    assert isinstance(option, TrackingOption)
    assert option.name == "Sales and lettings"
    assert [r.method for r in server.seen] == ["GET", "PUT", "PUT", "GET"]


def test_an_option_changed_by_someone_else_meanwhile_is_a_retriable_conflict() -> None:
    present = [{"id": "ri-opt", "name": "Sales", "status": "Active"}]
    theirs = [{"id": "ri-opt", "name": "Retail", "status": "Active"}]
    stale = error(409, "version_conflict", "Version 4 is stale", currentVersion=5)
    released, _ = adapter([httpx.Response(200, json=category_json(present)), stale,
                           httpx.Response(200, json=category_json(theirs, 5))])  # fmt: skip
    failure = failed(released.update(replace(OPTION, name="Sales and lettings")))
    assert failure.kind is ErrorKind.RETRIABLE
    assert "changed in Re-Leased meanwhile" in failure.message


def test_F7_a_429_s_wait_is_carried_on_its_error_as_seconds() -> None:
    throttled = error(429, "rate_limited")
    throttled.headers["Retry-After"] = "3600"
    released, _ = adapter([throttled])
    assert failed(released.find_by_key(RecordType.CONTACT, IKEY)).retry_after == 3600.0
    bare = httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2026 07:28:00 GMT"})
    released, _ = adapter([bare], attempts=1)
    assert failed(released.find_by_key(RecordType.CONTACT, IKEY)).retry_after is None
