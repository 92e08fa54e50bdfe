"""One request to the REST API (``{api_base}/…``) under the same governor as the XML gateway.

Each request carries ``Authorization: Bearer`` (``oauth.AccessTokens``), JSON ``Accept`` and
``Content-Type``, the entity (``X-IA-API-Param-Entity``, spec section 9 and [FYREST]
intacctsdk/apis/api_base.py; sent only for an entity other than the top level, "If not provided,
the default entity for the access token is used", [RESTDOC] http-headers) and, for a write, its
``Idempotency-Key`` (and ``X-IA-API-Param-Transaction`` for an atomic batch). The body is
encoded once, so every try sends the same bytes. The reply is read no further than
``envelope.MAX_REPLY_BYTES`` and decoded with msgspec.

Retries (``retrying.repeat``, ``Waits``): 429, and 503 with a throttle header, always (nothing
ran); 5xx, time-outs and dropped connections for reads, and for writes that carry an
``Idempotency-Key``: "Results are cached for 48 hours; duplicates return the original status and
cached result" ([RESTDOC] bulk-requests, "Preventing Duplicate Requests"), so sending the same
key and body again, seconds later, cannot write twice; it is what the header is for. A write with
no key is never repeated here. When the tries run out the failure is uncertain and the writer
looks the record up by its key (or sends it again with the same key, within the 48 hours).

A 401 (or a 400 saying the token is invalid, ``classify.token_refused``) ran nothing: the token is
renewed and the request sent again, up to ``attempts`` tokens in all (at least two), as the XML
adapter logs in again after a refused session (``intacct.session``); a token endpoint that
refuses is judged at once (rule C2), and so is the last fresh token refused (FATAL, C2).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, Protocol

import httpx
import msgspec
from returns.result import Failure, Result, Success

from released_intacct.adapters.bodies import capped
from released_intacct.adapters.failures import MALFORMED
from released_intacct.adapters.governed import Governed, Sleep
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct_rest.classify import failure, token_refused
from released_intacct.adapters.intacct_rest.envelope import (
    MAX_REPLY_BYTES,
    Envelope,
    IaError,
    decode,
)
from released_intacct.adapters.retrying import (
    RETRY_AFTER_HEADERS,
    Attempt,
    lost_error,
    retry_after_header,
    retry_after_seconds,
    unsent_error,
)
from released_intacct.adapters.slots import LOCAL_ONLY, RequestSlots
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.secret import Secret

__all__ = ["ENTITY_HEADER", "TRANSACTION_HEADER", "Method", "Reply", "RestTransport", "Tokens"]

Method = Literal["GET", "POST", "PATCH", "DELETE"]
ENTITY_HEADER: Final = "X-IA-API-Param-Entity"
TRANSACTION_HEADER: Final = "X-IA-API-Param-Transaction"
"""A batch processed atomically ([RESTDOC] bulk-requests, "Atomic Requests"; http-headers spells
it ``X-IA-API-ParamTransaction``: the spelling matching the entity header is sent,
docs/intacct-rest.md section 3)."""
_SYSTEM: Final = "Sage Intacct"
_JSON: Final = "application/json"
_ENCODER: Final = msgspec.json.Encoder(decimal_format="number")


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply that is not a failure: its status (200, 201, 204 or 207, or a batch's 4xx whose
    records each carry their own outcome) and envelope."""

    status: int
    envelope: Envelope


class Tokens(Protocol):
    """What the transport needs of ``oauth.AccessTokens``."""

    async def access(self) -> Result[Secret, SyncError]: ...

    async def renew(self, stale: Secret | None) -> Result[Secret, SyncError]: ...


