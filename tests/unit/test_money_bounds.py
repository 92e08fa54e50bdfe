"""``domain.money.beyond_bounds``: the places after the point are counted without trailing zeros,
however the value is written (its exponent alone decides only when it is within the limit)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from released_intacct.domain.money import beyond_bounds

PLACES = "it has more than 10 decimal places"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("1200.00", None),
        ("1E+3", None),
        ("0", None),
        ("0.0000000000000", None),
        ("1.500000000000000", None),
        ("0.0000000001", None),
        ("1E-10", None),
        ("0.00000000001", PLACES),
        ("1E-11", PLACES),
        ("1.00000000001000", PLACES),
        ("1" * 16, "it has more than 15 digits before the decimal point"),
        ("NaN", "it is not a finite number"),
    ],
)
def test_F5_an_amount_is_beyond_the_bounds_by_its_significant_places(
    value: str, why: str | None
) -> None:
    assert beyond_bounds(Decimal(value)) == why
