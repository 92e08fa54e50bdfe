"""Field checks for request bodies: each bad field is collected with its JSON path.

``Fields`` reads one JSON object; its methods return the value normalised (``Decimal`` for
numbers, ``date`` for dates) or a harmless default after noting the problem on the shared
``Checker``, so one request reports every bad field at once (400 ``validation_failed``).

Decisions where the contract is silent: money (``unitPrice``, ``taxAmount``, ``amount``) must be a
plain decimal *string* (``-?[0-9]+(.[0-9]+)?``: no exponent, no grouping), a JSON number is
refused; ``quantity`` and ``rate`` may be such a string or a JSON number (decoded as ``Decimal``,
never float). Every number must be below 10^15 in size with at most 10 decimal places, so
arithmetic on it cannot fail. Unknown fields are refused, so a misspelt field is never dropped
silently; server-computed fields (``readonly``) are accepted and ignored.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from released_intacct.fakes.simulators.released.errors import Detail, invalid

Json = dict[str, Any]
MAX_TEXT = 2000
LIMIT = Decimal("1E+15")
"""Numbers must be below this in size and have at most ``MAX_PLACES`` decimal places."""
MAX_PLACES = 10
_PLAIN = re.compile(r"-?[0-9]+(\.[0-9]+)?")


class Checker:
    def __init__(self) -> None:
        self.details: list[Detail] = []

    def fail(self, path: str, message: str) -> None:
        self.details.append(Detail(path, message))

    def done(self) -> None:
        """400 ``validation_failed`` naming every problem noted so far."""
        if self.details:
            raise invalid(self.details)

    def fields(
        self, data: object, path: str, *, known: Collection[str], readonly: Collection[str] = ()
    ) -> Fields:
        """A view of ``data`` (which must be an object holding only ``known`` + ``readonly``)."""
        if not isinstance(data, dict):
            self.fail(path or "body", "must be a JSON object")
            return Fields(self, {}, path)
        for name in sorted(set(data) - set(known) - set(readonly)):
            self.fail(_join(path, name), "is not a known field")
        return Fields(self, {k: v for k, v in data.items() if k in known}, path)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _decimal(raw: object) -> Decimal | None:
    if isinstance(raw, str):
        raw = raw if _PLAIN.fullmatch(raw) else None
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        return None
    value = Decimal(raw)
    if not value.is_finite() or abs(value) >= LIMIT:
        return None
    exponent = value.normalize().as_tuple().exponent
    return value if isinstance(exponent, int) and exponent >= -MAX_PLACES else None


class Fields:
    def __init__(self, checker: Checker, data: Mapping[str, Any], prefix: str) -> None:
        self.checker, self.data, self.prefix = checker, data, prefix

    def path(self, name: str) -> str:
        return _join(self.prefix, name)

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def _bad(self, name: str, message: str) -> None:
        self.checker.fail(self.path(name), message)

    def opt_text(self, name: str, *, required: bool = False) -> str | None:
        raw = self.data.get(name)
        if raw is None:
            if required:
                self._bad(name, "is required")
            return None
        if not isinstance(raw, str) or len(raw) > MAX_TEXT:
            self._bad(name, f"must be a string of at most {MAX_TEXT} characters")
            return None
        if required and not raw.strip():
            self._bad(name, "must not be empty")
        return raw

    def text(self, name: str, *, required: bool = False) -> str:
        return self.opt_text(name, required=required) or ""

    def choice(self, name: str, options: Collection[str], *, default: str | None) -> str | None:
        raw = self.data.get(name)
        if raw is None:
            return default
        if raw not in options:
            self._bad(name, f"must be one of {', '.join(options)}")
            return default
        return str(raw)

    def money(self, name: str, *, default: Decimal | None = None) -> Decimal | None:
        """A decimal string; None (noted as required) when absent and there is no default."""
        raw = self.data.get(name)
        if raw is None:
            if default is None:
                self._bad(name, "is required")
            return default
        value = _decimal(raw) if isinstance(raw, str) else None
        if value is None:
            self._bad(name, 'must be a decimal string such as "12.50"')
        return value

    def number(self, name: str, *, default: Decimal | None = None) -> Decimal | None:
        raw = self.data.get(name)
        if raw is None:
            if default is None:
                self._bad(name, "is required")
            return default
        value = _decimal(raw)
        if value is None:
            self._bad(name, "must be a decimal number or decimal string")
        return value

    def day(self, name: str, *, required: bool = False) -> date | None:
        raw = self.data.get(name)
        if raw is None:
            if required:
                self._bad(name, "is required")
            return None
        found = _date(raw)
        if found is None:
            self._bad(name, "must be a date YYYY-MM-DD")
        return found

    def items(self, name: str) -> list[Any]:
        raw = self.data.get(name)
        if raw is None:
            return []
        if not isinstance(raw, list):
            self._bad(name, "must be a list")
            return []
        return raw

    def integer(self, name: str, *, required: bool = False) -> int | None:
        raw = self.data.get(name)
        if raw is None or isinstance(raw, bool) or not isinstance(raw, int):
            if raw is not None or required:
                self._bad(name, "must be a whole number" if raw is not None else "is required")
            return None
        return raw


def _date(raw: object) -> date | None:
    if not isinstance(raw, str) or len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None
