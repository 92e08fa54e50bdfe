"""The Intacct-owned lists on the wire: accounts, tax types, tracking categories and options.

Tracking options have no resource of their own: they are read and written inside their category
(``PUT /api/tracking-categories/{id}`` with the whole ``options`` list).
"""

from __future__ import annotations

from typing import Literal

import msgspec
from returns.result import Failure, Result, Success

from released_intacct.adapters.released.convert import dec, problem
from released_intacct.adapters.released.wire import Amount, Stamp, Wire, amount
from released_intacct.domain.enums import DimensionKind, RecordType, ReleasedStatus
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.released import Account, TaxType, TrackingCategory, TrackingOption

__all__ = [
    "AccountBody",
    "AccountWire",
    "TaxTypeBody",
    "TaxTypeWire",
    "TrackingCategoryBody",
    "TrackingCategoryWire",
    "TrackingOptionWire",
    "account_body",
    "category_body",
    "option_wire",
    "status_of",
    "tax_type_body",
    "to_account",
    "to_category",
    "to_tax_type",
]

Status = Literal["Active", "Archived"]
Kind = Literal[
    "DEPARTMENT",
    "LOCATION",
    "PROJECT",
    "CUSTOMER",
    "EMPLOYEE",
    "ITEM",
    "CLASS",
    "CONTRACT",
    "TASK",
    "WAREHOUSE",
    "VENDOR",
]


def status_of(status: ReleasedStatus) -> Status:
    return "Archived" if status is ReleasedStatus.ARCHIVED else "Active"


class AccountWire(Wire, frozen=True, kw_only=True):
    id: str
    code: str
    name: str
    type: str | None = None
    status: Status
    last_modified: Stamp
    version: int


class AccountBody(Wire, frozen=True, kw_only=True, omit_defaults=True):
    id: str | None = None
    code: str
    name: str
    type: str
    status: Status
    version: int | None = None


class TaxTypeWire(Wire, frozen=True, kw_only=True):
    id: str
    name: str
    rate: Amount
    status: Status
    last_modified: Stamp
    version: int


class TaxTypeBody(Wire, frozen=True, kw_only=True, omit_defaults=True):
    id: str | None = None
    name: str
    rate: Amount
    status: Status
    version: int | None = None


class TrackingOptionWire(Wire, frozen=True, kw_only=True, omit_defaults=True):
    """An option inside its category; a new option sent without ``id`` gets one."""

    id: str | None = None
    name: str
    status: Status


class TrackingCategoryWire(Wire, frozen=True, kw_only=True):
    id: str
    name: str
    kind: Kind | None = None
    status: Status
    options: list[TrackingOptionWire] = msgspec.field(default_factory=list)
    last_modified: Stamp
    version: int


class TrackingCategoryBody(Wire, frozen=True, kw_only=True, omit_defaults=True):
    id: str | None = None
    name: str
    kind: Kind | None
    status: Status
    options: list[TrackingOptionWire]
    version: int | None = None


def to_account(wire: AccountWire) -> Result[Account, SyncError]:
    return Success(
        Account(
            id=ReleasedId(wire.id),
            code=wire.code,
            name=wire.name,
            account_type=wire.type or "",
            status=ReleasedStatus(wire.status),
        )
    )


def account_body(account: Account, *, version: int | None = None) -> AccountBody:
    return AccountBody(
        id=account.id,
        code=account.code,
        name=account.name,
        type=account.account_type,
        status=status_of(account.status),
        version=version,
    )


def to_tax_type(wire: TaxTypeWire) -> Result[TaxType, SyncError]:
    return Success(
        TaxType(
            id=ReleasedId(wire.id),
            name=wire.name,
            rate=dec(wire.rate),
            status=ReleasedStatus(wire.status),
        )
    )


def tax_type_body(tax: TaxType, *, version: int | None = None) -> TaxTypeBody:
    return TaxTypeBody(
        id=tax.id,
        name=tax.name,
        rate=amount(tax.rate),
        status=status_of(tax.status),
        version=version,
    )


def to_category(wire: TrackingCategoryWire) -> Result[TrackingCategory, SyncError]:
    category = ReleasedId(wire.id)
    for index, option in enumerate(wire.options):
        if not option.id:
            why = f"its option {option.name!r} has no id (at `$.options[{index}].id`)"
            return Failure(problem(RecordType.TRACKING_CATEGORY, wire.id, why))
    options = tuple(
        TrackingOption(
            id=ReleasedId(option.id or ""),
            name=option.name,
            status=ReleasedStatus(option.status),
            category_id=category,
        )
        for option in wire.options
    )
    return Success(
        TrackingCategory(
            id=category,
            name=wire.name,
            kind=None if wire.kind is None else DimensionKind(wire.kind),
            status=ReleasedStatus(wire.status),
            options=options,
        )
    )


def category_body(
    category: TrackingCategory, *, version: int | None = None
) -> TrackingCategoryBody:
    kind: Kind | None = None if category.kind is None else category.kind.value
    return TrackingCategoryBody(
        id=category.id,
        name=category.name,
        kind=kind,
        status=status_of(category.status),
        options=[option_wire(option) for option in category.options],
        version=version,
    )


def option_wire(option: TrackingOption) -> TrackingOptionWire:
    return TrackingOptionWire(
        id=option.id or None, name=option.name, status=status_of(option.status)
    )
