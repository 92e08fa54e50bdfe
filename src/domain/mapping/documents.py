"""Intacct transactions ⇄ Re-Leased invoices and credit notes (rules M1-M4, D6, D15, D17, D18).

Headers (seed 004): AR invoices / AP bills (with Payment Priority) / AR-AP adjustments / OE-PO
documents ↔ income or expense invoices and credit notes. Invoice Date ↔ Issue Date; Due Date;
customer / vendor ↔ To / From contact; Reference Number ↔ Reference.

Decided here:

- an OE/PO invoice number is ``"<transaction definition>-<document number>"`` (Transaction Type +
  Document Number, joined like Intacct's DOCID); going out, that prefix is stripped again;
- going out, an invoice with an OE/PO definition goes back to its module; any other income invoice
  goes to Order Entry when ``settings.order_entry`` is on, any other expense invoice to Purchasing
  when ``settings.purchasing`` is on, and otherwise to AR / AP; an update goes where the linked
  document is: one linked by its RECORDNO is an AR / AP document (OE/PO documents are linked by
  their DOCID, D19), whatever the settings say of new invoices. A new OE/PO invoice takes its
  definition from the settings (sales / purchase). A new credit note always goes to AR / AP as an
  adjustment (D13 names adjustments; a return definition may not exist in the company);
- status (D6, M4): unposted states arrive as Awaiting Approval, posted, part-paid and paid as
  Approved (paid state follows the payments: the copy becomes Paid in Re-Leased when the
  payments that paid it sync), reversals as Voided; going out Awaiting Approval is a Draft and
  Approved or Paid is Posted. A Re-Leased Draft or Voided invoice never reaches this mapping
  (eligibility filters them).
- GL date (M3): the issue date, or the due date when *post on due date* is on and there is one.
- a Re-Leased record without a due date (a credit note may have none) goes out due on its issue
  date: Intacct gives every AR/AP record one and defaults it so, and sending what Intacct will
  hold keeps the record read back equal to the one sent (D21).
- a credit note going to AR / AP goes out without its reference (``carries_reference``): no
  write of an AR / AP adjustment we can source has a reference field (docs/intacct-fidelity.md,
  "Adjustment reference"), so the transaction holds what Intacct will hold, as above (D21). The
  planner leaves a result saying so (M1); the reference stays in Re-Leased. Coming in, an
  adjustment's reference (DOCNUMBER) still maps to the credit note's (seed 004).

Lines are mapped by ``lines`` (memo, account or Item, amounts, tax, dimensions; rules M2, D17,
D18). Attachments are never mapped (D15: ``Transaction`` has no place for them and an invoice made
from one has none). A reference that is not linked fails the whole document with the first such
error, naming the document and the line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Final

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.domain.enums import (
    ContactRole,
    Direction,
    DocumentKind,
    IntacctState,
    InvoiceType,
    Origin,
    RecordType,
    ReleasedInvoiceStatus,
)
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import Transaction, TransactionLine
from released_intacct.domain.mapping.lines import (
    collect,
    invoice_line_from,
    transaction_line_from,
)
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.released import Invoice, InvoiceLine
from released_intacct.domain.settings import SyncSettings

_RELEASED_STATUS: Final = {
    IntacctState.DRAFT: ReleasedInvoiceStatus.AWAITING_APPROVAL,
    IntacctState.SUBMITTED: ReleasedInvoiceStatus.AWAITING_APPROVAL,
    IntacctState.PARTIALLY_APPROVED: ReleasedInvoiceStatus.AWAITING_APPROVAL,
    IntacctState.DECLINED: ReleasedInvoiceStatus.AWAITING_APPROVAL,
    IntacctState.POSTED: ReleasedInvoiceStatus.APPROVED,
    IntacctState.SELECTED: ReleasedInvoiceStatus.APPROVED,
    IntacctState.PARTIALLY_PAID: ReleasedInvoiceStatus.APPROVED,
    IntacctState.NO_VALUE: ReleasedInvoiceStatus.APPROVED,
    IntacctState.PAID: ReleasedInvoiceStatus.APPROVED,
    IntacctState.REVERSED: ReleasedInvoiceStatus.VOIDED,
    IntacctState.REVERSAL: ReleasedInvoiceStatus.VOIDED,
}
_INTACCT_STATE: Final = {
    ReleasedInvoiceStatus.AWAITING_APPROVAL: IntacctState.DRAFT,
    ReleasedInvoiceStatus.APPROVED: IntacctState.POSTED,
    ReleasedInvoiceStatus.PAID: IntacctState.POSTED,
}


def released_status_of(state: IntacctState) -> ReleasedInvoiceStatus:
    """Rules D6, M4: how an Intacct state reads in Re-Leased."""
    return _RELEASED_STATUS[state]


def intacct_state_of(status: ReleasedInvoiceStatus) -> IntacctState:
    """Rule D6: the Intacct state a Re-Leased status is sent as; Draft and Voided are never sent."""
    if status not in _INTACCT_STATE:
        msg = f"a {status.value} invoice is never sent to Intacct (eligibility filters it)"
        raise ValueError(msg)
    return _INTACCT_STATE[status]


def invoice_number_of(tx: Transaction) -> str:
    """Rule M1: the Re-Leased invoice number; OE/PO documents are ``<definition>-<number>``."""
    if tx.origin.is_order_module and tx.transaction_definition:
        return f"{tx.transaction_definition}-{tx.number}"
    return tx.number


def outgoing_origin(
    inv: Invoice, settings: SyncSettings, *, linked: IntacctKey | None = None
) -> Origin:
    """The Intacct module a Re-Leased invoice is written to (see the module docstring); ``linked``
    is the key of the Intacct document an update writes to."""
    if inv.oe_transaction_definition:
        return inv.origin
    if inv.kind is DocumentKind.CREDIT_NOTE or (linked is not None and linked.isdigit()):
        return Origin.AR if inv.type is InvoiceType.INCOME else Origin.AP
    if inv.type is InvoiceType.INCOME:
        return Origin.ORDER_ENTRY if settings.order_entry else Origin.AR
    return Origin.PURCHASING if settings.purchasing else Origin.AP


def gl_date_for(inv: Invoice, settings: SyncSettings) -> date:
    """Rule M3: the issue date, or the due date when *post on due date* is on."""
    if settings.post_on_due_date and inv.due_date is not None:
        return inv.due_date
    return inv.issue_date


# --- Intacct → Re-Leased -------------------------------------------------------------------------


def transaction_to_invoice(
    tx: Transaction, ids: IdBook, *, released_id: ReleasedId, settings: SyncSettings
) -> Result[Invoice, SyncError]:
    """The Re-Leased copy of ``tx``; ``settings`` is unused (the GL date is derived, M3)."""
    number = invoice_number_of(tx)
    where = f"Sage Intacct {_noun(tx.kind)} {number}"
    key = tx.document_id or tx.record_no
    ref = RecordRef(
        record_type=tx.record_type,
        direction=Direction.INCOMING,
        intacct_key=IntacctKey(key) if key else None,
        label=number,
    )
    contact = ids.contact_for_party(tx.origin.role, tx.party_id).alt(_context(where, ref))
    lines = collect(
        invoice_line_from(line, tx.origin, ids).alt(_context(f"{where}, line {n}", ref))
        for n, line in enumerate(tx.lines, start=1)
    )
    return Result.do(
        _invoice(tx, released_id=released_id, contact_id=contact_id, lines=mapped)
        for contact_id in contact
        for mapped in lines
    )


def _invoice(
    tx: Transaction,
    *,
    released_id: ReleasedId,
    contact_id: ReleasedId,
    lines: tuple[InvoiceLine, ...],
) -> Invoice:
    order = tx.origin.is_order_module
    return Invoice(
        id=released_id,
        kind=tx.kind,
        type=tx.origin.invoice_type,
        invoice_number=invoice_number_of(tx),
        status=released_status_of(tx.state),
        contact_id=contact_id,
        issue_date=tx.invoice_date,
        due_date=tx.due_date,
        currency=tx.currency,
        lines=lines,
        reference=tx.reference,
        payment_priority=_expense_only(tx.origin, tx.payment_priority),
        oe_transaction_definition=tx.transaction_definition if order else None,
        source_document_number=tx.source_document_number if order else None,
        amount_paid=tx.total_paid,
    )


# --- Re-Leased → Intacct -------------------------------------------------------------------------


def invoice_to_transaction(
    inv: Invoice, ids: IdBook, *, settings: SyncSettings, linked: IntacctKey | None = None
) -> Result[Transaction, SyncError]:
    """The Intacct transaction for a Re-Leased invoice or credit note awaiting approval or approved;
    ``linked``: the key of the Intacct document an update writes to (``outgoing_origin``).

    Raises ``ValueError`` for a Draft or Voided invoice: eligibility keeps those from planning.
    """
    state = intacct_state_of(inv.status)
    origin = outgoing_origin(inv, settings, linked=linked)
    party = _party_out(inv, origin, ids)
    if not is_successful(party):
        return Failure(_outgoing_context(inv)(party.failure()))
    lines = []  # a plain loop, not containers a line: it runs for every invoice written
    for n, line in enumerate(inv.lines, start=1):
        mapped = transaction_line_from(line, origin, ids)
        if not is_successful(mapped):
            return Failure(_outgoing_context(inv, line=n)(mapped.failure()))
        lines.append(mapped.unwrap())
    return Success(
        _transaction(
            inv, origin, state, party_id=party.unwrap(), lines=tuple(lines), settings=settings
        )
    )


def _outgoing_context(inv: Invoice, *, line: int | None = None) -> Callable[[SyncError], SyncError]:
    """Names the Re-Leased document (and line) an error of its mapping is about."""
    where = f"Re-Leased {_noun(inv.kind)} {inv.invoice_number}"
    ref = RecordRef(
        record_type=_record_type(inv.kind),
        direction=Direction.OUTGOING,
        released_id=inv.id,
        label=inv.invoice_number,
    )
    return _context(where if line is None else f"{where}, line {line}", ref)


def _transaction(
    inv: Invoice,
    origin: Origin,
    state: IntacctState,
    *,
    party_id: IntacctId,
    lines: tuple[TransactionLine, ...],
    settings: SyncSettings,
) -> Transaction:
    definition = _definition(inv, origin, settings)
    number = inv.invoice_number
    if definition:
        number = number.removeprefix(f"{definition}-")
    return Transaction(
        origin=origin,
        kind=inv.kind,
        number=number,
        state=state,
        party_id=party_id,
        invoice_date=inv.issue_date,
        gl_date=gl_date_for(inv, settings),
        due_date=inv.due_date or inv.issue_date,
        currency=inv.currency,
        lines=lines,
        reference=inv.reference if carries_reference(origin, inv.kind) else "",
        payment_priority=_expense_only(origin, inv.payment_priority),
        transaction_definition=definition,
        source_document_number=inv.source_document_number if origin.is_order_module else None,
    )


def carries_reference(origin: Origin, kind: DocumentKind) -> bool:
    """Whether a document written to ``origin`` carries its reference: all but an AR / AP
    adjustment (the module's docstring)."""
    return origin.is_order_module or kind is DocumentKind.INVOICE


def _definition(inv: Invoice, origin: Origin, settings: SyncSettings) -> str | None:
    if not origin.is_order_module:
        return None
    if inv.oe_transaction_definition:
        return inv.oe_transaction_definition
    if origin is Origin.ORDER_ENTRY:
        return settings.sales_definition
    return settings.purchase_definition


def _party_out(inv: Invoice, origin: Origin, ids: IdBook) -> Result[IntacctId, SyncError]:
    return ids.party_for_contact(inv.contact_id).bind(lambda found: _same_side(inv, origin, found))


def _same_side(
    inv: Invoice, origin: Origin, found: tuple[ContactRole, IntacctId]
) -> Result[IntacctId, SyncError]:
    """A customer is billed and a vendor bills: the contact must be on the invoice's side."""
    role, party_id = found
    if role is origin.role:
        return Success(party_id)
    noun = _noun(inv.kind)
    other = "expense" if inv.type is InvoiceType.INCOME else "income"
    return Failure(
        SyncError(
            kind=ErrorKind.NEEDS_USER,
            rule=Rule.M1,
            message=(
                f"its contact {inv.contact_id} is Sage Intacct {role.value} {party_id}, and a "
                f"{role.value} cannot be on an {inv.type.value.lower()} {noun}."
            ),
            fix=(
                f"Raise it for a contact that is a Sage Intacct {origin.role.value}, or make it "
                f"an {other} {noun}."
            ),
        )
    )


# --- helpers -------------------------------------------------------------------------------------


def _context(where: str, ref: RecordRef) -> Callable[[SyncError], SyncError]:
    """Names the document (and line) an error is about, and attaches the document's ref."""

    def named(error: SyncError) -> SyncError:
        return SyncError(
            kind=error.kind,
            rule=error.rule,
            message=f"{where}: {error.message}",
            fix=error.fix,
            record=ref,
            cause=error.cause,
        )

    return named


def _expense_only(origin: Origin, payment_priority: str | None) -> str | None:
    """Payment Priority belongs to AP bills and PO documents only."""
    return payment_priority if origin.invoice_type is InvoiceType.EXPENSE else None


def _noun(kind: DocumentKind) -> str:
    return "invoice" if kind is DocumentKind.INVOICE else "credit note"


def _record_type(kind: DocumentKind) -> RecordType:
    return RecordType.INVOICE if kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE
