"""The REST body of an AR/AP or OE/PO document's create and update (docs/intacct-rest.md 4.6-4.10).

A ``Transaction`` becomes the POST body, built field by field in a fixed order so the
same write gives the same bytes (an ``Idempotency-Key`` replays only an identical body). Amounts
are decimal strings (never floats); a credit note's amounts and tax are negated on the wire, as
over XML (**inferred** for REST, docs/intacct-rest.md 4.7). A draft is created with
``"state": "draft"`` (**inferred**: no create sample sets ``state``), a posted one without
``state``. Nothing carries the outbox key: no REST document has an external id (reference
section 10), so a create is found again by the Idempotency-Key's replay, then by its fields.

The fields are ``document_fields.DocObject``'s.
"""

from __future__ import annotations

from decimal import Decimal

from released_intacct.adapters.intacct.convert.xml import plain
from released_intacct.adapters.intacct_rest.document_fields import DocObject
from released_intacct.domain.enums import DimensionKind, DocumentKind
from released_intacct.domain.intacct import Transaction, TransactionLine

__all__ = ["body", "unwritable"]


def unwritable(doc: DocObject, tx: Transaction) -> str | None:
    """What of ``tx`` a REST create or update cannot carry, in words; None when all fits: a
    dimension the line object has no field for (AR lines: no ``contract`` / ``task``), and
    revenue recognition (no AR or AP line field in the pages: docs/intacct-rest.md 4.6, gap 6)."""
    if doc.order:
        return _order_unwritable(doc, tx)
    for number, line in enumerate(tx.lines, start=1):
        for kind, _ in line.dimensions:
            if kind not in doc.dimensions:
                return f"line {number}: a {kind.value.title()} dimension on a {doc.path} line"
        if line.rev_rec_template or line.rev_rec_start or line.rev_rec_end:
            return f"line {number}: revenue recognition on a {doc.path} line (not over REST)"
    return None


def _order_unwritable(doc: DocObject, tx: Transaction) -> str | None:
    """An OE/PO line's tax detail is on ``document-line-subtotal`` (docs/intacct-rest.md 4.10),
    not a line field: not written over REST; an Item dimension is the line's item itself."""
    for number, line in enumerate(tx.lines, start=1):
        if line.tax_detail_id:
            return f"line {number}: a tax detail on a {doc.path} line (not over REST)"
        if any(kind is DimensionKind.ITEM for kind, _ in line.dimensions):
            return f"line {number}: an Item dimension on a {doc.path} line"
    return None


def body(doc: DocObject, tx: Transaction) -> dict[str, object]:
    """The create (and update) body of ``tx``, in a fixed order."""
    if doc.order:
        return _order_body(doc, tx)
    sign = Decimal(-1) if tx.kind is DocumentKind.CREDIT_NOTE else Decimal(1)
    made: dict[str, object] = {}
    _put(made, doc.party, tx.party_id)
    _put(made, doc.number, tx.number)
    _put(made, doc.date, tx.invoice_date.isoformat())
    if doc.gl_date and not tx.state.is_unposted:
        _put(made, doc.gl_date, tx.gl_date.isoformat())
    if doc.due and tx.due_date is not None:
        _put(made, doc.due, tx.due_date.isoformat())
    if doc.reference and tx.kind is DocumentKind.INVOICE:
        _put(made, doc.reference, tx.reference)
    _put(made, doc.currency, tx.currency)
    if tx.state.is_unposted:
        made["state"] = "draft"
    made["lines"] = [_line_body(doc, line, sign) for line in tx.lines]
    return made


def _order_body(doc: DocObject, tx: Transaction) -> dict[str, object]:
    made: dict[str, object] = {}
    _put(made, doc.party, tx.party_id)
    _put(made, doc.number, tx.number)
    _put(made, doc.date, tx.invoice_date.isoformat())
    if not tx.state.is_unposted:
        _put(made, "postingDate", tx.gl_date.isoformat())
    if tx.due_date is not None:
        _put(made, "dueDate", tx.due_date.isoformat())
    _put(made, "referenceNumber", tx.reference)
    _put(made, "sourceDocument.id", tx.source_document_number)
    _put(made, doc.currency, tx.currency)
    made["state"] = "draft" if tx.state.is_unposted else "pending"
    made["lines"] = [_order_line_body(line) for line in tx.lines]
    return made


def _order_line_body(line: TransactionLine) -> dict[str, object]:
    ids = dict(line.dimensions)
    made: dict[str, object] = {}
    _put(made, "dimensions.item.id", line.item_id)
    _put(made, "dimensions.warehouse.id", ids.pop(DimensionKind.WAREHOUSE, None))
    _put(made, "unitQuantity", plain(line.quantity))
    _put(made, "unitPrice", plain(line.price))
    _put(made, "memo", line.memo)
    _put(made, "revenueRecognitionTemplate.id", line.rev_rec_template)
    if line.rev_rec_start is not None:
        _put(made, "revenueRecognitionStartDate", line.rev_rec_start.isoformat())
    if line.rev_rec_end is not None:
        _put(made, "revenueRecognitionEndDate", line.rev_rec_end.isoformat())
    for kind, value in sorted(ids.items(), key=lambda pair: pair[0].value):
        _put(made, f"dimensions.{kind.value.lower()}.id", value)
    return made


def _line_body(doc: DocObject, line: TransactionLine, sign: Decimal) -> dict[str, object]:
    made: dict[str, object] = {}
    _put(made, "glAccount.id", line.account_no or "")
    _put(made, doc.amount, plain(sign * line.amount))
    _put(made, "memo", line.memo)
    for kind, value in sorted(line.dimensions, key=lambda pair: pair[0].value):
        _put(made, f"dimensions.{kind.value.lower()}.id", value)
    if line.tax_detail_id:
        entry: dict[str, object] = {doc.tax_detail: {"id": line.tax_detail_id}}
        if line.tax_amount:
            entry["txnTaxAmount"] = plain(sign * line.tax_amount)
        made["taxEntries"] = [entry]
    return made


def _put(body: dict[str, object], name: str, value: str | None) -> None:
    """``value`` at the dotted ``name`` (``customer.id`` -> ``{"customer": {"id": …}}``), only
    when there is one."""
    if not value:
        return
    *blocks, leaf = name.split(".")
    holder = body
    for block in blocks:
        inner = holder.setdefault(block, {})
        assert isinstance(inner, dict)
        holder = inner
    holder[leaf] = value
