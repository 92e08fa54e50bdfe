"""Creating AR/AP documents over REST, and their workflows, through the XML gateway's own code.

The real gateway creates ARINVOICE, ARADJUSTMENT and APADJUSTMENT only through their legacy
functions (``catalog.ObjectDef.generic_create``), so a REST POST of a document is translated to
the legacy function's element (``create_invoice``, ``create_bill``, ``create_aradjustment``,
``create_apadjustment``) and run by ``invoices.build`` / ``store``: numbering, the party and
account checks, Account Labels, tax details, totals, WHENMODIFIED and the audit row are those of
the XML API. A body field with no legacy element is refused (400 naming it).

Fields (docs/intacct-rest.md 4.6-4.9): the party (``customer.id`` / ``vendor.id``), the number,
the dates, ``referenceNumber`` / ``documentNumber``, ``description``, the currency, ``state``
(``draft`` makes a Draft, as the legacy ``action``; ``posted`` or absent posts: the REST spelling
of a draft create is **inferred**, no sample sets ``state``), and ``lines[]`` with the account
(``glAccount.id`` or ``accountLabel.id``), the amount, ``memo``, ``dimensions.<name>.id`` and
``taxEntries[]`` (``orderEntryTaxDetail`` / ``purchasingTaxDetail``, ``txnTaxAmount``).

Workflows (docs/intacct-rest.md section 8): ``reverse`` (``states.reverse``, the XML
``reverse_invoice``'s; the date field is ``reversedDate`` for AR, ``reverseDate`` for AP, the memo
``memo`` or ``notes``), ``submit`` (a Draft posted, as the generic update's ``STATE`` Posted;
anything else refused, **inferred**) and, for bills, ``recall`` (a posted, unpaid bill back to
Draft: **inferred** what it refuses). Each answers ``{key, id, href, state}``; a reverse answers
the new Reversal record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

from lxml import etree

from released_intacct.fakes.simulators.intacct import approvals, invoices, orders, states
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, GatewayError, failure
from released_intacct.fakes.simulators.intacct.rest.docobjects import STATE, TAX_DETAIL, base_path
from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestReply,
    invalid,
    not_found,
    operation_failed,
    success,
)
from released_intacct.fakes.simulators.intacct.rest.fields import RestObject, dotted, to_rest_value
from released_intacct.fakes.simulators.intacct.wire import Element

_KINDS: Final = {
    "accounts-receivable/invoice": invoices.INVOICE,
    "accounts-payable/bill": invoices.BILL,
    "accounts-receivable/adjustment": invoices.AR_ADJUSTMENT,
    "accounts-payable/adjustment": invoices.AP_ADJUSTMENT,
}
_HEADER: Final[Mapping[str, Mapping[str, str]]] = {
    "accounts-receivable/invoice": {
        "customer.id": "customerid", "invoiceNumber": "invoiceno", "invoiceDate": "datecreated",
        "invoiceSummary.glPostingDate": "dateposted", "dueDate": "datedue",
        "referenceNumber": "ponumber", "description": "description",
        "currency.txnCurrency": "currency",
    },
    "accounts-payable/bill": {
        "vendor.id": "vendorid", "billNumber": "billno", "createdDate": "datecreated",
        "postingDate": "dateposted", "dueDate": "datedue", "referenceNumber": "ponumber",
        "description": "description", "currency.txnCurrency": "currency",
    },
    "accounts-receivable/adjustment": {
        "customer.id": "customerid", "adjustmentNumber": "adjustmentno",
        "createdDate": "datecreated", "glPostingDate": "dateposted",
        "description": "description", "txnCurrency.currency": "currency",
    },
    "accounts-payable/adjustment": {
        "vendor.id": "vendorid", "adjustmentNumber": "adjustmentno", "createdDate": "datecreated",
        "postingDate": "dateposted", "description": "description",
        "currency.txnCurrency": "currency",
    },
}  # fmt: skip
"""REST field -> legacy element of each document's create."""
_XML_NAMES: Final = {path: kind.object_name.lower() for path, kind in _KINDS.items()}
_DATES: Final = frozenset(
    {"datecreated", "dateposted", "datedue", "revrecstartdate", "revrecenddate"}
)
_LINE_COMMON: Final = {"glAccount.id": "glaccountno", "accountLabel.id": "accountlabel"}
_AMOUNT: Final = {"accounts-receivable/adjustment": "txnCurrency.amount"}
_DIMENSION_TAGS: Final = (
    "location", "department", "project", "customer", "vendor", "employee", "item", "class",
    "contract", "warehouse",
)  # fmt: skip
_REVERSE: Final = {
    "accounts-receivable/invoice": ("reversedDate", "memo"),
    "accounts-receivable/adjustment": ("reversedDate", "memo"),
    "accounts-payable/bill": ("reverseDate", "notes"),
    "accounts-payable/adjustment": ("reverseDate", "memo"),
}


