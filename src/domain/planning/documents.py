"""Planning invoices and credit notes both ways (rules C4, D2, D6-D8, D13, D14, D16, D17, D19, D20).

Incoming: a new Intacct transaction is created in Re-Leased; a linked one that changed updates its
copy; a reversal voids the copy and asks the user to unlink it (D7). Outgoing: a Re-Leased invoice
submitted for approval is created in Intacct; while unposted, edits flow to Intacct and approving
posts it; once posted, Intacct owns it (D20). When both sides changed, Intacct wins.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.domain.actions import (
    Action,
    CreateInIntacct,
    RecordResult,
    UpdateInIntacct,
    VoidInReleased,
)
from released_intacct.domain.enums import (
    DocumentKind,
    IntacctState,
    RecordType,
    ReleasedInvoiceStatus,
)
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.mapping.documents import invoice_to_transaction, transaction_to_invoice
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.planning.common import decided, key_for_intacct, outcome, plan_incoming
from released_intacct.domain.planning.document_results import (
    approved_meanwhile,
    both_changed,
    ref_in,
    reference_left,
    refused,
    skipped,
)
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.planning.written import VOIDED_BY_US
from released_intacct.domain.released import Invoice
from released_intacct.domain.rules.deletions import missing_in_intacct
from released_intacct.domain.rules.eligibility import (
    check_incoming_transaction,
    check_outgoing_invoice,
)
from released_intacct.domain.settings import SyncSettings


def record_type_of(kind: DocumentKind) -> RecordType:
    return RecordType.INVOICE if kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE


def plan_documents(
    released: Sequence[Invoice],
    intacct: Sequence[Transaction],
    links: LinkIndex,
    settings: SyncSettings,
    *,
    missing_parties: Collection[IntacctKey] = (),
) -> tuple[Action, ...]:
    """Actions for one page of invoice / credit-note changes from each side."""
    ids = IdBook(links)
    sources = [intacct_fingerprint(tx) for tx in intacct]  # once a record: both uses below
    changed_in_intacct = {
        (tx.record_type, tx.link_key)
        for tx, source in zip(intacct, sources, strict=True)
        if _changed(links.by_intacct(tx.record_type, tx.link_key), source)
    }
    by_id: dict[tuple[RecordType, ReleasedId], list[Invoice]] = {}
    for invoice in released:
        by_id.setdefault((record_type_of(invoice.kind), invoice.id), []).append(invoice)
    incoming = tuple(
        a
        for tx, source in zip(intacct, sources, strict=True)
        for a in _incoming(tx, source, ids, links, settings, released=by_id)
    )
    outgoing = tuple(
        action
        for invoice in released
        for action in _outgoing(
            invoice,
            ids,
            links,
            settings,
            missing_parties=missing_parties,
            changed_in_intacct=changed_in_intacct,
        )
    )
    return incoming + outgoing


def _changed(link: Link | None, source: str) -> bool:
    return link is not None and link.intacct_fingerprint != source


def _incoming(
    tx: Transaction,
    source: str,
    ids: IdBook,
    links: LinkIndex,
    settings: SyncSettings,
    *,
    released: Mapping[tuple[RecordType, ReleasedId], Sequence[Invoice]],
) -> tuple[Action, ...]:
    """``source`` is ``tx``'s fingerprint; ``released`` the page's invoices by type and id."""
    link = links.by_intacct(tx.record_type, tx.link_key)
    if link is not None and (not link.is_linked or link.intacct_fingerprint == source):
        return ()
    if tx.state in (IntacctState.REVERSED, IntacctState.REVERSAL):
        return _reversed(tx, link, source, links)
    checked = check_incoming_transaction(tx, settings)
    if not is_successful(checked):
        return (outcome(checked.failure()),)
    edited = link is not None and _edited_in_released(link, released)
    if link is not None and edited and tx.state.is_unposted and _approved(link, released):
        return (RecordResult(error=approved_meanwhile(tx, link)),)
    planned = plan_incoming(
        tx.record_type,
        tx.link_key,
        source,
        lambda rid: transaction_to_invoice(tx, ids, released_id=rid, settings=settings),
        links=links,
        settings=settings,
    )
    if link is not None and edited:
        return (*planned, RecordResult(error=both_changed(tx, link)))
    return planned


def _edited_in_released(
    link: Link, released: Mapping[tuple[RecordType, ReleasedId], Sequence[Invoice]]
) -> bool:
    """Looked up by type and id (not a scan of the page for each Intacct record)."""
    return any(
        fingerprint(invoice) != link.released_fingerprint
        for invoice in released.get((link.record_type, link.released_id), ())
    )


def _approved(
    link: Link, released: Mapping[tuple[RecordType, ReleasedId], Sequence[Invoice]]
) -> bool:
    """The page's Re-Leased copy is approved (or paid): it holds amounts someone approved."""
    return any(
        invoice.status in (ReleasedInvoiceStatus.APPROVED, ReleasedInvoiceStatus.PAID)
        for invoice in released.get((link.record_type, link.released_id), ())
    )


