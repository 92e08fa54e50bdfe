"""The malformed-JSON corpus: every broken Re-Leased reply, through the adapter's HTTP path.

Each case is a reply the (mock) REST server gives to a list-page read of one resource, run
through ``ReleasedAdapter`` over an ``httpx.AsyncClient`` whose transport streams it:

- a page that cannot be read at all (not JSON, cut, too deep, too large, an envelope of the wrong
  shape) fails with a ``SyncError``: RETRIABLE when it is not JSON, FATAL when it is JSON of the
  wrong shape (naming the JSON path), with the API key never in it;
- an item of a sound page that cannot be read is a REJECTED problem of the page naming its path
  (``$.items[0].<field>``) — generated for *every* field of *every* resource the adapter decodes,
  once with a value of the wrong type and once left out when the field is required.

The ids make ``pytest -q`` count the corpus; memory is traced for the large cases.
"""

from __future__ import annotations

import asyncio
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import httpx
import msgspec
import pytest
from returns.io import IOResult
from returns.pipeline import is_successful
from returns.result import Result
from returns.unsafe import unsafe_perform_io

from released_intacct.adapters.paging import PROBLEMS_PER_PAGE, All, read_all
from released_intacct.adapters.released import ReleasedAdapter, ReleasedSettings
from released_intacct.adapters.released import resources as res
from released_intacct.adapters.released.transport import MAX_REPLY_BYTES
from released_intacct.app.ports import awaited
from released_intacct.domain.enums import DocumentKind
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery
from released_intacct.domain.secret import Secret

KEY = "rl-live-5ecret-corpus-key-3b9d"
MB = 1024 * 1024
STAMP = "2026-03-01T09:30:00Z"
LINE = {"id": "l-1", "description": "Rent", "accountId": "a-1", "quantity": "1",
        "unitPrice": "100.00", "taxTypeId": None, "taxAmount": "15.00", "lineAmount": "100.00",
        "tracking": [{"categoryId": "t-1", "optionId": "o-1"}], "revRecTemplate": None,
        "revRecStartDate": "2026-03-01", "revRecEndDate": "2026-03-31"}  # fmt: skip
DOCUMENT = {"id": "i-1", "type": "Income", "invoiceNumber": "INV-1", "status": "Approved",
            "contactId": "c-1", "issueDate": "2026-03-01", "reference": "r",
            "paymentPriority": None, "oeTransactionDefinition": None,
            "sourceDocumentNumber": None, "currency": "NZD", "subTotal": "100.00",
            "totalTax": "15.00", "total": "115.00", "amountPaid": "0.00", "amountDue": "115.00",
            "lines": [LINE], "attachments": ["a.pdf"], "lastModified": STAMP,
            "version": 2}  # fmt: skip
ADDRESS = {"address": "1 Main St", "suburb": "Te Aro", "townCity": "Wellington",
           "regionState": "WGN", "postZipCode": "6011", "country": "NZ"}  # fmt: skip
SAMPLES: dict[str, tuple[res.Resource[Any, Any], dict[str, Any]]] = {
    "contacts": (res.CONTACTS, {
        "id": "c-1", "name": "Tenant", "correspondenceName": "T", "firstName": "Ana",
        "lastName": "Li", "email": "a@example.com", "telephone": "1", "fax": "2", "mobile": "3",
        "postalAddress": ADDRESS, "streetAddress": ADDRESS, "currency": "NZD",
        "status": "Active", "role": "Customer", "lastModified": STAMP, "version": 1}),
    "accounts": (res.ACCOUNTS, {"id": "a-1", "code": "200", "name": "Sales", "type": "Revenue",
                                "status": "Active", "lastModified": STAMP, "version": 1}),
    "tax-types": (res.TAX_TYPES, {"id": "x-1", "name": "GST", "rate": "15.00",
                                  "status": "Active", "lastModified": STAMP, "version": 1}),
    "tracking-categories": (res.TRACKING_CATEGORIES, {
        "id": "t-1", "name": "Property", "kind": "LOCATION", "status": "Active",
        "options": [{"id": "o-1", "name": "Main St", "status": "Active"}],
        "lastModified": STAMP, "version": 1}),
    "invoices": (res.INVOICES, {**DOCUMENT, "dueDate": "2026-03-31"}),
    "credit-notes": (res.CREDIT_NOTES, {**DOCUMENT, "id": "n-1", "remainingCredit": "115.00"}),
    "payments": (res.PAYMENTS, {"id": "p-1", "invoiceId": "i-1", "creditNoteId": None,
                                "date": "2026-03-02", "amount": "115.00", "reference": "r",
                                "status": "Active", "currency": "NZD", "lastModified": STAMP,
                                "version": 1}),
}  # fmt: skip


