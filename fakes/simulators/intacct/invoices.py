"""Legacy AR/AP documents: create_invoice, create_bill, create_aradjustment, create_apadjustment,
reverse_invoice and reverse_bill.

Each create answers ``<key>RECORDNO</key>`` and stores the header fields of spec §4: RECORDID (the
document number), RECORDTYPE (``ri`` invoice, ``pi`` bill, ``ra``/``pa`` adjustments), STATE,
CUSTOMERID/CUSTOMERNAME or VENDORID/VENDORNAME, WHENCREATED (the transaction date ``mm/dd/yyyy``),
WHENPOSTED (the GL date: ``dateposted``, else the transaction date; empty for a Draft), WHENDUE
(``datedue``, else the transaction date), DOCNUMBER (``ponumber``, the reference), CURRENCY,
BASECURR, TOTALENTERED, TOTALPAID, TOTALDUE (the lines' amounts with their tax entries' TRX_TAX,
``states.line_total``: a document is owed with its tax), and for bills PAYMENTPRIORITY
(``Normal``) and ONHOLD.
EXTERNALID keeps ``externalid`` ("" when not sent); the field name is **inferred** (no source names
it): ``update_invoice`` / ``update_bill`` with ``externalkey="true"`` find the document by it.

Decisions where the real gateway's behaviour was not found:

- Document numbers. A missing number is generated when document sequencing is on: AR documents
  (invoices, AR adjustments) follow the ``customer_sequencing`` setting, AP documents (bills, AP
  adjustments) ``vendor_sequencing``. With sequencing off a missing bill number is refused with
  BL03002128 "Enter a Bill number, and try again." (the real error); the other documents get the
  same wording with their own noun. A number already used by a document of the same kind is
  refused with BL34000061.
- Adjustments are stored as sent: a credit memo has negative line amounts. ``invoiceno`` /
  ``billno`` of an adjustment is kept as a reference (INVOICENO / BILLNO) and changes no balance.
- Amounts are in the transaction currency; no exchange rate is applied.
- ``reverse_invoice`` / ``reverse_bill`` answer ``<key>`` with the new Reversal record's RECORDNO.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from released_intacct.fakes.simulators.intacct import duplicates, legacy, states
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import (
    GENERIC,
    failure,
    not_found,
)
from released_intacct.fakes.simulators.intacct.wire import Element, text_of

Handler = Callable[[Context, Element], Element | None]

_HEAD = ("datecreated", "dateposted")
_AR_LINE = (
    "glaccountno", "accountlabel", "offsetglaccountno", "amount", "allocationid", "memo",
    "locationid", "departmentid", "key", "totalpaid", "totaldue", "customfields",
    "revrectemplate", "defrevaccount", "revrecstartdate", "revrecenddate", "projectid",
    "customerid", "vendorid", "employeeid", "itemid", "classid", "contractid", "warehouseid",
    "taxentries",
)  # fmt: skip
_AP_LINE = (
    "glaccountno", "accountlabel", "offsetglaccountno", "amount", "allocationid", "memo",
    "locationid", "departmentid", "item1099", "form1099type", "form1099box", "key", "totalpaid",
    "totaldue", "customfields", "projectid", "customerid", "vendorid", "employeeid", "itemid",
    "classid", "contractid", "warehouseid", "billable", "taxentries",
)  # fmt: skip
_TAIL = (*legacy.MULTI_CURRENCY, "nogl", "supdocid", "customfields")


@dataclass(frozen=True, slots=True)
class Kind:
    object_name: str
    party: str
    """``customerid`` or ``vendorid``."""
    number: str
    """The element holding the document number."""
    items: str
    order: tuple[str, ...]
    line_order: tuple[str, ...]
    labels: str
    recordtype: str
    sequence: str
    prefix: str
    noun: str
    missing_errorno: str = GENERIC

    @property
    def party_object(self) -> str:
        return "CUSTOMER" if self.party == "customerid" else "VENDOR"


INVOICE = Kind(
    "ARINVOICE", "customerid", "invoiceno", "invoiceitems",
    ("customerid", *_HEAD, "datedue", "termname", "action", "batchkey", "invoiceno", "ponumber",
     "onhold", "description", "externalid", "billto", "shipto", *_TAIL, "invoiceitems"),
    _AR_LINE, "ARACCOUNTLABEL", "ri", "customer_sequencing", "INV-", "an Invoice",
)  # fmt: skip
BILL = Kind(
    "APBILL", "vendorid", "billno", "billitems",
    ("vendorid", *_HEAD, "datedue", "termname", "action", "batchkey", "billno", "ponumber",
     "onhold", "description", "externalid", "payto", "returnto", *_TAIL, "billitems"),
    _AP_LINE, "APACCOUNTLABEL", "pi", "vendor_sequencing", "BILL-", "a Bill", "BL03002128",
)  # fmt: skip
AR_ADJUSTMENT = Kind(
    "ARADJUSTMENT", "customerid", "adjustmentno", "aradjustmentitems",
    ("customerid", *_HEAD, "batchkey", "adjustmentno", "action", "invoiceno", "description",
     "externalid", *_TAIL, "aradjustmentitems"),
    _AR_LINE, "ARACCOUNTLABEL", "ra", "customer_sequencing", "ADJ-", "an Adjustment",
)  # fmt: skip
AP_ADJUSTMENT = Kind(
    "APADJUSTMENT", "vendorid", "adjustmentno", "apadjustmentitems",
    ("vendorid", *_HEAD, "batchkey", "adjustmentno", "action", "billno", "description",
     "externalid", *_TAIL, "apadjustmentitems"),
    _AP_LINE, "APACCOUNTLABEL", "pa", "vendor_sequencing", "VADJ-", "an Adjustment",
)  # fmt: skip


def _number(ctx: Context, kind: Kind, function: Element) -> str:
    given = text_of(function, kind.number)
    if given:
        if ctx.company.by_field(kind.object_name, "RECORDID", given) is not None:
            then = [f"Could not create {kind.object_name} record!"]
            raise duplicates.another(kind.noun.split()[1], given, then=then)
        return given
    if not getattr(ctx.company.settings, kind.sequence):
        raise failure(
            kind.missing_errorno,
            f"Enter {kind.noun} number, and try again.",
            correction=f"Send <{kind.number}>, or turn on document sequencing.",
        )
    return ctx.company.next_id(kind.object_name, kind.prefix)


def _lines(ctx: Context, kind: Kind, function: Element) -> list[Record]:
    holder = function.find(kind.items)
    elements = [] if holder is None else list(holder)
    if not elements:
        raise failure(GENERIC, f"<{kind.items}> needs at least one <lineitem>")
    return [new_line(ctx, kind, line, number) for number, line in enumerate(elements, start=1)]


def new_line(ctx: Context, kind: Kind, line: Element, number: int) -> Record:
    """A ``<lineitem>`` as a stored line: an account and an amount are required."""
    legacy.check_order(line, kind.line_order)
    amount = legacy.money(legacy.decimal_of(line, "amount"))
    row: Record = {"LINE_NO": str(number), **legacy.line_account(ctx, line, labels=kind.labels)}
    row.update(AMOUNT=amount, TRX_AMOUNT=amount, TOTALPAID="0.00")
    row |= _optional(ctx, line)
    return row | {"TOTALDUE": legacy.money(states.line_total(row))}


def line_fields(ctx: Context, kind: Kind, line: Element) -> Record:
    """What an ``<updatelineitem>`` changes: only the fields it sends, none required."""
    legacy.check_order(line, kind.line_order)
    row: Record = {}
    if text_of(line, "glaccountno") or text_of(line, "accountlabel"):
        row |= legacy.line_account(ctx, line, labels=kind.labels)
    if text_of(line, "amount"):
        amount = legacy.money(legacy.decimal_of(line, "amount"))
        row.update(AMOUNT=amount, TRX_AMOUNT=amount)
    return row | _optional(ctx, line)


def _optional(ctx: Context, line: Element) -> Record:
    """A line's optional fields; an empty element (the JS SDK's ``<memo />``) sets nothing."""
    optional = {"offsetglaccountno": "OFFSETGLACCOUNTNO", "memo": "ENTRYDESCRIPTION"}
    optional |= {"revrectemplate": "REVRECTEMPLATE"}
    row: Record = {f: text_of(line, t) for t, f in optional.items() if text_of(line, t)}
    for tag in ("revrecstartdate", "revrecenddate"):
        if len(line.findall(f"{tag}/*")):
            row[tag.upper()] = legacy.split_date(line, tag)
    row |= legacy.dimensions(ctx, line)
    if taxes := legacy.tax_details(ctx, line):
        row["TAXENTRIES"] = taxes
    return row


def build(ctx: Context, kind: Kind, function: Element) -> Record:
    """The header and lines of a new document (nothing stored yet)."""
    legacy.check_order(function, kind.order)
    party_id = legacy.required(function, kind.party)
    party = legacy.existing(ctx, kind.party_object, kind.party.upper(), party_id)
    created = legacy.split_date(function, "datecreated", needed=True)
    draft = text_of(function, "action") == "Draft"
    lines = _lines(ctx, kind, function)
    total = sum((states.line_total(row) for row in lines), Decimal(0))
    name_field = "CUSTOMERNAME" if kind.party == "customerid" else "VENDORNAME"
    record: Record = {
        "RECORDID": _number(ctx, kind, function),
        "RECORDTYPE": kind.recordtype,
        "STATE": states.DRAFT if draft else states.POSTED,
        kind.party.upper(): party_id,
        name_field: str(party.get("NAME", "")),
        "WHENCREATED": created,
        "WHENPOSTED": "" if draft else legacy.split_date(function, "dateposted") or created,
        "WHENDUE": legacy.split_date(function, "datedue") or created,
        "WHENPAID": "",
        "DOCNUMBER": text_of(function, "ponumber"),
        "DESCRIPTION": text_of(function, "description"),
        "EXTERNALID": text_of(function, "externalid"),
        "TERMNAME": text_of(function, "termname"),
        "CURRENCY": legacy.currency(ctx, text_of(function, "currency"), party),
        "BASECURR": ctx.company.settings.base_currency,
        "TOTALENTERED": legacy.money(total),
        "TOTALPAID": "0.00",
        "TOTALDUE": legacy.money(total),
        states.LINES[kind.object_name]: lines,
    }
    return record | _extras(kind, function)


def _extras(kind: Kind, function: Element) -> Record:
    if kind.object_name == "APBILL":
        return {"PAYMENTPRIORITY": "Normal", "ONHOLD": text_of(function, "onhold") or "false"}
    reference = {"ARADJUSTMENT": "invoiceno", "APADJUSTMENT": "billno"}.get(kind.object_name)
    return {reference.upper(): text_of(function, reference)} if reference else {}


def store(ctx: Context, kind: Kind, record: Record) -> Record:
    stored = ctx.company.insert(kind.object_name, record, now=ctx.now, entity=ctx.entity)
    ctx.spend()
    return stored


def creator(kind: Kind) -> Handler:
    def create(ctx: Context, function: Element) -> Element:
        stored = store(ctx, kind, build(ctx, kind, function))
        return legacy.key_result(str(stored["RECORDNO"]))

    return create


def reverser(kind: Kind) -> Handler:
    def reverse(ctx: Context, function: Element) -> Element:
        legacy.check_order(function, ("datereversed", "description"))
        key = function.get("key", "").strip()
        record = ctx.company.by_recordno(kind.object_name, key)
        if record is None:
            raise not_found(kind.noun.split()[1], key, action="reverse")
        on = legacy.split_date(function, "datereversed", needed=True)
        memo = text_of(function, "description")
        reversal = states.reverse(ctx, kind.object_name, record, on=on, memo=memo)
        return legacy.key_result(str(reversal["RECORDNO"]))

    return reverse


HANDLERS: dict[str, Handler] = {
    "create_invoice": creator(INVOICE),
    "create_bill": creator(BILL),
    "create_aradjustment": creator(AR_ADJUSTMENT),
    "create_apadjustment": creator(AP_ADJUSTMENT),
    "reverse_invoice": reverser(INVOICE),
    "reverse_bill": reverser(BILL),
}
