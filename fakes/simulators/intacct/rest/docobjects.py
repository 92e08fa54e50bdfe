"""The AR/AP documents as REST objects, each with its owned lines (docs/intacct-rest.md 4.6-4.9).

- ``accounts-receivable/invoice`` (ARINVOICE) + ``invoice-line``: [RESTDOC]
  docs/rest/accounts-receivable.md, "GET /objects/accounts-receivable/invoice/{key}",
  "GET /objects/accounts-receivable/invoice-line/{key}";
- ``accounts-receivable/adjustment`` (ARADJUSTMENT) + ``adjustment-line``: its own shape
  (``adjustmentNumber``, ``createdDate``, ``txnCurrency.*``, lines' ``txnCurrency.amount``);
- ``accounts-payable/bill`` (APBILL) + ``bill-line``;
- ``accounts-payable/adjustment`` (APADJUSTMENT) + ``adjustment-line``.

A document's ``id`` is its key (RECORDNO). Dates are the XML record's WHENCREATED / WHENPOSTED /
WHENDUE, so ``audit.createdDateTime`` is null for them (WHENCREATED is a date). A line's
dimensions are ``dimensions.<name>.id`` (AR lines nine, no ``contract`` / ``task``; AP lines all
eleven, as the samples show); its tax entries (``taxEntries[]``, an array the field table cannot
hold) are added by :func:`tax_entries`. States are the XML words in lower camel case
(``posted``, ``draft``, ``reversed``, ``reversal``, ``paid``, ``partiallyPaid``: the last two
**inferred**; the pages show the first four).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.rest.envelope import invalid
from released_intacct.fakes.simulators.intacct.rest.fields import (
    Field,
    Owner,
    RestObject,
    stored_value,
    to_record,
    to_rest_value,
)

STATE = Field(
    "state",
    "STATE",
    "enum",
    (
        ("draft", "draft"),
        ("posted", "posted"),
        ("reversed", "reversed"),
        ("reversal", "reversal"),
        ("paid", "paid"),
        ("partially paid", "partiallyPaid"),
    ),
    writable=False,
)
_AR_DIMENSIONS: Final = (
    "location", "department", "project", "customer", "vendor", "employee", "item", "class",
    "warehouse",
)  # fmt: skip
_AP_DIMENSIONS: Final = (*_AR_DIMENSIONS, "contract", "task")
TAX_AMOUNT: Final = Field("txnTaxAmount", "TRX_TAX", "money")


_LEDGER_AMOUNTS: Final = (
    Field("currency.txnCurrency", "CURRENCY"),
    Field("currency.baseCurrency", "BASECURR", writable=False),
    Field("totalTxnAmount", "TOTALENTERED", "money", writable=False),
    Field("paymentInformation.totalTxnAmountPaid", "TOTALPAID", "money", writable=False),
    Field("totalTxnAmountDue", "TOTALDUE", "money", writable=False),
    Field("moduleKey", "MODULEKEY", writable=False),
)
"""The currencies and amounts of an AR invoice and of a bill, the same fields in both."""


def _party(name: str) -> tuple[Field, Field]:
    """``customer`` / ``vendor``: its id (written) and name (read only)."""
    xml = name.upper()
    return Field(f"{name}.id", f"{xml}ID"), Field(f"{name}.name", f"{xml}NAME", writable=False)


def _dimensions(names: tuple[str, ...]) -> tuple[Field, ...]:
    return tuple(Field(f"dimensions.{name}.id", f"{name.upper()}ID") for name in names)


def _line(
    path: str, owner: Owner, amount: str, dimensions: tuple[str, ...], *more: Field
) -> RestObject:
    return RestObject(
        path,
        f"{_XML[owner.path]}ITEM",
        "RECORDNO",
        (
            Field("glAccount.id", "ACCOUNTNO"),
            Field("accountLabel.id", "ACCOUNTLABEL"),
            Field(amount, "TRX_AMOUNT", "money"),
            Field("baseAmount", "AMOUNT", "money", writable=False),
            Field("memo", "ENTRYDESCRIPTION"),
            Field("lineNumber", "LINE_NO", writable=False),
            *_dimensions(dimensions),
            *more,
        ),
        read_only=True,
        owner=owner,
    )


_XML: Final = {
    "accounts-receivable/invoice": "ARINVOICE",
    "accounts-receivable/adjustment": "ARADJUSTMENT",
    "accounts-payable/bill": "APBILL",
    "accounts-payable/adjustment": "APADJUSTMENT",
}

DOCUMENTS: Final = (
    RestObject(
        "accounts-receivable/invoice",
        "ARINVOICE",
        "RECORDNO",
        (
            Field("invoiceNumber", "RECORDID"),
            STATE,
            Field("recordType", "RECORDTYPE", writable=False),
            *_party("customer"),
            Field("invoiceDate", "WHENCREATED", "date"),
            Field("invoiceSummary.glPostingDate", "WHENPOSTED", "date"),
            Field("dueDate", "WHENDUE", "date"),
            Field("referenceNumber", "DOCNUMBER"),
            Field("description", "DESCRIPTION"),
            *_LEDGER_AMOUNTS,
        ),
        lines="accounts-receivable/invoice-line",
    ),
    _line(
        "accounts-receivable/invoice-line",
        Owner("invoice", "accounts-receivable/invoice", "RECORDKEY"),
        "txnAmount",
        _AR_DIMENSIONS,
    ),
    RestObject(
        "accounts-receivable/adjustment",
        "ARADJUSTMENT",
        "RECORDNO",
        (
            Field("adjustmentNumber", "RECORDID"),
            STATE,
            Field("txnType", "RECORDTYPE", writable=False),
            *_party("customer"),
            Field("createdDate", "WHENCREATED", "date"),
            Field("glPostingDate", "WHENPOSTED", "date"),
            Field("documentNumber", "DOCNUMBER"),
            Field("description", "DESCRIPTION"),
            Field("txnCurrency.currency", "CURRENCY"),
            Field("baseCurrency.currency", "BASECURR", writable=False),
            Field("txnCurrency.totalEntered", "TOTALENTERED", "money", writable=False),
            Field("txnCurrency.totalPaid", "TOTALPAID", "money", writable=False),
            Field("txnCurrency.totalDue", "TOTALDUE", "money", writable=False),
        ),
        lines="accounts-receivable/adjustment-line",
    ),
    _line(
        "accounts-receivable/adjustment-line",
        Owner("arAdjustment", "accounts-receivable/adjustment", "RECORDKEY"),
        "txnCurrency.amount",
        _AR_DIMENSIONS,
    ),
    RestObject(
        "accounts-payable/bill",
        "APBILL",
        "RECORDNO",
        (
            Field("billNumber", "RECORDID"),
            STATE,
            Field("recordType", "RECORDTYPE", writable=False),
            *_party("vendor"),
            Field("createdDate", "WHENCREATED", "date"),
            Field("postingDate", "WHENPOSTED", "date"),
            Field("dueDate", "WHENDUE", "date"),
            Field("referenceNumber", "DOCNUMBER"),
            Field("description", "DESCRIPTION"),
            Field("paymentPriority", "PAYMENTPRIORITY", "enum", (("normal", "normal"),)),
            *_LEDGER_AMOUNTS,
        ),
        lines="accounts-payable/bill-line",
    ),
    _line(
        "accounts-payable/bill-line",
        Owner("bill", "accounts-payable/bill", "RECORDKEY"),
        "txnAmount",
        _AP_DIMENSIONS,
    ),
    RestObject(
        "accounts-payable/adjustment",
        "APADJUSTMENT",
        "RECORDNO",
        (
            Field("adjustmentNumber", "RECORDID"),
            STATE,
            Field("recordType", "RECORDTYPE", writable=False),
            *_party("vendor"),
            Field("createdDate", "WHENCREATED", "date"),
            Field("postingDate", "WHENPOSTED", "date"),
            Field("referenceNumber", "DOCNUMBER"),
            Field("description", "DESCRIPTION"),
            Field("currency.txnCurrency", "CURRENCY"),
            Field("txnTotalEntered", "TOTALENTERED", "money", writable=False),
            Field("txnTotalDue", "TOTALDUE", "money", writable=False),
        ),
        lines="accounts-payable/adjustment-line",
    ),
    _line(
        "accounts-payable/adjustment-line",
        Owner("apAdjustment", "accounts-payable/adjustment", "RECORDKEY"),
        "txnAmount",
        _AP_DIMENSIONS,
        Field("paymentInformation.txnTotalPaid", "TOTALPAID", "money", writable=False),
    ),
)
"""``postingDate`` of the AP adjustment is not in its sample (**inferred**, as the bill's); what
was paid of it is on its lines only (``paymentInformation.txnTotalPaid``, as the sample shows);
the AR invoice's GL date is ``invoiceSummary.glPostingDate``."""

_ORDER_STATE = Field(
    "state",
    "STATE",
    "enum",
    (
        ("draft", "draft"),
        ("pending", "pending"),
        ("submitted", "submitted"),
        ("approved", "approved"),
        ("declined", "declined"),
        ("partially approved", "partiallyApproved"),
        ("closed", "closed"),
        ("converted", "converted"),
    ),
)
"""An OE/PO document's states: the pages show ``draft``, ``pending``, ``submitted``,
``approved``, ``declined``; ``partiallyApproved``, ``closed``, ``converted`` are **inferred**
spellings of the XML words. Written on create (``draft`` or ``pending``)."""
_ORDER_DIMENSIONS: Final = (
    "location", "department", "project", "customer", "vendor", "employee", "class", "contract",
)  # fmt: skip


def _order(module: str, xml: str, party: str) -> tuple[RestObject, RestObject]:
    header = RestObject(
        f"{module}/document",
        xml,
        "DOCID",
        (
            Field("documentNumber", "DOCNO"),
            Field("documentType", "DOCPARID", writable=False),
            Field("txnDefinition.id", "DOCPARID", writable=False),
            _ORDER_STATE,
            Field(f"{party}.id", "CUSTVENDID"),
            Field(f"{party}.name", "CUSTVENDNAME", writable=False),
            Field("txnDate", "WHENCREATED", "date"),
            Field("postingDate", "WHENPOSTED", "date"),
            Field("dueDate", "WHENDUE", "date"),
            Field("referenceNumber", "PONUMBER"),
            Field("sourceDocument.id", "CREATEDFROM"),
            Field("txnCurrency", "CURRENCY"),
            Field("totalInTxnCurrency", "TOTAL", "money", writable=False),
        ),
        lines=f"{module}/document-line",
    )
    line = RestObject(
        f"{module}/document-line",
        f"{xml}ENTRY",
        "RECORDNO",
        (
            Field("item.id", "ITEMID", writable=False),
            Field("dimensions.item.id", "ITEMID"),
            Field("dimensions.warehouse.id", "WAREHOUSEID"),
            Field("quantity", "QUANTITY", writable=False),
            Field("unitQuantity", "QUANTITY"),
            Field("price", "PRICE", writable=False),
            Field("unitPrice", "PRICE"),
            Field("memo", "MEMO"),
            Field("lineDescription", "ITEMDESC"),
            Field("lineNumber", "LINE_NO", writable=False),
            Field("taxInTxnCurrency", "TAX", "money", writable=False),
            Field("revenueRecognitionTemplate.id", "REVRECTEMPLATE"),
            Field("revenueRecognitionStartDate", "REVRECSTARTDATE", "date"),
            Field("revenueRecognitionEndDate", "REVRECENDDATE", "date"),
            *_dimensions(_ORDER_DIMENSIONS),
        ),
        read_only=True,
        owner=Owner("documentHeader", f"{module}/document", "DOCHDRNO"),
    )
    return header, line


ORDERS: Final = (
    *_order("order-entry", "SODOCUMENT", "customer"),
    *_order("purchasing", "PODOCUMENT", "vendor"),
)
"""OE/PO documents ([RESTDOC] docs/rest/order-entry.md, "GET /objects/order-entry/document/{key}";
docs/rest/purchasing.md, "GET /objects/purchasing/document/{key}"): the base object holds every
transaction definition; ``<module>/document::<definition>`` (``document_of``) holds one. ``id``
is the DOCID. A line's item is read as ``item.id`` and written as ``dimensions.item.id``, its
quantity and price read as ``quantity`` / ``price`` and written as ``unitQuantity`` /
``unitPrice`` (docs/intacct-rest.md 4.10). The line's tax detail lives on
``document-line-subtotal``, not served (the REST adapter does not write one: it refuses an OE/PO
line with a tax detail)."""

_DEFINITION = "::"


def document_of(base: RestObject, path: str) -> RestObject:
    """``order-entry/document::Sales Invoice``: the base object's fields, its records those of
    the definition (DOCPARID) named after ``::``."""
    definition = path.partition(_DEFINITION)[2]
    return replace(base, path=path, definition=definition)


def base_path(path: str) -> str:
    """``order-entry/document::Sales Invoice`` -> ``order-entry/document``."""
    return path.partition(_DEFINITION)[0]


TAX_DETAIL: Final = {
    "accounts-receivable/invoice-line": "orderEntryTaxDetail",
    "accounts-receivable/adjustment-line": "orderEntryTaxDetail",
    "accounts-payable/bill-line": "purchasingTaxDetail",
    "accounts-payable/adjustment-line": "purchasingTaxDetail",
}
"""The tax detail's reference on each line object's ``taxEntries[]`` (AP: **inferred**, no bill
sample shows tax entries)."""


def tax_entries(company: Company, line: RestObject, row: Record) -> list[dict[str, object]]:
    """A line's ``taxEntries``: ``[{"<detail>": {"id"}, "txnTaxAmount"}]`` from its TAXENTRIES."""
    detail = TAX_DETAIL.get(line.path)
    entries = row.get("TAXENTRIES")
    if detail is None or not isinstance(entries, list):
        return []
    return [
        {
            detail: {"id": str(entry.get("DETAILID", "")) or None},
            "txnTaxAmount": to_rest_value(company, TAX_AMOUNT, entry.get("TRX_TAX")),
        }
        for entry in entries
        if isinstance(entry, dict)
    ]


def line_record(line: RestObject, item: dict[str, object], **options: tuple[str, ...]) -> Record:
    """A line of a write as the XML line stores it, its ``taxEntries`` as TAXENTRIES (an update
    sends what the line's entries become: they replace the stored ones)."""
    detail = TAX_DETAIL.get(line.path)
    taxes = item.get("taxEntries")
    record = to_record(line, {k: v for k, v in item.items() if k != "taxEntries"}, **options)
    if taxes is None:
        return record
    if detail is None or not isinstance(taxes, list):
        raise invalid(f"taxEntries: an array of {detail or 'tax'} entries, got {taxes!r}")
    entries: list[Record] = []
    for number, entry in enumerate(taxes):
        block = entry.get(detail) if isinstance(entry, dict) else None
        ident = block.get("id") if isinstance(block, dict) else None
        if not isinstance(entry, dict) or not isinstance(ident, str) or not ident:
            raise invalid(f"taxEntries[{number}].{detail}.id is required")
        stored: Record = {"DETAILID": ident}
        if entry.get("txnTaxAmount") is not None:
            stored["TRX_TAX"] = str(stored_value(TAX_AMOUNT, entry["txnTaxAmount"]))
        entries.append(stored)
    record["TAXENTRIES"] = entries
    return record