def creates(path: str) -> bool:
    return path in _KINDS or base_path(path) in _ORDERS


def create(ctx: Context, obj: RestObject, body: object) -> Record:
    """Store the document ``body`` asks for, as the legacy create would."""
    if base_path(obj.path) in _ORDERS:
        return _create_order(ctx, obj, body)
    kind = _KINDS[obj.path]
    return invoices.store(ctx, kind, invoices.build(ctx, kind, _function(obj, kind, body)))


def _function(obj: RestObject, kind: invoices.Kind, body: object) -> Element:
    if not isinstance(body, dict):
        raise invalid(f"the body of {obj.path} must be a JSON object, got {type(body).__name__}")
    header = _HEADER[obj.path]
    values: dict[str, object] = {}
    for name, value in dotted({k: v for k, v in body.items() if k != "lines"}).items():
        if name == "state":
            if value not in ("draft", "posted"):
                raise invalid(f"state: a new {obj.path} is 'draft' or 'posted', got {value!r}")
            values["action"] = "Draft" if value == "draft" else "Submit"
        elif name in header:
            values[header[name]] = value
        else:
            raise invalid(f"{name}: not a field a create of {obj.path} takes")
    lines = body.get("lines")
    if not isinstance(lines, list) or not lines:
        raise invalid(f"lines: a new {obj.path} needs at least one line")
    values[kind.items] = lines
    root = etree.Element(f"create_{_XML_NAMES[obj.path]}")
    for tag in kind.order:
        if tag == kind.items:
            holder = etree.SubElement(root, tag)
            for index, line in enumerate(lines):
                _line(etree.SubElement(holder, "lineitem"), obj, kind, index, line)
        elif tag in values and values[tag] not in (None, ""):
            _put(root, tag, values[tag])
    return root


def _line(element: Element, obj: RestObject, kind: invoices.Kind, index: int, line: object) -> None:
    if not isinstance(line, dict):
        raise invalid(f"lines[{index}] must be an object")
    amount = _AMOUNT.get(obj.path, "txnAmount")
    names = {**_LINE_COMMON, amount: "amount", "memo": "memo"}
    names |= {f"dimensions.{d}.id": f"{d}id" for d in _DIMENSION_TAGS}
    values: dict[str, object] = {}
    taxes = line.get("taxEntries")
    for name, value in dotted({k: v for k, v in line.items() if k != "taxEntries"}).items():
        if name not in names:
            raise invalid(f"lines[{index}].{name}: not a field of a {obj.path} line")
        values[names[name]] = _amount(f"lines[{index}].{name}", value) if name == amount else value
    for tag in kind.line_order:
        if tag == "taxentries" and taxes:
            _taxes(etree.SubElement(element, tag), obj, index, taxes)
        elif tag in values and values[tag] not in (None, ""):
            _put(element, tag, values[tag])


def _taxes(holder: Element, obj: RestObject, index: int, taxes: object) -> None:
    detail = TAX_DETAIL[f"{obj.path}-line"]
    if not isinstance(taxes, list):
        raise invalid(f"lines[{index}].taxEntries must be an array")
    for number, entry in enumerate(taxes):
        where = f"lines[{index}].taxEntries[{number}]"
        if not isinstance(entry, dict) or set(entry) - {detail, "txnTaxAmount"}:
            raise invalid(f"{where} takes {detail}.id and txnTaxAmount")
        block = entry.get(detail)
        ident = block.get("id") if isinstance(block, dict) else None
        if not isinstance(ident, str) or not ident:
            raise invalid(f"{where}.{detail}.id is required")
        tax = etree.SubElement(holder, "taxentry")
        _put(tax, "detailid", ident)
        if entry.get("txnTaxAmount") is not None:
            _put(tax, "trx_tax", _amount(f"{where}.txnTaxAmount", entry["txnTaxAmount"]))


