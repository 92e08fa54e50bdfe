"""Intacct invoices, bills, adjustments and OE/PO documents to the domain's ``Transaction``.

AR/AP (ARINVOICE, APBILL, ARADJUSTMENT, APADJUSTMENT): RECORDID → number, STATE, CUSTOMERID /
VENDORID, WHENCREATED → invoice date, WHENPOSTED (else WHENCREATED: a Draft has none) → GL date,
WHENDUE, DOCNUMBER → reference, PAYMENTPRIORITY, CURRENCY, TOTALPAID; lines ``<OBJECT>ITEMS``:
ACCOUNTNO, TRX_AMOUNT (else AMOUNT), ENTRYDESCRIPTION, the dimension ids, tax (first TAXENTRIES
entry's DETAILID and TRX_TAX, else TAXDETAILID and TAX) and REVRECTEMPLATE / REVRECSTARTDATE /
REVRECENDDATE.

OE/PO (SODOCUMENT, PODOCUMENT): DOCNO → number, DOCPARID → transaction definition, DOCID →
document id, CUSTVENDID, PONUMBER → reference, CREATEDFROM → source document; lines
``<OBJECT>ENTRIES``: ITEMID, QUANTITY, PRICE, MEMO (else ITEMDESC), TAX, TAXDETAILID, dimensions
(ITEMID is the line's item, not a dimension). A document's STATE is Draft / Submitted / Partially
approved / Declined as such; any other state (``Pending``, ``Closed``, ``Converted``, ...) means it
is in the books: POSTED. Its payments are on the AR/AP record it posted, so ``total_paid`` is 0.

Decisions: an adjustment (credit or debit memo) carries negative amounts on the wire for a credit;
a credit note is read with its amounts, tax and TOTALPAID negated, so the domain sees a credit
note's amounts as positive (``write_documents`` negates them back). Intacct fills a line's
CUSTOMERID (income side) or VENDORID (expense side) with the document's party: that value is not
read as a dimension.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from decimal import Decimal
from typing import Final

from returns.result import Result

from released_intacct.adapters.intacct.convert.feeds import TRANSACTION_OBJECTS
from released_intacct.adapters.intacct.convert.fields import PAIRED, Reader, Row
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey
from released_intacct.domain.intacct import Transaction, TransactionLine

_ORDER_STATES = {
    state.value.lower(): state
    for state in (
        IntacctState.DRAFT,
        IntacctState.SUBMITTED,
        IntacctState.PARTIALLY_APPROVED,
        IntacctState.DECLINED,
    )
}


def _party_kind(origin: Origin) -> DimensionKind:
    return DimensionKind.CUSTOMER if origin.role is ContactRole.CUSTOMER else DimensionKind.VENDOR


def _dimensions(
    line: Reader, origin: Origin, party_id: str
) -> tuple[tuple[DimensionKind, IntacctId], ...]:
    found = []
    party = _party_kind(origin)
    skip = DimensionKind.ITEM if origin.is_order_module else None
    for kind, name in _DIMENSION_FIELDS:  # in the order of their values: the order kept
        if kind is skip:
            continue
        value = line.text(name)
        if value and not (kind is party and value == party_id):
            found.append((kind, IntacctId(value)))
    return tuple(found)


_DIMENSION_FIELDS: Final = tuple(
    (kind, f"{kind.value}ID") for kind in sorted(DimensionKind, key=lambda kind: kind.value)
)
"""Each dimension and the field of a line naming it (DEPARTMENTID), sorted by the dimension's
value: the order a line's dimensions are kept in."""


def _tax(line: Reader) -> tuple[IntacctId | None, Decimal]:
    entries = line.lines("TAXENTRIES")
    detail = entries[0].text("DETAILID") if entries else ""
    detail = detail or line.text("TAXDETAILID") or line.text("DETAILID")
    if line.text("TAX") or not entries:
        amount = line.decimal("TAX")
    else:
        amount = sum((entry.decimal("TRX_TAX") for entry in entries), Decimal(0))
    return (IntacctId(detail) if detail else None), amount


def _ledger_line(line: Reader, origin: Origin, party_id: str, sign: int) -> TransactionLine:
    amount_field = "TRX_AMOUNT" if line.text("TRX_AMOUNT") else "AMOUNT"
    tax_detail_id, tax_amount = _tax(line)
    return TransactionLine(
        memo=line.text("ENTRYDESCRIPTION"),
        account_no=IntacctId(line.text("ACCOUNTNO", required=True)),
        amount=sign * line.decimal(amount_field, required=True),
        tax_detail_id=tax_detail_id,
        tax_amount=sign * tax_amount,
        dimensions=_dimensions(line, origin, party_id),
        rev_rec_template=line.optional("REVRECTEMPLATE"),
        rev_rec_start=line.date("REVRECSTARTDATE"),
        rev_rec_end=line.date("REVRECENDDATE"),
    )


