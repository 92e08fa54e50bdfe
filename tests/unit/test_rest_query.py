"""The query service's pager against replies of the documented shape ([RESTDOC] query-service,
"Pagination": ``start`` 1-based, ``size`` at most 4,000, ``ia::meta.next`` null on the last page;
timestamps UTC ISO 8601, correction 11)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.adapters.intacct_rest.oauth import AccessTokens, TokenClient
from released_intacct.adapters.intacct_rest.query import Filter, QueryPages, Row, Select
from released_intacct.adapters.intacct_rest.transport import RestTransport
from released_intacct.adapters.paging import All, read_all
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery, Page
from released_intacct.fakes.rest_stub import Client, Clock, RestStub, body, settings

INVOICES = Select(
    object_name="accounts-receivable/invoice",
    fields=("id", "invoiceNumber"),
    filters=(Filter(field="state", operator="$ne", value="draft"),),
)
T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _rows(*rows: tuple[str, datetime]) -> list[dict[str, Any]]:
    return [
        {"key": key, "id": key, "audit.modifiedDateTime": at.strftime("%Y-%m-%dT%H:%M:%SZ")}
        for key, at in rows
    ]


def _page(rows: list[dict[str, Any]], *, start: int = 1, next: int | None = None) -> httpx.Response:
    meta = {"totalCount": 7, "start": start, "pageSize": len(rows), "next": next, "previous": None}
    return body({"ia::result": rows, "ia::meta": meta})


def _with_pages(stub: RestStub, use: Callable[[QueryPages], Awaitable[Any]], **given: Any) -> Any:
    async def go() -> Any:
        async with stub.client() as client:
            config, clock = settings(**given), Clock()
            tokens = AccessTokens(TokenClient(client, config, Client(), clock), config, clock)

            async def sleep(seconds: float) -> None:
                return None

            transport = RestTransport(client, config, tokens, sleep=sleep)
            return await use(QueryPages(transport, config))

    return asyncio.run(go())


def test_D21_a_feed_asks_from_its_cursor_less_the_overlap_in_utc_in_a_stable_order() -> None:
    stub = RestStub([_page([])])
    since = datetime(2026, 12, 6, 14, 0, 30, 500, tzinfo=timezone(timedelta(hours=2)))

    async def use(pages: QueryPages) -> Result[Page[Row], SyncError]:
        return await pages.page(INVOICES, FeedQuery(since=since, size=50))

    _with_pages(stub, use)
    assert stub.sent() == {
        "object": "accounts-receivable/invoice",
        "fields": ["key", "id", "invoiceNumber", "audit.modifiedDateTime"],
        "filters": [
            {"field": "state", "operator": "$ne", "value": "draft"},
            {
                "field": "audit.modifiedDateTime",
                "operator": "$gte",
                "value": "2026-12-06T11:55:30Z",
            },
        ],
        "orderBy": [{"audit.modifiedDateTime": "asc"}, {"key": "asc"}],
        "start": 1,
        "size": 50,
    }
    assert str(stub.requests[0].url).endswith("/ia/api/v1/services/core/query")
    assert "Idempotency-Key" not in stub.requests[0].headers


def test_pages_follow_next_until_it_is_null_or_not_past_the_start() -> None:
    stub = RestStub(
        [
            _page(_rows(("1", T0), ("2", T0)), next=3),
            _page(_rows(("3", T0), ("4", T0)), start=3, next=0),  # a placeholder: the end
        ]
    )

    async def use(pages: QueryPages) -> Result[All[Row], SyncError]:
        return await read_all(lambda query: pages.page(INVOICES, query), what="invoices", size=2)

    read = _with_pages(stub, use)
    assert [row["key"] for row in read.unwrap().items] == ["1", "2", "3", "4"]
    assert [stub.sent(n)["start"] for n in range(2)] == [1, 3]
    assert [stub.sent(n)["size"] for n in range(2)] == [2, 2]


def test_a_page_size_is_capped_at_4000_and_defaults_to_the_setting() -> None:
    stub = RestStub([_page([]), _page([])])

    async def use(pages: QueryPages) -> None:
        await pages.page(INVOICES, FeedQuery(size=9000))
        await pages.page(INVOICES, FeedQuery())

    _with_pages(stub, use, rest_page_size=250)
    assert [stub.sent(n)["size"] for n in range(2)] == [4000, 250]


def test_F6_a_page_holding_more_rows_than_asked_is_refused_unread() -> None:
    stub = RestStub([_page(_rows(("1", T0), ("2", T0), ("3", T0)))])

    async def use(pages: QueryPages) -> Result[Page[Row], SyncError]:
        return await pages.page(INVOICES, FeedQuery(size=2))

    assert _with_pages(stub, use).failure().kind is ErrorKind.FATAL


def test_D21_a_version_read_again_only_for_the_overlap_is_dropped_and_stamps_nested_or_flat() -> (
    None
):
    early, late = T0 - timedelta(minutes=2), T0 + timedelta(minutes=1)
    nested = {"key": "9", "audit": {"modifiedDateTime": "2026-12-06T12:01:00Z"}}
    stub = RestStub(
        [
            _page(_rows(("1", early))),
            _page([*_rows(("1", early), ("2", late)), nested]),
        ]
    )

    async def use(pages: QueryPages) -> list[Page[Row]]:
        first = await pages.page(INVOICES, FeedQuery(since=T0 - timedelta(hours=1)))
        second = await pages.page(INVOICES, FeedQuery(since=T0))
        return [first.unwrap(), second.unwrap()]

    first, second = _with_pages(stub, use)
    assert [row["key"] for row in first.items] == ["1"]
    assert [row["key"] for row in second.items] == ["2", "9"]  # "1" was handed on already
    assert second.high_water == late
    assert second.overlap == timedelta(minutes=5)
    assert first.total == 7


def test_a_token_that_is_not_a_start_is_refused_before_anything_is_sent() -> None:
    stub = RestStub([])

    async def use(pages: QueryPages) -> Result[Page[Row], SyncError]:
        return await pages.page(INVOICES, FeedQuery(token="abc"))

    assert _with_pages(stub, use).failure().kind is ErrorKind.RETRIABLE
    assert stub.requests == []


def test_a_query_is_a_read_repeated_after_a_server_error_and_a_bad_body_is_refused() -> None:
    stub = RestStub([httpx.Response(500), _page(_rows(("1", T0)))])

    async def use(pages: QueryPages) -> Result[Page[Row], SyncError]:
        return await pages.page(INVOICES, FeedQuery())

    assert is_successful(_with_pages(stub, use))
    stub = RestStub([body({"ia::result": {"key": "1"}})])
    assert _with_pages(stub, use).failure().kind is ErrorKind.RETRIABLE


def test_a_read_ordered_by_its_key_alone_names_the_key_once() -> None:
    """Tax details have no audit stamp to order by (docs/intacct-rest.md 4.2): their read is
    ordered by ``key`` once, not twice."""
    select = Select(object_name="tax/tax-detail", fields=("id",), cursor="key")
    sent = select.body(since=None, start=1, size=10)
    assert sent["orderBy"] == [{"key": "asc"}]
    assert sent["fields"] == ["key", "id"]


def test_a_filter_with_an_operator_the_adapter_does_not_use_is_refused_before_sending() -> None:
    """The adapter writes the eight operators it uses ([RESTDOC] query-service, "Filtering");
    any other is a bug of the caller, refused naming the operator."""
    with pytest.raises(ValueError, match=r"\$contains"):
        Filter(field="name", operator="$contains", value="a")
    assert Filter(field="key", operator="$in", value=["1"]).operator == "$in"


def test_a_query_intacct_refuses_is_a_fatal_failure_sent_once_never_an_empty_page() -> None:
    """A 400 on the query service (a filter form or field Intacct does not take) is a request
    this product built wrong: FATAL with Intacct's code, not repeated, never read as no rows."""
    refusal = {"ia::error": {"code": "invalidRequest", "message": "filters: unknown operator"}}
    stub = RestStub([body(refusal, 400)])

    async def use(pages: QueryPages) -> Result[Page[Row], SyncError]:
        return await pages.page(INVOICES, FeedQuery())

    error = _with_pages(stub, use).failure()
    assert error.kind is ErrorKind.FATAL
    assert "invalidRequest" in str(error.cause)
    assert len(stub.requests) == 1