def _amount(where: str, value: object) -> str:
    """A decimal string or JSON number (never a float's text: the ``Decimal`` of its digits)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise invalid(f'{where} must be an amount such as "100.00", got {value!r}')
    try:
        found = Decimal(str(value))
    except InvalidOperation as error:
        raise invalid(f'{where} must be an amount such as "100.00", got {value!r}') from error
    if not found.is_finite():
        raise invalid(f"{where} must be a finite amount, got {value!r}")
    return str(found)


def _put(parent: Element, tag: str, value: object) -> None:
    element = etree.SubElement(parent, tag)
    if tag in _DATES:
        text = str(value)
        parts = text.split("-")
        if len(parts) != 3:
            raise invalid(f"{tag}: a date is yyyy-mm-dd, got {text!r}")
        for part, name in zip(parts, ("year", "month", "day"), strict=True):
            etree.SubElement(element, name).text = part
        return
    element.text = str(value)


# --- OE/PO documents ------------------------------------------------------------------------

_ORDERS: Final = {
    "order-entry/document": ("create_sotransaction", "customer", "sotransitem"),
    "purchasing/document": ("create_potransaction", "vendor", "potransitem"),
}
_ORDER_HEADER: Final = {
    "txnDate": "datecreated", "postingDate": "dateposted", "dueDate": "datedue",
    "documentNumber": "documentno", "referenceNumber": "referenceno",
    "sourceDocument.id": "createdfrom", "txnCurrency": "currency",
}  # fmt: skip
_ORDER_LINE: Final = {
    "dimensions.item.id": "itemid", "dimensions.warehouse.id": "warehouseid",
    "unitQuantity": "quantity", "unitPrice": "price", "memo": "memo",
    "lineDescription": "itemdesc", "revenueRecognitionTemplate.id": "revrectemplate",
    "revenueRecognitionStartDate": "revrecstartdate",
    "revenueRecognitionEndDate": "revrecenddate", "dimensions.task.id": "taskno",
    **{f"dimensions.{d}.id": f"{d}id" for d in (
        "location", "department", "project", "customer", "vendor", "employee", "class",
        "contract",
    )},
}  # fmt: skip
_ORDER_STATES: Final = {"draft": "Draft", "pending": "Pending"}


def _create_order(ctx: Context, obj: RestObject, body: object) -> Record:
    """``POST <module>/document::<definition>``: ``create_sotransaction`` /
    ``create_potransaction`` of that definition (``transactiontype``); the record by its DOCID."""
    function, party, line_tag = _ORDERS[base_path(obj.path)]
    if not obj.definition:
        raise invalid(f"create a document through {obj.path}::<transaction definition>", 405)
    if not isinstance(body, dict):
        raise invalid(f"the body of {obj.path} must be a JSON object, got {type(body).__name__}")
    values = _order_values(obj, party, body)
    lines = body.get("lines")
    if not isinstance(lines, list):
        raise invalid(f"lines: a new {obj.path} takes an array of lines")
    order, items = orders.ELEMENTS[function]
    root = etree.Element(function)
    for tag in order:
        if tag == items:
            holder = etree.SubElement(root, tag)
            for index, line in enumerate(lines):
                _order_line(etree.SubElement(holder, line_tag), obj, index, line)
        elif tag in values and values[tag] not in (None, ""):
            _put(root, tag, values[tag])
    made = orders.HANDLERS[function](ctx, root)
    docid = "" if made is None else made.text or ""
    record = ctx.company.by_field(obj.xml, "DOCID", docid)
    if record is None:  # pragma: no cover - the create answered the DOCID it stored
        raise not_found(obj.path, docid)
    return record


def _order_values(obj: RestObject, party: str, body: dict[str, object]) -> dict[str, object]:
    """The create's header elements from the body's fields (``transactiontype``: the
    definition)."""
    header = {f"{party}.id": f"{party}id", **_ORDER_HEADER}
    values: dict[str, object] = {"transactiontype": obj.definition}
    for name, value in dotted({k: v for k, v in body.items() if k != "lines"}).items():
        if name == "state":
            if value not in _ORDER_STATES:
                raise invalid(f"state: a new document is one of {', '.join(_ORDER_STATES)}")
            values["state"] = _ORDER_STATES[str(value)]
        elif name in header:
            values[header[name]] = value
        else:
            raise invalid(f"{name}: not a field a create of {obj.path} takes")
    return values


def _order_line(element: Element, obj: RestObject, index: int, line: object) -> None:
    if not isinstance(line, dict):
        raise invalid(f"lines[{index}] must be an object")
    values: dict[str, object] = {}
    for name, value in dotted(line).items():
        if name not in _ORDER_LINE:
            raise invalid(f"lines[{index}].{name}: not a field of a {obj.path} line")
        values[_ORDER_LINE[name]] = value
    for tag in orders.LINE_ORDER:
        if tag in values and values[tag] not in (None, ""):
            _put(element, tag, values[tag])


# --- workflows ------------------------------------------------------------------------------


def workflow(ctx: Context, path: str, action: str, body: object) -> RestReply:
    """``POST /workflows/<path>/<action>``: reverse, submit or (bills) recall; a purchasing
    document's approve or decline."""
    if path == "purchasing/document" and action in approvals.OUTCOMES:
        return _decide(ctx, path, action, body)
    run = _ACTIONS.get(action)
    if (
        path not in _KINDS
        or run is None
        or (action == "recall" and path != "accounts-payable/bill")
    ):
        raise invalid(f"Malformed URL: /workflows/{path}/{action}", 404)
    if not isinstance(body, dict) or not isinstance(body.get("key"), str) or not body["key"]:
        raise invalid(f"the body of /workflows/{path}/{action} needs the record's key")
    kind = _KINDS[path]
    record = ctx.company.by_recordno(kind.object_name, body["key"])
    owner = "" if record is None else str(record.get("MEGAENTITYID", ""))
    if record is None or (ctx.entity and owner not in ("", ctx.entity)):
        raise not_found(path, body["key"])
    try:
        done = run(ctx, path, kind.object_name, record, body)
    except GatewayError as error:
        raise operation_failed(action, path, error) from error
    key = str(done["RECORDNO"])
    state = to_rest_value(ctx.company, STATE, done.get("STATE"))
    href = f"/objects/{path}/{key}"
    return success({"key": key, "id": key, "href": href, "state": state})