def _order_line(line: Reader, origin: Origin, party_id: str) -> TransactionLine:
    tax_detail_id, tax_amount = _tax(line)
    return TransactionLine(
        memo=line.text("MEMO") or line.text("ITEMDESC"),
        item_id=IntacctId(line.text("ITEMID", required=True)),
        quantity=line.decimal("QUANTITY", required=True),
        price=line.decimal("PRICE", required=True),
        tax_detail_id=tax_detail_id,
        tax_amount=tax_amount,
        dimensions=_dimensions(line, origin, party_id),
        rev_rec_template=line.optional("REVRECTEMPLATE"),
        rev_rec_start=line.date("REVRECSTARTDATE"),
        rev_rec_end=line.date("REVRECENDDATE"),
    )


def _order_state(r: Reader) -> IntacctState:
    return order_state(r.text("STATE", required=True))


def order_state(text: str) -> IntacctState:
    """An OE/PO document's state: Draft, Submitted, Partially approved and Declined as such,
    any other in the books (POSTED)."""
    return _ORDER_STATES.get(text.lower(), IntacctState.POSTED)


def _ledger(r: Reader, origin: Origin, kind: DocumentKind, tz: tzinfo) -> Transaction:
    sign = -1 if kind is DocumentKind.CREDIT_NOTE else 1
    party_field = "CUSTOMERID" if origin.role is ContactRole.CUSTOMER else "VENDORID"
    party_id = r.text(party_field, required=True)
    if r.record_no is None:  # the document's link key (an OE/PO document's is its DOCID)
        r.fail("RECORDNO", "it is missing or empty")
    lines = r.lines(f"{r.object_name}ITEMS")
    return Transaction(
        origin=origin,
        kind=kind,
        number=r.text("RECORDID", required=True),
        state=r.state(),
        party_id=IntacctId(party_id),
        invoice_date=r.required_date("WHENCREATED"),
        gl_date=r.required_date("WHENPOSTED" if r.text("WHENPOSTED") else "WHENCREATED"),
        due_date=r.date("WHENDUE"),
        currency=r.required_currency("CURRENCY"),
        lines=tuple(_ledger_line(line, origin, party_id, sign) for line in lines),
        reference=r.text("DOCNUMBER"),
        payment_priority=r.optional("PAYMENTPRIORITY") if origin is Origin.AP else None,
        record_no=r.record_no,
        total_paid=sign * r.decimal("TOTALPAID"),
        modified_at=r.stamp("WHENMODIFIED", tz=tz),
        reverses=_paired(r),
    )


def _paired(r: Reader) -> IntacctKey | None:
    """The record a Reversal entry reverses, as ``intacct.reversals`` paired it."""
    return IntacctKey(r.text(PAIRED)) if r.text(PAIRED) else None


def _order(r: Reader, origin: Origin, kind: DocumentKind, tz: tzinfo) -> Transaction:
    party_id = r.text("CUSTVENDID", required=True)
    lines = r.lines(f"{r.object_name}ENTRIES")
    return Transaction(
        origin=origin,
        kind=kind,
        number=r.text("DOCNO", required=True),
        state=_order_state(r),
        party_id=IntacctId(party_id),
        invoice_date=r.required_date("WHENCREATED"),
        gl_date=r.required_date("WHENPOSTED" if r.text("WHENPOSTED") else "WHENCREATED"),
        due_date=r.date("WHENDUE"),
        currency=r.required_currency("CURRENCY"),
        lines=tuple(_order_line(line, origin, party_id) for line in lines),
        reference=r.text("PONUMBER"),
        transaction_definition=r.text("DOCPARID", required=True),
        source_document_number=r.optional("CREATEDFROM"),
        document_id=r.text("DOCID", required=True),
        record_no=r.record_no,
        modified_at=r.stamp("WHENMODIFIED", tz=tz),
    )


def transaction(
    origin: Origin, kind: DocumentKind, row: Row, *, tz: tzinfo = UTC
) -> Result[Transaction, SyncError]:
    """An invoice, bill, adjustment or OE/PO document of module ``origin``."""
    record_type = RecordType.INVOICE if kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE
    r = Reader(TRANSACTION_OBJECTS[origin, kind], row, record_type=record_type)
    read = _order if origin.is_order_module else _ledger
    built = read(r, origin, kind, tz)
    return r.done(lambda: built)
