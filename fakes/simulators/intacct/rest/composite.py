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

**Result references** ("Use output from one sub-request in subsequent sub-requests (via
``resultReference``)"): a sub-request's ``resultReference`` names its ``ia::result``; a later
sub-request's ``path``, ``body`` and header values may hold ``@{name.field…}``, resolved from that
result before the sub-request is sent. The pages' two samples are served as written:
``@{employee.department.key}`` (a field of a record, a dotted name walked through nested
objects) and ``/objects/accounts-payable/vendor/@{vendor.1.key}`` (a number picks a result's
record, 1-based). Decisions (**inferred**, no page says): a number on a result that is one record
(a single create's or GET's) picks that record when it is 1; a query row's dotted field names
(``department.key``) are matched whole; a body string that is only a reference takes the value
with its JSON type, one holding it among other text the value as text; a reference resolving to
nothing (no such field or record, an object in a path) fails its sub-request with 400
``invalidRequest`` naming it, which stops the composite as any failure does. A reference to a
name no earlier sub-request gives, or a ``resultReference`` given twice, refuses the composite as
a whole (400).

A body that is not such an array, or has fewer than 2 or more than 10 sub-requests, is refused as
a whole (400 ``invalidRequest``; the code is **inferred**).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request

from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestError,
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

_REFERENCE: Final = re.compile(r"@\{([^{}]+)\}")
_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

Dispatch = Callable[[Request], Awaitable[RestReply]]
"""Serves one sub-request as the plain request it stands for."""


async def run(request: Request, prefix: str, dispatch: Dispatch) -> RestReply:
    """The composite ``request`` (already authenticated): each sub-request through
    ``dispatch``, in order, up to the first failure."""
    subs = _subrequests(await request.body())
    answers: list[object] = []
    results: dict[str, object] = {}
    for sub in subs:
        if answers and _failed(answers[-1]):
            answers.append(dict(_SKIPPED))
            continue
        try:
            resolved = _resolved(sub, results)
        except RestError as error:
            answers.append({"ia::error": error.error(), "ia::status": error.status})
            continue
        reply = await dispatch(_request(request, prefix, resolved))
        answer = _answer(reply)
        if answer is None:  # a reply cut off or not JSON (a fault rule) breaks the whole reply
            return reply
        answers.append(answer)
        if isinstance(sub.get("resultReference"), str):
            results[str(sub["resultReference"])] = answer.get("ia::result")
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
    named: set[str] = set()
    for n, sub in enumerate(subs, 1):
        method, path = sub.get("method"), sub.get("path")
        if method not in _METHODS:
            raise invalid(f"sub-request {n}: method is one of {sorted(_METHODS)}, got {method!r}")
        if not isinstance(path, str) or not path.startswith("/"):
            raise invalid(f"sub-request {n}: path is the request's path from '/', got {path!r}")
        if not isinstance(sub.get("headers", {}), dict):
            raise invalid(f"sub-request {n}: headers is an object of names and values")
        for reference in _REFERENCE.findall(
            json.dumps({k: v for k, v in sub.items() if k != "resultReference"})
        ):
            if reference.split(".")[0] not in named:
                raise invalid(
                    f"sub-request {n}: @{{{reference}}} names no resultReference of an earlier "
                    "sub-request"
                )
        if "resultReference" in sub:
            name = sub["resultReference"]
            if not isinstance(name, str) or not _NAME.fullmatch(name) or name in named:
                raise invalid(
                    f"sub-request {n}: resultReference must be a name not given before, got "
                    f"{name!r}"
                )
            named.add(name)
    return subs


def _resolved(sub: dict[str, object], results: dict[str, object]) -> dict[str, object]:
    """``sub`` with every ``@{…}`` of its path, body and header values replaced from
    ``results``; ``invalid`` (400) naming a reference that resolves to nothing."""
    path = _text(str(sub["path"]), results, in_path=True)
    resolved = {**sub, "path": path}
    if "body" in sub:
        resolved["body"] = _value(sub["body"], results)
    headers = sub.get("headers")
    if isinstance(headers, dict):
        resolved["headers"] = {k: _text(str(v), results) for k, v in headers.items()}
    return resolved


def _value(value: object, results: dict[str, object]) -> object:
    if isinstance(value, dict):
        return {k: _value(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v, results) for v in value]
    if isinstance(value, str):
        whole = _REFERENCE.fullmatch(value)
        return _lookup(whole.group(1), results) if whole else _text(value, results)
    return value


def _text(text: str, results: dict[str, object], *, in_path: bool = False) -> str:
    def one(match: re.Match[str]) -> str:
        found = _lookup(match.group(1), results)
        if isinstance(found, dict | list) or (in_path and found is None):
            raise invalid(f"@{{{match.group(1)}}} is not a single value: {found!r}")
        return (
            "" if found is None else str(found).lower() if isinstance(found, bool) else str(found)
        )

    return _REFERENCE.sub(one, text)


def _lookup(reference: str, results: dict[str, object]) -> object:
    """The value ``name.field…`` names in the result ``name`` refers to."""
    name, *parts = reference.split(".")
    value = results.get(name)
    while parts:
        if isinstance(value, list) or (parts[0].isdigit() and isinstance(value, dict)):
            rows = value if isinstance(value, list) else [value]
            index = int(parts[0]) if parts[0].isdigit() else 0
            if not 1 <= index <= len(rows):
                raise invalid(f"@{{{reference}}}: {parts[0]!r} picks none of {len(rows)} records")
            value, parts = rows[index - 1], parts[1:]
            continue
        if not isinstance(value, dict):
            raise invalid(f"@{{{reference}}}: no field {'.'.join(parts)!r} in the result")
        for size in range(len(parts), 0, -1):  # a query row's dotted names first, whole
            if ".".join(parts[:size]) in value:
                value, parts = value[".".join(parts[:size])], parts[size:]
                break
        else:
            raise invalid(f"@{{{reference}}}: no field {'.'.join(parts)!r} in the result")
    return value


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