def _decide(ctx: Context, path: str, action: str, body: object) -> RestReply:
    """``/workflows/purchasing/document/approve`` / ``decline`` (``{"key", "notes",
    "lineKeys"}``, docs/intacct-rest.md section 8): the XML ``<approve><PODOCUMENT>`` of
    ``approvals`` (one level; ``lineKeys`` not honoured: the whole document is decided,
    **inferred**). Answers ``approved`` / ``declined``."""
    if not isinstance(body, dict) or not isinstance(body.get("key"), str) or not body["key"]:
        raise invalid(f"the body of /workflows/{path}/{action} needs the document's key")
    record = ctx.company.by_recordno("PODOCUMENT", body["key"])
    if record is None:
        raise not_found(path, body["key"])
    element = etree.Element(action)
    document = etree.SubElement(element, "PODOCUMENT")
    etree.SubElement(document, "DOCID").text = str(record.get("DOCID", ""))
    if body.get("notes"):
        etree.SubElement(document, "COMMENT").text = str(body["notes"])
    try:
        approvals.HANDLERS[action](ctx, element)
    except GatewayError as error:
        raise operation_failed(action, path, error) from error
    key, docid = str(record["RECORDNO"]), str(record.get("DOCID", ""))
    state = approvals.OUTCOMES[action].lower()
    return success({"key": key, "id": docid, "href": f"/objects/{path}/{key}", "state": state})


def _reverse(ctx: Context, path: str, name: str, record: Record, body: dict[str, object]) -> Record:
    date_field, memo_field = _REVERSE[path]
    on = body.get(date_field)
    if not isinstance(on, str) or len(on.split("-")) != 3:
        raise invalid(f"{date_field}: the reversal's date, yyyy-mm-dd, is required")
    year, month, day = on.split("-")
    return states.reverse(
        ctx, name, record, on=f"{month}/{day}/{year}", memo=str(body.get(memo_field) or "")
    )


def _submit(ctx: Context, path: str, name: str, record: Record, body: dict[str, object]) -> Record:
    del path, body
    if record.get("STATE") != states.DRAFT:
        raise failure(
            GENERIC,
            f"Cannot submit {states.describe(name, record)}: it is {record.get('STATE')}",
            correction="Only a draft can be submitted.",
        )
    changes = states.post_or_refuse(record, {"STATE": states.POSTED})
    updated = ctx.company.update(name, int(str(record["RECORDNO"])), changes, now=ctx.now)
    ctx.spend()
    return updated


def _recall(ctx: Context, path: str, name: str, record: Record, body: dict[str, object]) -> Record:
    del path, body
    if record.get("STATE") != states.POSTED or states.dec(record.get("TOTALPAID")) != 0:
        raise failure(
            GENERIC,
            f"Cannot recall {states.describe(name, record)}: it is {record.get('STATE')}",
            correction="Only a posted bill with no payments can be recalled.",
        )
    changes: Record = {"STATE": states.DRAFT, "WHENPOSTED": ""}
    updated = ctx.company.update(name, int(str(record["RECORDNO"])), changes, now=ctx.now)
    ctx.spend()
    return updated


_ACTIONS: Final[dict[str, Callable[[Context, str, str, Record, dict[str, object]], Record]]] = {
    "reverse": _reverse,
    "submit": _submit,
    "recall": _recall,
}
