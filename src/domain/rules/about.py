"""How a rule's error names its record: words for the message and a reference for the result."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from released_intacct.domain.enums import ContactRole, Direction, DocumentKind, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.intacct import (
    Deletion,
    DimensionValue,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Item,
    Party,
    TaxDetail,
    Transaction,
    option_key,
    party_key,
)
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


def record_ref(record: ReleasedRecord | IntacctRecord | Deletion) -> RecordRef:
    """The reference of any record a feed brings, from its ids alone (a record that could not be
    planned is named by it: it must not depend on what made planning fail)."""
    if isinstance(record, IntacctRecord | Deletion):
        record_type, key, label = _intacct_ref(record)
        return RecordRef(
            record_type=record_type, direction=Direction.INCOMING, intacct_key=key, label=label
        )
    record_type, label = _released_ref(record)
    return RecordRef(
        record_type=record_type, direction=Direction.OUTGOING, released_id=record.id, label=label
    )


def _released_ref(record: ReleasedRecord) -> tuple[RecordType, str]:
    match record:
        case Invoice():
            invoice = record.kind is DocumentKind.INVOICE
            found = (
                (RecordType.INVOICE if invoice else RecordType.CREDIT_NOTE),
                record.invoice_number,
            )
        case Contact():
            found = RecordType.CONTACT, record.name
        case Account():
            found = RecordType.ACCOUNT, record.code
        case Payment():
            found = RecordType.PAYMENT, record.reference
        case TaxType():
            found = RecordType.TAX_TYPE, record.name
        case TrackingCategory():
            found = RecordType.TRACKING_CATEGORY, record.name
        case TrackingOption():
            found = RecordType.TRACKING_OPTION, record.name
    return found


def _intacct_ref(record: IntacctRecord | Deletion) -> tuple[RecordType, IntacctKey | None, str]:
    """The record type, the link key (when the record has one yet) and a label."""
    match record:
        case Transaction():
            key = record.document_id or record.record_no
            found = record.record_type, IntacctKey(key) if key else None, record.number
        case IntacctPayment():
            key = record.record_no
            found = RecordType.PAYMENT, IntacctKey(key) if key else None, record.reference
        case Party():
            party = party_key(record.role, record.party_id) if record.party_id else None
            found = RecordType.CONTACT, party, record.name
        case GlAccount():
            found = RecordType.ACCOUNT, IntacctKey(record.account_no), record.account_no
        case TaxDetail():
            found = RecordType.TAX_TYPE, IntacctKey(record.detail_id), record.detail_id
        case DimensionValue():
            option = option_key(record.kind, record.value_id)
            found = RecordType.TRACKING_OPTION, option, record.value_id
        case Item():
            found = RecordType.ITEM, IntacctKey(record.item_id), record.item_id
        case Deletion():
            found = record.record_type, record.key, record.key
    return found
