"""Order Entry and Purchasing: legacy create_sotransaction and create_potransaction, and what
generic updates and deletes of SODOCUMENT / PODOCUMENT do (``orderupdates``: the legacy updates).

- ``transactiontype`` is the DOCPARID and must name a transaction definition (a SODOCUMENTPARAMS /
  PODOCUMENTPARAMS record with that DOCID). DOCNO is ``documentno`` or, when absent, the next
  number of that definition: its initials and four digits (``Sales Invoice`` → ``SI0001``).
  DOCID = ``<DOCPARID>-<DOCNO>``; the create answers ``<key>`` with the DOCID.
- Header fields: DOCID, DOCPARID, DOCNO, STATE (``state``, else ``Pending``), CUSTVENDID,
  CUSTVENDNAME, WHENCREATED (``datecreated``), WHENPOSTED, WHENDUE, PONUMBER (``referenceno``),
  TERMNAME, MESSAGE, CREATEDFROM, CURRENCY, BASECURR, PRRECORDKEY, totals and tax (see
  ``orderledger``). Lines SODOCUMENTENTRIES / PODOCUMENTENTRIES are numbered from LINE_NO 0.
- Refused: Order Entry / Purchasing off (settings ``order_entry`` / ``purchasing``), subtotal
  dimension defaulting off (``subtotal_defaulting``: the simulator cannot default subtotal
  dimensions then, so it refuses rather than post without them), an unknown definition, party,
  item, tax detail or dimension value, a foreign currency while multi-currency is off.
- EXTERNALID keeps ``externalid`` ("" when not sent; the field name is **inferred**): the legacy
  updates with ``externalkey="true"`` find the document by it.
- Lines are checked in one order accepting both ``sotransitem`` and ``potransitem``
  (``LINE_ORDER``).
- Deleting a document deletes its AR/AP record (refused once paid).
"""

from __future__ import annotations

from collections.abc import Callable

from released_intacct.fakes.simulators.intacct import legacy, orderledger, states
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure
from released_intacct.fakes.simulators.intacct.orderledger import PURCHASES, SALES, DocKind
from released_intacct.fakes.simulators.intacct.wire import Element, text_of

Handler = Callable[[Context, Element], Element | None]

_CURRENCY = (*legacy.MULTI_CURRENCY, "vsoepricelist", "customfields", "state", "projectid")
_SO_ORDER = (
    "transactiontype", "datecreated", "dateposted", "createdfrom", "customerid", "documentno",
    "origdocdate", "referenceno", "termname", "datedue", "message", "shippingmethod", "shipto",
    "billto", "supdocid", "externalid", *_CURRENCY, "sotransitems", "subtotals",
)  # fmt: skip
_PO_ORDER = (
    "transactiontype", "datecreated", "dateposted", "createdfrom", "vendorid", "documentno",
    "referenceno", "vendordocno", "termname", "datedue", "message", "shippingmethod", "returnto",
    "payto", "supdocid", "externalid", *_CURRENCY, "potransitems", "subtotals",
)  # fmt: skip
LINE_ORDER = (
    "bundlenumber", "itemid", "itemdesc", "taxable", "warehouseid", "quantity", "unit",
    "discountpercent", "price", "overridetaxamount", "tax", "discsurchargememo", "locationid",
    "departmentid", "memo", "itemdetails", "form1099", "customfields", "revrectemplate",
    "revrecstartdate", "revrecenddate", "renewalmacro", "projectid", "customerid", "vendorid",
    "employeeid", "classid", "contractid", "fulfillmentstatus", "taskno", "billingtemplate",
    "billable", "taxentries",
)  # fmt: skip
"""The children of ``sotransitem`` and ``potransitem`` (and their ``update*`` twins), in one order
consistent with both (inventory §2.28, §2.31: PO adds ``overridetaxamount``, ``tax``,
``form1099``)."""
_LINE_TEXT = {"itemid": "ITEMID", "itemdesc": "ITEMDESC", "quantity": "QUANTITY", "unit": "UNIT"}
_LINE_TEXT |= {"price": "PRICE", "memo": "MEMO", "revrectemplate": "REVRECTEMPLATE"}
_HEADER_TEXT = {"referenceno": "PONUMBER", "termname": "TERMNAME", "message": "MESSAGE"}
_HEADER_TEXT |= {"state": "STATE", "createdfrom": "CREATEDFROM"}
_HEADER_DATES = {"datecreated": "WHENCREATED", "dateposted": "WHENPOSTED", "datedue": "WHENDUE"}


def _enabled(ctx: Context, kind: DocKind) -> None:
    settings = ctx.company.settings
    if not getattr(settings, kind.setting):
        module = "Order Entry" if kind is SALES else "Purchasing"
        raise failure(GENERIC, f"{module} is not enabled for this company", correction="")
    if not settings.subtotal_defaulting:
        raise failure(
            GENERIC,
            "Subtotal dimensions cannot be defaulted from line dimensions: the company setting "
            "is off",
            correction="Turn on subtotal dimension defaulting, then send the document again.",
        )


