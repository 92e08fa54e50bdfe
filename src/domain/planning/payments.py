"""Planning payments both ways (rules C4, D2, D9-D12, D14).

An Intacct payment syncs as one Re-Leased payment per invoice it is applied to (an allocation).
Journal entries and refunds never sync; advances and overpayments sync once allocated. Payments are
never edited after creation; removing one is Intacct's, and a removal in Intacct only leaves a
result (D9).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import Final

from returns.pipeline import is_successful
from returns.result import Failure, Result

from released_intacct.domain.actions import Action, CreateInIntacct, RecordResult, Skip
from released_intacct.domain.canonical import canonical, digest
from released_intacct.domain.enums import (
    Direction,
    IntacctState,
    Origin,
    RecordType,
    ReleasedPaymentStatus,
)
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctPayment, PaymentApplication
from released_intacct.domain.links import LinkIndex
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.mapping.payments import allocation_to_payment, payment_to_intacct
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.planning.common import decided, key_for_intacct, outcome, plan_incoming
from released_intacct.domain.released import Billed, Payment, ReleasedRecord
from released_intacct.domain.rules.about import (
    intacct_payment_words,
    intacct_record,
    payment_label,
)
from released_intacct.domain.rules.eligibility import (
    check_incoming_payment,
    check_outgoing_payment,
)
from released_intacct.domain.settings import SyncSettings

_PAYMENT_MODULE = {
    Origin.AR: Origin.AR,
    Origin.ORDER_ENTRY: Origin.AR,
    Origin.AP: Origin.AP,
    Origin.PURCHASING: Origin.AP,
}


_NOT_ALLOCATED: Final = ("record_no", "modified_at", "reverses", "credits", "payer")
"""What of a payment is not the content of one of its allocations (ids, the pairing of a
reversal, credits applied alongside, the payer's name)."""


def allocation_fingerprint(payment: IntacctPayment, application: PaymentApplication) -> str:
    """The content of one allocation of a payment, as synced to one Re-Leased payment."""
    single = replace(payment, applications=(application,), amount=application.amount)
    return digest(canonical(single, exclude=_NOT_ALLOCATED))


def plan_payments(
    released: Sequence[Payment],
    intacct: Sequence[IntacctPayment],
    links: LinkIndex,
    settings: SyncSettings,
    *,
    documents: Mapping[ReleasedId, Billed],
) -> tuple[Action, ...]:
    """Actions for one page of payment changes; ``documents`` holds the invoices they pay."""
    ids = IdBook(links)
    incoming = tuple(a for p in intacct for a in _incoming(p, ids, links, settings))
    outgoing = tuple(
        a for p in released for a in _outgoing(p, ids, links, settings, documents=documents)
    )
    return incoming + outgoing


def _incoming(
    payment: IntacctPayment, ids: IdBook, links: LinkIndex, settings: SyncSettings
) -> tuple[Action, ...]:
    if payment.state is IntacctState.REVERSAL and payment.reverses is not None:
        return _reversed(payment, payment.reverses, links)
    checked = check_incoming_payment(payment, settings)
    if not is_successful(checked):
        return (outcome(checked.failure()),)
    if payment.state is IntacctState.REVERSED and payment.record_no is not None:
        return _reversed(payment, IntacctKey(payment.record_no), links)
    allocations = tuple(
        action
        for application in payment.applications
        if links.by_intacct(RecordType.PAYMENT, payment.allocation_key(application)) is None
        for action in plan_incoming(
            RecordType.PAYMENT,
            payment.allocation_key(application),
            allocation_fingerprint(payment, application),
            partial(_allocation, payment, application, ids),
            links=links,
            settings=settings,
        )
    )
    return allocations + tuple(_credit(payment, credit, ids) for credit in payment.credits)


def _credit(payment: IntacctPayment, credit: PaymentApplication, ids: IdBook) -> Action:
    """Rule D13: a credit applied in Intacct (a credit memo, a negative invoice) is not a payment;
    the user allocates the credit note in Re-Leased too."""
    synced = is_successful(ids.document_id(RecordType.INVOICE, credit.document_key))
    where = intacct_record(credit.document_key)
    return RecordResult(
        error=SyncError(
            kind=ErrorKind.NEEDS_USER if synced else ErrorKind.SKIPPED,
            rule=Rule.D13,
            message=(
                f"{intacct_payment_words(payment)} also applies a credit of {credit.amount} "
                f"{payment.currency} to {where}; credits applied in Intacct are not synced as "
                "payments."
            ),
            fix=(
                "Allocate the matching credit note to that invoice in Re-Leased."
                if synced
                else "Nothing to do: that document is not synced."
            ),
            record=RecordRef(
                record_type=RecordType.PAYMENT,
                direction=Direction.INCOMING,
                intacct_key=IntacctKey(f"{payment.record_no}/credit/{credit.document_key}"),
                label=payment_label(payment.reference, credit.amount, payment.currency),
            ),
        )
    )


def _allocation(
    payment: IntacctPayment, application: PaymentApplication, ids: IdBook, released_id: ReleasedId
) -> Result[ReleasedRecord, SyncError]:
    return allocation_to_payment(payment, application, ids, released_id=released_id)


def _reversed(payment: IntacctPayment, key: IntacctKey, links: LinkIndex) -> tuple[Action, ...]:
    """Rule D9: a payment reversed in Intacct stays in Re-Leased; the user is told. ``key`` is the
    reversed payment's RECORDNO: the payment itself (STATE Reversed), or the one a Reversal
    entry reverses (paired by the adapter: no field links them, spec correction 3)."""
    linked = [
        link for link in links.by_intacct_prefix(RecordType.PAYMENT, f"{key}/") if link.is_linked
    ]
    if not linked:
        return (Skip(reason=_d9(payment, key, None, ErrorKind.SKIPPED)),)
    return tuple(
        RecordResult(error=_d9(payment, key, link.released_id, ErrorKind.NEEDS_USER))
        for link in linked
    )


def _d9(
    payment: IntacctPayment, key: IntacctKey, released_id: ReleasedId | None, kind: ErrorKind
) -> SyncError:
    label = payment_label(payment.reference, payment.amount, payment.currency)
    kept = " The Re-Leased payment was kept." if released_id else " It was never synced."
    return SyncError(
        kind=kind,
        rule=Rule.D9,
        message=f"{intacct_payment_words(payment)} was reversed in Sage Intacct.{kept}",
        fix=(
            "Remove the payment in Re-Leased too if it should no longer count."
            if released_id
            else "Nothing to do: it was never synced."
        ),
        record=RecordRef(
            record_type=RecordType.PAYMENT,
            direction=Direction.INCOMING,
            released_id=released_id,
            intacct_key=key,
            label=label,
        ),
    )


def _outgoing(
    payment: Payment,
    ids: IdBook,
    links: LinkIndex,
    settings: SyncSettings,
    *,
    documents: Mapping[ReleasedId, Billed],
) -> tuple[Action, ...]:
    link = links.by_released(RecordType.PAYMENT, payment.id)
    deleted = payment.status is ReleasedPaymentStatus.DELETED
    if link is None and deleted:
        return ()
    if link is not None:
        removed = deleted and link.is_linked and link.released_fingerprint != fingerprint(payment)
        if removed:
            return (outcome(check_outgoing_payment(payment, settings).failure()),)
        return ()
    checked = check_outgoing_payment(payment, settings)
    if not is_successful(checked):
        return (outcome(checked.failure()),)
    created = _party(payment, ids, documents).bind(
        lambda found: payment_to_intacct(payment, ids, origin=found[0], party_id=found[1])
    )
    return (
        decided(
            created.map(
                lambda record: CreateInIntacct(
                    key=key_for_intacct(settings, RecordType.PAYMENT, payment.id),
                    record_type=RecordType.PAYMENT,
                    released_id=payment.id,
                    record=record,
                    source_fingerprint=fingerprint(payment),
                )
            )
        ),
    )


def _party(
    payment: Payment, ids: IdBook, documents: Mapping[ReleasedId, Billed]
) -> Result[tuple[Origin, IntacctId], SyncError]:
    invoice = documents.get(payment.invoice_id)
    if invoice is None:
        return Failure(
            SyncError(
                kind=ErrorKind.NEEDS_USER,
                rule=Rule.D2,
                message=(
                    f"A payment of {payment.amount} on {payment.date.isoformat()} is for an "
                    "invoice that is not synced with Sage Intacct."
                ),
                fix="Sync or relink the invoice first; the payment follows on the next sync.",
                record=RecordRef(
                    record_type=RecordType.PAYMENT,
                    direction=Direction.OUTGOING,
                    released_id=payment.id,
                    label=payment.reference,
                ),
            )
        )
    return ids.party_for_contact(invoice.contact_id).map(
        lambda found: (_PAYMENT_MODULE[invoice.origin], found[1])
    )
