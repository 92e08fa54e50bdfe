"""Accounts ⇄ the Items that Order Entry / Purchasing lines use (rule D17)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from released_intacct.domain.enums import IntacctStatus, RecordType, ReleasedStatus
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import IntacctId, ReleasedId
from released_intacct.domain.intacct import Item
from released_intacct.domain.mapping.items import (
    account_no_for_item,
    item_for_account,
    item_id_for,
)
from released_intacct.domain.released import Account

RENT = Account(id=ReleasedId("acc-4000"), code="4000", name="Rent Income")


@pytest.mark.parametrize(
    ("sales", "item_id", "name"),
    [(True, "4000-S", "Rent Income [s]"), (False, "4000-P", "Rent Income [p]")],
)
def test_D17_each_account_has_a_sales_and_a_purchasing_item(
    sales: bool, item_id: str, name: str
) -> None:
    item = item_for_account(RENT, account_no=IntacctId("4000"), sales=sales)
    assert item == Item(
        item_id=IntacctId(item_id),
        name=name,
        gl_account_no=IntacctId("4000"),
        for_sales=sales,
        status=IntacctStatus.ACTIVE,
    )


def test_D17_item_of_an_archived_account_is_inactive() -> None:
    archived = Account(id=RENT.id, code="4000", name="Old", status=ReleasedStatus.ARCHIVED)
    item = item_for_account(archived, account_no=IntacctId("4000"), sales=True)
    assert item.status is IntacctStatus.INACTIVE


@given(st.text(min_size=1, max_size=12).map(IntacctId), st.booleans())
def test_D17_item_id_gives_back_its_account_number_and_side(
    account_no: IntacctId, sales: bool
) -> None:
    assert account_no_for_item(item_id_for(account_no, sales=sales)).unwrap() == (account_no, sales)


@pytest.mark.parametrize("item_id", ["WIDGET", "-S", "-P", "4000-X", "4000-s", ""])
def test_D17_item_not_made_by_the_product_is_needs_user_naming_it(item_id: str) -> None:
    error = account_no_for_item(IntacctId(item_id)).failure()
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.D17)
    assert f"item {item_id} " in error.message
    assert error.record is not None
    assert error.record.record_type is RecordType.ITEM
