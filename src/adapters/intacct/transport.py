"""One company's line to the gateway: the concurrency governor, back-off and retries.

The governor (``adapters.governor``): each HTTP exchange first takes one of this process's
``concurrency`` places for the company, then one of the company's slots shared with other
processes; a slot that cannot be had fails the request at once, unsent and not retried here.

A reply is read as it streams in and no further than ``MAX_RESPONSE_BYTES`` (decompressed), so a
huge or endless body, or a small gzip bomb, costs at most that much memory before it is refused;
and it is parsed only if it may hold no more XML nodes than ``nodes``, what the request could be
answered with (``query.reply_nodes``), so its tree stays in proportion to what was asked.

Only failures that are safe to repeat are retried here: throttling (HTTP 429, and a control block
refused for a rate limit or the service off-line in an HTTP 200: nothing ran; correction 8) and
failures before anything was sent (no connection free in the pool in time, or none could be made:
``retrying.unsent_error``, whose error is ``unsent``, so nothing is looked up after it), always;
and, for idempotent calls (reads), also server errors, time-outs, dropped connections,
malformed replies and replies whose every function failed for a rate limit or the service
off-line (``classify.busy``). The wait is at least what
``Retry-After`` or Intacct's throttle headers ask (``retrying.retry_after_header``), and never
unbounded (``retrying.repeat``): a wait asked for longer than ``max_retry_after``, or one that would
take the request's waits past ``max_retry_wait`` in all, is not taken, and the request fails as
retriable, saying how long Intacct asked and the limit (``retrying.not_waited``). A write whose
outcome is uncertain is handed back to the writer, which looks its records up before sending
anything again.
"""

from __future__ import annotations

import httpx
from returns.pipeline import is_successful
from returns.result import Failure, Result

from released_intacct.adapters.bodies import capped
from released_intacct.adapters.governed import Governed
from released_intacct.adapters.intacct.classify import busy
from released_intacct.adapters.intacct.reply import Response
from released_intacct.adapters.intacct.response import (
    MAX_NODES,
    MAX_RESPONSE_BYTES,
    parse_response,
)
from released_intacct.adapters.retrying import (
    Attempt,
    lost_error,
    retry_after_header,
    retry_after_seconds,
    unsent_error,
)
from released_intacct.domain.errors import ErrorKind, SyncError

_HEADERS = {"Content-Type": "application/xml", "Accept": "text/xml, application/xml"}


class Gateway(Governed):
    """Posts request bodies for one company under its concurrency limit: ``concurrency`` in this
    process, and as many of ``company``'s ``slots`` shared with other processes."""

    @property
    def requests(self) -> int:
        """Requests sent so far (each try counts)."""
        return self.governor.requests

    @property
    def peak_in_flight(self) -> int:
        """The most requests this gateway had in flight at once."""
        return self.governor.peak_in_flight

    async def post(
        self, url: str, body: bytes, *, idempotent: bool, nodes: int = MAX_NODES
    ) -> Result[Response, SyncError]:
        """Send ``body``; retry what may be retried, within the limits on waiting; the last
        outcome otherwise. A reply that may hold more than ``nodes`` XML nodes is refused
        unparsed (default: one function's answer of one record)."""
        return await self._repeat(lambda: self._once(url, body, nodes), idempotent=idempotent)

    async def _once(self, url: str, body: bytes, nodes: int) -> Attempt[Response]:
        async with self.governor.hold() as refused:
            if refused is not None:  # no slot: nothing sent, and the wait was the bound
                return Attempt(Failure(refused), retriable=False, safe_to_repeat=True)
            try:
                reply, content = await self._exchange(url, body)
            except httpx.TransportError as error:
                unsent = unsent_error(error, system="Sage Intacct")
                if unsent is not None:  # nothing ran: repeated like a throttle, nothing looked up
                    return Attempt(Failure(unsent), retriable=True, safe_to_repeat=True)
                return _lost(error)
            except httpx.DecodingError as error:
                # a body that cannot be decompressed is as good as a connection lost in it
                return _lost(error)
        return _attempt(reply, content, nodes)

    async def _exchange(self, url: str, body: bytes) -> tuple[httpx.Response, bytes]:
        """The reply and at most ``MAX_RESPONSE_BYTES + 1`` bytes of its body (more is refused)."""
        request = self._client.build_request(
            "POST", url, content=body, headers=_HEADERS, timeout=self._settings.timeout
        )
        reply = await self._client.send(request, stream=True)
        try:
            return reply, await capped(reply, MAX_RESPONSE_BYTES + 1)
        finally:
            await reply.aclose()


def _attempt(reply: httpx.Response, content: bytes, nodes: int) -> Attempt[Response]:
    """Throttling refused the request before it ran (HTTP 429, or a control block refused for a
    rate limit or the service off-line), so repeating it is always safe."""
    header = retry_after_header(reply.headers)
    wait = retry_after_seconds(header)
    outcome = parse_response(content, status=reply.status_code, retry_after=header, max_nodes=nodes)
    if not is_successful(outcome):
        retriable = outcome.failure().kind is ErrorKind.RETRIABLE
        return Attempt(
            outcome, retriable, safe_to_repeat=reply.status_code == 429, retry_after=wait
        )
    response = outcome.unwrap()
    later = busy(response)
    return Attempt(
        outcome,
        later is not None,
        safe_to_repeat=later is not None and not response.control_ok,
        retry_after=wait,
        later=later,
    )


def _lost(error: Exception) -> Attempt[Response]:
    """A failure once the request may have left: whether it ran is not known."""
    return Attempt(
        Failure(lost_error(error, system="Sage Intacct")), retriable=True, safe_to_repeat=False
    )
