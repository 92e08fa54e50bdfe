"""One company's line to the Re-Leased REST API: headers, time-out, retries, back-off.

Every request the adapter sends is safe to repeat, so 429, 5xx (and 524), transport failures
(refused or dropped connections, time-outs) and a 2xx reply that is not JSON at all (cut off, or an
error page) are retried up to ``attempts`` times with full-jitter exponential back-off, never
sooner than a 429's ``Retry-After``: a create re-sends the same ``Idempotency-Key`` and body (the
server replays the first response), an update the same ``version`` (a repeat of an update that did
land gets 409, reported as a retriable conflict), and an action (archive, void) is checked against
the record's state by the adapter. Waiting is
bounded (``retrying.Waits``): a ``Retry-After`` longer than ``max_retry_after``, or a wait that
would take the request's waits past ``max_retry_wait`` in all, is not slept: the call fails as
retriable for the next run, saying how long Re-Leased asked and the limit.

A reply is read no further than :data:`MAX_REPLY_BYTES` (decompressed); a longer one is refused.

The API key is only ever put in the ``Authorization`` header; every ``SyncError`` leaving this
module has it redacted from its message, fix and cause (a server may echo what it was sent).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Final, TypeVar

import httpx
import msgspec
from returns.result import Failure, Result, Success

from released_intacct.adapters.bodies import capped
from released_intacct.adapters.released.errors import (
    http_error,
    malformed,
    retry_after_seconds,
    too_large,
    transport_error,
)
from released_intacct.adapters.released.settings import ReleasedSettings
from released_intacct.adapters.retrying import WaitRefused, Waits, log_retry, not_waited
from released_intacct.domain.errors import SyncError
from released_intacct.domain.secret import Secret

__all__ = ["MAX_REPLY_BYTES", "Http", "Reply", "Sleep"]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]

MAX_REPLY_BYTES: Final = 50 * 1024 * 1024
"""A reply is read as it streams in and no further: a longer one is refused (memory stays flat)."""
_REDACTED: Final = "**********"
_MIN_REDACTED_LEN: Final = 4


@dataclass(frozen=True, slots=True)
class Reply:
    """A 2xx reply."""

    status: int
    body: bytes


@dataclass(frozen=True, slots=True)
class _Attempt:
    outcome: Result[Reply, SyncError]
    again: bool
    wait: float | None = None


class Http:
    """Sends requests for one company; a repr shows no key."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: Secret,
        company_id: str,
        settings: ReleasedSettings,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._client = client
        self._root = base_url.rstrip("/") + "/api/"
        self._key = api_key
        self._company = company_id
        self._settings = settings
        self._sleep = sleep
        self._jitter = jitter
        self.requests = 0

    def __repr__(self) -> str:
        return f"Http(root={self._root!r}, company_id={self._company!r})"

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: bytes | None = None,
        key: str | None = None,
    ) -> Result[Reply, SyncError]:
        """Send one request; retry what may be retried; the last outcome otherwise."""
        headers = self._headers(method, body=body, key=key)
        attempts = self._settings.attempts
        waits = Waits(self._settings, jitter=self._jitter)
        for attempt in range(attempts):
            sent = await self._once(method, path, params=params, body=body, headers=headers)
            if not sent.again or attempt == attempts - 1:
                return sent.outcome.alt(self._redact)
            wait = waits.next(attempt, sent.wait)
            error = sent.outcome.failure()  # only a failure is tried again
            if isinstance(wait, WaitRefused):
                return Failure(
                    self._redact(not_waited(error, wait, system="Re-Leased", table="released"))
                )
            retried = self._redact(error)
            log_retry(
                retried, system="Re-Leased", attempt=attempt, wait=wait, retry_after=sent.wait
            )
            await self._sleep(wait)
        raise AssertionError  # pragma: no cover - the loop always returns

    def read(self, decode: msgspec.json.Decoder[T], reply: Reply) -> Result[T, SyncError]:
        """``reply``'s body as ``T``; malformed JSON is an error naming the JSON path."""
        try:
            return Success(decode.decode(reply.body))
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            return Failure(self._redact(malformed(error, reply.body)))
        except RecursionError:
            too_deep = msgspec.DecodeError("JSON nested too deeply")
            return Failure(self._redact(malformed(too_deep, reply.body)))

    def _headers(self, method: str, *, body: bytes | None, key: str | None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._key.reveal()}",
            "X-Company-Id": self._company,
            "Accept": "application/json",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        if method != "GET":
            headers["X-Sync-Source"] = "intacct"
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    async def _once(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        body: bytes | None,
        headers: dict[str, str],
    ) -> _Attempt:
        self.requests += 1
        request = self._client.build_request(
            method,
            self._root + path,
            params=params,
            content=body,
            headers=headers,
            timeout=self._settings.timeout,
        )
        try:
            reply = await self._client.send(request, stream=True)
            try:
                content = await capped(reply, MAX_REPLY_BYTES + 1)
            finally:
                await reply.aclose()
        except (httpx.TransportError, httpx.DecodingError) as error:
            return _Attempt(Failure(transport_error(error)), again=True)
        status = reply.status_code
        if len(content) > MAX_REPLY_BYTES:
            return _Attempt(Failure(too_large(status, MAX_REPLY_BYTES)), again=False)
        if 200 <= status < 300:
            return _succeeded(status, content)
        wait = retry_after_seconds(reply.headers.get("retry-after")) if status == 429 else None
        failed = Failure(http_error(status, content, retry_after=wait))
        return _Attempt(failed, again=status == 429 or status >= 500, wait=wait)

    def _redact(self, error: SyncError) -> SyncError:
        secret = self._key.reveal()
        if len(secret) < _MIN_REDACTED_LEN:
            return error
        return replace(
            error,
            message=error.message.replace(secret, _REDACTED),
            fix=error.fix.replace(secret, _REDACTED),
            cause=None if error.cause is None else error.cause.replace(secret, _REDACTED),
        )


def _succeeded(status: int, content: bytes) -> _Attempt:
    """A 2xx reply; one whose body is not JSON at all (cut off, or a proxy's error page) is tried
    again like a 5xx: the request is safe to repeat, and the next reply may be whole."""
    if content:
        try:
            msgspec.json.decode(content, type=msgspec.Raw)
        except msgspec.DecodeError as error:
            return _Attempt(Failure(malformed(error, content)), again=True)
        except RecursionError:
            pass  # whole, but nested too deeply: reading it says so (``read``); no use asking again
    return _Attempt(Success(Reply(status, content)), again=False)