def _reversed(
    tx: Transaction, link: Link | None, source: str, links: LinkIndex
) -> tuple[Action, ...]:
    """Rule D7: a reversal voids the linked Re-Leased copy and asks the user to unlink it.

    ``tx`` is either the original (STATE Reversed, ``link`` its link) or the Reversal entry
    Intacct adds, which voids the copy of the document it reverses when the adapter could pair
    them (``reverses``: Intacct has no field linking the two, spec correction 3), so a reversal
    is acted on even when the original's modification time did not move."""
    label = f"{tx.record_type.value.replace('_', ' ')} {tx.number}"
    target, fingerprint_after = link, source
    if tx.state is IntacctState.REVERSAL:
        target = links.by_intacct(tx.record_type, tx.reverses) if tx.reverses else None
        fingerprint_after = target.intacct_fingerprint if target is not None else source
    if target is None:
        why = (
            "is the entry Sage Intacct adds when reversing one"
            if tx.state is IntacctState.REVERSAL
            else "was reversed before it was synced"
        )
        return (skipped(tx, Rule.D7, f"Intacct {label} {why}; it is not synced."),)
    if not target.is_linked or target.released_fingerprint == VOIDED_BY_US:
        return ()
    noun = tx.record_type.value.replace("_", " ")
    said = (
        f"A synced {noun} was reversed in Sage Intacct (by {label}), so it was voided in Re-Leased."
        if tx.state is IntacctState.REVERSAL
        else f"Intacct {label} was reversed, so it was voided in Re-Leased."
    )
    return (
        VoidInReleased(
            record_type=tx.record_type,
            released_id=target.released_id,
            intacct_key=target.intacct_key,
            rule=Rule.D7,
            source_fingerprint=fingerprint_after,
        ),
        RecordResult(
            error=SyncError(
                kind=ErrorKind.NEEDS_USER,
                rule=Rule.D7,
                message=said,
                fix="Unlink it so it is left out of later syncs.",
                record=replace(ref_in(tx, target), intacct_key=target.intacct_key),
            )
        ),
    )


def _outgoing(
    invoice: Invoice,
    ids: IdBook,
    links: LinkIndex,
    settings: SyncSettings,
    *,
    missing_parties: Collection[IntacctKey],
    changed_in_intacct: Collection[tuple[RecordType, IntacctKey]],
) -> tuple[Action, ...]:
    record_type = record_type_of(invoice.kind)
    link = links.by_released(record_type, invoice.id)
    if link is not None:
        if (record_type, link.intacct_key) in changed_in_intacct:
            return ()
        return _edited(invoice, link, ids, settings)
    checked = check_outgoing_invoice(invoice, settings)
    if not is_successful(checked):
        return (outcome(checked.failure()),)
    contact_link = links.by_released(RecordType.CONTACT, invoice.contact_id)
    if contact_link is not None and contact_link.intacct_key in missing_parties:
        error = missing_in_intacct(
            f"the contact of {invoice.invoice_number}",
            released_id=invoice.id,
            record_type=record_type,
        )
        return (RecordResult(error=error),)
    mapped = invoice_to_transaction(invoice, ids, settings=settings)
    created = mapped.map(
        lambda tx: CreateInIntacct(
            key=key_for_intacct(settings, record_type, invoice.id),
            record_type=record_type,
            released_id=invoice.id,
            record=tx,
            source_fingerprint=fingerprint(invoice),
        )
    )
    return (decided(created), *_reference_left(invoice, mapped))


def _edited(
    invoice: Invoice, link: Link, ids: IdBook, settings: SyncSettings
) -> tuple[Action, ...]:
    """A linked Re-Leased invoice seen again: our echo, an unposted edit, or a refusal (D7, D20)."""
    source = fingerprint(invoice)
    if not link.is_linked or link.released_fingerprint == source:
        return ()
    voided = invoice.status is ReleasedInvoiceStatus.VOIDED
    if voided and link.released_fingerprint == VOIDED_BY_US:
        return ()  # the copy the product voided (D7), read back
    if voided:
        return (RecordResult(error=refused(invoice, link, Rule.D7)),)
    if invoice.status is ReleasedInvoiceStatus.DRAFT:
        return (RecordResult(error=refused(invoice, link, Rule.D6)),)
    if link.posted:
        return (RecordResult(error=refused(invoice, link, Rule.D20)),)
    mapped = invoice_to_transaction(invoice, ids, settings=settings, linked=link.intacct_key)
    updated = mapped.map(
        lambda tx: UpdateInIntacct(
            key=key_for_intacct(settings, link.record_type, invoice.id),
            record_type=link.record_type,
            released_id=invoice.id,
            intacct_key=link.intacct_key,
            record=tx,
            source_fingerprint=source,
            post=tx.state is IntacctState.POSTED,
        )
    )
    return (decided(updated), *_reference_left(invoice, mapped, link.intacct_key))


def _reference_left(
    invoice: Invoice,
    mapped: Result[Transaction, SyncError],
    intacct_key: IntacctKey | None = None,
) -> tuple[Action, ...]:
    """Rule M1: a result when the write leaves the invoice's reference in Re-Leased."""
    if not is_successful(mapped) or not invoice.reference or mapped.unwrap().reference:
        return ()
    error = reference_left(invoice, record_type_of(invoice.kind), intacct_key)
    return (RecordResult(error=error),)
