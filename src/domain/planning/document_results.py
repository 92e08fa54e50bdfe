"""What planning invoices and credit notes tells the user: the sync results of rules D6, D7,
D20 and M1 (``planning.documents`` decides when each is due)."""

from __future__ import annotations

from released_intacct.domain.actions import Skip, UpdateInIntacct
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.links import Link
from released_intacct.domain.released import Invoice


def approved_meanwhile(tx: Transaction, link: Link) -> SyncError:
    """Rule D20 when the two changes cannot both stand: the unposted Intacct document changed
    while its Re-Leased copy was approved. The Intacct version would win, but it would take the
    approved copy back to Awaiting Approval, which Re-Leased does not do for an approved
    invoice; posting it instead would post amounts nobody approved. Nothing is written until a
    user settles it."""
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.D20,
        message=(
            f"Invoice {tx.number} was approved in Re-Leased while its draft was changed in Sage "
            "Intacct; neither change was copied: Re-Leased cannot take an approved invoice back "
            "to Awaiting Approval, and the approval was of other amounts than Intacct's."
        ),
        fix=(
            "If the Sage Intacct version is right, post it in Sage Intacct: the next sync copies "
            "it to the approved Re-Leased invoice. Otherwise void the Re-Leased invoice and raise "
            "it again."
        ),
        record=ref_in(tx, link),
    )


def skipped(tx: Transaction, rule: Rule, message: str) -> Skip:
    return Skip(
        reason=SyncError(
            kind=ErrorKind.SKIPPED,
            rule=rule,
            message=message,
            fix="Nothing to do.",
            record=ref_in(tx),
        )
    )


def superseded(current: Transaction, update: UpdateInIntacct) -> SyncError:
    """Rule D20: a Re-Leased edit whose sending was in doubt, found changed in Intacct since."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.D20,
        message=(
            f"Invoice {current.number} was changed in Sage Intacct while a change made in "
            "Re-Leased was on its way; the Intacct version was kept and the Re-Leased change "
            "was not sent."
        ),
        fix="Check the invoice in Re-Leased and make any change still needed in Sage Intacct.",
        record=RecordRef(
            record_type=update.record_type,
            direction=Direction.OUTGOING,
            released_id=update.released_id,
            intacct_key=update.intacct_key,
            label=current.number,
        ),
    )


def both_changed(tx: Transaction, link: Link) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.D20,
        message=(
            f"Invoice {tx.number} was changed in both Re-Leased and Sage Intacct since the last "
            "sync; the Intacct version was kept and the Re-Leased changes were replaced."
        ),
        fix="Check the invoice in Re-Leased and make any change still needed in Sage Intacct.",
        record=ref_in(tx, link),
    )


def reference_left(
    invoice: Invoice, record_type: RecordType, intacct_key: IntacctKey | None
) -> SyncError:
    """Rule M1: the reference a write leaves in Re-Leased (an AR / AP adjustment has no
    reference field: ``mapping.documents.carries_reference``)."""
    return SyncError(
        kind=ErrorKind.SKIPPED,
        rule=Rule.M1,
        message=(
            f"Credit note {invoice.invoice_number} is sent to Sage Intacct without its "
            f"reference '{invoice.reference}': an Intacct AR or AP adjustment written through the "
            "API has no reference field, so the reference stays in Re-Leased only."
        ),
        fix=(
            "Nothing is needed for the ledger. To have the reference in Sage Intacct, type it "
            "into the adjustment there; it then flows back to Re-Leased."
        ),
        record=RecordRef(
            record_type=record_type,
            direction=Direction.OUTGOING,
            released_id=invoice.id,
            intacct_key=intacct_key,
            label=invoice.invoice_number,
        ),
    )


def refused(invoice: Invoice, link: Link, rule: Rule) -> SyncError:
    if rule is Rule.D7:
        message = (
            f"Invoice {invoice.invoice_number} was voided in Re-Leased; voids belong to Intacct."
        )
        fix = "Reverse it in Sage Intacct; the reversal voids it here on the next sync."
    elif rule is Rule.D6:
        message = (
            f"Invoice {invoice.invoice_number} was moved back to Draft in Re-Leased; drafts do not "
            "sync, so Sage Intacct keeps the version last sent."
        )
        fix = "Submit it for approval again to send your changes to Sage Intacct."
    else:
        message = (
            f"Invoice {invoice.invoice_number} is posted in Sage Intacct, so the change made in "
            "Re-Leased was not sent."
        )
        fix = "Make the change in Sage Intacct; it flows back to Re-Leased."
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=rule,
        message=message,
        fix=fix,
        record=RecordRef(
            record_type=link.record_type,
            direction=Direction.OUTGOING,
            released_id=invoice.id,
            intacct_key=link.intacct_key,
            label=invoice.invoice_number,
        ),
    )


def ref_in(tx: Transaction, link: Link | None = None) -> RecordRef:
    return RecordRef(
        record_type=tx.record_type,
        direction=Direction.INCOMING,
        released_id=link.released_id if link else None,
        intacct_key=tx.link_key,
        label=tx.number,
    )
