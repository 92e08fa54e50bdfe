"""Invoices and credit notes on the wire (``/api/invoices``, ``/api/credit-notes``).

The resource gives the kind: an ``Invoice`` with ``kind`` INVOICE lives in ``invoices`` and one
with kind CREDIT_NOTE in ``credit-notes`` (which has no ``dueDate`` and adds ``remainingCredit``).
Totals, ``lineAmount``, ``amountDue`` and ``remainingCredit`` are computed by the server: they are
read (checked to be decimal strings) but never sent. ``attachments`` are read and never sent (rule
D15), so a write leaves them as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import msgspec
from returns.result import Result

from released_intacct.adapters.released.convert import currency_of, dec, text
from released_intacct.adapters.released.wire import Amount, Stamp, Wire, amount
from released_intacct.domain.enums import (
    DocumentKind,
    InvoiceType,
    RecordType,
    ReleasedInvoiceStatus,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.released import Invoice, InvoiceLine, TrackingRef

__all__ = [
    "CreditNoteWire",
    "DocumentBody",
    "DocumentWire",
    "InvoiceWire",
    "LineBody",
    "LineWire",
    "TrackingRefWire",
    "document_body",
    "to_document",
]

Type = Literal["Income", "Expense"]
Status = Literal["Draft", "AwaitingApproval", "Approved", "Paid", "Voided"]

_STATUSES: dict[ReleasedInvoiceStatus, Status] = {
    ReleasedInvoiceStatus.DRAFT: "Draft",
    ReleasedInvoiceStatus.AWAITING_APPROVAL: "AwaitingApproval",
    ReleasedInvoiceStatus.APPROVED: "Approved",
    ReleasedInvoiceStatus.PAID: "Paid",
    ReleasedInvoiceStatus.VOIDED: "Voided",
}


class TrackingRefWire(Wire, frozen=True, kw_only=True):
    category_id: str
    option_id: str


class LineWire(Wire, frozen=True, kw_only=True):
    id: str | None = None
    description: str | None = None
    account_id: str
    quantity: Amount
    unit_price: Amount
    tax_type_id: str | None = None
    tax_amount: Amount
    line_amount: Amount
    tracking: list[TrackingRefWire] = msgspec.field(default_factory=list)
    rev_rec_template: str | None = None
    rev_rec_start_date: dt.date | None = None
    rev_rec_end_date: dt.date | None = None


class DocumentWire(Wire, frozen=True, kw_only=True):
    """The fields invoices and credit notes share."""

    id: str
    type: Type
    invoice_number: str | None = None
    status: Status
    contact_id: str
    issue_date: dt.date
    reference: str | None = None
    payment_priority: str | None = None
    oe_transaction_definition: str | None = None
    source_document_number: str | None = None
    currency: str
    sub_total: Amount
    total_tax: Amount
    total: Amount
    amount_paid: Amount
    amount_due: Amount
    lines: list[LineWire]
    attachments: list[str] = msgspec.field(default_factory=list)
    last_modified: Stamp
    version: int


class InvoiceWire(DocumentWire, frozen=True, kw_only=True):
    due_date: dt.date | None = None


class CreditNoteWire(DocumentWire, frozen=True, kw_only=True):
    remaining_credit: Amount


class LineBody(Wire, frozen=True, kw_only=True, omit_defaults=True):
    id: str | None = None
    description: str
    account_id: str
    quantity: Amount
    unit_price: Amount
    tax_type_id: str | None
    tax_amount: Amount
    tracking: list[TrackingRefWire]
    rev_rec_template: str | None
    rev_rec_start_date: dt.date | None
    rev_rec_end_date: dt.date | None


class DocumentBody(Wire, frozen=True, kw_only=True, omit_defaults=True):
    """What a create or update sends; ``dueDate`` only for invoices (omitted when null)."""

    id: str | None = None
    type: Type
    invoice_number: str
    status: Status
    contact_id: str
    issue_date: dt.date
    due_date: dt.date | None = None
    reference: str
    payment_priority: str | None
    oe_transaction_definition: str | None
    source_document_number: str | None
    currency: str
    lines: list[LineBody]
    version: int | None = None


def to_document(wire: InvoiceWire | CreditNoteWire) -> Result[Invoice, SyncError]:
    is_note = isinstance(wire, CreditNoteWire)
    record_type = RecordType.CREDIT_NOTE if is_note else RecordType.INVOICE
    return currency_of(wire.currency, record_type, wire.id).map(
        lambda code: Invoice(
            id=ReleasedId(wire.id),
            kind=DocumentKind.CREDIT_NOTE if is_note else DocumentKind.INVOICE,
            type=InvoiceType(wire.type),
            invoice_number=text(wire.invoice_number),
            status=ReleasedInvoiceStatus(wire.status),
            contact_id=ReleasedId(wire.contact_id),
            issue_date=wire.issue_date,
            due_date=wire.due_date if isinstance(wire, InvoiceWire) else None,
            currency=code,
            lines=tuple(_line(line) for line in wire.lines),
            reference=text(wire.reference),
            payment_priority=wire.payment_priority,
            oe_transaction_definition=wire.oe_transaction_definition,
            source_document_number=wire.source_document_number,
            amount_paid=dec(wire.amount_paid),
            attachments=tuple(wire.attachments),
            modified_at=wire.last_modified,
            version=wire.version,
        )
    )


def _line(wire: LineWire) -> InvoiceLine:
    return InvoiceLine(
        id=None if wire.id is None else ReleasedId(wire.id),
        description=text(wire.description),
        account_id=ReleasedId(wire.account_id),
        quantity=dec(wire.quantity),
        unit_price=dec(wire.unit_price),
        tax_type_id=None if wire.tax_type_id is None else ReleasedId(wire.tax_type_id),
        tax_amount=dec(wire.tax_amount),
        tracking=tuple(
            TrackingRef(
                category_id=ReleasedId(ref.category_id), option_id=ReleasedId(ref.option_id)
            )
            for ref in wire.tracking
        ),
        rev_rec_template=wire.rev_rec_template,
        rev_rec_start=wire.rev_rec_start_date,
        rev_rec_end=wire.rev_rec_end_date,
    )


def document_body(document: Invoice, *, version: int | None = None) -> DocumentBody:
    """The body of a create (no version) or an update (with it)."""
    is_invoice = document.kind is DocumentKind.INVOICE
    return DocumentBody(
        id=document.id,
        type="Income" if document.type is InvoiceType.INCOME else "Expense",
        invoice_number=document.invoice_number,
        status=_STATUSES[document.status],
        contact_id=document.contact_id,
        issue_date=document.issue_date,
        due_date=document.due_date if is_invoice else None,
        reference=document.reference,
        payment_priority=document.payment_priority,
        oe_transaction_definition=document.oe_transaction_definition,
        source_document_number=document.source_document_number,
        currency=document.currency,
        lines=[_line_body(line) for line in document.lines],
        version=version,
    )


def _line_body(line: InvoiceLine) -> LineBody:
    return LineBody(
        id=line.id,
        description=line.description,
        account_id=line.account_id,
        quantity=amount(line.quantity),
        unit_price=amount(line.unit_price),
        tax_type_id=line.tax_type_id,
        tax_amount=amount(line.tax_amount),
        tracking=[
            TrackingRefWire(category_id=ref.category_id, option_id=ref.option_id)
            for ref in line.tracking
        ],
        rev_rec_template=line.rev_rec_template,
        rev_rec_start_date=line.rev_rec_start,
        rev_rec_end_date=line.rev_rec_end,
    )
