"""The error body every refusal carries, and the exception handlers raise to send one.

    {"error": {"code": "...", "message": "...", "details": [{"field": "...", "message": "..."}]}}

``ApiError`` is the one exception the request handlers raise; ``Invalid`` is a 400
``validation_failed`` built from the field problems a ``checks.Checker`` collected. Extra members
of the ``error`` object (``currentVersion`` on a version conflict) ride in ``extra``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Detail:
    """One bad field: its JSON path (``lines[0].unitPrice``) and what is wrong with it."""

    field: str
    message: str


@dataclass
class ApiError(Exception):
    status: int
    code: str
    message: str
    details: Sequence[Detail] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self) -> dict[str, object]:
        details = [{"field": d.field, "message": d.message} for d in self.details]
        error = {"code": self.code, "message": self.message, "details": details}
        return {"error": {**error, **self.extra}}


def invalid(details: Sequence[Detail]) -> ApiError:
    """400 ``validation_failed`` naming every bad field."""
    return ApiError(400, "validation_failed", "the request is not valid", tuple(details))


def invalid_field(path: str, message: str) -> ApiError:
    return invalid([Detail(path, message)])


def not_found(resource: str, record_id: str) -> ApiError:
    return ApiError(404, "not_found", f"no {resource} record {record_id!r}")


def business(code: str, message: str) -> ApiError:
    """422: a business rule refuses the request (``invalid_transition``, ``invoice_locked``...)."""
    return ApiError(422, code, message)
