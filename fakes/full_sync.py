"""One whole sync of two in-memory companies: every feed, in dependency order, fully re-read.

The same gather → plan → apply loop the service runs, with every record of both sides treated as a
change (the strongest case for echo detection: rule D21 says nothing should be written again).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TypeVar

from released_intacct.domain.actions import (
    Action,
    CreateInIntacct,
    CreateInReleased,
    RecordResult,
    Skip,
    UpdateInIntacct,
    UpdateInReleased,
    VoidInReleased,
)
from released_intacct.domain.enums import ContactRole, InvoiceType, RecordType
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.intacct import (
    DimensionValue,
    GlAccount,
    IntacctPayment,
    Item,
    Party,
    TaxDetail,
    Transaction,
)
from released_intacct.domain.links import LinkIndex
from released_intacct.domain.planning.contacts import plan_contacts
from released_intacct.domain.planning.documents import plan_documents
from released_intacct.domain.planning.lists import (
    plan_accounts,
    plan_dimension_values,
    plan_items,
    plan_tax_details,
    plan_tracking_categories,
)
from released_intacct.domain.planning.payments import plan_payments
from released_intacct.domain.released import Account, Contact, Invoice, Payment
from released_intacct.domain.settings import SyncSettings
from released_intacct.fakes.companies import Companies

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class SyncReport:
    actions: tuple[Action, ...]

    @property
    def writes(self) -> Counter[str]:
        kinds = (
            CreateInIntacct,
            UpdateInIntacct,
            CreateInReleased,
            UpdateInReleased,
            VoidInReleased,
        )
        return Counter(
            f"{type(action).__name__} {action.record_type.value}"
            for action in self.actions
            if isinstance(action, kinds)
        )

    @property
    def creates(self) -> int:
        return sum(isinstance(a, CreateInIntacct | CreateInReleased) for a in self.actions)

    @property
    def results(self) -> Counter[str]:
        return Counter(
            f"{error.rule.value if error.rule else '-'} {error.kind.value}"
            for error in (
                a.error if isinstance(a, RecordResult) else a.reason
                for a in self.actions
                if isinstance(a, RecordResult | Skip)
            )
        )


def sync_everything(world: Companies, settings: SyncSettings) -> SyncReport:
    done: list[Action] = []

    def step(actions: tuple[Action, ...]) -> None:
        world.apply(actions)
        done.extend(actions)

    step(
        plan_accounts(_of(world, RecordType.ACCOUNT, GlAccount, intacct=True), _ix(world), settings)
    )
    step(
        plan_tax_details(
            _of(world, RecordType.TAX_TYPE, TaxDetail, intacct=True), _ix(world), settings
        )
    )
    values = _of(world, RecordType.TRACKING_OPTION, DimensionValue, intacct=True)
    step(plan_tracking_categories((v.kind for v in values), _ix(world), settings))
    step(plan_dimension_values(values, _ix(world), settings))
    items = {item.item_id for item in _of(world, RecordType.ITEM, Item, intacct=True)}
    accounts = _of(world, RecordType.ACCOUNT, Account, intacct=False)
    step(plan_items(accounts, _ix(world), settings, existing_items=items))
    invoices = _invoices(world)
    step(
        plan_contacts(
            _of(world, RecordType.CONTACT, Contact, intacct=False),
            _of(world, RecordType.CONTACT, Party, intacct=True),
            _ix(world),
            settings,
            roles=_roles(invoices),
        )
    )
    step(plan_documents(invoices, _transactions(world), _ix(world), settings))
    invoices = _invoices(world)
    step(
        plan_payments(
            _of(world, RecordType.PAYMENT, Payment, intacct=False),
            _of(world, RecordType.PAYMENT, IntacctPayment, intacct=True),
            _ix(world),
            settings,
            documents={invoice.id: invoice for invoice in invoices},
        )
    )
    return SyncReport(actions=tuple(done))


def _ix(world: Companies) -> LinkIndex:
    return world.link_index()


def _of(world: Companies, record_type: RecordType, kind: type[_T], *, intacct: bool) -> list[_T]:
    records = world.intacct_of(record_type) if intacct else world.released_of(record_type)
    return [record for record in records if isinstance(record, kind)]


def _invoices(world: Companies) -> list[Invoice]:
    return _of(world, RecordType.INVOICE, Invoice, intacct=False) + _of(
        world, RecordType.CREDIT_NOTE, Invoice, intacct=False
    )


def _transactions(world: Companies) -> list[Transaction]:
    return _of(world, RecordType.INVOICE, Transaction, intacct=True) + _of(
        world, RecordType.CREDIT_NOTE, Transaction, intacct=True
    )


def _roles(invoices: list[Invoice]) -> dict[ReleasedId, ContactRole]:
    return {
        invoice.contact_id: (
            ContactRole.CUSTOMER if invoice.type is InvoiceType.INCOME else ContactRole.VENDOR
        )
        for invoice in invoices
    }
