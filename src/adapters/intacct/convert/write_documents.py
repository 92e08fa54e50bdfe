"""Transactions to Intacct: the legacy create functions and the generic update of a draft.

Creates (strict child order as the real DTD; dates as ``<year><month><day>``):
``create_invoice`` (ARINVOICE), ``create_bill`` (APBILL), ``create_aradjustment`` /
``create_apadjustment`` (credit notes; the line amounts and tax negated: a credit memo carries
negative amounts), ``create_sotransaction`` / ``create_potransaction`` (OE/PO; ``transactiontype``
is the transaction definition, ``state`` Draft while unposted, else Pending). AR/AP lines carry
glaccountno, amount, memo, the dimension ids, revenue recognition (AR only) and taxentries
(detailid, trx_tax); OE/PO lines itemid, quantity, price, memo, the dimension ids (TASK as
``taskno``), revenue recognition and the tax detail (Intacct calculates the tax, rule D17).

The idempotency key goes to ``externalid`` (every legacy create takes it; read back as
``DOCUMENT_KEY_FIELD``; issue 16, F3: not the description or message users write in). Not
written, because the legacy DTD has no element for them: an AP bill's payment priority (Intacct
sets ``Normal``), an adjustment's reference, a TASK dimension on AR/AP lines, revenue recognition
on AP lines, an ITEM dimension on OE/PO lines;
``unwritable`` names them so the writer can refuse the record before building it.

Updates (``update_document``): the generic ``update`` of the AR/AP object by RECORDNO (header
dates, number, reference, currency, lines) or of SODOCUMENT / PODOCUMENT by DOCID (the same plus
lines); a record whose state is no longer unposted is posted (``STATE`` Posted, or Pending for an
OE/PO document). Only drafts change this way (rule D20); the simulator accepts it as shown, the
real gateway's generic update of ARINVOICE is unverified.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from released_intacct.adapters.intacct.convert.feeds import TRANSACTION_OBJECTS
from released_intacct.adapters.intacct.convert.xml import (
    Element,
    optional,
    plain,
    split_date,
    sub,
    us_date,
)
from released_intacct.domain.enums import DimensionKind, DocumentKind, Origin
from released_intacct.domain.ids import IdempotencyKey, IntacctKey
from released_intacct.domain.intacct import Transaction, TransactionLine

DOCUMENT_KEY_FIELD = "EXTERNALID"
"""How a document's ``externalid`` reads back: the name is **inferred** (no source names it;
``doctor`` checks that the company's documents answer it)."""

