"""What a REST request meets when a fault rule fires (the kinds are ``faults``'s).

- ``throttle`` and ``rate_limited_200``: 429 ``GW-0010`` "API rate limit exceeded" with
  ``X-IA-Throttle-Limit-RetryAfter`` ([RESTDOC] docs/rest/http-headers.md, "Response Headers";
  docs/rest/error-handling.md, "4XX Gateway Error Codes"); the REST API has no 200 form of the
  rate limit, so ``rate_limited_200`` answers the 429 too (**inferred**). Nothing done.
- ``service_unavailable``: 503 ``GW-0001`` "Unable to process request" with
  ``X-IA-Throttle-Limit-RetryAfter`` ("The HTTP status codes that indicate limits reached for CPU
  or throttling are 429 and 503"; the 5XX gateway code is the page's only one). Nothing done.
- ``temporarily_offline``, ``processing_error``: 500 ``GW-0001`` (**inferred**). Nothing done.
- ``stale_session`` and ``session_expiry``: the caller's token (``session_expiry``: every access
  token of the company) is gone, 401 ``GW-0031`` "Invalid Token". Nothing done.
- ``server_error``: 500 with an empty body; ``drop``: the connection closes; nothing done.
- ``timeout_after_commit``: the request runs (and its ``Idempotency-Key`` keeps its reply), then
  524 with an empty body; ``malformed``: it runs, then a 200 that is not JSON; ``truncated``: it
  runs, then the first half of its reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from released_intacct.fakes.simulators.intacct.faults import Decision
from released_intacct.fakes.simulators.intacct.rest.envelope import RestError, RestReply, failed

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator

RETRY_AFTER: Final = "x-ia-throttle-limit-retryafter"
NOT_JSON: Final = b"<html><body>502 Bad Gateway: the upstream reply was cut off</body"


def throttled(retry_after: int) -> RestReply:
    error = RestError(429, "GW-0010", "API rate limit exceeded")
    return failed(error, {RETRY_AFTER: str(retry_after)})


_UNPROCESSED: Final = RestError(500, "GW-0001", "Unable to process request")
_INVALID_TOKEN: Final = RestError(401, "GW-0031", "Invalid Token")


def before(sim: Simulator, decision: Decision) -> RestReply | None:
    """The reply of a fault that stops the request before it runs, if one fired."""
    rule = decision.rule
    if rule is None:
        return None
    kind = rule.kind
    if kind in ("stale_session", "session_expiry"):
        found = sim.rest.access.pop(decision.info.session_id, None)
        if kind == "session_expiry" and found is not None:
            sim.rest.expire(found.grant.company_id, revoke=False)
        return failed(_INVALID_TOKEN)
    retry = {RETRY_AFTER: str(rule.retry_after)}
    replies = {
        "throttle": lambda: throttled(rule.retry_after),
        "rate_limited_200": lambda: throttled(rule.retry_after),
        "service_unavailable": lambda: failed(
            RestError(503, "GW-0001", _UNPROCESSED.message), retry
        ),
        "temporarily_offline": lambda: failed(_UNPROCESSED),
        "processing_error": lambda: failed(_UNPROCESSED),
        "server_error": lambda: RestReply(500, b"", {}),
    }
    found_reply = replies.get(kind)
    return None if found_reply is None else found_reply()


def after(decision: Decision, reply: RestReply) -> RestReply:
    """The reply the client gets of a request that ran."""
    kind = None if decision.rule is None else decision.rule.kind
    if kind == "timeout_after_commit":
        return RestReply(524, b"", {})
    if kind == "malformed":
        return RestReply(200, NOT_JSON, {"content-type": "application/json"})
    if kind == "truncated":
        return RestReply(reply.status, reply.body[: len(reply.body) // 2], dict(reply.headers))
    return reply
