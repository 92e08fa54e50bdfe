"""Reading the fields of one Intacct row, keeping the first field that cannot be read.

A row is what a ``readByQuery`` / ``read`` record becomes: text → ``str``, a block → a mapping,
repeated children → a list of mappings. A ``Reader`` hands back typed values (a placeholder when a
field cannot be read) and remembers the first problem; ``done`` then returns either the built
record or a ``SyncError`` (REJECTED, rule M1) naming the object, its RECORDNO and the field.

Accepted wire formats: dates ``mm/dd/yyyy`` (also ``yyyy-mm-dd``), timestamps
``mm/dd/yyyy HH:MM:SS`` in the company's time zone, decimals as plain text (``-1,200.50``: no
exponent, at most 40 characters, and within the product's bounds, ``domain.money.beyond_bounds``:
at most 15 digits before the point and 10 after, so no amount can overflow later arithmetic),
RECORDNO as a whole number (it is the key other records point at), STATUS ``active`` /
``active non-posting`` / ``inactive`` (any case; empty means active).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Direction, IntacctState, IntacctStatus, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.money import Currency, beyond_bounds, currency

Row = Mapping[str, object]
T = TypeVar("T")

PAIRED = "#reverses"
"""The field ``intacct.reversals`` adds to a Reversal row: the RECORDNO of what it reverses (not an
XML name, so no Intacct field can have it)."""
DATE = "%m/%d/%Y"
STAMP = "%m/%d/%Y %H:%M:%S"


def as_stamp(text: str, tz: tzinfo) -> datetime | None:
    """A timestamp as Intacct writes it (``mm/dd/yyyy HH:MM:SS``, no zone) in ``tz``; None when
    it is not one. Two digits a field (as Intacct writes them) are read without ``strptime``,
    which takes what they mean too (a single digit, padding)."""
    text = text.strip()
    exact = _STAMP_DIGITS.fullmatch(text)
    if exact is not None:
        month, day, year, hour, minute, second = map(int, exact.groups())
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=tz)
        except ValueError:
            return None
    try:
        return datetime.strptime(text, STAMP).replace(tzinfo=tz)
    except ValueError:
        return None


def as_date(text: str) -> dt.date | None:
    """A date as Intacct's XML writes it (``mm/dd/yyyy``) or its REST API (``yyyy-mm-dd``);
    None when it is neither. The exact shapes are read without ``strptime``, which takes what
    they mean too (single digits)."""
    exact = _DATE_DIGITS.fullmatch(text)
    if exact is not None:
        month, day, year = map(int, exact.groups())
        return _date_or_none(year, month, day)
    exact = _ISO_DIGITS.fullmatch(text)
    if exact is not None:
        year, month, day = map(int, exact.groups())
        return _date_or_none(year, month, day)
    for pattern in (DATE, "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a plain date
        except ValueError:
            continue
    return None


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_STAMP_DIGITS = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
_DATE_DIGITS = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_ISO_DIGITS = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


_PLACEHOLDER_DATE = dt.date(1970, 1, 1)
_PLACEHOLDER_CURRENCY = Currency("XXX")
_STATUSES = {
    "": IntacctStatus.ACTIVE,
    "active": IntacctStatus.ACTIVE,
    "active non-posting": IntacctStatus.ACTIVE,
    "inactive": IntacctStatus.INACTIVE,
}
_STATES = {state.value.lower(): state for state in IntacctState}
_PLAIN_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_MAX_DECIMAL_CHARS = 40


def known_state(text: str) -> IntacctState | None:
    """The document state ``text`` names (compared without case), or None: one the sync does not
    know, which ``Reader.state`` refuses (M1)."""
    return _STATES.get(text.lower())


def line_rows(value: object) -> list[Row] | None:
    """The rows of a lines holder, whatever shape it came in; None when it is not one.

    Accepted: ``""`` / None (no lines), a list of mappings, or a mapping with one child that is a
    mapping (one line) or a list of mappings (``{"arinvoiceitem": [...]}``).
    """
    if value is None or value == "":
        return []
    if isinstance(value, Mapping) and len(value) == 1:
        (value,) = value.values()
        if isinstance(value, Mapping):
            return [value]
    if isinstance(value, Sequence) and not isinstance(value, str):
        rows = list(value)
        if all(isinstance(row, Mapping) for row in rows):
            return [row for row in rows if isinstance(row, Mapping)]
    return None


class Reader:
    """Typed access to one row (or one block or line of it) of an Intacct object."""

    def __init__(
        self,
        object_name: str,
        row: Row,
        *,
        record_type: RecordType,
        _where: str = "",
        _sink: list[SyncError] | None = None,
        _record_no: str | None = None,
    ) -> None:
        self.object_name = object_name
        self.record_type = record_type
        self._row = row
        self._where = _where
        self._sink: list[SyncError] = [] if _sink is None else _sink
        self.record_no = _record_no if _sink is not None else self._own_record_no()

    def _own_record_no(self) -> str | None:
        value = self._row.get("RECORDNO")
        text = value.strip() if isinstance(value, str) else ""
        if text.isascii() and text.isdigit():
            return text
        if value is not None and value != "":
            self.record_no = None
            self.fail("RECORDNO", "it is not a whole number", value)
        return None

    # --- building ---------------------------------------------------------------------------

    def fail(self, field: str, why: str, value: object = None) -> None:
        """Note that ``field`` cannot be read (only the first problem is kept)."""
        if self._sink:
            return
        where = f"{self._where}{field}"
        label = f"{self.object_name} {self.record_no or '(no RECORDNO)'}"
        shown = "" if value is None else repr(value)[:120]
        self._sink.append(
            SyncError(
                kind=ErrorKind.REJECTED,
                rule=Rule.M1,
                message=f"Sage Intacct {label}: field {where} could not be read ({why}).",
                fix="Correct the record in Sage Intacct; if it looks right there, tell support.",
                record=RecordRef(
                    record_type=self.record_type,
                    direction=Direction.INCOMING,
                    intacct_key=IntacctKey(self.record_no) if self.record_no else None,
                    label=label,
                ),
                cause=f"{self.object_name}.{where}={shown}" if shown else None,
            )
        )

    def done(self, build: Callable[[], T]) -> Result[T, SyncError]:
        """The record ``build`` makes, or the first field that could not be read."""
        if self._sink:
            return Failure(self._sink[0])
        return Success(build())

    def nested(self, row: Row, where: str) -> Reader:
        return Reader(
            self.object_name,
            row,
            record_type=self.record_type,
            _where=f"{self._where}{where}",
            _sink=self._sink,
            _record_no=self.record_no,
        )

    # --- fields -----------------------------------------------------------------------------

    def text(self, field: str, *, required: bool = False) -> str:
        value = self._row.get(field)
        if value is None or value == "":
            if required:
                self.fail(field, "it is missing or empty")
            return ""
        if not isinstance(value, str):
            self.fail(field, "it is not text", value)
            return ""
        text = value.strip()
        if required and not text:
            self.fail(field, "it is missing or empty")
        return text

    def optional(self, field: str) -> str | None:
        return self.text(field) or None

    def block(self, field: str) -> Reader | None:
        """The block ``field`` as a reader, or None when absent or empty."""
        value = self._row.get(field)
        if value is None or value == "":
            return None
        if not isinstance(value, Mapping):
            self.fail(field, "it is not a block of fields", value)
            return None
        return self.nested(value, f"{field}.")

    def lines(self, field: str) -> list[Reader]:
        rows = line_rows(self._row.get(field))
        if rows is None:
            self.fail(field, "it is not a list of lines", self._row.get(field))
            return []
        return [self.nested(row, f"{field}[{n}].") for n, row in enumerate(rows, start=1)]

    def decimal(self, field: str, *, required: bool = False) -> Decimal:
        text = self.text(field, required=required)
        if not text:
            return Decimal(0)
        plain = text.replace(",", "")
        try:
            value = Decimal(plain) if len(plain) <= _MAX_DECIMAL_CHARS else Decimal("NaN")
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or not _PLAIN_DECIMAL.fullmatch(plain):
            self.fail(field, "it is not a number", text)
            return Decimal(0)
        why = beyond_bounds(value)
        if why is not None:
            self.fail(field, why, text)
            return Decimal(0)
        return value

    def date(self, field: str) -> dt.date | None:
        text = self.text(field)
        if not text:
            return None
        found = as_date(text)
        if found is None:
            self.fail(field, "it is not a date mm/dd/yyyy", text)
        return found

    def required_date(self, field: str) -> dt.date:
        found = self.date(field)
        if found is None:
            if not self.text(field):
                self.fail(field, "it is missing or empty")
            return _PLACEHOLDER_DATE
        return found

    def stamp(self, field: str, *, tz: tzinfo, required: bool = False) -> datetime | None:
        text = self.text(field, required=required)
        if not text:
            return None
        found = as_stamp(text, tz)
        if found is None:
            self.fail(field, "it is not a time mm/dd/yyyy HH:MM:SS", text)
        return found

    def required_stamp(self, field: str, *, tz: tzinfo) -> datetime:
        found = self.stamp(field, tz=tz, required=True)
        return found or datetime.combine(_PLACEHOLDER_DATE, datetime.min.time(), tzinfo=tz)

    def status(self, field: str = "STATUS") -> IntacctStatus:
        text = self.text(field)
        found = _STATUSES.get(text.lower())
        if found is None:
            self.fail(field, "it is not active or inactive", text)
            return IntacctStatus.ACTIVE
        return found

    def state(self, field: str = "STATE") -> IntacctState:
        text = self.text(field, required=True)
        found = known_state(text)
        if found is None and text:
            self.fail(field, "it is not a state the sync knows", text)
        return found or IntacctState.NO_VALUE

    def currency(self, field: str, *, required: bool = False) -> Currency | None:
        text = self.text(field, required=required)
        if not text:
            return None
        try:
            return currency(text)
        except ValueError:
            self.fail(field, "it is not a three-letter currency code", text)
            return None

    def required_currency(self, field: str) -> Currency:
        return self.currency(field, required=True) or _PLACEHOLDER_CURRENCY
