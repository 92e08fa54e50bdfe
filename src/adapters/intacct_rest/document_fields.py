"""The REST fields of AR/AP documents, and the conversions both ways (docs/intacct-rest.md 4.6-4.9).

Reading: a REST record (a GET's nested blocks, or the query service's flat dotted keys: both read
through ``query.field``) becomes the row the XML reader reads (``convert.read_documents``:
RECORDNO, RECORDID, STATE, the party, WHENCREATED, ...), so the domain's reading (states, the
credit-note sign, dimensions, tax, rule M1's refusals) is the XML adapter's, written once. What
changes on the way: a state's lower camel case becomes the XML words (``partiallyPaid`` ->
``partially paid``; the reader compares without case), ``audit.modifiedDateTime`` (UTC) becomes
the reader's stamp in UTC, a bill's ``paymentPriority`` the XML word (``normal`` -> ``Normal``:
**inferred** beyond ``normal``, the only value the pages show). An adjustment has no due date
over REST (not in its samples); over XML it is its date (the legacy create takes none), so it is
read as its date: a connection moved from XML to REST sees the same record (rule D21;
**inferred**). An OE/PO line's tax is ``taxInTxnCurrency`` (XML TAX).

Writing: ``document_bodies``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from released_intacct.adapters.intacct.convert.feeds import TRANSACTION_OBJECTS, default_definition
from released_intacct.adapters.intacct.convert.fields import STAMP, Row
from released_intacct.adapters.intacct.convert.xml import plain
from released_intacct.adapters.intacct_rest.query import CURSOR, field, stamp
from released_intacct.domain.enums import DimensionKind, DocumentKind, Origin
from released_intacct.domain.intacct import Transaction

__all__ = ["DOCUMENTS", "DocObject", "posted_elsewhere", "row", "state_word"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DocObject:
    """One REST document object and the names of its fields."""

    path: str
    party: str
    number: str
    date: str
    gl_date: str | None
    due: str | None
    reference: str | None
    currency: str
    total: str
    paid: str | None
    amount: str
    """A line's amount in the transaction currency."""
    tax_detail: str
    dimensions: tuple[DimensionKind, ...]
    origin_module: str | None = None
    """``moduleKey`` when the record may be posted by Order Entry / Purchasing (rule D19)."""
    line_paid: str | None = None
    """When the header shows no paid total: each line's (the AP adjustment, docs/intacct-rest.md
    4.9), summed."""
    order: bool = False
    """An OE/PO document: ``path`` is the base object, queried and created as
    ``<path>::<transaction definition>``; its link key is its ``id`` (the DOCID)."""

    def object_of(self, tx: Transaction | None, origin: Origin, kind: DocumentKind) -> str:
        """What to query or create: the path, or an OE/PO definition's object."""
        if not self.order:
            return self.path
        definition = tx.transaction_definition if tx is not None else None
        return f"{self.path}::{definition or default_definition(origin, kind)}"

    @property
    def header_fields(self) -> tuple[str, ...]:
        """What a query asks of a header: its key and stamp (always asked) and ``moduleKey``
        (rule D19); the record itself is then read whole by key."""
        return (self.origin_module or "state", "id")


_AR_DIMENSIONS: Final = tuple(
    k for k in DimensionKind if k not in (DimensionKind.CONTRACT, DimensionKind.TASK)
)
_AP_DIMENSIONS: Final = tuple(DimensionKind)

DOCUMENTS: Mapping[tuple[Origin, DocumentKind], DocObject] = {
    (Origin.AR, DocumentKind.INVOICE): DocObject(
        path="accounts-receivable/invoice",
        party="customer.id", number="invoiceNumber", date="invoiceDate",
        gl_date="invoiceSummary.glPostingDate", due="dueDate", reference="referenceNumber",
        currency="currency.txnCurrency", total="totalTxnAmount",
        paid="paymentInformation.totalTxnAmountPaid", amount="txnAmount",
        tax_detail="orderEntryTaxDetail", dimensions=_AR_DIMENSIONS,
        origin_module="moduleKey",
    ),
    (Origin.AR, DocumentKind.CREDIT_NOTE): DocObject(
        path="accounts-receivable/adjustment",
        party="customer.id", number="adjustmentNumber",
        date="createdDate", gl_date="glPostingDate", due=None, reference="documentNumber",
        currency="txnCurrency.currency", total="txnCurrency.totalEntered",
        paid="txnCurrency.totalPaid",
        amount="txnCurrency.amount", tax_detail="orderEntryTaxDetail",
        dimensions=_AR_DIMENSIONS,
    ),
    (Origin.AP, DocumentKind.INVOICE): DocObject(
        path="accounts-payable/bill", party="vendor.id", number="billNumber",
        date="createdDate", gl_date="postingDate",
        due="dueDate", reference="referenceNumber", currency="currency.txnCurrency",
        total="totalTxnAmount", paid="paymentInformation.totalTxnAmountPaid", amount="txnAmount",
        tax_detail="purchasingTaxDetail", dimensions=_AP_DIMENSIONS, origin_module="moduleKey",
    ),
    (Origin.AP, DocumentKind.CREDIT_NOTE): DocObject(
        path="accounts-payable/adjustment",
        party="vendor.id", number="adjustmentNumber",
        date="createdDate", gl_date="postingDate", due=None, reference="referenceNumber",
        currency="currency.txnCurrency", total="txnTotalEntered", paid=None,
        line_paid="paymentInformation.txnTotalPaid",
        amount="txnAmount",
        tax_detail="purchasingTaxDetail", dimensions=_AP_DIMENSIONS,
    ),
}  # fmt: skip
"""AR/AP documents by (origin, kind) (OE/PO: ``_ORDERS``, joined below). The AR adjustment's
reference is ``documentNumber`` (XML DOCNUMBER); the legacy XML create writes none, the REST
create does not either (as over XML)."""

