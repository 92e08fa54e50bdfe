"""Who owns what (rules D1-D3, D7, D9, D17), as data: one ``Ownership`` per record type.

Planning and the guard read this table instead of repeating which side may create, update or void
each kind of record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from types import MappingProxyType

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Direction, RecordType, System
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError


class Flow(Enum):
    """Which way records of one type travel between the two systems."""

    INTACCT_TO_RELEASED = "one way into Re-Leased"
    """Rule D1: Intacct owns them; Re-Leased gets a read-only copy."""
    BOTH_WAYS = "both ways"
    """Rule D2: created on either side and copied to the other."""
    CREATE_BOTH_WAYS_UPDATE_FROM_INTACCT = "created both ways, updated from Intacct"
    """Rule D3: contacts are created both ways; updates and archiving come from Intacct."""
    PRODUCT_MANAGED_IN_INTACCT = "kept in Intacct by the product"
    """Rule D17: items exist only in Intacct; the product creates and keeps them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Ownership:
    record_type: RecordType
    flow: Flow
    rule: Rule
    owner_of_updates: System
    """The system whose version wins once the record exists on both sides."""
    owner_of_voids: System | None
    """The system where voids / removals are done; ``None`` when the record is never voided."""

    @property
    def intacct_owned(self) -> bool:
        """Rule D1: Re-Leased may not create, edit or archive these while connected."""
        return self.flow is Flow.INTACCT_TO_RELEASED


def _intacct_list(record_type: RecordType) -> Ownership:
    return Ownership(
        record_type=record_type,
        flow=Flow.INTACCT_TO_RELEASED,
        rule=Rule.D1,
        owner_of_updates=System.INTACCT,
        owner_of_voids=None,
    )


def _two_way(record_type: RecordType) -> Ownership:
    """Rule D2; voids and removals are Intacct's (D7 for invoices / credit notes, D9 payments)."""
    return Ownership(
        record_type=record_type,
        flow=Flow.BOTH_WAYS,
        rule=Rule.D2,
        owner_of_updates=System.INTACCT,
        owner_of_voids=System.INTACCT,
    )


OWNERSHIP: Mapping[RecordType, Ownership] = MappingProxyType(
    {
        RecordType.ACCOUNT: _intacct_list(RecordType.ACCOUNT),
        RecordType.TAX_TYPE: _intacct_list(RecordType.TAX_TYPE),
        RecordType.TRACKING_CATEGORY: _intacct_list(RecordType.TRACKING_CATEGORY),
        RecordType.TRACKING_OPTION: _intacct_list(RecordType.TRACKING_OPTION),
        RecordType.CONTACT: Ownership(
            record_type=RecordType.CONTACT,
            flow=Flow.CREATE_BOTH_WAYS_UPDATE_FROM_INTACCT,
            rule=Rule.D3,
            owner_of_updates=System.INTACCT,
            owner_of_voids=None,
        ),
        RecordType.INVOICE: _two_way(RecordType.INVOICE),
        RecordType.CREDIT_NOTE: _two_way(RecordType.CREDIT_NOTE),
        RecordType.PAYMENT: _two_way(RecordType.PAYMENT),
        RecordType.ITEM: Ownership(
            record_type=RecordType.ITEM,
            flow=Flow.PRODUCT_MANAGED_IN_INTACCT,
            rule=Rule.D17,
            owner_of_updates=System.INTACCT,
            owner_of_voids=None,
        ),
    }
)
"""Rules D1-D3 (and D17) for every record type."""


def record_noun(record_type: RecordType) -> str:
    """The words a bookkeeper uses for a record type: ``tax type``, ``credit note``."""
    return record_type.value.replace("_", " ")


def may_create_in(record_type: RecordType, target: System) -> Result[None, SyncError]:
    """Rule D1: the product never creates an Intacct-owned kind in Intacct from Re-Leased.

    Items are the exception the product itself keeps in Intacct (rule D17).
    """
    if target is System.INTACCT and OWNERSHIP[record_type].intacct_owned:
        noun = record_noun(record_type)
        return Failure(
            SyncError(
                kind=ErrorKind.REJECTED,
                rule=Rule.D1,
                message=(
                    f"A {noun} is owned by Sage Intacct: the product never creates a {noun} in "
                    "Intacct from Re-Leased."
                ),
                fix=f"Create the {noun} in Sage Intacct; it syncs into Re-Leased on the next sync.",
                record=RecordRef(record_type=record_type, direction=Direction.OUTGOING),
            )
        )
    return Success(None)
