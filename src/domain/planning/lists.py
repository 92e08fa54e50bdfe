"""Planning the Intacct-owned lists into Re-Leased (rule D1), and the Items of rule D17.

Accounts, tax details and dimension values flow one way: created or updated in Re-Leased, never
written to Intacct from Re-Leased. Tracking categories (one per dimension kind) are planned before
their options: call ``plan_tracking_categories`` and apply it before ``plan_dimension_values``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from functools import partial

from returns.result import Result, Success

from released_intacct.domain.actions import Action, CreateInIntacct
from released_intacct.domain.enums import DimensionKind, RecordType, ReleasedStatus
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IntacctId, ReleasedId
from released_intacct.domain.intacct import (
    DimensionValue,
    GlAccount,
    TaxDetail,
    category_key,
)
from released_intacct.domain.links import LinkIndex
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.mapping.items import item_for_account, item_id_for
from released_intacct.domain.mapping.lists import (
    category_for,
    dimension_to_option,
    gl_account_to_account,
    tax_detail_to_tax_type,
)
from released_intacct.domain.planning.common import key_for_intacct, plan_incoming
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.released import Account, ReleasedRecord
from released_intacct.domain.settings import SyncSettings


def plan_accounts(
    accounts: Sequence[GlAccount], links: LinkIndex, settings: SyncSettings
) -> tuple[Action, ...]:
    return tuple(
        action
        for account in accounts
        for action in plan_incoming(
            RecordType.ACCOUNT,
            account.link_key,
            intacct_fingerprint(account),
            partial(_built, gl_account_to_account, account),
            links=links,
            settings=settings,
        )
    )


def plan_tax_details(
    details: Sequence[TaxDetail], links: LinkIndex, settings: SyncSettings
) -> tuple[Action, ...]:
    return tuple(
        action
        for detail in details
        for action in plan_incoming(
            RecordType.TAX_TYPE,
            detail.link_key,
            intacct_fingerprint(detail),
            partial(_built, tax_detail_to_tax_type, detail),
            links=links,
            settings=settings,
        )
    )


def plan_tracking_categories(
    kinds: Iterable[DimensionKind], links: LinkIndex, settings: SyncSettings
) -> tuple[Action, ...]:
    """One Re-Leased tracking category per dimension kind seen (rules D1, M2)."""
    return tuple(
        action
        for kind in sorted(set(kinds), key=lambda kind: kind.value)
        for action in plan_incoming(
            RecordType.TRACKING_CATEGORY,
            category_key(kind),
            kind.value,
            partial(_built, category_for, kind),
            links=links,
            settings=settings,
        )
    )


def plan_dimension_values(
    values: Sequence[DimensionValue], links: LinkIndex, settings: SyncSettings
) -> tuple[Action, ...]:
    """Tracking options; a value whose category is unlinked by the user does not sync (E2)."""
    actions: list[Action] = []
    for value in values:
        category = links.by_intacct(RecordType.TRACKING_CATEGORY, category_key(value.kind))
        if category is None:
            msg = f"plan the {value.kind.label} tracking category before its options"
            raise ValueError(msg)
        if not category.is_linked:
            continue
        actions.extend(
            plan_incoming(
                RecordType.TRACKING_OPTION,
                value.link_key,
                intacct_fingerprint(value),
                partial(_option, value, category.released_id),
                links=links,
                settings=settings,
            )
        )
    return tuple(actions)


def plan_items(
    accounts: Sequence[Account],
    links: LinkIndex,
    settings: SyncSettings,
    *,
    existing_items: Collection[IntacctId],
) -> tuple[Action, ...]:
    """Rule D17: with Order Entry / Purchasing in use, each linked account has its Items.

    An Item is not a Re-Leased record: its link is held under ``<account id>/<ITEMID>`` (one per
    side), so a page seen twice or a create already made is not sent again.
    """
    actions: list[Action] = []
    for account in accounts:
        link = links.by_released(RecordType.ACCOUNT, account.id)
        if link is None or not link.is_linked or account.status is ReleasedStatus.ARCHIVED:
            continue
        for sales in item_sides(settings):
            item = item_for_account(account, account_no=IntacctId(link.intacct_key), sales=sales)
            held = item_link_id(account.id, item.item_id)
            if item.item_id in existing_items or links.by_released(RecordType.ITEM, held):
                continue
            actions.append(
                CreateInIntacct(
                    key=key_for_intacct(settings, RecordType.ITEM, held),
                    record_type=RecordType.ITEM,
                    released_id=held,
                    record=item,
                    source_fingerprint=fingerprint(account),
                )
            )
    return tuple(actions)


def item_sides(settings: SyncSettings) -> tuple[bool, ...]:
    """The sides Items are kept for: sales (Order Entry), purchasing (Purchasing), in use."""
    used = ((True, settings.order_entry), (False, settings.purchasing))
    return tuple(sales for sales, on in used if on)


def item_links(
    accounts: Sequence[Account], links: LinkIndex, settings: SyncSettings
) -> list[ReleasedId]:
    """Where the links of the Items of ``accounts`` are held (those linked to an account)."""
    held: list[ReleasedId] = []
    for account in accounts:
        link = links.by_released(RecordType.ACCOUNT, account.id)
        if link is not None:
            account_no = IntacctId(link.intacct_key)
            held += [
                item_link_id(account.id, item_id_for(account_no, sales=sales))
                for sales in item_sides(settings)
            ]
    return held


def item_link_id(account: ReleasedId, item_id: IntacctId) -> ReleasedId:
    """Where the link of the Item ``item_id`` made for ``account`` is held."""
    return ReleasedId(f"{account}/{item_id}")


def _built(
    build: Callable[..., ReleasedRecord], source: object, released_id: ReleasedId
) -> Result[ReleasedRecord, SyncError]:
    return Success(build(source, released_id=released_id))


def _option(
    value: DimensionValue, category_id: ReleasedId, released_id: ReleasedId
) -> Result[ReleasedRecord, SyncError]:
    option = dimension_to_option(value, released_id=released_id)
    return Success(replace(option, category_id=category_id))
