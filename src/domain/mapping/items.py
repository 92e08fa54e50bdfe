"""Re-Leased accounts ⇄ the Intacct Items that Order Entry / Purchasing lines use (rule D17).

For each account the product keeps two Items: ``<ACCOUNTNO>-S`` named ``<account name> [s]`` for
sales (Order Entry) and ``<ACCOUNTNO>-P`` named ``<account name> [p]`` for purchasing.
**(decided)** The ITEMID is derived from the account number, so the mapping is pure both ways: an
OE/PO line's item gives back its account without a look-up table. An ITEMID the product did not
make is not understood (a NEEDS_USER error naming it).
"""

from __future__ import annotations

from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Direction, IntacctStatus, RecordType, ReleasedStatus
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey
from released_intacct.domain.intacct import Item
from released_intacct.domain.released import Account

_SALES: Final = "-S"
_PURCHASING: Final = "-P"


def item_id_for(account_no: IntacctId, *, sales: bool) -> IntacctId:
    return IntacctId(f"{account_no}{_SALES if sales else _PURCHASING}")


def item_name_for(account: Account, *, sales: bool) -> str:
    return f"{account.name} [{'s' if sales else 'p'}]"


def item_for_account(account: Account, *, account_no: IntacctId, sales: bool) -> Item:
    """The Item of ``account`` (linked to GL account ``account_no``) for one side."""
    return Item(
        item_id=item_id_for(account_no, sales=sales),
        name=item_name_for(account, sales=sales),
        gl_account_no=account_no,
        for_sales=sales,
        status=(
            IntacctStatus.INACTIVE
            if account.status is ReleasedStatus.ARCHIVED
            else IntacctStatus.ACTIVE
        ),
    )


def account_no_for_item(item_id: IntacctId) -> Result[tuple[IntacctId, bool], SyncError]:
    """The account number of an Item the product made, and whether it is the sales Item."""
    for suffix, sales in ((_SALES, True), (_PURCHASING, False)):
        account_no = item_id.removesuffix(suffix)
        if account_no != item_id and account_no:
            return Success((IntacctId(account_no), sales))
    return Failure(
        SyncError(
            kind=ErrorKind.NEEDS_USER,
            rule=Rule.D17,
            message=(
                f"Sage Intacct item {item_id} was not made by the Re-Leased sync, so it cannot be "
                "mapped to a Re-Leased account."
            ),
            fix=(
                "Use the item named after the account ('<account name> [s]' for sales, "
                "'<account name> [p]' for purchasing) on the line instead."
            ),
            record=RecordRef(
                record_type=RecordType.ITEM,
                direction=Direction.INCOMING,
                intacct_key=IntacctKey(item_id),
                label=item_id,
            ),
        )
    )