def envelope(items: list[Any], **changes: Any) -> dict[str, Any]:
    return {"items": items, "page": 1, "pageSize": 500, "totalCount": len(items),
            "hasMore": False, **changes}  # fmt: skip


def encode(value: object) -> bytes:
    return msgspec.json.encode(value)


# --- field cases, generated from the wire structs ------------------------------------------------


def _wrong(kind: object) -> object:
    """A JSON value of another type than ``kind`` accepts (by msgspec's type info)."""
    inner = kind.type if isinstance(kind, msgspec.inspect.Metadata) else kind
    if isinstance(inner, msgspec.inspect.UnionType):
        inner = next(t for t in inner.types if not isinstance(t, msgspec.inspect.NoneType))
    wrongs: list[tuple[type, object]] = [
        (msgspec.inspect.StrType, 12345),
        (msgspec.inspect.IntType, "12"),
        (msgspec.inspect.DateType, "2026-02-30"),
        (msgspec.inspect.DateTimeType, "2026-03-01T09:30:00"),  # no zone
        (msgspec.inspect.LiteralType, "Bogus"),
        (msgspec.inspect.ListType, "not a list"),
        (msgspec.inspect.StructType, ["not", "an", "object"]),
        (msgspec.inspect.CustomType, 1200.5),  # Amount: a float for money
    ]
    return next(value for cls, value in wrongs if isinstance(inner, cls))


@dataclass(frozen=True, slots=True)
class ItemCase:
    id: str
    resource: str
    item: dict[str, Any]
    path: str


def _item_cases() -> list[ItemCase]:
    cases = []
    for name, (resource, sample) in SAMPLES.items():
        info = msgspec.inspect.type_info(resource.decode.type)
        assert isinstance(info, msgspec.inspect.StructType)
        for spec in info.fields:
            wire = spec.encode_name
            path = f"$.items[0].{wire}"
            wrong = {**sample, wire: _wrong(spec.type)}
            cases.append(ItemCase(f"{name}.{wire}-wrong-type", name, wrong, path))
            if spec.required:
                missing = {k: v for k, v in sample.items() if k != wire}
                cases.append(ItemCase(f"{name}.{wire}-missing", name, missing, path))
    return cases


ITEM_CASES = _item_cases()
MONEY = [
    ("money-as-float", {"total": 115.0}, "$.items[0].total"),
    ("money-as-integer", {"total": 115}, "$.items[0].total"),
    ("money-exponent", {"total": "1.15e2"}, "$.items[0].total"),
    ("money-nan-string", {"total": "NaN"}, "$.items[0].total"),
    ("money-infinity-string", {"total": "Infinity"}, "$.items[0].total"),
    ("money-huge", {"total": "9" * 400}, "$.items[0].total"),
    ("money-comma", {"total": "1,150.00"}, "$.items[0].total"),
    ("line-money-as-float", {"lines": [{**LINE, "unitPrice": 0.1}]},
     "$.items[0].lines[0].unitPrice"),
    ("date-invalid", {"issueDate": "2026-13-01"}, "$.items[0].issueDate"),
    ("date-as-datetime", {"issueDate": STAMP}, "$.items[0].issueDate"),
    ("date-us-format", {"issueDate": "03/01/2026"}, "$.items[0].issueDate"),
    ("datetime-without-zone", {"lastModified": "2026-03-01T09:30:00"}, "$.items[0].lastModified"),
    ("datetime-invalid", {"lastModified": "2026-03-01T25:00:00Z"}, "$.items[0].lastModified"),
    ("datetime-as-epoch", {"lastModified": 1772357400}, "$.items[0].lastModified"),
    ("version-float", {"version": 2.0}, "$.items[0].version"),
    ("nested-line-missing-account", {"lines": [{k: v for k, v in LINE.items()
                                                if k != "accountId"}]},
     "$.items[0].lines[0].accountId"),
]  # fmt: skip


