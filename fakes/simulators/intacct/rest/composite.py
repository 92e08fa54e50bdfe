"""Composite requests: ``POST /services/core/composite`` ([RESTDOC] docs/rest/bulk-requests.md,
"Composite Requests"; docs/rest/common-resources.md, "POST /services/core/composite").

The body is an array of 2-10 sub-requests ``{method, path, body?, headers?, resultReference?}``;
``path`` is under the version (``/objects/…``, ``/services/core/query``, ``/workflows/…``). Each
runs in order through the same handler as the plain request (its own admission, faults,
idempotency, latency and usage), with the composite's headers (``Authorization``, ``Accept``,
``Content-Type``, the entity) and its own ``headers`` over them. Execution stops at the first
failure, with no rollback: the sub-requests after it answer ``unprocessed`` (422, "Operation
skipped…", the page's multi-status example). The reply holds each sub-request's envelope with
its ``ia::status`` in order, and ``ia::meta`` counting them: 200 when all succeeded, else 207
(both shapes from common-resources.md's samples; ``totalSuccess`` / ``totalError`` on a 200 and
the ``unprocessed`` message for a stop are **inferred** from the 207 sample).

A sub-request whose reply is not JSON (a fault rule's ``malformed``, ``truncated``, or an empty
``server_error`` / ``timeout_after_commit``) breaks the composite's whole reply, which is then
that reply: one HTTP reply is cut off or unreadable as a whole, never one item of it.

``resultReference`` / ``@{name.…}`` is not served: a sub-request naming one is refused as a whole
(400), rather than sent with the reference unresolved. A body that is not such an array, or has
fewer than 2 or more than 10 sub-requests, is refused as a whole (400 ``invalidRequest``; the
code is **inferred**).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request

from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestReply,
    encode,
    invalid,
    meta,
)

__all__ = ["FEWEST", "MOST", "PATH", "run"]

PATH: Final = "/services/core/composite"
FEWEST: Final = 2
MOST: Final = 10
_METHODS: Final = frozenset({"GET", "POST", "PATCH", "DELETE"})
_NOT_INHERITED: Final = frozenset({b"content-length", b"idempotency-key", b"transfer-encoding"})
_SKIPPED: Final = {
    "ia::error": {
        "code": "unprocessed",
        "message": "Operation skipped due to atomic transaction failure",
    },
    "ia::status": 422,
}

Dispatch = Callable[[Request], Awaitable[RestReply]]
"""Serves one sub-request as the plain request it stands for."""


async def run(request: Request, prefix: str, dispatch: Dispatch) -> RestReply:
    """The composite ``request`` (already authenticated): each sub-request through
    ``dispatch``, in order, up to the first failure."""
    subs = _subrequests(await request.body())
    answers: list[object] = []
    for sub in subs:
        if answers and _failed(answers[-1]):
            answers.append(dict(_SKIPPED))
            continue
        reply = await dispatch(_request(request, prefix, sub))
        answer = _answer(reply)
        if answer is None:  # a reply cut off or not JSON (a fault rule) breaks the whole reply
            return reply
        answers.append(answer)
    ok = sum(not _failed(a) for a in answers)
    body = {"ia::result": answers, "ia::meta": meta(len(answers), ok)}
    return RestReply(200 if ok == len(answers) else 207, encode(body))


def _subrequests(raw: bytes) -> list[dict[str, object]]:
    try:
        subs = json.loads(raw) if raw.strip() else None
    except ValueError as error:
        raise invalid(f"the body is not JSON: {error}") from error
    if not isinstance(subs, list) or not all(isinstance(s, dict) for s in subs):
        raise invalid("a composite request's body is an array of sub-requests")
    if not FEWEST <= len(subs) <= MOST:
        raise invalid(f"a composite request holds {FEWEST} to {MOST} sub-requests, not {len(subs)}")
    for n, sub in enumerate(subs, 1):
        method, path = sub.get("method"), sub.get("path")
        if method not in _METHODS:
            raise invalid(f"sub-request {n}: method is one of {sorted(_METHODS)}, got {method!r}")
        if not isinstance(path, str) or not path.startswith("/"):
            raise invalid(f"sub-request {n}: path is the request's path from '/', got {path!r}")
        if "resultReference" in sub or "@{" in json.dumps(sub):
            raise invalid(f"sub-request {n}: resultReference is not served by the simulator")
        if not isinstance(sub.get("headers", {}), dict):
            raise invalid(f"sub-request {n}: headers is an object of names and values")
    return subs


def _request(outer: Request, prefix: str, sub: dict[str, object]) -> Request:
    """The plain request ``sub`` stands for, with the composite's headers under its own."""
    path, _, query = str(sub["path"]).partition("?")
    content = b"" if sub.get("body") is None else encode(sub["body"])
    headers = {k: v for k, v in outer.scope["headers"] if k not in _NOT_INHERITED}
    own = sub.get("headers", {})
    assert isinstance(own, dict)  # checked by _subrequests
    headers |= {str(k).lower().encode(): str(v).encode() for k, v in own.items()}
    headers[b"content-length"] = str(len(content)).encode()
    scope = {
        **outer.scope,
        "method": sub["method"],
        "path": f"{prefix}{path}",
        "raw_path": f"{prefix}{path}".encode(),
        "query_string": query.encode(),
        "headers": list(headers.items()),
        "path_params": {},
    }
    sent = False

    async def receive() -> dict[str, object]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": content, "more_body": False}

    return Request(scope, receive)


def _answer(reply: RestReply) -> dict[str, object] | None:
    """The sub-request's envelope with its ``ia::status``; None for a body that is not JSON (or
    none but a 204's): the composite's reply is then that broken reply, as one HTTP reply
    would be."""
    if not reply.body.strip():
        return {"ia::status": reply.status} if reply.status == 204 else None
    try:
        found = json.loads(reply.body)
    except ValueError:
        return None
    answer = dict(found) if isinstance(found, dict) else {"ia::result": found}
    answer["ia::status"] = reply.status
    return answer


def _failed(answer: object) -> bool:
    status = answer.get("ia::status") if isinstance(answer, dict) else None
    return not isinstance(status, int) or not 200 <= status < 300