_ORDER_DIMENSIONS: Final = tuple(
    k for k in DimensionKind if k not in (DimensionKind.ITEM, DimensionKind.WAREHOUSE)
)
"""An OE/PO line's dimensions besides its item and warehouse (written apart)."""


def _order(path: str, party: str) -> DocObject:
    return DocObject(
        path=path, party=party, number="documentNumber", date="txnDate", gl_date="postingDate",
        due="dueDate", reference="referenceNumber", currency="txnCurrency",
        total="totalInTxnCurrency", paid=None, amount="", tax_detail="",
        dimensions=(*_ORDER_DIMENSIONS, DimensionKind.WAREHOUSE), order=True,
    )  # fmt: skip


_ORDERS: Final = {
    (Origin.ORDER_ENTRY, kind): _order("order-entry/document", "customer.id")
    for kind in DocumentKind
} | {(Origin.PURCHASING, kind): _order("purchasing/document", "vendor.id") for kind in DocumentKind}

_ORDER_MODULES: Final = frozenset({"8.SO", "9.PO", "orderEntry", "purchasing"})
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_AMOUNT = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,10})?")


DOCUMENTS = {**DOCUMENTS, **_ORDERS}


def posted_elsewhere(doc: DocObject, header: Mapping[str, Any]) -> bool:
    """Rule D19: an AR invoice / bill Order Entry or Purchasing posted (its ``moduleKey``), read
    by the OE/PO feed under its DOCID. The REST spelling of an OE-posted ``moduleKey`` is **not
    in the pages**: both the XML code and a module name are taken (**inferred**)."""
    return doc.origin_module is not None and _text(field(header, doc.origin_module)) in (
        _ORDER_MODULES
    )


def state_word(value: object) -> str:
    """A REST document ``state`` as the XML reader's word (``partiallyPaid`` -> ``partially
    paid``; the reader compares without case)."""
    return _CAMEL.sub(" ", _text(value)).lower()


def row(
    doc: DocObject,
    origin: Origin,
    kind: DocumentKind,
    header: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
) -> Row:
    """``header`` and its ``lines`` as the XML reader's row of ``TRANSACTION_OBJECTS``."""
    if doc.order:
        return _order_row(doc, origin, kind, header, lines)
    party = "CUSTOMERID" if doc.party.startswith("customer") else "VENDORID"
    at = stamp(field(header, CURSOR))
    found: dict[str, object] = {
        "RECORDNO": _text(field(header, "key")),
        "RECORDID": _text(field(header, doc.number)),
        "STATE": state_word(field(header, "state")),
        party: _text(field(header, doc.party)),
        "WHENCREATED": _text(field(header, doc.date)),
        "WHENPOSTED": _text(field(header, doc.gl_date)) if doc.gl_date else "",
        "WHENDUE": _text(field(header, doc.due if doc.due else doc.date)),
        "DOCNUMBER": _text(field(header, doc.reference)) if doc.reference else "",
        "CURRENCY": _text(field(header, doc.currency)),
        "TOTALENTERED": _text(field(header, doc.total)),
        "TOTALPAID": _text(field(header, doc.paid)) if doc.paid else _summed(doc, lines),
        "WHENMODIFIED": "" if at is None else at.strftime(STAMP),
        f"{TRANSACTION_OBJECTS[origin, kind]}ITEMS": [_line(doc, line) for line in lines],
    }
    priority = _text(field(header, "paymentPriority"))
    if priority:
        found["PAYMENTPRIORITY"] = priority[:1].upper() + priority[1:]
    return found