def _run(call: Callable[[ReleasedAdapter], Any], replies: list[httpx.Response | Body]) -> Any:
    async def go() -> IOResult[Any, SyncError]:
        pending = list(replies)

        def handle(request: httpx.Request) -> httpx.Response:
            reply = pending.pop(0)
            return reply if isinstance(reply, httpx.Response) else reply.response()

        async def no_sleep(seconds: float) -> None:
            return

        transport = httpx.MockTransport(handle)
        async with httpx.AsyncClient(transport=transport) as client:
            adapter = ReleasedAdapter(client, base_url="https://released.test", api_key=Secret(KEY),
                                      company_id="co-1", settings=ReleasedSettings(attempts=1),
                                      sleep=no_sleep)  # fmt: skip
            result: IOResult[Any, SyncError] = await call(adapter)
            return result

    return asyncio.run(go())


def _feed(name: str) -> Callable[[ReleasedAdapter], Any]:
    calls: dict[str, Callable[[ReleasedAdapter], Any]] = {
        "contacts": lambda a: a.contacts(FeedQuery()),
        "accounts": lambda a: a.accounts(FeedQuery()),
        "tax-types": lambda a: a.tax_types(FeedQuery()),
        "tracking-categories": lambda a: a.tracking_categories(FeedQuery()),
        "invoices": lambda a: a.invoices(DocumentKind.INVOICE, FeedQuery()),
        "credit-notes": lambda a: a.invoices(DocumentKind.CREDIT_NOTE, FeedQuery()),
        "payments": lambda a: a.payments(FeedQuery()),
    }
    return calls[name]


def _shown(error: SyncError) -> str:
    return f"{error.message} {error.fix} {error.cause} {error.record} {error!r}"


def _problem(name: str, item: dict[str, Any], path: str) -> None:
    outcome = _run(_feed(name), [httpx.Response(200, content=encode(envelope([item])))])
    assert is_successful(outcome), outcome
    page = unsafe_perform_io(outcome.unwrap())
    assert page.items == ()
    (problem,) = page.problems
    assert problem.kind is ErrorKind.REJECTED
    assert path in problem.message, (path, problem.message)
    assert KEY not in _shown(problem)


@pytest.mark.parametrize("case", ITEM_CASES, ids=lambda case: case.id)
def test_every_field_of_every_resource_wrong_or_missing_is_a_problem_naming_it(
    case: ItemCase,
) -> None:
    _problem(case.resource, case.item, case.path)


@pytest.mark.parametrize(("change", "path"), [(c, p) for _, c, p in MONEY],
                         ids=[i for i, _, _ in MONEY])  # fmt: skip
def test_money_dates_and_stamps_in_the_wrong_form_are_problems_naming_them(
    change: dict[str, Any], path: str
) -> None:
    _problem("invoices", {**SAMPLES["invoices"][1], **change}, path)


def test_an_item_that_is_not_utf8_is_a_problem_and_the_rest_is_read() -> None:
    good = encode(SAMPLES["accounts"][1])
    bad = encode({**SAMPLES["accounts"][1], "id": "a-2"}).replace(b"Sales", b"Caf\xe9")
    body = encode(envelope([0, 0])).replace(b"[0,0]", b"[" + good + b"," + bad + b"]")
    outcome = _run(_feed("accounts"), [httpx.Response(200, content=body)])
    page = unsafe_perform_io(outcome.unwrap())
    assert [account.id for account in page.items] == ["a-1"]
    (problem,) = page.problems
    assert "UTF-8" in problem.message
    assert "$.items[1]" in problem.message


def test_the_samples_themselves_are_read() -> None:
    """The cases above fail only because of their one change."""
    for name, (_, sample) in SAMPLES.items():
        outcome = _run(_feed(name), [httpx.Response(200, content=encode(envelope([sample])))])
        page = unsafe_perform_io(outcome.unwrap())
        assert len(page.items) == 1, (name, page.problems)


# --- page cases: the whole reply cannot be read ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Body:
    """A reply streamed in chunks (a lazily built body, a gzip bomb)."""

    make: Callable[[], bytes]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> httpx.Response:
        body = self.make()

        async def stream() -> AsyncIterator[bytes]:
            for start in range(0, len(body), 64 * 1024):
                yield body[start : start + 64 * 1024]

        return httpx.Response(self.status, headers=self.headers, content=stream())