_LINE_DIMENSIONS = (
    DimensionKind.LOCATION, DimensionKind.DEPARTMENT, DimensionKind.PROJECT,
    DimensionKind.CUSTOMER, DimensionKind.VENDOR, DimensionKind.EMPLOYEE, DimensionKind.ITEM,
    DimensionKind.CLASS, DimensionKind.CONTRACT, DimensionKind.WAREHOUSE,
)  # fmt: skip
_EARLY = (DimensionKind.LOCATION, DimensionKind.DEPARTMENT)
"""Dimensions the DTD places right after memo (AR/AP) or price (OE/PO)."""
_LATE = tuple(k for k in _LINE_DIMENSIONS if k not in _EARLY)
"""The other dimensions of an AR/AP line, after its revenue recognition."""
_ID_TAGS = {kind: f"{kind.value.lower()}id" for kind in DimensionKind}
"""Each dimension's element on a line: ``locationid``, ``departmentid``, ..."""
_ORDER_LATER = (
    DimensionKind.PROJECT, DimensionKind.CUSTOMER, DimensionKind.VENDOR, DimensionKind.EMPLOYEE,
    DimensionKind.CLASS, DimensionKind.CONTRACT,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Legacy:
    function: str
    party: str
    number: str
    items: str
    line: str
    due: bool
    reference: str | None
    revrec: bool


_LEGACY = {
    "ARINVOICE": _Legacy(
        "create_invoice", "customerid", "invoiceno", "invoiceitems", "lineitem", True, "ponumber",
        True,
    ),
    "APBILL": _Legacy(
        "create_bill", "vendorid", "billno", "billitems", "lineitem", True, "ponumber", False
    ),
    "ARADJUSTMENT": _Legacy(
        "create_aradjustment", "customerid", "adjustmentno", "aradjustmentitems", "lineitem",
        False, None, True,
    ),
    "APADJUSTMENT": _Legacy(
        "create_apadjustment", "vendorid", "adjustmentno", "apadjustmentitems", "lineitem",
        False, None, False,
    ),
}  # fmt: skip


def unwritable(tx: Transaction) -> str | None:
    """What of ``tx`` the legacy create cannot carry, in words; None when all of it fits."""
    for number, line in enumerate(tx.lines, start=1):
        kinds = {kind for kind, _ in line.dimensions}
        if tx.origin.is_order_module and DimensionKind.ITEM in kinds:
            return f"line {number}: an Item dimension on an Order Entry / Purchasing line"
        if not tx.origin.is_order_module and DimensionKind.TASK in kinds:
            return f"line {number}: a Task dimension on an invoice, bill or adjustment line"
        revrec = line.rev_rec_template or line.rev_rec_start or line.rev_rec_end
        if tx.origin is Origin.AP and revrec:
            return f"line {number}: revenue recognition on a bill or AP adjustment line"
    return None


def create_document(tx: Transaction, *, key: IdempotencyKey) -> Element:
    problem = unwritable(tx)
    if problem is not None:
        msg = f"cannot write this transaction: {problem} (check unwritable() first)"
        raise ValueError(msg)
    if tx.origin.is_order_module:
        return _create_order(tx, key=key)
    return _create_ledger(tx, key=key)


def _create_ledger(tx: Transaction, *, key: IdempotencyKey) -> Element:
    spec = _LEGACY[TRANSACTION_OBJECTS[tx.origin, tx.kind]]
    root = etree.Element(spec.function)
    sub(root, spec.party, tx.party_id)
    split_date(root, "datecreated", tx.invoice_date)
    split_date(root, "dateposted", tx.gl_date)
    if spec.due and tx.due_date is not None:
        split_date(root, "datedue", tx.due_date)
    if spec.number == "adjustmentno":
        optional(root, spec.number, tx.number)
        sub(root, "action", "Draft" if tx.state.is_unposted else "Submit")
    else:
        sub(root, "action", "Draft" if tx.state.is_unposted else "Submit")
        optional(root, spec.number, tx.number)
    if spec.reference:
        optional(root, spec.reference, tx.reference)
    sub(root, "externalid", key)
    sub(root, "currency", tx.currency)
    items = sub(root, spec.items)
    sign = Decimal(-1) if tx.kind is DocumentKind.CREDIT_NOTE else Decimal(1)
    for line in tx.lines:
        _ledger_line(sub(items, spec.line), line, sign=sign, revrec=spec.revrec)
    return root


def _ledger_line(element: Element, line: TransactionLine, *, sign: Decimal, revrec: bool) -> None:
    ids = dict(line.dimensions)
    sub(element, "glaccountno", line.account_no or "")
    sub(element, "amount", plain(sign * line.amount))
    optional(element, "memo", line.memo)
    _dimensions(element, ids, _EARLY)
    if revrec:
        _revrec(element, line)
    _dimensions(element, ids, _LATE)
    if line.tax_detail_id:
        entry = sub(sub(element, "taxentries"), "taxentry")
        sub(entry, "detailid", line.tax_detail_id)
        if line.tax_amount:
            sub(entry, "trx_tax", plain(sign * line.tax_amount))


def _dimensions(
    element: Element, ids: Mapping[DimensionKind, str], kinds: Iterable[DimensionKind]
) -> None:
    if not ids:
        return
    for kind in kinds:
        optional(element, _ID_TAGS[kind], ids.get(kind))


def _revrec(element: Element, line: TransactionLine) -> None:
    optional(element, "revrectemplate", line.rev_rec_template)
    if line.rev_rec_start is not None:
        split_date(element, "revrecstartdate", line.rev_rec_start)
    if line.rev_rec_end is not None:
        split_date(element, "revrecenddate", line.rev_rec_end)


def _create_order(tx: Transaction, *, key: IdempotencyKey) -> Element:
    sales = tx.origin is Origin.ORDER_ENTRY
    root = etree.Element("create_sotransaction" if sales else "create_potransaction")
    sub(root, "transactiontype", tx.transaction_definition or "")
    split_date(root, "datecreated", tx.invoice_date)
    split_date(root, "dateposted", tx.gl_date)
    optional(root, "createdfrom", tx.source_document_number)
    sub(root, "customerid" if sales else "vendorid", tx.party_id)
    optional(root, "documentno", tx.number)
    optional(root, "referenceno", tx.reference)
    if tx.due_date is not None:
        split_date(root, "datedue", tx.due_date)
    sub(root, "externalid", key)
    sub(root, "currency", tx.currency)
    sub(root, "state", "Draft" if tx.state.is_unposted else "Pending")
    items = sub(root, "sotransitems" if sales else "potransitems")
    for line in tx.lines:
        _order_line(sub(items, "sotransitem" if sales else "potransitem"), line)
    return root


def _order_line(element: Element, line: TransactionLine) -> None:
    ids = dict(line.dimensions)
    sub(element, "itemid", line.item_id or "")
    optional(element, "warehouseid", ids.get(DimensionKind.WAREHOUSE))
    sub(element, "quantity", plain(line.quantity))
    sub(element, "price", plain(line.price))
    _dimensions(element, ids, _EARLY)
    optional(element, "memo", line.memo)
    _revrec(element, line)
    _dimensions(element, ids, _ORDER_LATER)
    optional(element, "taskno", ids.get(DimensionKind.TASK))
    if line.tax_detail_id:
        sub(sub(sub(element, "taxentries"), "taxentry"), "detailid", line.tax_detail_id)


# --- update ----------------------------------------------------------------------------------


def update_document(tx: Transaction, *, intacct_key: IntacctKey) -> Element:
    object_name = TRANSACTION_OBJECTS[tx.origin, tx.kind]
    root = etree.Element("update")
    record = sub(root, object_name)
    order = tx.origin.is_order_module
    sub(record, "DOCID" if order else "RECORDNO", intacct_key)
    if not order:
        optional(record, "RECORDID", tx.number)
    sub(record, "WHENCREATED", us_date(tx.invoice_date))
    if tx.due_date is not None:
        sub(record, "WHENDUE", us_date(tx.due_date))
    if not tx.state.is_unposted:
        sub(record, "WHENPOSTED", us_date(tx.gl_date))
        sub(record, "STATE", "Pending" if order else "Posted")
    if tx.kind is DocumentKind.INVOICE or order:
        sub(record, "PONUMBER" if order else "DOCNUMBER", tx.reference)
    sub(record, "CURRENCY", tx.currency)
    holder = f"{object_name}ENTRIES" if order else f"{object_name}ITEMS"
    lines = sub(record, holder)
    line_tag = holder[:-3] + "Y" if order else holder[:-1]
    sign = Decimal(-1) if tx.kind is DocumentKind.CREDIT_NOTE else Decimal(1)
    for line in tx.lines:
        if order:
            _generic_order_line(sub(lines, line_tag), line)
        else:
            _generic_ledger_line(sub(lines, line_tag), line, sign)
    return root


def _generic_dimensions(element: Element, line: TransactionLine) -> None:
    for kind, value in line.dimensions:
        sub(element, f"{kind.value}ID", value)
    optional(element, "REVRECTEMPLATE", line.rev_rec_template)
    if line.rev_rec_start is not None:
        sub(element, "REVRECSTARTDATE", us_date(line.rev_rec_start))
    if line.rev_rec_end is not None:
        sub(element, "REVRECENDDATE", us_date(line.rev_rec_end))


def _generic_ledger_line(element: Element, line: TransactionLine, sign: Decimal) -> None:
    sub(element, "ACCOUNTNO", line.account_no or "")
    sub(element, "TRX_AMOUNT", plain(sign * line.amount))
    optional(element, "ENTRYDESCRIPTION", line.memo)
    _generic_dimensions(element, line)
    if line.tax_detail_id:
        entry = sub(sub(element, "TAXENTRIES"), "TAXENTRY")
        sub(entry, "DETAILID", line.tax_detail_id)
        if line.tax_amount:
            sub(entry, "TRX_TAX", plain(sign * line.tax_amount))


def _generic_order_line(element: Element, line: TransactionLine) -> None:
    sub(element, "ITEMID", line.item_id or "")
    sub(element, "QUANTITY", plain(line.quantity))
    sub(element, "PRICE", plain(line.price))
    optional(element, "MEMO", line.memo)
    _generic_dimensions(element, line)
    optional(element, "TAXDETAILID", line.tax_detail_id)
