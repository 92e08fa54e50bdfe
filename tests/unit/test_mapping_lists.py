"""Intacct-owned lists into Re-Leased (rules D1, M2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from released_intacct.domain.enums import DimensionKind, IntacctStatus, ReleasedStatus
from released_intacct.domain.ids import IntacctId, ReleasedId
from released_intacct.domain.intacct import DimensionValue, GlAccount, TaxDetail
from released_intacct.domain.mapping.lists import (
    category_for,
    dimension_to_option,
    gl_account_to_account,
    tax_detail_to_tax_type,
)
from released_intacct.domain.released import Account, TaxType, TrackingCategory, TrackingOption

RID = ReleasedId("rl-1")


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (IntacctStatus.ACTIVE, ReleasedStatus.ACTIVE),
        (IntacctStatus.INACTIVE, ReleasedStatus.ARCHIVED),
    ],
)
def test_D1_gl_account_becomes_an_account_and_inactive_is_archived(
    status: IntacctStatus, expected: ReleasedStatus
) -> None:
    account = GlAccount(
        account_no=IntacctId("4000"),
        title="Rent Income",
        account_type="incomestatement",
        status=status,
    )
    assert gl_account_to_account(account, released_id=RID) == Account(
        id=RID, code="4000", name="Rent Income", account_type="incomestatement", status=expected
    )


def test_D1_tax_detail_becomes_a_tax_type_named_by_its_detail_id() -> None:
    detail = TaxDetail(
        detail_id=IntacctId("UK Sale Goods Standard Rate"),
        rate=Decimal("20.00"),
        tax_type="Sale",
        status=IntacctStatus.INACTIVE,
    )
    assert tax_detail_to_tax_type(detail, released_id=RID) == TaxType(
        id=RID,
        name="UK Sale Goods Standard Rate",
        rate=Decimal(20),
        status=ReleasedStatus.ARCHIVED,
    )


def test_M2_dimension_value_becomes_a_tracking_option() -> None:
    value = DimensionValue(kind=DimensionKind.DEPARTMENT, value_id=IntacctId("D1"), name="Sales")
    blank = DimensionValue(kind=DimensionKind.CLASS, value_id=IntacctId("K7"), name="  ")
    assert dimension_to_option(value, released_id=RID) == TrackingOption(id=RID, name="Sales")
    assert dimension_to_option(blank, released_id=RID).name == "K7"


@pytest.mark.parametrize("kind", list(DimensionKind))
def test_M2_one_category_per_dimension_kind_named_by_its_label(kind: DimensionKind) -> None:
    option = TrackingOption(id=ReleasedId("o1"), name="x")
    category = category_for(kind, released_id=RID, options=(option,))
    assert category == TrackingCategory(id=RID, name=kind.label, kind=kind, options=(option,))


def test_M2_vendor_dimension_is_shown_as_vendor_supplier() -> None:
    assert category_for(DimensionKind.VENDOR, released_id=RID).name == "Vendor/Supplier"
    assert category_for(DimensionKind.DEPARTMENT, released_id=RID).name == "Department"
