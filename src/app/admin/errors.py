"""The admin API's error bodies, and the one table from a ``SyncError`` to an HTTP status.

Every error answers ``{"error": {"kind", "rule", "message", "fix"}}``. ``kind`` is the
``SyncError`` kind (``rejected``, ``needs_user``, ...) for a refusal of the product, or one of the
API's own kinds for a request it could not take:

    kind            status  when
    unauthorized    401     no or a wrong bearer token, or no admin token configured
    not_found       404     the connection in the path, or the route itself, does not exist
    not_allowed     405     the route exists, not with this method (``Allow`` lists those it has)
    malformed       400     the body is not JSON, or is nested too deeply to read
    too_large       413     the body is larger than the limit (the admin_max_body_bytes setting)
    invalid         422     a body field, path or query parameter is missing or wrong
    internal        500     a bug of ours; the details are in the log, never in the answer

``STATUS_OF`` maps the product's refusals (the ``SyncError`` kinds) to statuses.

A body too large is 413 (Content Too Large, RFC 9110 section 15.5.14), not 400 or 422: it is the
status HTTP gives the case, and it tells a client that the body's size, not its content, is what
to change.
"""

from __future__ import annotations

import re
from typing import Final

import msgspec

from released_intacct.domain.errors import ErrorKind, SyncError

__all__ = [
    "STATUS_OF",
    "ErrorBody",
    "ErrorDetail",
    "Problem",
    "detail_of",
    "internal",
    "invalid",
    "malformed",
    "no_route",
    "not_allowed",
    "not_found",
    "too_large",
    "unauthorized",
]

STATUS_OF: Final = {
    ErrorKind.REJECTED: 409,
    ErrorKind.NEEDS_USER: 409,
    ErrorKind.SKIPPED: 409,
    ErrorKind.RETRIABLE: 503,
    ErrorKind.FATAL: 502,
}
"""A refusal is a conflict with the state (409); Intacct or Re-Leased unavailable for now is 503,
and a failure of theirs (or credentials they refuse, rule C2) that retrying will not fix is 502."""

_AT = re.compile(r"at `\$\.?([^`]*)`")
_MISSING = re.compile(r"missing required field `([^`]*)`")


class ErrorDetail(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    kind: str
    rule: str | None
    message: str
    fix: str


class ErrorBody(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    error: ErrorDetail


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """An answer that is an error: its status and body (and headers, for 401)."""

    status: int
    body: ErrorBody
    headers: dict[str, str] = {}


def detail_of(error: SyncError) -> ErrorDetail:
    """A product refusal as the API shows it (never its ``cause``: support keeps that in logs)."""
    return ErrorDetail(
        kind=error.kind.value,
        rule=None if error.rule is None else error.rule.value,
        message=error.message,
        fix=error.fix,
    )


def _problem(status: int, kind: str, message: str, fix: str, **headers: str) -> Problem:
    detail = ErrorDetail(kind=kind, rule=None, message=message, fix=fix)
    return Problem(status=status, body=ErrorBody(error=detail), headers=headers)


def unauthorized(*, configured: bool) -> Problem:
    if not configured:
        return _problem(
            401,
            "unauthorized",
            "No admin token is configured, so the admin API refuses every request.",
            "Start the service with an admin token, then send it as 'Authorization: Bearer "
            "<token>'.",
            **{"WWW-Authenticate": "Bearer"},
        )
    return _problem(
        401,
        "unauthorized",
        "The request has no valid admin token.",
        "Send the admin token as 'Authorization: Bearer <token>'.",
        **{"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def not_found(what: str) -> Problem:
    return _problem(
        404,
        "not_found",
        f"There is no {what}.",
        "Check the id; GET /connections lists the connections.",
    )


def no_route(path: str) -> Problem:
    """404 for a path the API has no route for (not an unknown connection: ``not_found``)."""
    return _problem(
        404,
        "not_found",
        f"The admin API has no route {path}.",
        "Check the path (and the prefix the API is mounted under); GET /openapi.json lists the "
        "routes.",
    )


def not_allowed(method: str, path: str, allow: str) -> Problem:
    """405 for a route that exists, not with ``method``; ``allow``: the methods it has."""
    return _problem(
        405,
        "not_allowed",
        f"The route {path} does not take {method}.",
        f"Use {allow} (GET /openapi.json describes each route).",
        Allow=allow,
    )


def malformed(reason: str) -> Problem:
    """400; ``reason`` is msgspec's (``JSON is malformed: ...``) or ours (nested too deeply)."""
    return _problem(
        400,
        "malformed",
        f"The request body is not valid JSON ({reason}).",
        "Send a JSON object with 'Content-Type: application/json'.",
    )


def too_large(limit: int) -> Problem:
    return _problem(
        413,
        "too_large",
        f"The request body is larger than the {limit} bytes the admin API accepts.",
        "Send the body the OpenAPI document describes; an operator can raise the limit with the "
        "admin_max_body_bytes setting.",
    )


def invalid(where: str, error: msgspec.ValidationError) -> Problem:
    """422 naming the field (``where`` is "body", "path" or "query")."""
    field = _field(str(error))
    noun = {"body": "field", "path": "path parameter", "query": "query parameter"}[where]
    named = f"{noun} '{field}'" if field else f"request {where}"
    return _problem(
        422,
        "invalid",
        f"The {named} is not valid: {error}.",
        f"Correct the {named} as the OpenAPI document (GET openapi.json) describes it.",
    )


def _field(message: str) -> str | None:
    """The dotted path of the field a msgspec validation message names, if any."""
    at, missing = _AT.search(message), _MISSING.search(message)
    parts = [at.group(1) if at else "", missing.group(1) if missing else ""]
    return ".".join(part for part in parts if part) or None


def internal() -> Problem:
    return _problem(
        500,
        "internal",
        "The admin API failed unexpectedly; nothing about the request is shown here.",
        "Try again; if it keeps failing, report it with the time of the request (it is logged).",
    )
