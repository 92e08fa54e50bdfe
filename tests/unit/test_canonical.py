"""The canonical text keeps its stored form (rule D21): fingerprints kept in links by an earlier
version must still match, so the per-type encoders of ``domain.canonical`` write, for every record
of every kind and every set of excluded fields, exactly what the first (recursive) form wrote. That
form is kept here, as it was, as the reference."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from released_intacct.domain import intacct, released
from released_intacct.domain.canonical import canonical, digest
from released_intacct.domain.enums import DimensionKind, IntacctState, ReleasedInvoiceStatus
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.planning.payments import allocation_fingerprint
from released_intacct.fakes import samples
from released_intacct.fakes.strategies import (
    intacct_lists,
    intacct_payments,
    parties,
    released_side,
    transactions,
)

# --- the reference: canonical() as first written (do not change) ------------------------------


def reference(value: object, *, exclude: Collection[str] = ()) -> str:
    kind = type(value)
    if kind is str:
        return repr(value)
    if value is None:
        return "~"
    if isinstance(value, tuple):
        return "(" + ",".join(reference(item, exclude=exclude) for item in value) + ")"
    names = tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None
    if names is not None:
        parts = (
            f"{name}={reference(getattr(value, name), exclude=exclude)}"
            for name in names
            if name not in exclude
        )
        return kind.__name__ + "{" + ";".join(parts) + "}"
    if isinstance(value, Enum):
        return reference(value.value)
    return _reference_scalar(value)


def _reference_scalar(value: object) -> str:
    for kind, show in _REFERENCE_SCALARS:
        if isinstance(value, kind):
            return show(value)
    msg = f"no canonical form for {type(value).__name__}"
    raise TypeError(msg)


def _reference_decimal(value: Decimal) -> str:
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


_REFERENCE_SCALARS: tuple[tuple[type | tuple[type, ...], Callable[[Any], str]], ...] = (
    (bool, lambda value: "T" if value else "F"),
    (Decimal, _reference_decimal),
    (int, lambda value: _reference_decimal(Decimal(value))),
    ((datetime, date), lambda value: value.isoformat()),
    (str, repr),
)

# --- records of every kind ---------------------------------------------------------------------

RECORD_TYPES = (
    intacct.Party, intacct.GlAccount, intacct.TaxDetail, intacct.DimensionValue, intacct.Item,
    intacct.Transaction, intacct.IntacctPayment, released.Contact, released.Account,
    released.TaxType, released.TrackingCategory, released.TrackingOption, released.Invoice,
    released.Payment,
)  # fmt: skip
"""Every member of ``IntacctRecord`` and ``ReleasedRecord``."""

EXCLUSIONS: tuple[frozenset[str], ...] = (
    frozenset(),
    frozenset({"id", "version", "modified_at", "attachments", "amount_paid"}),  # fingerprint
    frozenset({"id", "version", "modified_at", "attachments", "amount_paid", "role"}),
    frozenset({"record_no", "document_id", "modified_at", "total_paid", "reverses"}),  # echo
    frozenset({"record_no", "document_id", "modified_at", "total_paid", "reverses", "party_id"}),
    frozenset({"record_no", "modified_at", "reverses", "credits", "payer"}),  # an allocation
    frozenset({"name", "amount", "lines", "date"}),  # names found at several depths
)


@st.composite
def planned_records(draw: st.DrawFn) -> list[object]:
    """Records as the planning strategies make them (linked parties, lines, allocations)."""
    found = draw(parties())
    made = draw(transactions(found, [DimensionKind.DEPARTMENT, DimensionKind.LOCATION]))
    paid = draw(intacct_payments(made))
    lists = [record for _, record in draw(intacct_lists())]
    side = [record for _, record in draw(released_side())]
    return [*lists, *found, *made, *paid, *side]


any_record = st.one_of(*(st.from_type(kind) for kind in RECORD_TYPES))
"""Any value of any record type's fields: any text, Decimal (NaN too), date, enum, nested tuple."""


def _outcome(encode: Callable[[], str]) -> str:
    try:
        return encode()
    except Exception as error:  # the same failure is the same outcome
        return f"raised {type(error).__name__}"


def _same(value: object) -> None:
    for exclude in EXCLUSIONS:
        for given_as in (exclude, tuple(sorted(exclude))):
            expected = _outcome(lambda: reference(value, exclude=given_as))  # noqa: B023
            assert _outcome(lambda: canonical(value, exclude=given_as)) == expected  # noqa: B023


@settings(max_examples=300)
@given(st.lists(any_record, max_size=4))
def test_D21_canonical_text_of_any_record_is_what_the_first_form_wrote(
    records: list[object],
) -> None:
    for record in records:
        _same(record)


@settings(max_examples=100)
@given(planned_records())
def test_D21_canonical_text_of_planned_records_is_what_the_first_form_wrote(
    records: list[object],
) -> None:
    for record in records:
        _same(record)


class _Level(IntEnum):
    LOW = 1


@dataclass(frozen=True)
class _Nested:
    inner: object
    name: str = "n"


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(), st.decimals(), st.dates(), st.datetimes(),
    st.sampled_from(IntacctState), st.sampled_from(_Level),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(tuple), st.builds(_Nested, inner, st.text(max_size=3))
    ),
    max_leaves=12,
)


@given(values)
def test_D21_canonical_text_of_nested_values_is_what_the_first_form_wrote(value: object) -> None:
    _same(value)


def test_a_value_of_no_canonical_form_is_refused_by_its_type() -> None:
    with pytest.raises(TypeError, match="no canonical form for list"):
        canonical([1])
    with pytest.raises(TypeError, match="no canonical form for list"):
        canonical(_Nested(inner=[1]))


def test_D21_fingerprints_stored_by_earlier_versions_still_match() -> None:
    """Pinned digests of sample records, as the first form computed them."""
    invoice = samples.invoice(status=ReleasedInvoiceStatus.PAID)
    transaction = samples.transaction(state=IntacctState.PAID)
    payment = samples.intacct_payment()
    pinned = {
        fingerprint(invoice): _PINNED["invoice"],
        fingerprint(samples.contact()): _PINNED["contact"],
        intacct_fingerprint(transaction): _PINNED["transaction"],
        allocation_fingerprint(payment, payment.applications[0]): _PINNED["allocation"],
    }
    assert list(pinned) == list(pinned.values())
    assert digest(reference(samples.contact())) == digest(canonical(samples.contact()))


_PINNED = {
    "invoice": "0ac13146f53a5fb314c6ac880513a15ded1ed5bba9352fd23bd313063563add9",
    "contact": "ea5f4d8ffef6aa0e19b1aa66618d57b9b5ae64e527f21614b64d8e0a02fe80c5",
    "transaction": "9b7e2e80a9b1913acb4921173a24b13cae95d68b9295607ef000a77b303837fd",
    "allocation": "74159118c8f87d8fd0fbe9c21731e25647e87cee604257beb0cdcfe9a1876b11",
}