class RestTransport(Governed):
    """Sends requests of one company, at one entity, under its governor."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: ClientSettings,
        tokens: Tokens,
        *,
        entity: EntityId | None = None,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
        slots: RequestSlots = LOCAL_ONLY,
        company: str = "",
    ) -> None:
        super().__init__(client, settings, sleep=sleep, jitter=jitter, slots=slots, company=company)
        self._tokens = tokens
        self._entity = entity

    def __repr__(self) -> str:
        return f"RestTransport(api_base={self._settings.api_base!r}, entity={self._entity!r})"

    @property
    def entity(self) -> str | None:
        """The entity its requests name (None or empty: the top level, no header)."""
        return self._entity or None

    async def request(
        self,
        method: Method,
        path: str,
        *,
        body: object = None,
        key: str | None = None,
        resent: bool = False,
        atomic: bool = False,
        reads: bool = False,
    ) -> Result[Reply, SyncError]:
        """``method`` on ``path`` (under ``api_base``, from ``/``) with ``body`` as JSON; ``key``
        the write's ``Idempotency-Key``; ``resent``: that write may have been sent before (a 409
        for its key is then uncertain, not a bug); ``atomic``: a batch all or nothing
        (``X-IA-API-Param-Transaction: true``); ``reads``: a POST that only reads (a composite
        of reads, ``composite.reads``). Reads (GET, the query service, ``reads``) are repeated
        after a server error; a write only with a key."""
        content = None if body is None else _ENCODER.encode(body)
        write = method != "GET" and not reads and not path.startswith("/services/core/query")
        batch = isinstance(body, list)
        sending = _Sending(write=write, key=key, resent=resent, atomic=atomic, batch=batch)
        last = max(self._settings.attempts, 2) - 1
        for renewals in range(last + 1):
            outcome = await self._repeat(
                lambda: self._once(method, path, content, sending),
                idempotent=not write or key is not None,
            )
            stale, sending.refused = sending.refused, None
            if renewals == last or stale is None:
                return outcome
            renewal = await self._tokens.renew(stale)
            if isinstance(renewal, Failure):
                return Failure(renewal.failure())
        raise AssertionError  # pragma: no cover - the loop always returns

    async def _once(
        self, method: Method, path: str, content: bytes | None, sending: _Sending
    ) -> Attempt[Reply]:
        token = await self._tokens.access()
        if isinstance(token, Failure):  # nothing reached the API: a busy token endpoint is waited
            error = token.failure()
            return Attempt(Failure(error), _retriable(error), safe_to_repeat=True)
        async with self.governor.hold() as refused:
            if refused is not None:  # no slot: nothing sent, and the wait was the bound
                return Attempt(Failure(refused), retriable=False, safe_to_repeat=True)
            headers = self._headers(token.unwrap(), sending, body=content is not None)
            try:
                reply, got = await self._exchange(method, path, content, headers)
            except httpx.TransportError as error:
                unsent = unsent_error(error, system=_SYSTEM)
                if unsent is not None:
                    return Attempt(Failure(unsent), retriable=True, safe_to_repeat=True)
                sending.resent = True
                return _lost(error)
            except httpx.DecodingError as error:
                sending.resent = True
                return _lost(error)
        attempt = _attempt(reply.status_code, reply.headers, got, sending)
        if isinstance(attempt.outcome, Failure) and _refused_token(reply.status_code, got):
            sending.refused = token.unwrap()
        elif not attempt.safe_to_repeat:
            sending.resent = True  # it reached Intacct and may have run: a later try re-sends
        return attempt

    def _headers(self, token: Secret, sending: _Sending, *, body: bool) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {token.reveal()}", "Accept": _JSON}
        if body:
            headers["Content-Type"] = _JSON
        if self._entity:
            headers[ENTITY_HEADER] = self._entity
        if sending.key is not None:
            headers["Idempotency-Key"] = sending.key
        if sending.atomic:
            headers[TRANSACTION_HEADER] = "true"
        return headers

    async def _exchange(
        self, method: Method, path: str, content: bytes | None, headers: Mapping[str, str]
    ) -> tuple[httpx.Response, bytes]:
        request = self._client.build_request(
            method,
            f"{self._settings.api_base}{path}",
            content=content,
            headers=headers,
            timeout=self._settings.timeout,
        )
        reply = await self._client.send(request, stream=True)
        try:
            return reply, await capped(reply, MAX_REPLY_BYTES + 1)
        finally:
            await reply.aclose()


@dataclass(slots=True, kw_only=True)
class _Sending:
    """One request's state across its tries."""

    write: bool
    key: str | None
    atomic: bool
    resent: bool
    """A try may have reached Intacct and run before this one."""
    batch: bool = False
    """The body is an array of records (a batch): each is answered in its place."""
    refused: Secret | None = None
    """The access token Intacct refused in this round of tries (renewed before the next)."""


