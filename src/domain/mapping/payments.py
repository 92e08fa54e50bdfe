"""Intacct payment allocations ⇄ Re-Leased payments (rules D2, D9-D11).

A Re-Leased payment pays exactly one invoice (or refunds one credit note), so an Intacct payment
maps to one Re-Leased payment per *application* (the part applied to one invoice, bill or
adjustment), with the applied amount. Going out, a Re-Leased payment is an ordinary Intacct payment
with one application to the linked invoice. Which payments sync at all (journal entries, refunds,
unallocated advances, dates, currency) is decided by eligibility, not here. An amount that is not a
whole number of cents is refused both ways, never rounded (``amounts``; issue 16, F9).
"""

from __future__ import annotations

from decimal import Decimal

from returns.result import Failure, Result, Success

from released_intacct.domain.enums import Direction, DocumentKind, Origin, PaymentKind, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctId, ReleasedId
from released_intacct.domain.intacct import IntacctPayment, PaymentApplication
from released_intacct.domain.mapping.amounts import exact
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.released import Payment
from released_intacct.domain.rules.about import intacct_payment_words, intacct_record, payment_label


def allocation_to_payment(
    payment: IntacctPayment,
    application: PaymentApplication,
    ids: IdBook,
    *,
    released_id: ReleasedId,
) -> Result[Payment, SyncError]:
    """The Re-Leased payment of one application; it pays the linked invoice or credit note."""
    return (
        ids.document_id(RecordType.INVOICE, application.document_key)
        .map(lambda invoice_id: (invoice_id, DocumentKind.INVOICE))
        .lash(
            lambda _: ids.document_id(RecordType.CREDIT_NOTE, application.document_key).map(
                lambda credit_id: (credit_id, DocumentKind.CREDIT_NOTE)
            )
        )
        .lash(lambda _: Failure(_not_synced(payment, application)))
        .bind(lambda found: _in_cents(payment, application).map(lambda _: found))
        .map(
            lambda found: Payment(
                id=released_id,
                invoice_id=found[0],
                document_kind=found[1],
                date=payment.date,
                amount=application.amount,
                currency=payment.currency,
                reference=payment.reference,
            )
        )
    )


def payment_to_intacct(
    payment: Payment, ids: IdBook, *, origin: Origin, party_id: IntacctId
) -> Result[IntacctPayment, SyncError]:
    """An ordinary Intacct payment (``origin`` AR or AP) applied in full to the linked document."""
    record_type = (
        RecordType.INVOICE
        if payment.document_kind is DocumentKind.INVOICE
        else RecordType.CREDIT_NOTE
    )
    label = payment_label(payment.reference, payment.amount, payment.currency)
    fix = "Enter the payment in whole cents in Re-Leased; it syncs once changed."
    in_cents = exact(payment.amount, named=f"The amount of the Re-Leased {label}", fix=fix).alt(
        lambda error: error.about(
            RecordRef(
                record_type=RecordType.PAYMENT,
                direction=Direction.OUTGOING,
                released_id=payment.id,
                label=label,
            )
        )
    )
    return in_cents.bind(lambda _: ids.document_key(record_type, payment.invoice_id)).bind(
        lambda key: Success(
            IntacctPayment(
                origin=origin,
                kind=PaymentKind.ORDINARY,
                party_id=party_id,
                date=payment.date,
                currency=payment.currency,
                amount=payment.amount,
                applications=(PaymentApplication(document_key=key, amount=payment.amount),),
                reference=payment.reference,
            )
        )
    )


def _in_cents(
    payment: IntacctPayment, application: PaymentApplication
) -> Result[Decimal, SyncError]:
    where = intacct_record(application.document_key)
    named = f"The amount the {intacct_payment_words(payment)} applies to {where}"
    fix = "Enter the payment in whole cents in Sage Intacct; it syncs once changed."
    return exact(application.amount, named=named, fix=fix).alt(
        lambda error: error.about(_allocation_ref(payment, application))
    )


def _allocation_ref(payment: IntacctPayment, application: PaymentApplication) -> RecordRef:
    return RecordRef(
        record_type=RecordType.PAYMENT,
        direction=Direction.INCOMING,
        intacct_key=(
            payment.allocation_key(application) if payment.record_no is not None else None
        ),
        label=payment_label(payment.reference, payment.amount, payment.currency),
    )


def _not_synced(payment: IntacctPayment, application: PaymentApplication) -> SyncError:
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.D2,
        message=(
            f"{intacct_payment_words(payment)} is applied to a document "
            f"({intacct_record(application.document_key)}) that is not synced with Re-Leased."
        ),
        fix=(
            "Sync or relink that invoice or credit note first; the payment follows on the next "
            "sync."
        ),
        record=_allocation_ref(payment, application),
    )
