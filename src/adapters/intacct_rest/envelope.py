"""The REST API's reply envelope, as msgspec Structs that mirror the wire.

Every JSON reply is an object with ``ia::result`` (a record, a list of records, or a list of
per-record outcomes for a batch), ``ia::meta`` (``totalCount``, ``start``, ``pageSize``, ``next``,
``totalSuccess``, ``totalError``) and, on failure, ``ia::error`` (``code``, ``message``,
``supportId``, ``details``: a list of ``{code, message}`` with Intacct's legacy codes such as
``BL01001973``, or for a gateway error an object with a ``requestId``) ([RESTDOC]
error-handling, "Error Response Payload"; query-service, "Pagination"). A record of a batch
that failed carries its own ``ia::status`` and ``ia::error`` in its place in ``ia::result``
([RESTDOC] bulk-requests, "Atomic Requests" / "Non-Atomic Requests").

Records stay ``dict[str, Any]`` here (the JSON boundary); the object conversions read them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

import msgspec

__all__ = ["MAX_REPLY_BYTES", "Detail", "Envelope", "IaError", "Meta", "decode", "record_error"]

MAX_REPLY_BYTES: Final = 64 * 1024 * 1024
"""The most of a reply's body read (decompressed): a page of 4,000 wide records fits."""


class Detail(msgspec.Struct, frozen=True, kw_only=True):
    """One detail of an error: a legacy code (``BL01001973``) and Intacct's words."""

    code: str = ""
    message: str = ""


class IaError(msgspec.Struct, frozen=True, kw_only=True):
    code: str = ""
    message: str = ""
    support_id: str = msgspec.field(default="", name="supportId")
    details: list[Detail] | dict[str, Any] | None = None

    @property
    def listed(self) -> tuple[Detail, ...]:
        """The details that are errors (a gateway's ``{requestId}`` object is none)."""
        return tuple(self.details) if isinstance(self.details, list) else ()


class Meta(msgspec.Struct, frozen=True, kw_only=True):
    total_count: int | None = msgspec.field(default=None, name="totalCount")
    start: int | None = None
    page_size: int | None = msgspec.field(default=None, name="pageSize")
    next: int | None = None
    total_success: int | None = msgspec.field(default=None, name="totalSuccess")
    total_error: int | None = msgspec.field(default=None, name="totalError")


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    result: Any = msgspec.field(default=None, name="ia::result")
    meta: Meta | None = msgspec.field(default=None, name="ia::meta")
    error: IaError | None = msgspec.field(default=None, name="ia::error")


_DECODER: Final = msgspec.json.Decoder(Envelope, float_hook=Decimal)
"""Numbers with a fraction decode as ``Decimal`` (money stays exact)."""


def decode(content: bytes) -> Envelope:
    """The envelope of a reply body (an empty body, as a 204's, is an empty envelope); raises
    ``msgspec.DecodeError`` / ``msgspec.ValidationError`` for anything else."""
    if not content.strip():
        return Envelope()
    return _DECODER.decode(content)


def record_error(entry: object) -> IaError | None:
    """The ``ia::error`` of one entry of a batch's ``ia::result``, else None (a success)."""
    if not isinstance(entry, dict) or "ia::error" not in entry:
        return None
    try:
        return msgspec.convert(entry["ia::error"], IaError)
    except msgspec.ValidationError:
        return IaError(code="unreadable", message="an error Intacct answered could not be read")
