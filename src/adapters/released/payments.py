"""Payments on the wire (``/api/payments``): reading the feed and applying one.

A payment names its document by ``invoiceId`` or ``creditNoteId`` (a refund of a credit note);
exactly one is set. The REST model gives a payment no currency of its own: it is the document's,
which the adapter reads when a payment does not carry ``currency`` (see ``adapter.py``). Applying a
payment is a create (``POST /api/payments`` with ``Idempotency-Key``); payments are never updated,
only deleted (``POST /api/payments/{id}/delete``, which is what ``void`` does for a payment).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from returns.result import Failure, Result

from released_intacct.adapters.released.convert import currency_of, dec, problem, text
from released_intacct.adapters.released.wire import Amount, Stamp, Wire, amount
from released_intacct.domain.enums import DocumentKind, RecordType, ReleasedPaymentStatus
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.released import Payment

__all__ = ["PaymentBody", "PaymentWire", "document_of", "payment_body", "to_payment"]


class PaymentWire(Wire, frozen=True, kw_only=True):
    id: str
    invoice_id: str | None = None
    credit_note_id: str | None = None
    date: dt.date
    amount: Amount
    reference: str | None = None
    status: Literal["Active", "Deleted"]
    currency: str | None = None
    last_modified: Stamp
    version: int


class PaymentBody(Wire, frozen=True, kw_only=True, omit_defaults=True):
    id: str | None = None
    invoice_id: str | None = None
    credit_note_id: str | None = None
    date: dt.date
    amount: Amount
    reference: str


def document_of(wire: PaymentWire) -> tuple[DocumentKind, str] | None:
    """The document the payment applies to, or None when it names none or both."""
    if wire.invoice_id and not wire.credit_note_id:
        return DocumentKind.INVOICE, wire.invoice_id
    if wire.credit_note_id and not wire.invoice_id:
        return DocumentKind.CREDIT_NOTE, wire.credit_note_id
    return None


def to_payment(wire: PaymentWire, *, currency: str | None) -> Result[Payment, SyncError]:
    """``currency`` is the payment's own, else its document's (None when unknown)."""
    document = document_of(wire)
    if document is None:
        why = "it must name exactly one of invoiceId and creditNoteId"
        return Failure(problem(RecordType.PAYMENT, wire.id, why))
    code = wire.currency or currency
    if not code:
        why = f"the currency of its document {document[1]!r} is not known"
        return Failure(problem(RecordType.PAYMENT, wire.id, why))
    kind, document_id = document
    return currency_of(code, RecordType.PAYMENT, wire.id).map(
        lambda found: Payment(
            id=ReleasedId(wire.id),
            invoice_id=ReleasedId(document_id),
            document_kind=kind,
            date=wire.date,
            amount=dec(wire.amount),
            currency=found,
            reference=text(wire.reference),
            status=ReleasedPaymentStatus(wire.status),
            modified_at=wire.last_modified,
        )
    )


def payment_body(payment: Payment) -> PaymentBody:
    is_note = payment.document_kind is DocumentKind.CREDIT_NOTE
    return PaymentBody(
        id=payment.id,
        invoice_id=None if is_note else payment.invoice_id,
        credit_note_id=payment.invoice_id if is_note else None,
        date=payment.date,
        amount=amount(payment.amount),
        reference=payment.reference,
    )
