"""The REST transport against scripted replies of the documented shapes (httpx.MockTransport):
[RESTDOC] error-handling ("Error Response Payload", gateway codes), http-headers (throttle
headers, 429 / 503), bulk-requests ("Preventing Duplicate Requests (Idempotency)")."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.adapters.failures import uncertain
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct_rest.oauth import AccessTokens, TokenClient
from released_intacct.adapters.intacct_rest.transport import Method, Reply, RestTransport
from released_intacct.adapters.log import Event
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.fakes.rest_stub import Client, Clock, RestStub, body, settings

OK = body({"ia::result": {"key": "42", "href": "/objects/accounts-receivable/invoice/42"}}, 201)
INVOICE = "/objects/accounts-receivable/invoice"
ATTEMPTS = settings().attempts
"""Tries per request, and access tokens per request (``rest_stub.settings``)."""


def _run(
    stub: RestStub,
    method: Method = "POST",
    path: str = INVOICE,
    *,
    key: str | None = "ri-key-1",
    payload: object = None,
    entity: str | None = "E100",
) -> tuple[Result[Reply, SyncError], list[float], RestTransport]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def go() -> tuple[Result[Reply, SyncError], RestTransport]:
        async with stub.client() as client:
            given = settings()
            clock = Clock()
            tokens = AccessTokens(TokenClient(client, given, Client(), clock), given, clock)
            transport = RestTransport(
                client,
                given,
                tokens,
                entity=None if entity is None else EntityId(entity),
                sleep=sleep,
                jitter=lambda: 0.5,
            )
            sent = {"customer": {"id": "C1"}} if payload is None and method != "GET" else payload
            return await transport.request(method, path, body=sent, key=key), transport

    result, transport = asyncio.run(go())
    return result, sleeps, transport


def _error(code: str, message: str, *details: tuple[str, str]) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "supportId": "sup-1"}
    if details:
        error["details"] = [{"code": c, "message": m} for c, m in details]
    return {"ia::error": error, "ia::meta": {"totalCount": 1, "totalSuccess": 0, "totalError": 1}}


def test_a_request_carries_the_bearer_token_the_entity_the_key_and_json() -> None:
    stub = RestStub([OK])
    result, _, _ = _run(stub)
    assert is_successful(result)
    assert result.unwrap().envelope.result["key"] == "42"
    sent = stub.requests[0]
    assert str(sent.url) == "http://intacct.test/ia/api/v1/objects/accounts-receivable/invoice"
    assert sent.headers["Authorization"] == "Bearer access-1"
    assert sent.headers["X-IA-API-Param-Entity"] == "E100"
    assert sent.headers["Idempotency-Key"] == "ri-key-1"
    assert sent.headers["Content-Type"] == "application/json"
    assert stub.sent() == {"customer": {"id": "C1"}}


def test_the_top_level_sends_no_entity_header_and_a_get_no_key() -> None:
    stub = RestStub([body({"ia::result": []})])
    result, _, _ = _run(stub, "GET", INVOICE + "/42", key=None, entity="")
    assert is_successful(result)
    assert "X-IA-API-Param-Entity" not in stub.requests[0].headers
    assert "Idempotency-Key" not in stub.requests[0].headers


@pytest.mark.parametrize(
    ("status", "header"),
    [
        (429, "X-IA-Throttle-Limit-RetryAfter"),
        (503, "X-IA-TENANT-Throttle-Limit-Retry-After"),
        (503, "Retry-After"),
    ],
)
def test_throttling_waits_what_intacct_asks_and_repeats_even_a_write_without_key(
    status: int, header: str
) -> None:
    busy = body(_error("GW-0010", "API rate limit exceeded"), status, **{header: "7"})
    stub = RestStub([busy, OK])
    result, sleeps, _ = _run(stub, key=None)
    assert is_successful(result)
    assert sleeps == [7.0]  # the header's wait, not the back-off's 0.5
    assert len(stub.requests) == 2


def test_a_wait_longer_than_the_limit_is_not_taken() -> None:
    busy = body(_error("GW-0010", "API rate limit exceeded"), 429, **{"Retry-After": "600"})
    stub = RestStub([busy, OK])
    result, sleeps, _ = _run(stub)
    assert result.failure().kind is ErrorKind.RETRIABLE
    assert "max_retry_after" in result.failure().fix
    assert (sleeps, len(stub.requests)) == ([], 1)


def test_a_server_error_repeats_a_keyed_write_with_the_same_key_and_body() -> None:
    stub = RestStub([body(_error("GW-0001", "Unable to process request"), 500), OK])
    result, sleeps, _ = _run(stub)
    assert is_successful(result)
    assert sleeps == [0.5]
    first, again = stub.requests
    assert first.content == again.content
    assert first.headers["Idempotency-Key"] == again.headers["Idempotency-Key"] == "ri-key-1"


def test_a_write_without_key_that_may_have_run_is_uncertain_and_not_repeated() -> None:
    for reply in (body(_error("GW-0001", "Unable to process request"), 500), httpx.ReadTimeout("")):
        stub = RestStub([reply, OK])
        result, sleeps, _ = _run(stub, key=None)
        assert result.failure().kind is ErrorKind.RETRIABLE
        assert uncertain(result.failure()) or "may or may not" in result.failure().message
        assert (sleeps, len(stub.requests)) == ([], 1)


def test_a_read_is_repeated_after_a_timeout_and_a_server_error() -> None:
    stub = RestStub([httpx.ReadTimeout("slow"), httpx.Response(502), body({"ia::result": []})])
    result, sleeps, _ = _run(stub, "GET", INVOICE, key=None)
    assert is_successful(result)
    assert len(sleeps) == 2


def test_E2_a_key_reused_with_another_body_is_a_loud_bug_naming_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="released_intacct.adapters.intacct_rest.classify")
    conflict = _error("conflict", "Idempotency key has already been used with a different request")
    stub = RestStub([body(conflict, 409), OK])
    result, sleeps, _ = _run(stub)
    error = result.failure()
    assert error.kind is ErrorKind.FATAL
    assert "bug in this integration" in error.message
    assert "ri-key-1" in error.message
    assert (sleeps, len(stub.requests)) == ([], 1)
    logged = [r.msg for r in caplog.records if isinstance(r.msg, Event)]
    assert [(e["event"], e["key"]) for e in logged] == [("idempotency_key_reused", "ri-key-1")]


def test_E2_a_409_for_the_key_of_a_write_sent_before_is_uncertain_not_a_bug() -> None:
    """Keys are kept 60 days and answer 409 after the 48 h cache ([RESTDOC] bulk-requests): a
    write that may have run before is looked up, whichever way it was sent before."""
    conflict = _error("conflict", "Idempotency key ri-key-1 was used before")
    stub = RestStub([body(_error("GW-0001", "Unable to process request"), 500)])
    stub.replies += [body(conflict, 409)] * 3
    result, _, _ = _run(stub)
    assert uncertain(result.failure())
    stub = RestStub([body(conflict, 409)] * 4)
    sleeps: list[float] = []

    async def go() -> Result[Reply, SyncError]:
        async with stub.client() as client:
            given, clock = settings(), Clock()
            tokens = AccessTokens(TokenClient(client, given, Client(), clock), given, clock)
            transport = RestTransport(client, given, tokens, sleep=_no_sleep(sleeps))
            return await transport.request("POST", INVOICE, body={}, key="k", resent=True)

    error = asyncio.run(go()).failure()
    assert uncertain(error)
    assert error.kind is ErrorKind.RETRIABLE


def _no_sleep(sleeps: list[float]) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return sleep


def test_E2_a_concurrent_duplicate_is_uncertain_and_asked_again_with_its_key() -> None:
    locked = _error("idempotencyLocked", "The first request with this key is not finished")
    stub = RestStub([body(locked, 409), OK])
    result, _, _ = _run(stub)
    assert is_successful(result)
    assert len(stub.requests) == 2
    stub = RestStub([body(locked, 409)] * 4)
    result, _, _ = _run(stub)
    assert uncertain(result.failure())


def test_a_duplicate_record_is_rejected_not_taken_for_a_reused_key() -> None:
    duplicate = _error(
        "duplicateKey", "Duplicate", ("BL01001973", "The customer ID C1 already exists")
    )
    result, _, _ = _run(RestStub([body(duplicate, 409)]))
    assert result.failure().kind is ErrorKind.REJECTED


def test_a_validation_error_is_rejected_with_intacct_words_and_legacy_code() -> None:
    refused = _error(
        "operationFailed",
        "Operation create object HQemployee failed",
        ("BL01001973", "Employee Contact info cannot be empty [Support ID: abc]"),
    )
    result, _, _ = _run(RestStub([body(refused, 422)]))
    error = result.failure()
    assert error.kind is ErrorKind.REJECTED
    assert error.message == "Intacct refused this record: Employee Contact info cannot be empty."
    assert error.cause == "HTTP 422 operationFailed BL01001973; supportId sup-1"


def test_a_missing_permission_needs_the_user() -> None:
    denied = _error("forbidden", "You do not have permission for this operation")
    result, _, _ = _run(RestStub([body(denied, 403)]))
    assert result.failure().kind is ErrorKind.NEEDS_USER
    assert "permission" in result.failure().message


def test_a_multi_status_reply_is_handed_on_for_its_records() -> None:
    partial = {
        "ia::result": [
            {"key": "1"},
            {"ia::status": 422, "ia::error": {"code": "invalidRequest", "message": "bad"}},
        ],
        "ia::meta": {"totalCount": 2, "totalSuccess": 1, "totalError": 1},
    }
    result, _, _ = _run(RestStub([body(partial, 207)]))
    assert result.unwrap().status == 207


def test_C2_a_refused_token_is_renewed_and_the_request_sent_again_up_to_attempts_tokens() -> None:
    expired = _error("GW-0031", "Invalid Token")
    stub = RestStub([body(expired, 401), OK])
    result, sleeps, _ = _run(stub)
    assert is_successful(result)
    assert [r.headers["Authorization"] for r in stub.requests] == [
        "Bearer access-1",
        "Bearer access-2",
    ]
    assert (len(stub.token_forms), sleeps) == (2, [])
    stub = RestStub([body(expired, 401), body(expired, 401), OK])  # a fresh token refused too
    assert is_successful(_run(stub)[0])
    assert (len(stub.requests), len(stub.token_forms)) == (3, 3)
    stub = RestStub([*[body(expired, 401)] * ATTEMPTS, OK])
    result, _, _ = _run(stub)
    error = result.failure()
    assert (error.kind, error.rule, len(stub.requests)) == (ErrorKind.FATAL, Rule.C2, ATTEMPTS)


def test_a_busy_token_endpoint_is_waited_for_like_a_throttle() -> None:
    stub = RestStub([OK])
    stub.token_failures = [httpx.Response(503)]
    result, sleeps, _ = _run(stub, key=None)
    assert is_successful(result)
    assert (len(stub.token_forms), len(stub.requests), sleeps) == (2, 1, [0.5])


def test_C2_no_token_or_secret_reaches_an_error_a_repr_or_a_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = _error("GW-0031", "Invalid Token access-1 access-2")
    stub = RestStub([body(echo, 401), httpx.ReadTimeout("t"), *[body(echo, 401)] * (ATTEMPTS - 1)])
    result, _, transport = _run(stub)
    shown = " ".join([repr(result.failure()), str(result.failure()), repr(transport), caplog.text])
    for secret in ("access-1", "access-2", "s3cret-client", "refresh-1"):
        assert secret not in shown


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ({"rest_batch_size": 501}, "rest_batch_size must be 1-500"),
        ({"rest_page_size": 4001}, "rest_page_size must be 1-4000"),
        ({"token_early": timedelta(seconds=-1)}, "token_early must be 0 or more"),
    ],
)
def test_the_rest_settings_refuse_what_intacct_would_refuse_naming_the_setting(
    given: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValueError, match=named):
        ClientSettings(**given)
