"""The transport's retry policy, against scripted HTTP replies (httpx.MockTransport)."""

from __future__ import annotations

import asyncio

import httpx
from returns.pipeline import is_successful

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.transport import Gateway
from released_intacct.domain.errors import ErrorKind

OK_BODY = (
    b"<response><control><status>success</status></control><operation><authentication>"
    b"<status>success</status><userid>u</userid><companyid>c</companyid></authentication>"
    b"<result><status>success</status><function>readByQuery</function><controlid>r</controlid>"
    b'<data listtype="x" count="0" totalcount="0" numremaining="0" resultId=""/></result>'
    b"</operation></response>"
)


def _gateway(replies: list[httpx.Response | Exception]) -> tuple[Gateway, list[float], list[int]]:
    sleeps: list[float] = []
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        reply = replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    settings = ClientSettings(endpoint="http://x/gw", attempts=4, backoff=1.0, backoff_cap=8.0)
    return Gateway(client, settings, sleep=sleep, jitter=lambda: 0.5), sleeps, calls


def test_throttling_is_retried_after_retry_after_even_for_writes() -> None:
    gateway, sleeps, calls = _gateway(
        [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, content=OK_BODY)]
    )
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=False))
    assert is_successful(result)
    assert len(calls) == 2
    assert sleeps == [3.0]  # max(jittered back-off 0.5, Retry-After 3)


def test_server_errors_are_retried_with_growing_jittered_back_off_for_reads() -> None:
    replies: list[httpx.Response | Exception] = [httpx.Response(502) for _ in range(3)]
    gateway, sleeps, _ = _gateway([*replies, httpx.Response(200, content=OK_BODY)])
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=True))
    assert is_successful(result)
    assert sleeps == [0.5, 1.0, 2.0]  # backoff * 2**attempt * jitter(0.5)


def test_an_uncertain_write_is_not_repeated_blind() -> None:
    gateway, sleeps, calls = _gateway([httpx.Response(524), httpx.Response(200, content=OK_BODY)])
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=False))
    assert not is_successful(result)
    assert result.failure().kind is ErrorKind.RETRIABLE
    assert (len(calls), sleeps) == (1, [])  # the writer looks records up before any re-send


def test_a_dropped_connection_is_uncertain_but_a_refused_one_is_retried() -> None:
    dropped = httpx.RemoteProtocolError("peer closed connection")
    gateway, _, calls = _gateway([dropped])
    assert not is_successful(asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=False)))
    assert len(calls) == 1
    refused = httpx.ConnectError("connection refused")
    gateway, _, calls = _gateway([refused, httpx.Response(200, content=OK_BODY)])
    assert is_successful(asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=False)))
    assert len(calls) == 2


def test_retries_stop_after_the_configured_attempts() -> None:
    gateway, sleeps, calls = _gateway([httpx.Response(503) for _ in range(4)])
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=True))
    assert not is_successful(result)
    assert (len(calls), len(sleeps)) == (4, 3)


def test_back_off_is_capped() -> None:
    gateway, _, _ = _gateway([])
    assert gateway._delay(10, None) == 4.0  # cap 8 s x jitter 0.5