def _order_row(
    doc: DocObject,
    origin: Origin,
    kind: DocumentKind,
    header: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
) -> Row:
    """An OE/PO document as SODOCUMENT / PODOCUMENT: DOCID, DOCNO, DOCPARID, STATE (the
    reader's order states), CUSTVENDID, PONUMBER, CREATEDFROM; lines read ``item.id``,
    ``quantity``, ``price`` (written as ``unitQuantity`` / ``unitPrice``), ``memo`` else
    ``lineDescription``, the dimensions and revenue recognition."""
    at = stamp(field(header, CURSOR))
    object_name = TRANSACTION_OBJECTS[origin, kind]
    return {
        "RECORDNO": _text(field(header, "key")),
        "DOCID": _text(field(header, "id")),
        "DOCNO": _text(field(header, doc.number)),
        "DOCPARID": _text(field(header, "txnDefinition.id"))
        or _text(field(header, "documentType")),
        "STATE": state_word(field(header, "state")),
        "CUSTVENDID": _text(field(header, doc.party)),
        "WHENCREATED": _text(field(header, doc.date)),
        "WHENPOSTED": _text(field(header, "postingDate")),
        "WHENDUE": _text(field(header, "dueDate")),
        "PONUMBER": _text(field(header, "referenceNumber")),
        "CREATEDFROM": _text(field(header, "sourceDocument.id")),
        "CURRENCY": _text(field(header, doc.currency)),
        "WHENMODIFIED": "" if at is None else at.strftime(STAMP),
        f"{object_name}ENTRIES": [_order_line(doc, line) for line in lines],
    }


def _order_line(doc: DocObject, line: Mapping[str, Any]) -> Row:
    found: dict[str, object] = {
        "RECORDNO": _text(field(line, "key")),
        "ITEMID": _text(field(line, "item.id")) or _text(field(line, "dimensions.item.id")),
        "QUANTITY": _text(field(line, "quantity")) or _text(field(line, "unitQuantity")),
        "PRICE": _text(field(line, "price")) or _text(field(line, "unitPrice")),
        "MEMO": _text(field(line, "memo")),
        "ITEMDESC": _text(field(line, "lineDescription")),
        "TAX": _text(field(line, "taxInTxnCurrency")),
        "REVRECTEMPLATE": _text(field(line, "revenueRecognitionTemplate.id")),
        "REVRECSTARTDATE": _text(field(line, "revenueRecognitionStartDate")),
        "REVRECENDDATE": _text(field(line, "revenueRecognitionEndDate")),
    }
    for xml, rest in _dimension_fields(doc.dimensions):
        found[xml] = _text(field(line, rest))
    return found


@lru_cache(maxsize=16)
def _dimension_fields(kinds: tuple[DimensionKind, ...]) -> tuple[tuple[str, str], ...]:
    """(XML field, REST field) of each dimension of a line (``DEPARTMENTID``,
    ``dimensions.department.id``), named once per document object, not once per line."""
    return tuple((f"{kind.value}ID", f"dimensions.{kind.value.lower()}.id") for kind in kinds)


def _summed(doc: DocObject, lines: Sequence[Mapping[str, Any]]) -> str:
    """The lines' paid amounts added up; the first that is not a plain amount is handed on as it
    is, for the reader to refuse (M1)."""
    if doc.line_paid is None:
        return ""
    total = Decimal(0)
    for line in lines:
        text = _text(field(line, doc.line_paid))
        if not text:
            continue
        if _AMOUNT.fullmatch(text) is None:
            return text
        total += Decimal(text)
    return plain(total)


def _line(doc: DocObject, line: Mapping[str, Any]) -> Row:
    found: dict[str, object] = {
        "RECORDNO": _text(field(line, "key")),
        "ACCOUNTNO": _text(field(line, "glAccount.id")),
        "TRX_AMOUNT": _text(field(line, doc.amount)),
        "ENTRYDESCRIPTION": _text(field(line, "memo")),
    }
    for xml, rest in _dimension_fields(doc.dimensions):
        found[xml] = _text(field(line, rest))
    entries = field(line, "taxEntries")
    if isinstance(entries, list):
        found["TAXENTRIES"] = [
            {
                "DETAILID": _text(field(entry, f"{doc.tax_detail}.id")),
                "TRX_TAX": _text(field(entry, "txnTaxAmount")),
            }
            for entry in entries
            if isinstance(entry, Mapping)
        ]
    return found


def _text(value: object) -> str:
    """A REST value as the XML reader's text: strings as they are, numbers as their digits
    (a JSON number is read as the text it was sent as; the reader then refuses an exponent)."""
    if type(value) is str:  # most values: no ABC check
        return value
    if value is None or isinstance(value, bool | Mapping | list):
        return ""
    return str(value)