def _attempt(
    status: int, headers: Mapping[str, str], content: bytes, sending: _Sending
) -> Attempt[Reply]:
    write, key = sending.write, sending.key
    wait = retry_after_seconds(retry_after_header(headers))
    throttled = status == 429 or (status == 503 and _throttle_header(headers))
    if len(content) > MAX_REPLY_BYTES:
        return _unreadable(status, f"over {MAX_REPLY_BYTES} bytes", write=write)
    try:
        envelope = decode(content)
    except msgspec.MsgspecError:
        if 200 <= status < 300:
            return _unreadable(status, "not JSON", write=write)
        envelope = Envelope()  # a failure that is not JSON (a proxy's page): judged by its status
    if status == 207 or (200 <= status < 300 and envelope.error is None):
        # 207: each record's outcome is in its place in ``ia::result`` (``batch``)
        return Attempt(Success(Reply(status, envelope)), retriable=False, safe_to_repeat=False)
    if sending.batch and _per_record(status, envelope):
        # every record of the batch failed: their reasons are in their places, not in ia::error
        return Attempt(Success(Reply(status, envelope)), retriable=False, safe_to_repeat=False)
    if 200 <= status < 300:
        status = 422  # an ``ia::error`` in a 200 or 201: refused as Intacct says
    error = failure(
        status, envelope.error, write=write, key=key, resent=sending.resent, retry_after=wait
    )
    return Attempt(Failure(error), _retriable(error), safe_to_repeat=throttled, retry_after=wait)


def _per_record(status: int, envelope: Envelope) -> bool:
    """A batch's failure status (4xx) whose ``ia::result`` holds each record's outcome and which
    has no ``ia::error`` of its own: "When atomic mode fails, the REST API returns 207
    Multi-Status, 404 Not Found, 422 Unprocessable Entity, or another HTTP error. Each individual
    response contains ``ia::status`` and ``ia::error``" ([RESTDOC] bulk-requests, "Atomic
    Requests"); a non-atomic batch whose records all failed alike answers their one status
    (**inferred**: the page shows no such reply). Read record by record (``batch``), so each keeps
    Intacct's reason. A 401 or 429 is the request's, never the records'."""
    return (
        400 <= status < 500
        and status not in (401, 429)
        and envelope.error is None
        and isinstance(envelope.result, list)
        and bool(envelope.result)
    )


def _retriable(error: SyncError) -> bool:
    return error.kind is ErrorKind.RETRIABLE


def _throttle_header(headers: Mapping[str, str]) -> bool:
    return any(headers.get(name) is not None for name in RETRY_AFTER_HEADERS)


def _refused_token(status: int, content: bytes) -> bool:
    try:
        error: IaError | None = decode(content).error
    except msgspec.MsgspecError:
        error = None
    return token_refused(status, error)


def _unreadable(status: int, why: str, *, write: bool) -> Attempt[Reply]:
    """A 2xx whose body cannot be read: a write's outcome is uncertain (looked up by key)."""
    message = f"Intacct's reply could not be read ({why})"
    message += "; it may have been processed." if write else "."
    fix = (
        "Nothing to do: the record is looked up in Intacct before it is sent again."
        if write
        else "Nothing to do: the sync tries again shortly."
    )
    error = SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=message,
        fix=fix,
        cause=f"{MALFORMED}: HTTP {status}; {why}",
    )
    return Attempt(Failure(error), retriable=True, safe_to_repeat=False)


def _lost(error: Exception) -> Attempt[Reply]:
    """A failure once the request may have left: whether it ran is not known."""
    return Attempt(Failure(lost_error(error, system=_SYSTEM)), retriable=True, safe_to_repeat=False)
