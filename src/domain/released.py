"""Re-Leased records as the product sees them (the Re-Leased side of the model)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    InvoiceType,
    Origin,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
    ReleasedStatus,
)
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.money import Currency, line_amount


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A postal or street address; the same five lines on both sides.

    Re-Leased: address, suburb, townCity, regionState, postZipCode, country.
    Intacct MAILADDRESS: ADDRESS1, ADDRESS2, CITY, STATE, ZIP, COUNTRY.
    """

    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.line1, self.line2, self.city, self.region, self.postcode, self.country)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    id: ReleasedId
    name: str
    correspondence_name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    mobile: str = ""
    postal_address: Address = Address()
    street_address: Address = Address()
    currency: Currency | None = None
    status: ReleasedStatus = ReleasedStatus.ACTIVE
    role: ContactRole | None = None
    """Customer or vendor once known (chosen at onboarding, or from the first invoice)."""
    modified_at: datetime | None = None
    version: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Account:
    id: ReleasedId
    code: str
    name: str
    account_type: str = ""
    status: ReleasedStatus = ReleasedStatus.ACTIVE


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxType:
    id: ReleasedId
    name: str
    rate: Decimal
    status: ReleasedStatus = ReleasedStatus.ACTIVE


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackingOption:
    id: ReleasedId
    name: str
    status: ReleasedStatus = ReleasedStatus.ACTIVE
    category_id: ReleasedId | None = None
    """The category it belongs to; set when an option is written on its own."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackingCategory:
    """One category per Intacct dimension kind (rule D1/M2); ``kind`` is None before matching."""

    id: ReleasedId
    name: str
    kind: DimensionKind | None = None
    status: ReleasedStatus = ReleasedStatus.ACTIVE
    options: tuple[TrackingOption, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackingRef:
    category_id: ReleasedId
    option_id: ReleasedId


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceLine:
    description: str
    account_id: ReleasedId
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    tax_type_id: ReleasedId | None = None
    tax_amount: Decimal = Decimal(0)
    tracking: tuple[TrackingRef, ...] = ()
    rev_rec_template: str | None = None
    rev_rec_start: date | None = None
    rev_rec_end: date | None = None
    id: ReleasedId | None = None

    @property
    def line_amount(self) -> Decimal:
        return line_amount(self.quantity, self.unit_price)


class Billed(Protocol):
    """What a payment needs of the document it pays: whom it bills, and in which module."""

    @property
    def contact_id(self) -> ReleasedId: ...

    @property
    def origin(self) -> Origin: ...


@dataclass(frozen=True, slots=True)
class BilledTo:
    """A ``Billed`` kept on its own (the invoice itself no longer held)."""

    contact_id: ReleasedId
    origin: Origin


@dataclass(frozen=True, slots=True, kw_only=True)
class Invoice:
    """A Re-Leased income or expense invoice, or a credit note (``kind``)."""

    id: ReleasedId
    kind: DocumentKind
    type: InvoiceType
    invoice_number: str
    status: ReleasedInvoiceStatus
    contact_id: ReleasedId
    """To (the customer) for income, From (the vendor) for expense."""
    issue_date: date
    due_date: date | None
    currency: Currency
    lines: tuple[InvoiceLine, ...]
    reference: str = ""
    payment_priority: str | None = None
    oe_transaction_definition: str | None = None
    """Set when the invoice belongs to Intacct's Order Entry / Purchasing modules."""
    source_document_number: str | None = None
    amount_paid: Decimal = Decimal(0)
    attachments: tuple[str, ...] = ()
    """File names of attachments; never synced (rule D15)."""
    modified_at: datetime | None = None
    version: int = 0

    @property
    def origin(self) -> Origin:
        if self.oe_transaction_definition:
            if self.type is InvoiceType.INCOME:
                return Origin.ORDER_ENTRY
            return Origin.PURCHASING
        return Origin.AR if self.type is InvoiceType.INCOME else Origin.AP

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
class Payment:
    """A payment of one invoice (or a refund of one credit note) in Re-Leased."""

    id: ReleasedId
    invoice_id: ReleasedId
    document_kind: DocumentKind
    date: date
    amount: Decimal
    currency: Currency
    reference: str = ""
    status: ReleasedPaymentStatus = ReleasedPaymentStatus.ACTIVE
    modified_at: datetime | None = None


ReleasedRecord = Contact | Account | TaxType | TrackingCategory | TrackingOption | Invoice | Payment
