"""Small conversions shared by the DTO modules: text, money, currency, and a record's problem."""

from __future__ import annotations

from decimal import Decimal

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.money import Currency, currency

__all__ = ["currency_of", "dec", "problem", "text"]


def text(value: str | None) -> str:
    """A nullable wire string as the domain's text ("" for null)."""
    return value or ""


def dec(value: Decimal) -> Decimal:
    """A plain ``Decimal`` with the wire amount's exact digits."""
    return Decimal(value)


def currency_of(
    code: str, record_type: RecordType, released_id: str
) -> Result[Currency, SyncError]:
    try:
        return Success(currency(code))
    except ValueError:
        return Failure(
            problem(record_type, released_id, f"its currency {code[:20]!r} is not an ISO code")
        )


def problem(record_type: RecordType, released_id: str | None, why: str) -> SyncError:
    """A Re-Leased record this integration cannot read (rule E1: it becomes a sync result)."""
    label = record_type.value.replace("_", " ")
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"A Re-Leased {label} could not be read: {why}.",
        fix="Correct the record in Re-Leased, or contact support if it looks right.",
        record=RecordRef(
            record_type=record_type,
            direction=Direction.OUTGOING,
            released_id=None if released_id is None else ReleasedId(released_id),
        ),
        cause="unreadable record",
    )
