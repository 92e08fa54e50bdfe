"""Amounts to the cent, both ways: refused, never rounded (rule M1; issue 16, F9).

Both systems keep money to the cent. Intacct rounds a currency amount with more decimals to two
([XMLDOC accounts-receivable-invoices]) and computes an Order Entry / Purchasing line's total from
its quantity and price; Re-Leased computes a line's amount from its quantity and unit price by its
own rounding, which its API does not document. Seed 004 maps AR/AP's Transaction Amount to the
Re-Leased Unit Price (quantity 1) and OE/PO's Quantity and Price to Quantity and Unit Price. So a
unit price of ``100.005`` became 100.01 in Intacct and 100.00 in Re-Leased, and their totals
differed by a cent with nothing said.

Decided: the product never rounds an amount, and leaves neither system to round one its own way.
A line whose quantity x price is not a whole number of cents, or a tax amount or a payment that
is not, is refused with a result naming the field and the value, going out and coming in; the
user corrects it on the side it came from. A quantity or a price may have more decimals, as long
as the line comes to whole cents (``3 x 33.3333`` is refused, ``2 x 100.005`` = 200.01 is not).
Amounts beyond the product's bounds (``money.beyond_bounds``) are refused the same way.
"""

from __future__ import annotations

from decimal import Decimal

from returns.result import Failure, Result, Success

from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.money import EXACT, MAX_INTEGER_DIGITS, beyond_bounds, in_cents

__all__ = ["exact", "exact_line"]


def exact(amount: Decimal, *, named: str, fix: str) -> Result[Decimal, SyncError]:
    """``amount`` when it is a whole number of cents within the bounds; else why not, naming it
    (``named``: "the tax amount") and saying what to do (``fix``)."""
    if _whole_cents_within_bounds(amount):
        return Success(amount)
    why = beyond_bounds(amount)
    shown = format(amount, "f")
    problem = why or (
        "it is not a whole number of cents, and Sage Intacct and Re-Leased could each round it "
        "their own way, so that their totals differ by a cent"
    )
    return Failure(
        SyncError(
            kind=ErrorKind.REJECTED,
            rule=Rule.M1,
            message=f"{named} is {shown}: {problem}.",
            fix=fix,
        )
    )


def exact_line(
    quantity: Decimal, price: Decimal, *, price_named: str, fix: str
) -> Result[Decimal, SyncError]:
    """The line amount ``quantity x price`` when it is exact to the cent (see ``exact``)."""
    product = EXACT.multiply(quantity, price)
    if _whole_cents_within_bounds(product):
        return Success(product)
    named = f"the line amount (quantity {quantity} x {price_named} {price})"
    return exact(product, named=named, fix=fix)


def _whole_cents_within_bounds(amount: Decimal) -> bool:
    """``in_cents`` and not ``beyond_bounds``, without formatting the amount: a whole number of
    cents is finite with at most 2 places, so only the digits before the point are left to
    check."""
    return in_cents(amount) and not (amount and amount.adjusted() >= MAX_INTEGER_DIGITS)
