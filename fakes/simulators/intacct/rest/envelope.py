"""The REST API's reply shapes ([RESTDOC] docs/rest/error-handling.md, "Error Response Payload").

A success holds ``ia::result`` and ``ia::meta``; a failure ``ia::error`` (``code``, ``message``,
``details``: the legacy errors, ``{"code": "BL01001973", "message": ...}``) and ``ia::meta``
counting the operations. Gateway refusals carry a ``GW-`` code ("4XX gateway errors: GW-0010
through GW-0042"). ``supportId`` is left out: the simulator has no support desk to quote it to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Final

from released_intacct.fakes.simulators.intacct.duplicates import DuplicateError
from released_intacct.fakes.simulators.intacct.errors import GatewayError

JSON: Final = {"content-type": "application/json"}


@dataclass
class RestReply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))


class RestError(Exception):
    """A request refused as a whole: its HTTP status, ``ia::error`` code, message and details."""

    def __init__(
        self, status: int, code: str, message: str, details: tuple[dict[str, str], ...] = ()
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def error(self) -> dict[str, object]:
        """The ``ia::error`` object."""
        found: dict[str, object] = {"code": self.code, "message": self.message}
        if self.details:
            found["details"] = list(self.details)
        return found


def encode(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def meta(total: int, success: int) -> dict[str, int]:
    return {"totalCount": total, "totalSuccess": success, "totalError": total - success}


def success(result: object, status: int = 200, *, count: int = 1) -> RestReply:
    return RestReply(status, encode({"ia::result": result, "ia::meta": meta(count, count)}))


def failed(error: RestError, headers: dict[str, str] | None = None) -> RestReply:
    body = encode({"ia::error": error.error(), "ia::meta": meta(1, 0)})
    return RestReply(error.status, body, {**JSON, **(headers or {})})


def invalid(message: str, status: int = 400) -> RestError:
    """A request the client can fix (schema, unknown field, bad parameter)."""
    return RestError(status, "invalidRequest", message)


def details(error: GatewayError) -> tuple[dict[str, str], ...]:
    """The XML side's errors as ``details``, each with its legacy code."""
    return tuple(
        {"code": d.errorno, "message": d.description2 or d.description, "correction": d.correction}
        if d.correction
        else {"code": d.errorno, "message": d.description2 or d.description}
        for d in error.details
    )


def operation_failed(action: str, object_path: str, error: GatewayError) -> RestError:
    """A business rule refused the write (HTTP 422 ``operationFailed``): the XML side's errors
    become ``details``, each with its legacy code, as the page's example shows. A duplicate id or
    number answers 409 ("Two requests from the same user have the same idempotency key or unique
    key"), its legacy codes in ``details`` (docs/intacct-rest.md section 7: what tells it from an
    idempotency conflict, which has none; **inferred**)."""
    message = f"Operation {action} object {object_path} failed"
    status = 409 if isinstance(error, DuplicateError) else 422
    return RestError(status, "operationFailed", message, details(error))


def not_found(object_path: str, key: str) -> RestError:
    """An unknown key: HTTP 404 ``notFound`` (the code of the 404 item in [RESTDOC]
    docs/rest/common-resources.md, "POST /services/core/composite", "Multi-status example")."""
    return RestError(404, "notFound", f"No {object_path} with key '{key}'")
