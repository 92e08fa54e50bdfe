"""Money: a ``Decimal`` amount with its ISO 4217 currency. Never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NewType

Currency = NewType("Currency", str)

CENT = Decimal("0.01")


def currency(code: str) -> Currency:
    """An ISO 4217 code, upper-cased; a programmer error if it is not three letters."""
    normal = code.strip().upper()
    if len(normal) != 3 or not normal.isalpha():
        msg = f"currency must be a three-letter ISO 4217 code, got {code!r}"
        raise ValueError(msg)
    return Currency(normal)


@dataclass(frozen=True, slots=True, kw_only=True)
class Money:
    amount: Decimal
    currency: Currency

    def __post_init__(self) -> None:
        if type(self.amount) is not Decimal:  # guards untyped callers passing a float
            msg = f"money amounts are Decimal, got {type(self.amount).__name__}"
            raise TypeError(msg)
        if not self.amount.is_finite():
            msg = f"money amount must be finite, got {self.amount}"
            raise ValueError(msg)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __neg__(self) -> Money:
        return Money(amount=-self.amount, currency=self.currency)

    @property
    def is_negative(self) -> bool:
        return self.amount < 0

    def rounded(self) -> Money:
        return Money(amount=self.amount.quantize(CENT), currency=self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            msg = f"cannot combine {self.currency} with {other.currency}"
            raise ValueError(msg)
