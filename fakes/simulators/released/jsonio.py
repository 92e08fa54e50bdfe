"""JSON in and out: numbers decode to ``Decimal`` (never float), money encodes as a string.

Decimals go out in plain notation (``"100"``, never ``"1E+2"``); timestamps as ISO-8601 UTC with
microseconds and ``Z`` (``2026-03-01T09:30:00.123456Z``); dates as ``YYYY-MM-DD``. ``NaN`` and
``Infinity`` are refused on the way in.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from released_intacct.fakes.simulators.released.errors import invalid_field


def _no_constant(name: str) -> Any:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)


def decode(raw: bytes, *, where: str = "body") -> Any:
    """The JSON value of ``raw`` (empty: ``{}``); 400 ``validation_failed`` when it is not JSON."""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        raise invalid_field(where, f"is not valid JSON: {error}") from error


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(raw: str) -> datetime | None:
    """An aware datetime in UTC, or None when ``raw`` is not ISO-8601 with a zone."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return None if moment.tzinfo is None else moment.astimezone(UTC)


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    msg = f"cannot encode {type(value).__name__} as JSON"
    raise TypeError(msg)


def encode(data: object) -> bytes:
    return json.dumps(data, default=_plain, separators=(",", ":")).encode()
