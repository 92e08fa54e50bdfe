"""The JSON of the Re-Leased REST model: the shared Struct base, money, the list page, the error.

Every DTO derives from :class:`Wire` (frozen, keyword-only, camelCase on the wire) and mirrors the
JSON of ``docs/released-rest.md``. Money, rates and quantities are :class:`Amount`: a ``Decimal``
read only from a JSON *string* such as ``"1200.00"``. A JSON number, ``"NaN"``, ``"1e3"`` or any
other spelling is refused with the JSON path of the value (``$.items[3].total``), so no amount ever
passes through a float or arrives silently wrong; so is a value beyond the product's bounds
(``domain.money.beyond_bounds``: more than 15 digits before the point or 10 after), which the
domain's arithmetic could not take. Timestamps must carry a zone.

A list page is decoded in three steps: the envelope with its ``items`` array kept raw (one span of
the reply, nothing made of its items); the array split into its items (:func:`listed`), no more
than the page size asked for, so a page of millions of ``{}`` costs nothing before it is refused;
then each item with its resource's decoder, so one unreadable record becomes a problem of the
page (rule E1) while the others are read. The item's own path is re-rooted under ``$.items[i]``.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Final, TypeVar

import msgspec

from released_intacct.domain.money import beyond_bounds

__all__ = [
    "Amount",
    "ErrorBody",
    "ErrorDetail",
    "ErrorInfo",
    "ItemHead",
    "ListEnvelope",
    "Stamp",
    "Wire",
    "amount",
    "decoder",
    "described",
    "encode",
    "item_path",
    "listed",
]

S = TypeVar("S")

_DECIMAL: Final = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_MISSING: Final = re.compile(r"Object missing required field `([^`]+)`")
_WITHIN_BOUNDS_BY_LENGTH: Final = 12
"""A plain decimal string this short is within ``beyond_bounds`` whatever its digits: 12
characters hold at most 12 digits before the point (the bound is 15) and at most 10 after it
(``"1."`` takes two); most amounts are this short and skip the bounds' formatting."""


class Wire(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """The base of every DTO: unknown fields are ignored, known ones are checked."""


class Amount(Decimal):
    """A decimal that travels as a JSON string (money, rates, quantities)."""

    __slots__ = ()


Stamp = Annotated[datetime, msgspec.Meta(tz=True)]
"""An ISO-8601 timestamp with its zone (``2026-03-01T09:30:00.123456Z``)."""


def amount(value: Decimal) -> Amount:
    """``value`` as a wire amount; a programmer error if it is not finite."""
    if not value.is_finite():
        msg = f"amounts must be finite, got {value}"
        raise ValueError(msg)
    return Amount(value)


def _dec_hook(kind: type, obj: Any) -> Any:
    if kind is not Amount:
        raise NotImplementedError(kind)  # msgspec's protocol: "this hook does not handle it"
    if not isinstance(obj, str):
        shown = "a JSON number" if isinstance(obj, int | float) else type(obj).__name__
        msg = f'Expected a decimal string such as "1200.00", got {shown}'
        raise TypeError(msg)
    if len(obj) > 40 or not _DECIMAL.fullmatch(obj):
        msg = f'Expected a decimal string such as "1200.00", got {obj[:40]!r}'
        raise ValueError(msg)
    found = Amount(obj)
    if len(obj) <= _WITHIN_BOUNDS_BY_LENGTH:
        return found
    why = beyond_bounds(found)
    if why is not None:
        msg = f"Expected an amount the sync can take, but {why} ({obj!r})"
        raise ValueError(msg)
    return found


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, Amount):
        return format(obj, "f")
    msg = f"cannot encode {type(obj).__name__}"
    raise NotImplementedError(msg)  # msgspec's protocol for a type the hook does not handle


def decoder(kind: type[S]) -> msgspec.json.Decoder[S]:
    """The one decoder of a payload type; build it once and keep it."""
    return msgspec.json.Decoder(kind, dec_hook=_dec_hook)


_ENCODER: Final = msgspec.json.Encoder(enc_hook=_enc_hook)


def encode(body: Wire) -> bytes:
    return _ENCODER.encode(body)


class ListEnvelope(Wire, frozen=True, kw_only=True):
    items: msgspec.Raw
    """The JSON array of the page's items, unread (:func:`listed` splits it)."""
    page: int
    page_size: int
    total_count: int
    has_more: bool


class ItemHead(Wire, frozen=True, kw_only=True):
    """What is read of an item that cannot be read whole: its id and time, when they are sound."""

    id: str | None = None
    last_modified: Stamp | None = None


class ErrorDetail(Wire, frozen=True, kw_only=True):
    field: str = ""
    message: str = ""


class ErrorInfo(Wire, frozen=True, kw_only=True):
    code: str
    message: str = ""
    details: list[ErrorDetail] = msgspec.field(default_factory=list)
    current_version: int | None = None


class ErrorBody(Wire, frozen=True, kw_only=True):
    error: ErrorInfo
    current_version: int | None = None


_ABSENT: Final = msgspec.Raw(b"")
"""What :func:`listed` leaves in a place of the array it did not reach (an item never is empty)."""


def listed(items: msgspec.Raw, *, most: int) -> list[msgspec.Raw] | None:
    """The items of a list page's ``items`` array, each kept raw; None when it holds more than
    ``most``. The array is read into a struct of ``most + 1`` places (``array_like``: msgspec
    skips an array's elements past a struct's last field without making anything of them), so
    however many items a page holds, at most ``most + 1`` are kept. Raises
    ``msgspec.ValidationError`` (at ``$``) when ``items`` is not an array."""
    decoded = _places(most).decode(items)
    found = [item for item in msgspec.structs.astuple(decoded) if len(item)]
    return None if len(found) > most else found


@lru_cache(maxsize=32)
def _places(most: int) -> msgspec.json.Decoder[Any]:
    names = [(f"item{n}", msgspec.Raw, _ABSENT) for n in range(most + 1)]
    places = msgspec.defstruct(f"Items{most}", names, array_like=True, frozen=True)
    return msgspec.json.Decoder(places)


def item_path(error: msgspec.ValidationError, index: int) -> str:
    """The message of an item's error with its path re-rooted at ``$.items[index]``."""
    return described(error, root=f"$.items[{index}]")


def described(error: msgspec.ValidationError, *, root: str = "$") -> str:
    """msgspec's message with the full JSON path, a missing field's name included."""
    text = str(error)
    head, found, rest = text.partition(" - at `$")
    path = root + rest.rstrip("`") if found else root
    missing = _MISSING.fullmatch(head)
    if missing:
        path = f"{path}.{missing.group(1)}"
    return f"{head} - at `{path}`"
