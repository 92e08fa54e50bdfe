"""What the host refuses, as values: the invoice state machine and its database failures.

Void from Draft, AwaitingApproval or Approved, and only without payments; a payment needs an
Approved (or Paid) invoice and at most the amount due (the rules of the Re-Leased simulator).
A refusal is a REJECTED ``SyncError`` naming the HTTP status and code Re-Leased would answer; a
database error is RETRIABLE when SQLite is busy or locked, FATAL otherwise.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable
from decimal import Decimal
from typing import TypeVar

from returns.result import Failure, Result

from released_intacct.domain.enums import RecordType, ReleasedInvoiceStatus
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.released import Invoice

T = TypeVar("T")
VOIDABLE = frozenset(
    {
        ReleasedInvoiceStatus.DRAFT,
        ReleasedInvoiceStatus.AWAITING_APPROVAL,
        ReleasedInvoiceStatus.APPROVED,
    }
)
PAYABLE = frozenset({ReleasedInvoiceStatus.APPROVED, ReleasedInvoiceStatus.PAID})


def refusal(kind: ErrorKind, message: str, cause: str) -> SyncError:
    return SyncError(kind=kind, rule=None, message=message, fix="See the cause.", cause=cause)


def not_found(record_type: RecordType, released_id: str) -> SyncError:
    message = f"There is no {record_type.value} {released_id} in the host."
    return refusal(ErrorKind.REJECTED, message, "404 not_found")


async def guarded(work: Awaitable[Result[T, SyncError]]) -> Result[T, SyncError]:
    try:
        return await work
    except sqlite3.OperationalError as error:  # busy, locked: worth another try later
        return Failure(refusal(ErrorKind.RETRIABLE, "The host's database is busy.", str(error)))
    except sqlite3.Error as error:
        return Failure(refusal(ErrorKind.FATAL, "The host's database failed.", str(error)))


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
