"""Reads sent together as a composite request (``intacct_rest.composite``) against scripted
replies of the shapes in [RESTDOC] docs/rest/common-resources.md, "POST /services/core/composite":
each sub-request's answer in its place; a stop at the first failure leaves the reads after it
(and a read a plain request would try again) to be sent on their own."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from returns.result import Failure, Success

from released_intacct.adapters.intacct_rest.composite import COMPOSITE_PATH, Answer, Read, reads
from released_intacct.adapters.intacct_rest.oauth import AccessTokens, TokenClient
from released_intacct.adapters.intacct_rest.transport import RestTransport
from released_intacct.domain.errors import ErrorKind
from released_intacct.fakes.rest_stub import Client, Clock, RestStub, body, settings

QUERY = Read("POST", "/services/core/query", {"object": "accounts-payable/account-label"})
GET = Read("GET", "/objects/company-config/entity/1")
SKIPPED = {
    "ia::error": {"code": "unprocessed", "message": "Operation skipped"},
    "ia::status": 422,
}


def _ok(rows: object) -> dict[str, Any]:
    return {"ia::result": rows, "ia::meta": {"totalCount": 1}, "ia::status": 200}


def _composite(*items: dict[str, Any], status: int = 207) -> httpx.Response:
    return body({"ia::result": list(items), "ia::meta": {"totalCount": len(items)}}, status)


def _reads(stub: RestStub, asked: Sequence[Read]) -> tuple[Answer, ...]:
    async def sleep(_: float) -> None:
        return None

    async def go() -> tuple[Answer, ...]:
        async with stub.client() as client:
            given = settings()
            clock = Clock()
            tokens = AccessTokens(TokenClient(client, given, Client(), clock), given, clock)
            transport = RestTransport(client, given, tokens, sleep=sleep, jitter=lambda: 0.5)
            return await reads(transport, asked)

    return asyncio.run(go())


def test_the_reads_go_in_one_composite_and_each_answer_is_in_its_place() -> None:
    stub = RestStub([_composite(_ok([{"id": "a"}]), _ok({"key": "1"}), status=200)])
    first, second = _reads(stub, [QUERY, GET])
    assert [r.url.path.endswith(COMPOSITE_PATH) for r in stub.requests] == [True]
    assert stub.sent() == [
        {"method": "POST", "path": QUERY.path, "body": QUERY.body},
        {"method": "GET", "path": GET.path},
    ]
    assert isinstance(first, Success)
    assert first.unwrap().envelope.result == [{"id": "a"}]
    assert isinstance(second, Success)
    assert second.unwrap().envelope.result == {"key": "1"}


def test_a_refused_sub_request_is_its_answer_and_the_ones_not_run_are_left_to_send_alone() -> None:
    refused = {"ia::error": {"code": "permissionDenied", "message": "No"}, "ia::status": 403}
    stub = RestStub([_composite(_ok([]), refused, SKIPPED)])
    first, second, third = _reads(stub, [QUERY, QUERY, QUERY])
    assert isinstance(first, Success)
    assert isinstance(second, Failure)
    assert second.failure().kind is not ErrorKind.RETRIABLE
    assert third is None


def test_a_sub_request_a_plain_read_would_try_again_is_left_to_send_alone() -> None:
    failed = {"ia::error": {"code": "GW-0001", "message": "Unable"}, "ia::status": 500}
    stub = RestStub([_composite(_ok([]), failed, SKIPPED)])
    assert [type(a).__name__ for a in _reads(stub, [QUERY, QUERY, QUERY])] == [
        "Success",
        "NoneType",
        "NoneType",
    ]


def test_a_composite_refused_as_a_whole_leaves_every_read_to_send_alone() -> None:
    refused = {"ia::error": {"code": "notFound", "message": "No such service"}}
    stub = RestStub([body(refused, 404)])
    assert _reads(stub, [QUERY, GET]) == (None, None)


def test_a_composite_of_reads_is_sent_again_after_a_server_error_like_a_read() -> None:
    stub = RestStub([httpx.Response(500), _composite(_ok([]), _ok([]), status=200)])
    answers = _reads(stub, [QUERY, GET])
    assert all(isinstance(a, Success) for a in answers)
    assert len(stub.requests) == 2


def test_a_lone_read_is_not_sent_as_a_composite_and_groups_hold_at_most_ten() -> None:
    assert _reads(RestStub([]), [QUERY]) == (None,)
    stub = RestStub([_composite(*[_ok([])] * 10, status=200)])
    answers = _reads(stub, [QUERY] * 11)
    assert len(stub.requests) == 1
    assert len(stub.sent()) == 10
    assert [a is None for a in answers] == [False] * 10 + [True]


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_only_reads_are_sent_as_a_composite(method: Any) -> None:
    with pytest.raises(ValueError, match="GET or the query service"):
        Read(method, "/objects/company-config/entity/1")


def test_a_read_at_another_entity_names_it_in_its_sub_request() -> None:
    at = Read("GET", GET.path, entity="E200")
    assert at.sub_request() == {
        "method": "GET",
        "path": GET.path,
        "headers": {"X-IA-API-Param-Entity": "E200"},
    }


def test_a_success_without_a_result_is_read_again_alone_not_taken_for_no_rows() -> None:
    stub = RestStub([_composite(_ok([]), {"ia::status": 200}, status=200)])
    first, second = _reads(stub, [QUERY, QUERY])
    assert isinstance(first, Success)
    assert second is None
