"""How a rule's error names its record: words for the message and a reference for the result."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from released_intacct.domain.enums import ContactRole, Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctPayment

NOTHING_TO_DO = "Nothing to do."


def payment_label(reference: str, amount: Decimal, currency: str) -> str:
    """What a bookkeeper recognises a payment by (its record number is in the result's key)."""
    money = f"of {abs(amount)} {currency}"
    return f"payment {reference} {money}" if reference else f"payment {money}"


def intacct_payment_words(payment: IntacctPayment) -> str:
    """``Intacct payment of 250.00 USD from customer C-1 dated 2026-03-01``."""
    label = payment_label(payment.reference, payment.amount, payment.currency)
    party = "from customer" if payment.origin.role is ContactRole.CUSTOMER else "to vendor"
    payer = f"from {payment.payer or 'a payer of several customers'}"
    who = f"{party} {payment.party_id}" if payment.party_id else payer
    return f"Intacct {label} {who} dated {payment.date.isoformat()}"


def intacct_record(key: str) -> str:
    """How a bookkeeper finds a record in Intacct by its key: a bare number is its record
    number; an Order Entry document is named by its id (``Sales Invoice-SI0001``)."""
    return f"Sage Intacct record number {key}" if key.isdigit() else key


@dataclass(frozen=True, slots=True)
class About:
    """The record a check is about: its words for messages and its reference for results."""

    what: str
    """How messages name it: ``Intacct invoice INV-1``, ``Re-Leased contact Acme``."""
    ref: RecordRef

    def error(self, kind: ErrorKind, rule: Rule, message: str, fix: str) -> SyncError:
        return SyncError(kind=kind, rule=rule, message=message, fix=fix, record=self.ref)


def subject(
    record_type: RecordType,
    direction: Direction,
    label: str,
    what: str,
    *,
    released_id: ReleasedId | None = None,
    key: IntacctKey | None = None,
) -> About:
    ref = RecordRef(
        record_type=record_type,
        direction=direction,
        released_id=released_id,
        intacct_key=key,
        label=label,
    )
    return About(what, ref)
