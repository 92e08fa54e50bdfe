"""Gateway errors: what goes into an ``<errormessage>`` (errorno, description2, correction)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    errorno: str
    description: str = ""
    description2: str = ""
    correction: str = ""


class GatewayError(Exception):
    """A failure of one function (or of authentication), carrying the errors Intacct would list."""

    def __init__(self, *details: ErrorDetail) -> None:
        super().__init__("; ".join(d.description2 or d.description or d.errorno for d in details))
        self.details = details


def failure(
    errorno: str, description2: str, *, description: str = "", correction: str = ""
) -> GatewayError:
    return GatewayError(ErrorDetail(errorno, description, description2, correction))


GENERIC = "BL01001973"
"""Intacct's generic business-logic failure number."""


def not_found(
    object_name: str, key: str, *, action: str = "read", correction: str = ""
) -> GatewayError:
    return failure(
        GENERIC,
        f"Cannot find {object_name.lower()} with key '{key}' to {action}.",
        correction=correction,
    )
