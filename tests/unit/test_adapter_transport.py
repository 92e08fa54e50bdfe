"""The transport's retry policy, against scripted HTTP replies (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from returns.pipeline import is_successful

from released_intacct.adapters.intacct.classify import uncertain
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.transport import Gateway
from released_intacct.adapters.log import Event
from released_intacct.adapters.retrying import Waits
from released_intacct.domain.errors import ErrorKind
from released_intacct.fakes.gateway_stub import EMPTY_READ


def _gateway(
    replies: list[httpx.Response | Exception],
    *,
    max_retry_after: float = 120.0,
    max_retry_wait: float = 300.0,
) -> tuple[Gateway, list[float], list[int]]:
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
    given = ClientSettings(
        endpoint="http://x/gw",
        attempts=4,
        backoff=1.0,
        backoff_cap=8.0,
        max_retry_after=max_retry_after,
        max_retry_wait=max_retry_wait,
    )
    return Gateway(client, given, sleep=sleep, jitter=lambda: 0.5), sleeps, calls


def test_throttling_is_retried_after_retry_after_even_for_writes() -> None:
    gateway, sleeps, calls = _gateway(
        [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, content=EMPTY_READ)]
    )
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=False))
    assert is_successful(result)
    assert len(calls) == 2
    assert sleeps == [3.0]  # max(jittered back-off 0.5, Retry-After 3)


def test_server_errors_are_retried_with_growing_jittered_back_off_for_reads() -> None:
    replies: list[httpx.Response | Exception] = [httpx.Response(502) for _ in range(3)]
    gateway, sleeps, _ = _gateway([*replies, httpx.Response(200, content=EMPTY_READ)])
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=True))
    assert is_successful(result)
    assert sleeps == [0.5, 1.0, 2.0]  # backoff * 2**attempt * jitter(0.5)


def test_an_uncertain_write_is_not_repeated_blind() -> None:
    gateway, sleeps, calls = _gateway(
        [httpx.Response(524), httpx.Response(200, content=EMPTY_READ)]
    )
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
    gateway, _, calls = _gateway([refused, httpx.Response(200, content=EMPTY_READ)])
    assert is_successful(asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=False)))
    assert len(calls) == 2


def test_retries_stop_after_the_configured_attempts() -> None:
    gateway, sleeps, calls = _gateway([httpx.Response(503) for _ in range(4)])
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=True))
    assert not is_successful(result)
    assert (len(calls), len(sleeps)) == (4, 3)


def test_back_off_is_capped() -> None:
    settings = ClientSettings(backoff=1.0, backoff_cap=8.0)
    assert Waits(settings, jitter=lambda: 0.5).next(10, None) == 4.0  # cap 8 s x jitter 0.5


def test_F7_a_wait_asked_beyond_the_limit_is_not_taken_and_the_request_fails_retriable() -> None:
    throttled = httpx.Response(429, headers={"Retry-After": "86400"})
    gateway, sleeps, calls = _gateway([throttled, httpx.Response(200, content=EMPTY_READ)])
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=True))
    assert (len(calls), sleeps) == (1, [])  # no day-long sleep: the run is free to stop
    error = result.failure()
    assert error.kind is ErrorKind.RETRIABLE
    assert "Intacct is busy" in error.message
    assert "asked to wait 86400 s" in error.message
    assert "longer than the 120 s" in error.message
    assert "intacct.max_retry_after" in error.fix
    assert (error.cause, error.retry_after) == ("HTTP 429 GW-0010", 86400.0)


def test_F7_intacct_s_throttle_header_is_capped_too_and_an_uncertain_outcome_stays_so() -> None:
    busy = httpx.Response(503, headers={"X-IA-Throttle-Limit-RetryAfter": "600"})
    gateway, sleeps, calls = _gateway([busy], max_retry_after=60)
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=True))
    error = result.failure()
    assert (len(calls), sleeps) == (1, [])
    assert "asked to wait 600 s" in error.message
    assert "longer than the 60 s" in error.message
    assert uncertain(error)  # a 503 may have run: still looked up before any re-send


def test_F7_a_request_s_waits_stop_at_max_retry_wait_in_all() -> None:
    throttled = [httpx.Response(429, headers={"Retry-After": "100"}) for _ in range(3)]
    gateway, sleeps, calls = _gateway(
        [*throttled, httpx.Response(200, content=EMPTY_READ)], max_retry_wait=250
    )
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=False))
    assert sleeps == [100.0, 100.0]
    assert len(calls) == 3
    error = result.failure()
    assert error.kind is ErrorKind.RETRIABLE
    assert "past 250 s in all (intacct.max_retry_wait)" in error.message
    assert "raise intacct.max_retry_wait" in error.fix


def test_F7_a_rate_limit_in_a_200_asking_too_long_fails_with_its_reason() -> None:
    limited = httpx.Response(200, content=RATE_LIMITED_200, headers={"Retry-After": "7200"})
    gateway, sleeps, _ = _gateway([limited])
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=False))
    assert sleeps == []
    error = result.failure()
    assert error.message.startswith("Intacct is busy (rate limit).")
    assert "asked to wait 7200 s" in error.message


def test_correction_8_the_longest_of_retry_after_and_intacct_s_throttle_headers_is_waited() -> None:
    headers = {
        "Retry-After": "2",
        "X-IA-Throttle-Limit-RetryAfter": "60",
        "X-IA-TENANT-Throttle-Limit-Retry-After": "30",
    }
    tenant = {"X-IA-TENANT-Throttle-Limit-Retry-After": "12"}
    for given, expected in ((headers, 60.0), (tenant, 12.0)):
        gateway, sleeps, _ = _gateway(
            [httpx.Response(429, headers=given), httpx.Response(200, content=EMPTY_READ)]
        )
        assert is_successful(asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=False)))
        assert sleeps == [expected]


def test_correction_8_a_503_waits_as_long_as_its_headers_ask() -> None:
    busy = httpx.Response(503, headers={"X-IA-Throttle-Limit-RetryAfter": "9"})
    gateway, sleeps, _ = _gateway([busy, httpx.Response(200, content=EMPTY_READ)])
    assert is_successful(asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=True)))
    assert sleeps == [9.0]


RATE_LIMITED_200 = (
    b"<response><control><status>failure</status></control><errormessage><error>"
    b"<errorno>GW-0010</errorno><description>API rate limit exceeded</description></error>"
    b"</errormessage></response>"
)
OFFLINE_200 = EMPTY_READ.replace(
    b"<status>success</status><function>", b"<status>failure</status><function>"
).replace(
    b'<data listtype="x" count="0" totalcount="0" numremaining="0" resultId=""/>',
    b"<errormessage><error><errorno></errorno><description></description><description2>The"
    b" Service is Temporarily Off-line</description2><correction></correction></error>"
    b"</errormessage>",
)


def test_correction_8_a_control_refused_for_a_rate_limit_in_a_200_is_repeated_for_writes() -> None:
    gateway, sleeps, calls = _gateway(
        [httpx.Response(200, content=RATE_LIMITED_200), httpx.Response(200, content=EMPTY_READ)]
    )
    result = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=False))
    assert is_successful(result)
    assert result.unwrap().control_ok
    assert (len(calls), sleeps) == (2, [0.5])


def test_correction_8_functions_all_off_line_are_repeated_for_reads_only() -> None:
    assert b"Temporarily Off-line" in OFFLINE_200
    gateway, _, calls = _gateway(
        [httpx.Response(200, content=OFFLINE_200), httpx.Response(200, content=EMPTY_READ)]
    )
    read = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=True))
    assert is_successful(read)
    assert read.unwrap().results[0].ok
    assert len(calls) == 2
    gateway, _, calls = _gateway([httpx.Response(200, content=OFFLINE_200)])
    write = asyncio.run(gateway.post("http://x/gw", b"<request/>", idempotent=False))
    assert is_successful(write)  # the writer judges each function's result
    assert not write.unwrap().results[0].ok
    assert len(calls) == 1


def test_F13_pool_timeout_is_repeated_even_for_a_write_and_says_it_was_not_sent() -> None:
    pool = httpx.PoolTimeout("no connection free")
    gateway, _, calls = _gateway([pool, httpx.Response(200, content=EMPTY_READ)])
    assert is_successful(asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=False)))
    assert len(calls) == 2  # nothing left, so repeating it is safe
    gateway, _, _ = _gateway([pool, pool, pool, pool])
    error = asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=False)).failure()
    assert (error.kind, error.unsent) == (ErrorKind.RETRIABLE, True)
    assert not uncertain(error)
    read_timeout = httpx.ReadTimeout("no reply")
    gateway, _, calls = _gateway([read_timeout])
    error = asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=False)).failure()
    assert (len(calls), error.unsent) == (1, False)  # it may have run: the writer looks it up


def _retries(caplog: pytest.LogCaptureFixture) -> list[Event]:
    return [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, Event) and r.msg["event"] == "request_retried"
    ]


def test_a_retry_logs_its_cause_at_info_status_retry_after_timeout_or_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="released_intacct.adapters.retrying")
    replies: list[httpx.Response | Exception] = [
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(502),
        httpx.ConnectError("connection refused"),
        httpx.Response(200, content=EMPTY_READ),
    ]
    gateway, _, _ = _gateway(replies)
    assert is_successful(asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=True)))
    logged = _retries(caplog)
    assert [(e["reason"], e.get("status"), e["attempt"]) for e in logged] == [
        ("retry_after", 429, 1),
        ("status", 502, 2),
        ("connection", None, 3),
    ]
    assert logged[0]["retry_after"] == 3.0
    assert logged[0]["wait"] == 3.0
    assert "retry_after" not in logged[1]  # said only when the server said it
    assert {e["system"] for e in logged} == {"Sage Intacct"}
    assert all(r.levelno == logging.INFO for r in caplog.records if r.msg in logged)
    caplog.clear()
    gateway, _, _ = _gateway([httpx.ReadTimeout("slow"), httpx.Response(200, content=EMPTY_READ)])
    assert is_successful(asyncio.run(gateway.post("http://x/gw", b"<r/>", idempotent=True)))
    assert [(e["reason"], e["cause"]) for e in _retries(caplog)] == [("timeout", "ReadTimeout")]