def line(ctx: Context, element: Element) -> Record:
    """The fields a line element sends (an empty element sends nothing)."""
    legacy.check_order(element, LINE_ORDER)
    row: Record = {f: text_of(element, t) for t, f in _LINE_TEXT.items() if text_of(element, t)}
    for tag in ("revrecstartdate", "revrecenddate"):
        if len(element.findall(f"{tag}/*")):
            row[tag.upper()] = legacy.split_date(element, tag)
    row |= legacy.dimensions(ctx, element)
    detail = text_of(element, "taxentries/taxentry/detailid")
    if detail:
        row["TAXDETAILID"] = detail
    return row


def header(function: Element) -> Record:
    """The header fields a create or update sends (an empty element sends nothing)."""
    fields: Record = {
        f: text_of(function, t) for t, f in _HEADER_TEXT.items() if text_of(function, t)
    }
    for tag, field in _HEADER_DATES.items():
        if len(function.findall(f"{tag}/*")):
            fields[field] = legacy.split_date(function, tag)
    return fields


def _docid(ctx: Context, kind: DocKind, docparid: str, function: Element) -> tuple[str, str]:
    if ctx.company.by_field(kind.params, "DOCID", docparid) is None:
        raise failure(
            GENERIC,
            f"Invalid transaction definition '{docparid}' for {kind.object_name}",
            correction=f"Use the DOCID of an existing {kind.params} record.",
        )
    initials = "".join(word[0] for word in docparid.split()).upper()
    docno = text_of(function, "documentno") or ctx.company.next_id(
        f"{kind.object_name}:{docparid}", initials
    )
    docid = f"{docparid}-{docno}"
    if ctx.company.by_field(kind.object_name, "DOCID", docid) is not None:
        raise failure("BL34000061", f"Another transaction with the given value(s) {docid} exists")
    return docno, docid


def creator(kind: DocKind, order: tuple[str, ...], items: str) -> Handler:
    def create(ctx: Context, function: Element) -> Element:
        _enabled(ctx, kind)
        legacy.check_order(function, order)
        docparid = legacy.required(function, "transactiontype")
        party_id = legacy.required(function, kind.party_field.lower())
        party = legacy.existing(ctx, kind.party_object, kind.party_field, party_id)
        docno, docid = _docid(ctx, kind, docparid, function)
        created = legacy.split_date(function, "datecreated", needed=True)
        record: Record = {
            "DOCID": docid, "DOCPARID": docparid, "DOCNO": docno, "STATE": "Pending",
            "CUSTVENDID": party_id, "CUSTVENDNAME": str(party.get("NAME", "")),
            "WHENPOSTED": created, "WHENDUE": created, **header(function),
            "CURRENCY": legacy.currency(ctx, text_of(function, "currency"), party),
            "BASECURR": ctx.company.settings.base_currency, "PRRECORDKEY": "",
            "EXTERNALID": text_of(function, "externalid"),
            kind.lines: [line(ctx, e) for e in function.findall(f"{items}/*")],
        }  # fmt: skip
        record = orderledger.priced(ctx, kind, record)
        if orderledger.posts(ctx, kind, record):
            record["PRRECORDKEY"] = str(orderledger.post(ctx, kind, record)["RECORDNO"])
        ctx.company.insert(kind.object_name, record, now=ctx.now, entity=ctx.entity)
        ctx.spend()
        return legacy.key_result(docid)

    return create


def prepare_update(ctx: Context, kind: DocKind, record: Record, merged: Record) -> Record:
    """A generic update of a document: re-priced, and its AR/AP record re-created (D19)."""
    for field in ("DOCID", "DOCPARID", "DOCNO"):
        if str(merged.get(field, "")) != str(record.get(field, "")):
            raise failure(GENERIC, f"{field} cannot be changed by update")
    if merged.get("STATE") == states.DRAFT and record.get("STATE") != states.DRAFT:
        raise failure(GENERIC, "A posted transaction cannot go back to Draft")
    return orderledger.repost(ctx, kind, record, merged)


def before_delete(ctx: Context, kind: DocKind, record: Record) -> None:
    orderledger.unpost(ctx, kind, record)


HANDLERS: dict[str, Handler] = {
    "create_sotransaction": creator(SALES, _SO_ORDER, "sotransitems"),
    "create_potransaction": creator(PURCHASES, _PO_ORDER, "potransitems"),
}
ELEMENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "create_sotransaction": (_SO_ORDER, "sotransitems"),
    "create_potransaction": (_PO_ORDER, "potransitems"),
}
"""Each create's children in order and its lines' holder (the REST simulator builds them)."""