@cache
def _bomb() -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = b'{"items": [], "page": 1, "pageSize": 5, "totalCount": 0, "hasMore": false, "x": "'
    parts = [squeeze.compress(head)]
    parts.extend(squeeze.compress(b"0" * MB) for _ in range(4 * MAX_REPLY_BYTES // MB))
    parts += [squeeze.compress(b'"}'), squeeze.flush()]
    return b"".join(parts)


def flood(item: bytes, count: int = 1_000_000) -> Callable[[], bytes]:
    """A page of ``count`` times ``item`` (issue 16, F6: the full-size case, 36 MB of ``{}``, is
    measured in a child process by ``test_memory_bounds.py``)."""

    def make() -> bytes:
        items = b",".join([item] * count)
        return b'{"items":[' + items + b'],"page":1,"pageSize":500,"totalCount":1,"hasMore":false}'

    return make


GOOD = encode(envelope([SAMPLES["accounts"][1]]))
NOT_JSON = (ErrorKind.RETRIABLE, "not JSON")
OVERFULL = (ErrorKind.FATAL, "the page holds more items than the 500 asked for")
PAGE_CASES: list[tuple[str, httpx.Response | Body, tuple[ErrorKind, str]]] = [
    ("truncated", httpx.Response(200, content=GOOD[:-7]), NOT_JSON),
    ("truncated-in-a-string", httpx.Response(200, content=GOOD[:40]), NOT_JSON),
    ("empty-body", httpx.Response(200, content=b""), NOT_JSON),
    ("html-page", httpx.Response(200, content=b"<html><body>502</body></html>",
                                 headers={"Content-Type": "text/html"}), NOT_JSON),
    ("xml-instead-of-json", httpx.Response(200, content=b"<response/>"), NOT_JSON),
    ("nan-literal", httpx.Response(200, content=GOOD.replace(b'"totalCount":1',
                                                             b'"totalCount":NaN')),
     NOT_JSON),
    ("infinity-literal", httpx.Response(200, content=GOOD.replace(b'"totalCount":1',
                                                                  b'"totalCount":Infinity')),
     NOT_JSON),
    ("trailing-garbage", httpx.Response(200, content=GOOD + b"}{"), NOT_JSON),
    ("single-quotes", httpx.Response(200, content=GOOD.replace(b'"', b"'")), NOT_JSON),
    ("utf16-body", httpx.Response(200, content=GOOD.decode().encode("utf-16")), NOT_JSON),
    ("nul-bytes", httpx.Response(200, content=b"\x00" * 64), NOT_JSON),
    ("deep-nesting-in-items", Body(lambda: b'{"items": [' + b"[" * 100_000 + b"]" * 100_000
                                   + b'], "page": 1, "pageSize": 5, "totalCount": 1, '
                                   b'"hasMore": false}'), (ErrorKind.RETRIABLE, "too deeply")),
    ("deep-nesting-error-body", Body(lambda: b'{"error": ' + b"[" * 100_000 + b"]" * 100_000
                                     + b"}", status=400), (ErrorKind.FATAL, "HTTP 400")),
    ("top-level-array", httpx.Response(200, content=b"[]"), (ErrorKind.FATAL, "$")),
    ("top-level-string", httpx.Response(200, content=b'"items"'), (ErrorKind.FATAL, "$")),
    ("items-not-a-list", httpx.Response(200, content=encode(envelope([]) | {"items": {}})),
     (ErrorKind.FATAL, "$.items")),
    ("page-missing", httpx.Response(200, content=encode({k: v for k, v in envelope([]).items()
                                                         if k != "page"})),
     (ErrorKind.FATAL, "$.page")),
    ("has-more-missing", httpx.Response(200, content=encode({k: v for k, v in envelope([]).items()
                                                             if k != "hasMore"})),
     (ErrorKind.FATAL, "$.hasMore")),
    ("has-more-a-string", httpx.Response(200, content=encode(envelope([], hasMore="false"))),
     (ErrorKind.FATAL, "$.hasMore")),
    ("page-a-string", httpx.Response(200, content=encode(envelope([], page="1"))),
     (ErrorKind.FATAL, "$.page")),
    ("total-count-a-float", httpx.Response(200, content=encode(envelope([], totalCount=1.5))),
     (ErrorKind.FATAL, "$.totalCount")),
    ("total-count-out-of-range", httpx.Response(200, content=GOOD.replace(
        b'"totalCount":1', b'"totalCount":1e400')), (ErrorKind.FATAL, "$.totalCount")),
    ("more-items-than-the-page-size", httpx.Response(200, content=encode(envelope([{}] * 501))),
     OVERFULL),
    ("empty-objects-flood", Body(flood(b"{}")), OVERFULL),
    ("numbers-flood", Body(flood(b"0")), OVERFULL),
    ("empty-arrays-flood", Body(flood(b"[]")), OVERFULL),
    ("page-huge", httpx.Response(200, content=encode(envelope([], page=10**30))),
     (ErrorKind.FATAL, "inconsistently")),
    ("duplicate-keys-last-wins", httpx.Response(200, content=GOOD.replace(
        b'"page":1', b'"page":1,"page":7')), (ErrorKind.FATAL, "inconsistently")),
    ("over-max-reply-bytes", Body(lambda: GOOD[:-1] + b', "x": "' + b"a" * (MAX_REPLY_BYTES + 10)
                                  + b'"}'), (ErrorKind.RETRIABLE, "larger than")),
    ("gzip-bomb", Body(_bomb, headers={"Content-Encoding": "gzip"}),
     (ErrorKind.RETRIABLE, "larger than")),
    ("error-body-echoing-the-key", httpx.Response(401, content=encode(
        {"error": {"code": "unauthorized", "message": f"key {KEY} is not valid"}})),
     (ErrorKind.FATAL, "refused the API key")),
    ("error-body-not-json", httpx.Response(400, content=b"Bad Request " + KEY.encode()),
     (ErrorKind.FATAL, "HTTP 400")),
    ("error-body-details-wrong-type", httpx.Response(400, content=encode(
        {"error": {"code": "validation_failed", "details": "name"}})),
     (ErrorKind.FATAL, "HTTP 400")),
    ("error-body-naming-a-field", httpx.Response(400, content=encode(
        {"error": {"code": "validation_failed", "message": "Invalid",
                   "details": [{"field": "name", "message": "is required"}]}})),
     (ErrorKind.REJECTED, "name: is required")),
]  # fmt: skip


@pytest.mark.parametrize(("reply", "expect"), [(r, e) for _, r, e in PAGE_CASES],
                         ids=[i for i, _, _ in PAGE_CASES])  # fmt: skip
def test_a_page_that_cannot_be_read_is_a_clear_error(
    reply: httpx.Response | Body, expect: tuple[ErrorKind, str]
) -> None:
    tracemalloc.start()
    try:
        outcome = _run(_feed("accounts"), [reply])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not is_successful(outcome), outcome
    error = unsafe_perform_io(outcome.failure())
    kind, says = expect
    assert error.kind is kind, error
    assert says in f"{error.message} {error.cause}", error
    assert KEY not in _shown(error)
    assert peak < 3 * MAX_REPLY_BYTES + 16 * MB, f"peak {peak / MB:.0f} MB"


def test_a_payment_whose_document_look_up_is_malformed_fails_the_page_clearly() -> None:
    payment = {**SAMPLES["payments"][1], "currency": None}
    replies: list[httpx.Response | Body] = [
        httpx.Response(200, content=encode(envelope([payment]))),
        httpx.Response(200, content=b'{"currency": "NZ'),
    ]
    outcome = _run(_feed("payments"), replies)
    error = unsafe_perform_io(outcome.failure())
    assert error.kind is ErrorKind.RETRIABLE
    assert "not JSON" in error.message


def test_F6_a_page_of_unreadable_items_keeps_its_first_problems_and_counts_the_others() -> None:
    """A page of 500 ``{}``, read through the one paginator: 100 problems naming their item, and
    one saying 400 more could not be read."""

    async def go() -> Result[All[Any], SyncError]:
        async def no_sleep(seconds: float) -> None:
            return

        body = encode(envelope([{}] * 500))
        transport = httpx.MockTransport(lambda request: httpx.Response(200, content=body))
        async with httpx.AsyncClient(transport=transport) as client:
            adapter = ReleasedAdapter(client, base_url="https://released.test", api_key=Secret(KEY),
                                      company_id="co-1", settings=ReleasedSettings(attempts=1),
                                      sleep=no_sleep)  # fmt: skip
            return await read_all(awaited(adapter.accounts), what="accounts")

    read = asyncio.run(go()).unwrap()
    assert read.items == ()
    problems = read.problems
    assert len(problems) == PROBLEMS_PER_PAGE + 1
    assert [f"$.items[{n}]" in p.message for n, p in enumerate(problems[:-1])] == [True] * 100
    assert problems[-1].message.startswith("400 more records of one page of the accounts")
    assert problems[-1].kind is ErrorKind.REJECTED
