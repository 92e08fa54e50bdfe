"""What a request meets once ``faults.decide`` has chosen: the gateway's reply, or the fault's.

The kinds and their sources are listed in ``faults``. Gateway-level refusals share one shape, the
one the error-handling page shows for ``GW-`` errors and the SDKs' tests for ``XMLGW_JPP0002``: a
``<control>`` holding only ``<status>failure</status>`` and an ``<errormessage>`` whose errors
carry ``errorno`` and ``description`` only (:func:`gateway_refusal`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from lxml import etree

from released_intacct.fakes.simulators.intacct.errors import ErrorDetail
from released_intacct.fakes.simulators.intacct.faults import ConnectionDroppedError, Decision
from released_intacct.fakes.simulators.intacct.gateway import Reply, respond
from released_intacct.fakes.simulators.intacct.wire import serialize, sub

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator

__all__ = ["NOT_XML", "RATE_LIMITED", "answer", "gateway_refusal", "throttled"]

NOT_XML: Final = b"<html><body>502 Bad Gateway: the upstream reply was cut off</body"
RATE_LIMITED: Final = ("GW-0010", "API rate limit exceeded")
"""The errorno and message of the gateway's rate limit (the REST error table's wording)."""
SIGN_IN_REFUSED: Final = (
    "XMLGW_JPP0002",
    "Sign-in information is incorrect. Please check your request.",
)
OFFLINE: Final = ErrorDetail("", description2="The Service is Temporarily Off-line")
"""The Python SDK's text; the errorno is not documented (left empty, so nothing can rest on it)."""
PROCESSING: Final = ErrorDetail(
    "DL02000001", description2="There was an error processing the request."
)
"""The failure real clients meet on AUDITHISTORY pages (tap-intacct skips such pages; the errorno
and words are from a public client's test of a captured reply)."""
_XML: Final = {"content-type": "text/xml"}
_FAILED_FUNCTIONS: Final = {"temporarily_offline": OFFLINE, "processing_error": PROCESSING}


def answer(sim: Simulator, body: bytes, decision: Decision, *, endpoint: str) -> Reply:
    """Run (or not) the request as the decision says; ``ConnectionDroppedError`` for ``drop``."""
    rule = decision.rule
    kind = None if rule is None else rule.kind
    refused = _refused_before_running(sim, decision)
    if refused is not None:
        return refused
    if kind == "drop":
        msg = "the simulator dropped the connection (fault rule)"
        raise ConnectionDroppedError(msg)
    if kind == "session_expiry" and decision.info.company is not None:
        sim.expire_sessions(decision.info.company)
    failed = _FAILED_FUNCTIONS.get(kind) if kind is not None else None
    reply = respond(sim, body, endpoint=endpoint, unavailable=failed)
    if kind == "timeout_after_commit":
        return Reply(524, b"", {})
    if kind == "malformed":
        return Reply(200, NOT_XML, dict(_XML))
    if kind == "truncated":
        return Reply(reply.status, reply.body[: len(reply.body) // 2], dict(reply.headers))
    return reply


def _refused_before_running(sim: Simulator, decision: Decision) -> Reply | None:
    """The reply of a fault that stops the request before the gateway reads it, if one fired."""
    rule = decision.rule
    if rule is None:
        return None
    if rule.kind == "throttle":
        return throttled(retry_after=rule.retry_after)
    if rule.kind == "rate_limited_200":
        return Reply(200, gateway_refusal(*RATE_LIMITED), dict(_XML))
    if rule.kind == "stale_session":
        sim.sessions.pop(decision.info.session_id, None)
        return Reply(401, gateway_refusal(*SIGN_IN_REFUSED), dict(_XML))
    return _EMPTY_REPLIES.get(rule.kind, lambda _: None)(rule.retry_after)


_EMPTY_REPLIES: Final = {
    "server_error": lambda _: Reply(500, b"", {}),
    "service_unavailable": lambda after: Reply(503, b"", {"retry-after": str(after)}),
}
"""Faults answered with an empty body: nothing ran."""


def throttled(*, retry_after: int) -> Reply:
    """HTTP 429 with a control-only GW-0010 body and ``Retry-After``, as the gateway answers a
    client over its limits (a fault rule, or the concurrency limit)."""
    headers = {**_XML, "retry-after": str(retry_after)}
    return Reply(429, gateway_refusal(*RATE_LIMITED), headers)


def gateway_refusal(errorno: str, description: str) -> bytes:
    """``<response>`` with a status-only ``<control>`` and one error: nothing ran."""
    response = etree.Element("response")
    sub(sub(response, "control"), "status", "failure")
    error = sub(sub(response, "errormessage"), "error")
    sub(error, "errorno", errorno)
    sub(error, "description", description)
    return serialize(response)
