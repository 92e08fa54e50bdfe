"""Whether one record may sync (rules C4, D1, D5-D14, D16).

Each check returns the record unchanged, or why it does not sync: a by-design non-sync is a
``SKIPPED`` error, a refusal the user must act on is ``REJECTED`` or ``NEEDS_USER``. Checks run in
a fixed order and the first failure wins; the sync-from date (C4) always comes first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import (
    ContactRole,
    Direction,
    DocumentKind,
    IntacctState,
    Origin,
    PaymentKind,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
)
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import IntacctPayment, Party, Transaction
from released_intacct.domain.money import Currency
from released_intacct.domain.released import Contact, Invoice, Payment
from released_intacct.domain.rules.about import (
    NOTHING_TO_DO,
    About,
    intacct_payment_words,
    payment_label,
    subject,
)
from released_intacct.domain.rules.ownership import record_noun
from released_intacct.domain.settings import SyncSettings

T = TypeVar("T")


def check_incoming_transaction(
    tx: Transaction, settings: SyncSettings
) -> Result[Transaction, SyncError]:
    """An Intacct invoice, bill or adjustment: C4, then D13 (negative invoice), then D14."""
    what = f"Intacct {record_noun(tx.record_type)} {tx.number}"
    about = subject(tx.record_type, Direction.INCOMING, tx.number, what, key=_key_of(tx))
    return _verdict(
        tx,
        (
            _before_sync_from(tx.invoice_date, settings, about),
            _negative_invoice(tx.kind, tx.total, about, instead=_adjustment_instead(tx.origin)),
            _foreign_currency(tx.currency, settings, about),
        ),
    )


def check_outgoing_invoice(inv: Invoice, settings: SyncSettings) -> Result[Invoice, SyncError]:
    """A Re-Leased invoice or credit note not yet in Intacct: C4, D6, D7, D14, D16, D13."""
    record_type = RecordType.INVOICE if inv.kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE
    what = f"Re-Leased {record_noun(record_type)} {inv.invoice_number}"
    about = subject(record_type, Direction.OUTGOING, inv.invoice_number, what, released_id=inv.id)
    return _verdict(
        inv,
        (
            _before_sync_from(inv.issue_date, settings, about),
            _unsent_status(inv.status, about),
            _foreign_currency(inv.currency, settings, about),
            _account_labels(settings, about),
            _negative_invoice(inv.kind, inv.total, about, instead=_CREDIT_NOTE_INSTEAD),
        ),
    )


def check_incoming_payment(
    payment: IntacctPayment, settings: SyncSettings
) -> Result[IntacctPayment, SyncError]:
    """An Intacct payment: D9 (the reversal entry), D2 (not posted yet), C4, D10, D12, D11, D14.

    A reversed payment is planning's (D9: what it leaves depends on its links); the negative entry
    Intacct adds when reversing one (STATE ``Reversal``) is never synced.
    """
    label = payment_label(payment.reference, payment.amount, payment.currency)
    key = IntacctKey(payment.record_no) if payment.record_no else None
    what = intacct_payment_words(payment)
    about = subject(RecordType.PAYMENT, Direction.INCOMING, label, what, key=key)
    return _verdict(
        payment,
        (
            _reversal_entry(payment, about),
            _unposted_payment(payment, about),
            _before_sync_from(payment.date, settings, about),
            _payment_kind(payment, about),
            _foreign_currency(payment.currency, settings, about),
        ),
    )


def check_outgoing_payment(payment: Payment, settings: SyncSettings) -> Result[Payment, SyncError]:
    """A Re-Leased payment: C4, D14, and D9 (a removal is done in Intacct)."""
    label = payment_label(payment.reference, payment.amount, payment.currency)
    what = f"Re-Leased {label} dated {payment.date.isoformat()}"
    about = subject(RecordType.PAYMENT, Direction.OUTGOING, label, what, released_id=payment.id)
    return _verdict(
        payment,
        (
            _before_sync_from(payment.date, settings, about),
            _foreign_currency(payment.currency, settings, about),
            _removed_payment(payment, about),
        ),
    )


def check_incoming_party(party: Party, settings: SyncSettings) -> Result[Party, SyncError]:
    """An Intacct customer or vendor: D14."""
    what = f"Intacct {party.role.value} {party.name}"
    about = subject(RecordType.CONTACT, Direction.INCOMING, party.name, what, key=_key_of(party))
    return _verdict(party, (_foreign_currency(party.currency, settings, about),))


def check_outgoing_contact(contact: Contact, settings: SyncSettings) -> Result[Contact, SyncError]:
    """A Re-Leased contact: D14."""
    what = f"Re-Leased contact {contact.name}"
    about = subject(
        RecordType.CONTACT, Direction.OUTGOING, contact.name, what, released_id=contact.id
    )
    return _verdict(contact, (_foreign_currency(contact.currency, settings, about),))


# --- the checks: each returns the error, or None when the record passes --------------------------


def _before_sync_from(when: date, settings: SyncSettings, about: About) -> SyncError | None:
    if when >= settings.sync_from:
        return None
    dated = "" if when.isoformat() in about.what else f" is dated {when.isoformat()},"
    message = (
        f"{about.what}{dated} before the sync-from date "
        f"{settings.sync_from.isoformat()}; it is never synced, even when edited later."
    )
    fix = "Nothing to do: only transactions dated on or after the sync-from date sync."
    return about.error(ErrorKind.SKIPPED, Rule.C4, message, fix)


def _foreign_currency(
    currency: Currency | None, settings: SyncSettings, about: About
) -> SyncError | None:
    base = settings.base_currency
    if currency is None or currency == base:
        return None
    message = (
        f"{about.what} is in {currency}, not the company's base currency {base}; "
        "other currencies are not synced."
    )
    fix = f"Detach it, and re-create the contact in the local currency ({base}) in Re-Leased."
    return about.error(ErrorKind.REJECTED, Rule.D14, message, fix)


def _negative_invoice(
    kind: DocumentKind, total: Decimal, about: About, *, instead: str
) -> SyncError | None:
    if kind is not DocumentKind.INVOICE or total >= 0:
        return None
    message = f"{about.what} has a negative total ({total}); negative invoices are not synced."
    return about.error(ErrorKind.REJECTED, Rule.D13, message, instead)


def _unsent_status(status: ReleasedInvoiceStatus, about: About) -> SyncError | None:
    if status is ReleasedInvoiceStatus.DRAFT:
        message = f"{about.what} is a draft; drafts are not synced."
        fix = "Nothing to do: drafts sync once submitted for approval."
        return about.error(ErrorKind.SKIPPED, Rule.D6, message, fix)
    if status is ReleasedInvoiceStatus.VOIDED:
        message = f"{about.what} is voided; a voided record is never sent to Sage Intacct as new."
        return about.error(ErrorKind.SKIPPED, Rule.D7, message, NOTHING_TO_DO)
    return None


def _account_labels(settings: SyncSettings, about: About) -> SyncError | None:
    if not settings.account_labels:
        return None
    message = (
        f"{about.what} cannot be sent: Account Labels are on in Sage Intacct, and the product "
        "sends account codes only."
    )
    fix = (
        "Turn Account Labels off in Sage Intacct (Accounts Receivable and Accounts Payable > "
        "Setup > Configuration), then sync again."
    )
    return about.error(ErrorKind.NEEDS_USER, Rule.D16, message, fix)


_SKIPPED_PAYMENT_KINDS: dict[PaymentKind, tuple[Rule, str]] = {
    PaymentKind.JOURNAL_ENTRY: (Rule.D10, "was entered as a journal entry"),
    PaymentKind.REFUND: (Rule.D12, "is a refund"),
}


def _payment_kind(payment: IntacctPayment, about: About) -> SyncError | None:
    skipped = _SKIPPED_PAYMENT_KINDS.get(payment.kind)
    if skipped is not None:
        rule, reason = skipped
        message = f"{about.what} {reason}; these are not synced."
        return about.error(ErrorKind.SKIPPED, rule, message, NOTHING_TO_DO)
    unallocated = payment.kind in (PaymentKind.ADVANCE, PaymentKind.OVERPAYMENT)
    if unallocated and not payment.is_allocated:
        message = f"{about.what} is an {payment.kind.value} not yet allocated to an invoice."
        fix = "Nothing to do: it is synced once allocated, as a payment of that invoice."
        return about.error(ErrorKind.SKIPPED, Rule.D11, message, fix)
    return None


def _reversal_entry(payment: IntacctPayment, about: About) -> SyncError | None:
    if payment.state is not IntacctState.REVERSAL:
        return None
    message = (
        f"{about.what} is the entry Sage Intacct adds when a payment is reversed; it is not "
        "synced (the reversed payment has its own result)."
    )
    return about.error(ErrorKind.SKIPPED, Rule.D9, message, NOTHING_TO_DO)


def _unposted_payment(payment: IntacctPayment, about: About) -> SyncError | None:
    """A draft (or an AP payment submitted or approved but not yet paid) is not a payment yet."""
    if not payment.state.is_unposted:
        return None
    message = f"{about.what} is {payment.state.value.lower()} in Sage Intacct, not posted yet."
    fix = "Nothing to do: it syncs once it is posted in Sage Intacct."
    return about.error(ErrorKind.SKIPPED, Rule.D2, message, fix)


def _removed_payment(payment: Payment, about: About) -> SyncError | None:
    if payment.status is not ReleasedPaymentStatus.DELETED:
        return None
    message = (
        f"{about.what} was removed in Re-Leased, but removing a payment is done in Sage Intacct; "
        "it was not removed there."
    )
    fix = "Remove it in Sage Intacct instead (delete or reverse the payment there)."
    return about.error(ErrorKind.REJECTED, Rule.D9, message, fix)


# --- plumbing ------------------------------------------------------------------------------------


_CREDIT_NOTE_INSTEAD = "Raise a credit note in Re-Leased instead; credit notes sync as adjustments."


def _adjustment_instead(origin: Origin) -> str:
    side = "AR" if origin.role is ContactRole.CUSTOMER else "AP"
    return f"Record it in Sage Intacct as an {side} adjustment instead; they sync as credit notes."


def _verdict(record: T, errors: Iterable[SyncError | None]) -> Result[T, SyncError]:
    """The first error, or the record when every check passed."""
    for error in errors:
        if error is not None:
            return Failure(error)
    return Success(record)


def _key_of(record: Transaction | Party) -> IntacctKey | None:
    """The record's link key, or None before Intacct assigned its id."""
    try:
        return record.link_key
    except ValueError:
        return None
