"""Intacct-owned lists → Re-Leased (rule D1; tracking categories per rule M2).

GL accounts become the chart of accounts (code = ACCOUNTNO, name = title, type), tax details become
tax types (name = DETAILID, rate), dimension values become tracking options, and each dimension kind
is one tracking category named by ``DimensionKind.label``. An *inactive* Intacct record is
*archived* in Re-Leased. Nothing here maps the other way: these lists are Intacct's.
"""

from __future__ import annotations

from released_intacct.domain.enums import DimensionKind, IntacctStatus, ReleasedStatus
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.intacct import DimensionValue, GlAccount, TaxDetail
from released_intacct.domain.released import Account, TaxType, TrackingCategory, TrackingOption


def released_status(status: IntacctStatus) -> ReleasedStatus:
    """Inactive in Intacct reads as archived in Re-Leased (rules D1, D3)."""
    if status is IntacctStatus.INACTIVE:
        return ReleasedStatus.ARCHIVED
    return ReleasedStatus.ACTIVE


def gl_account_to_account(account: GlAccount, *, released_id: ReleasedId) -> Account:
    return Account(
        id=released_id,
        code=account.account_no,
        name=account.title,
        account_type=account.account_type,
        status=released_status(account.status),
    )


def tax_detail_to_tax_type(detail: TaxDetail, *, released_id: ReleasedId) -> TaxType:
    return TaxType(
        id=released_id,
        name=detail.detail_id,
        rate=detail.rate,
        status=released_status(detail.status),
    )


def dimension_to_option(value: DimensionValue, *, released_id: ReleasedId) -> TrackingOption:
    """A tracking option named by the value's name (its id when the name is blank).

    ``category_id`` is left unset: the caller knows the category the option is written under.
    """
    return TrackingOption(
        id=released_id,
        name=value.name.strip() or value.value_id,
        status=released_status(value.status),
    )


def category_for(
    kind: DimensionKind,
    *,
    released_id: ReleasedId,
    options: tuple[TrackingOption, ...] = (),
) -> TrackingCategory:
    return TrackingCategory(id=released_id, name=kind.label, kind=kind, options=options)
