"""What the in-memory Re-Leased refuses, as the REST model and its simulator decide.

Void from Draft, AwaitingApproval or Approved only (422 ``invalid_transition``) and only without
payments (422 ``has_payments``); a payment needs an Approved (or Paid) invoice (422
``not_payable``) and at most the amount due (422 ``amount_exceeds_due``). Every refusal is a
REJECTED ``SyncError`` naming the HTTP status and code it stands for, except the version conflict
(RETRIABLE), which the fake decides itself.
"""

from __future__ import annotations

from decimal import Decimal

from released_intacct.domain.enums import DocumentKind, RecordType, ReleasedInvoiceStatus
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    Payment,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
    TrackingOption,
)

Key = tuple[RecordType, ReleasedId]
VOIDABLE = frozenset(
    {
        ReleasedInvoiceStatus.DRAFT,
        ReleasedInvoiceStatus.AWAITING_APPROVAL,
        ReleasedInvoiceStatus.APPROVED,
    }
)
PAYABLE = frozenset({ReleasedInvoiceStatus.APPROVED, ReleasedInvoiceStatus.PAID})


def record_type_of(record: ReleasedRecord) -> RecordType:
    """The record type a Re-Leased record is stored under."""
    if isinstance(record, Invoice):
        return RecordType.INVOICE if record.kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE
    return _TYPES[type(record)]


_TYPES: dict[type, RecordType] = {
    Contact: RecordType.CONTACT,
    Account: RecordType.ACCOUNT,
    TaxType: RecordType.TAX_TYPE,
    TrackingCategory: RecordType.TRACKING_CATEGORY,
    TrackingOption: RecordType.TRACKING_OPTION,
    Payment: RecordType.PAYMENT,
}


def refusal(kind: ErrorKind, message: str, cause: str) -> SyncError:
    return SyncError(kind=kind, rule=None, message=message, fix="See the cause.", cause=cause)


def invoice_type_of(payment: Payment) -> RecordType:
    if payment.document_kind is DocumentKind.INVOICE:
        return RecordType.INVOICE
    return RecordType.CREDIT_NOTE


def not_found(key: Key) -> SyncError:
    message = f"There is no {key[0].value} {key[1]} in Re-Leased."
    return refusal(ErrorKind.REJECTED, message, "404 not_found")


def payment_refused(invoice: Invoice, amount: Decimal) -> SyncError | None:
    """422 ``not_payable`` unless Approved (or Paid); 422 ``amount_exceeds_due`` above the due."""
    if invoice.status not in PAYABLE:
        message = f"A {invoice.status.value} invoice cannot be paid."
        return refusal(ErrorKind.REJECTED, message, "422 not_payable")
    if amount > invoice.total - invoice.amount_paid:
        message = f"{amount} is more than the {invoice.total - invoice.amount_paid} still due."
        return refusal(ErrorKind.REJECTED, message, "422 amount_exceeds_due")
    return None


def void_refused(invoice: Invoice) -> SyncError | None:
    """Void from Draft, AwaitingApproval or Approved (422 ``invalid_transition``), unpaid only
    (422 ``has_payments``: the payments are deleted first)."""
    if invoice.status not in VOIDABLE:
        message = f"A {invoice.status.value} invoice cannot be voided."
        return refusal(ErrorKind.REJECTED, message, "422 invalid_transition")
    if invoice.amount_paid:
        message = "An invoice with payments cannot be voided."
        return refusal(ErrorKind.REJECTED, message, "422 has_payments")
    return None
