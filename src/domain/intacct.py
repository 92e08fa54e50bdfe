"""Intacct records as the product sees them (the Intacct side of the model).

Field names are the domain's; the adapter maps them to and from the wire (CUSTOMERID, ...).
Each record has a ``link_key``: the key the link table holds for it (see ``ids.IntacctKey``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    IntacctStatus,
    Origin,
    PaymentKind,
    RecordType,
)
from released_intacct.domain.ids import IntacctId, IntacctKey
from released_intacct.domain.money import Currency, line_amount
from released_intacct.domain.released import Address


def party_key(role: ContactRole, party_id: IntacctId) -> IntacctKey:
    """Customers and vendors have separate id spaces, so the key names the role."""
    return IntacctKey(f"{role.name}:{party_id}")


def option_key(kind: DimensionKind, value_id: IntacctId) -> IntacctKey:
    return IntacctKey(f"{kind.value}:{value_id}")


def category_key(kind: DimensionKind) -> IntacctKey:
    return IntacctKey(kind.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactBlock:
    """An Intacct contact (DISPLAYCONTACT, SHIPTO or BILLTO)."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    fax: str = ""
    mobile: str = ""
    address: Address = Address()


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    """An Intacct CUSTOMER or VENDOR. ``party_id`` is None until document sequencing assigns it."""

    role: ContactRole
    party_id: IntacctId | None
    name: str
    primary: ContactBlock = ContactBlock()
    ship_to: ContactBlock | None = None
    bill_to: ContactBlock | None = None
    status: IntacctStatus = IntacctStatus.ACTIVE
    currency: Currency | None = None
    record_no: str | None = None
    modified_at: datetime | None = None

    @property
    def link_key(self) -> IntacctKey:
        if self.party_id is None:
            msg = "a party has no link key before Intacct assigns its id"
            raise ValueError(msg)
        return party_key(self.role, self.party_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class GlAccount:
    account_no: IntacctId
    title: str
    account_type: str = ""
    status: IntacctStatus = IntacctStatus.ACTIVE
    modified_at: datetime | None = None

    @property
    def link_key(self) -> IntacctKey:
        return IntacctKey(self.account_no)


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxDetail:
    detail_id: IntacctId
    rate: Decimal
    tax_type: str = ""
    status: IntacctStatus = IntacctStatus.ACTIVE
    modified_at: datetime | None = None

    @property
    def link_key(self) -> IntacctKey:
        return IntacctKey(self.detail_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionValue:
    """A value of one of the 11 dimensions (rule M2): DEPARTMENTID, LOCATIONID, ..."""

    kind: DimensionKind
    value_id: IntacctId
    name: str
    status: IntacctStatus = IntacctStatus.ACTIVE
    modified_at: datetime | None = None

    @property
    def link_key(self) -> IntacctKey:
        return option_key(self.kind, self.value_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """An Intacct ITEM; the product keeps one per account and side (rule D17)."""

    item_id: IntacctId
    name: str
    gl_account_no: IntacctId
    for_sales: bool
    status: IntacctStatus = IntacctStatus.ACTIVE

    @property
    def link_key(self) -> IntacctKey:
        return IntacctKey(self.item_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class TransactionLine:
    """A line of an invoice, bill, adjustment (AR/AP) or OE/PO document."""

    memo: str = ""
    account_no: IntacctId | None = None
    """AR/AP lines: the GL account."""
    item_id: IntacctId | None = None
    """OE/PO lines: the item."""
    amount: Decimal = Decimal(0)
    """AR/AP: TRX_AMOUNT. OE/PO: derived as quantity x price."""
    quantity: Decimal = Decimal(1)
    price: Decimal = Decimal(0)
    tax_detail_id: IntacctId | None = None
    tax_amount: Decimal = Decimal(0)
    dimensions: tuple[tuple[DimensionKind, IntacctId], ...] = ()
    """Sorted by kind; at most one value per kind."""
    rev_rec_template: str | None = None
    rev_rec_start: date | None = None
    rev_rec_end: date | None = None

    @property
    def line_amount(self) -> Decimal:
        if self.item_id is not None:
            return line_amount(self.quantity, self.price)
        return self.amount


@dataclass(frozen=True, slots=True, kw_only=True)
class Transaction:
    """ARINVOICE, APBILL, ARADJUSTMENT, APADJUSTMENT, or an OE/PO invoice or adjustment."""

    origin: Origin
    kind: DocumentKind
    number: str
    """RECORDID (invoice / bill / adjustment number), or DOCNO for OE/PO."""
    state: IntacctState
    party_id: IntacctId
    invoice_date: date
    gl_date: date
    due_date: date | None
    currency: Currency
    lines: tuple[TransactionLine, ...]
    reference: str = ""
    payment_priority: str | None = None
    transaction_definition: str | None = None
    """DOCPARID of an OE/PO document (e.g. ``Sales Invoice``)."""
    source_document_number: str | None = None
    """The Sales Order / revenue activation document it was converted from (OE/PO)."""
    document_id: str | None = None
    """DOCID of an OE/PO document: stable across edits that re-key RECORDNO (rule D19)."""
    record_no: str | None = None
    total_paid: Decimal = Decimal(0)
    modified_at: datetime | None = None
    reverses: IntacctKey | None = None
    """For a reversal (STATE Reversal): the link key of the document it reverses, when the adapter
    could pair them (Intacct has no field linking the two, spec correction 3)."""

    @property
    def link_key(self) -> IntacctKey:
        if self.document_id:
            return IntacctKey(self.document_id)
        if self.record_no is None:
            msg = "a transaction has no link key before Intacct assigns its RECORDNO"
            raise ValueError(msg)
        return IntacctKey(self.record_no)

    @property
    def record_type(self) -> RecordType:
        if self.kind is DocumentKind.INVOICE:
            return RecordType.INVOICE
        return RecordType.CREDIT_NOTE

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_amount for line in self.lines), Decimal(0))

    @property
    def total_tax(self) -> Decimal:
        return sum((line.tax_amount for line in self.lines), Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.total_tax


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentApplication:
    """The part of a payment applied to one invoice, bill or adjustment."""

    document_key: IntacctKey
    amount: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class IntacctPayment:
    """ARPYMT or APPYMT (with its kind: ordinary, journal entry, advance, overpayment, refund).

    ``party_id`` is None for a payment of several customers at once (Intacct names a payer
    instead, ``payer``). ``applications`` are what the payment applies to documents in money (its
    cash, or an earlier advance or overpayment it allocates); ``credits`` what it applies from
    credit memos and other credits (not money: they do not sync as payments)."""

    origin: Origin
    kind: PaymentKind
    party_id: IntacctId | None
    date: date
    currency: Currency
    amount: Decimal
    applications: tuple[PaymentApplication, ...] = ()
    state: IntacctState = IntacctState.POSTED
    reference: str = ""
    record_no: str | None = None
    modified_at: datetime | None = None
    payer: str = ""
    credits: tuple[PaymentApplication, ...] = ()
    reverses: IntacctKey | None = None
    """For a reversal (STATE Reversal): the RECORDNO of the payment it reverses, when paired."""

    @property
    def is_allocated(self) -> bool:
        return bool(self.applications)

    def allocation_key(self, application: PaymentApplication) -> IntacctKey:
        """The link key of one allocation: a Re-Leased payment pays exactly one invoice."""
        if self.record_no is None:
            msg = "a payment has no allocation key before Intacct assigns its RECORDNO"
            raise ValueError(msg)
        return IntacctKey(f"{self.record_no}/{application.document_key}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Deletion:
    """A record deleted in Intacct, as AUDITHISTORY reports it."""

    record_type: RecordType
    key: IntacctKey
    deleted_at: datetime


IntacctRecord = Party | GlAccount | TaxDetail | DimensionValue | Item | Transaction | IntacctPayment
