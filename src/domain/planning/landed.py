"""Whether an update of a document landed in Intacct, judged on what it wrote (issue 16, F8).

An update whose reply was lost is settled by the next run from the document as Intacct holds it
(``app.sync.recovery``): if Intacct holds what the update wrote, it landed; if not, Intacct was
changed meanwhile and wins (rule D20). Comparing whole fingerprints made every landed update of an
Order Entry document look like a conflict: Intacct had computed its tax (rule D17) after it was
sent.

Decided: only the fields the update writes (``adapters.intacct.convert.write_documents``:
``update_document``) are compared, each as it was sent; where the update writes a field only when
it has a value (a memo, a due date, a tax detail, revenue recognition, an AR/AP line's tax), an
empty one is not compared. Left out, as Intacct's to derive or not written by an update:

- the tax of an Order Entry / Purchasing line (Intacct's tax engine, D17), and of an AR/AP line
  sent without one; the totals (sums of the lines); an OE/PO line's amount (quantity x price);
- the state beyond posted or not: an update that posts accepts any posted state (paid ones
  included: paid state follows the payments, D6), one that does not post only an unposted one (a
  post in Intacct meanwhile is a change, D20); a reversal is always a change (D7). The GL date is
  compared only when the update posts (it is written then only);
- the line dimensions the update did not set (Intacct may default them; rule D18 leaves the
  subtotal dimensions to it);
- RECORDNO, DOCID, the document number of an OE/PO document (the update names it by DOCID), the
  party, the payment priority, the transaction definition and the source document, the amount
  paid and the modification time: an update does not write them.
"""

from __future__ import annotations

from released_intacct.domain.enums import DocumentKind, IntacctState
from released_intacct.domain.intacct import Transaction, TransactionLine

__all__ = ["update_landed"]


def update_landed(sent: Transaction, held: Transaction) -> bool:
    """Whether ``held`` (the document as Intacct holds it) has what the update ``sent`` wrote."""
    if len(held.lines) != len(sent.lines):
        return False
    if _header(held, sent) != _header(sent, sent):
        return False
    order = sent.origin.is_order_module
    return all(
        _line(mine, mine, order=order) == _line(theirs, mine, order=order)
        for mine, theirs in zip(sent.lines, held.lines, strict=True)
    )


def _header(tx: Transaction, sent: Transaction) -> tuple[object, ...]:
    order = sent.origin.is_order_module
    posts = not sent.state.is_unposted
    return (
        tx.number if sent.number and not order else None,
        tx.invoice_date,
        tx.due_date if sent.due_date is not None else None,
        tx.reference if order or sent.kind is DocumentKind.INVOICE else None,
        tx.currency,
        _posted(tx.state),
        tx.gl_date if posts else None,
    )


def _posted(state: IntacctState) -> bool | None:
    """Posted (any state past it), unposted, or None for a reversal (always a change)."""
    if state in (IntacctState.REVERSED, IntacctState.REVERSAL):
        return None
    return not state.is_unposted


def _line(line: TransactionLine, sent: TransactionLine, *, order: bool) -> tuple[object, ...]:
    kinds = {kind for kind, _ in sent.dimensions}
    return (
        line.item_id if order else line.account_no,
        (line.quantity, line.price) if order else line.amount,
        line.memo if sent.memo else None,
        line.tax_detail_id if sent.tax_detail_id else None,
        line.tax_amount if sent.tax_amount and not order else None,
        tuple(pair for pair in line.dimensions if pair[0] in kinds),
        line.rev_rec_template if sent.rev_rec_template else None,
        line.rev_rec_start if sent.rev_rec_start else None,
        line.rev_rec_end if sent.rev_rec_end else None,
    )
