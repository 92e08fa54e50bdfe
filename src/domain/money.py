"""Money: ``Decimal`` amounts and ISO 4217 currency codes. Never a float.

Decided (issue 16, F5 and F9):

- **Bounds.** Every amount, quantity, price or rate read from either system has at most
  ``MAX_INTEGER_DIGITS`` digits before the decimal point and ``MAX_DECIMAL_PLACES`` after it
  (trailing zeros aside); the adapters refuse anything beyond, naming the field, so the record is
  a problem of its page (rule E1) and never reaches the arithmetic below. Neither system documents
  its own limits; these are the product's, well beyond any invoice of a property company.
- **Exact arithmetic.** A line amount is ``quantity x price`` computed in ``EXACT``, a context
  wide enough that the product of two bounded values and its rounding to cents are exact and
  never raise (the default context's 28 digits made a 27-digit amount raise in ``quantize``).
- **Cents.** Both systems keep money to the cent (``CENT``): Intacct rounds any currency amount
  with more decimals to two ([XMLDOC accounts-receivable-invoices]: "Currency (amount) values with
  more than 2 decimal places will be rounded to 2 decimal places"), and Re-Leased computes a line's
  amount from its quantity and unit price by its own rounding. So an amount that is not a whole
  number of cents is never rounded by the product: the mapping refuses it, naming the field
  (``in_cents``; ``mapping.lines``), and neither side is left to round it its own way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Final, NewType

Currency = NewType("Currency", str)

CENT = Decimal("0.01")
MAX_INTEGER_DIGITS: Final = 15
MAX_DECIMAL_PLACES: Final = 10
EXACT: Final = Context(
    prec=2 * (MAX_INTEGER_DIGITS + MAX_DECIMAL_PLACES) + 2, rounding=ROUND_HALF_EVEN
)
"""Wide enough for the exact product of two bounded values, rounded to cents."""


def beyond_bounds(value: Decimal) -> str | None:
    """Why ``value`` is beyond the amounts the product accepts (see the module docstring), in
    words for a field's problem; None when it is within them."""
    if not value.is_finite():
        return "it is not a finite number"
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        return f"it has more than {MAX_INTEGER_DIGITS} digits before the decimal point"
    places = format(value, "f").partition(".")[2].rstrip("0")
    if len(places) > MAX_DECIMAL_PLACES:
        return f"it has more than {MAX_DECIMAL_PLACES} decimal places"
    return None


def line_amount(quantity: Decimal, price: Decimal) -> Decimal:
    """``quantity x price`` rounded to cents (half-even), computed exactly (``EXACT``)."""
    return EXACT.multiply(quantity, price).quantize(CENT, context=EXACT)


def in_cents(amount: Decimal) -> bool:
    """Whether ``amount`` is a whole number of cents (so neither system rounds it)."""
    if not amount.is_finite() or (amount and amount.adjusted() >= EXACT.prec - 2):
        return False
    return amount == amount.quantize(CENT, context=EXACT)


def currency(code: str) -> Currency:
    """An ISO 4217 code, upper-cased; a programmer error if it is not three letters."""
    normal = code.strip().upper()
    if len(normal) != 3 or not normal.isalpha():
        msg = f"currency must be a three-letter ISO 4217 code, got {code!r}"
        raise ValueError(msg)
    return Currency(normal)
