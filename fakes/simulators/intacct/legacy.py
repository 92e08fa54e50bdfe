"""What every legacy function shares: strict child order, split dates, lookups that refuse.

The legacy functions (``create_invoice``, ``create_bill``, ``create_sotransaction``, ...) take
lowercase elements in the order the real DTD declares; an element out of order or unknown fails
the function with ``XL03000003`` (the gateway's schema error), naming the element and the order.
Dates are ``<year><month><day>`` blocks. Lookups refuse what the real gateway refuses: an unknown
(or deleted) customer or vendor, an unknown GL account, account label, item, tax detail or
dimension value, a foreign currency while multi-currency is off, and ``glaccountno`` while Account
Labels are on (or ``accountlabel`` while they are off). A success answers ``<key>`` directly under
``<result>``, as the real gateway does for legacy creates.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure
from released_intacct.fakes.simulators.intacct.wire import Element, text_of

SCHEMA = "XL03000003"
CENT = Decimal("0.01")

DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "locationid": ("LOCATIONID", "LOCATION", "LOCATIONID"),
    "departmentid": ("DEPARTMENTID", "DEPARTMENT", "DEPARTMENTID"),
    "projectid": ("PROJECTID", "PROJECT", "PROJECTID"),
    "customerid": ("CUSTOMERID", "CUSTOMER", "CUSTOMERID"),
    "vendorid": ("VENDORID", "VENDOR", "VENDORID"),
    "employeeid": ("EMPLOYEEID", "EMPLOYEE", "EMPLOYEEID"),
    "itemid": ("ITEMID", "ITEM", "ITEMID"),
    "classid": ("CLASSID", "CLASS", "CLASSID"),
    "contractid": ("CONTRACTID", "CONTRACT", "CONTRACTID"),
    "warehouseid": ("WAREHOUSEID", "WAREHOUSE", "WAREHOUSEID"),
}
"""Line element → (record field, object, id field) for the dimensions a line may carry."""

MULTI_CURRENCY = ("basecurr", "currency", "exchratedate", "exchratetype", "exchrate")


def check_order(
    element: Element, order: Sequence[str], *, repeated: frozenset[str] = frozenset()
) -> None:
    """Refuse children that are unknown, repeated (unless allowed) or out of the DTD's order."""
    position = {name: index for index, name in enumerate(order)}
    last, last_tag = -1, ""
    for child in element:
        tag = str(child.tag)
        index = position.get(tag)
        if index is None or index < last or (index == last and tag not in repeated):
            where = "is not allowed" if index is None else f"is out of order (after {last_tag})"
            raise failure(
                SCHEMA,
                f"XML Parse schema error: element <{tag}> {where} in <{element.tag}>",
                description="XML Parse schema error",
                correction=f"Send <{element.tag}>'s children in this order: {', '.join(order)}.",
            )
        last, last_tag = index, tag


def required(element: Element, tag: str) -> str:
    value = text_of(element, tag)
    if not value:
        raise failure(
            GENERIC,
            f"Required field {tag} is missing in <{element.tag}>",
            correction=f"Send <{tag}>.",
        )
    return value


def split_date(element: Element, tag: str, *, needed: bool = False) -> str:
    """``<tag><year/><month/><day/></tag>`` as ``mm/dd/yyyy``; "" when absent and not needed."""
    block = element.find(tag)
    if block is None:
        if needed:
            raise failure(GENERIC, f"Required field {tag} is missing in <{element.tag}>")
        return ""
    parts = [text_of(block, part) for part in ("year", "month", "day")]
    try:
        when = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as error:
        raise failure(
            GENERIC,
            f"{tag} is not a valid date: year '{parts[0]}', month '{parts[1]}', day '{parts[2]}'",
            correction=f"Send <{tag}> as <year>yyyy</year><month>mm</month><day>dd</day>.",
        ) from error
    return when.strftime("%m/%d/%Y")


def money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def parse_decimal(text: str, field: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise failure(GENERIC, f"{field} must be a number, got '{text}'") from error
    if not value.is_finite():
        raise failure(GENERIC, f"{field} must be a number, got '{text}'")
    return value


def decimal_of(element: Element, tag: str, *, needed: bool = True) -> Decimal:
    text = required(element, tag) if needed else text_of(element, tag, "0")
    return parse_decimal(text, tag)


def key_result(key: str) -> Element:
    """What a legacy create answers: ``<key>`` directly under ``<result>``."""
    element = etree.Element("key")
    element.text = key
    return element


def existing(ctx: Context, object_name: str, id_field: str, value: str) -> Record:
    """The record whose ``id_field`` is ``value`` (deleted records are not found)."""
    found = ctx.company.by_field(object_name, id_field, value)
    if found is None:
        label = object_name.title()
        raise failure(
            GENERIC,
            f"Invalid {label} '{value}' specified: no {label.lower()} with {id_field} {value}",
            correction=f"Use the {id_field} of an existing {label.lower()}.",
        )
    return found


def currency(ctx: Context, sent: str, party: Record) -> str:
    """The transaction currency: sent, else the party's, else the base; refused if not allowed."""
    settings = ctx.company.settings
    chosen = sent or str(party.get("CURRENCY") or "")
    chosen = chosen or settings.base_currency
    if chosen != settings.base_currency and not settings.multi_currency:
        raise failure(
            GENERIC,
            f"Currency {chosen} is not allowed: multi-currency is off and the base currency is "
            f"{settings.base_currency}",
            correction=f"Use {settings.base_currency}, or turn on multi-currency.",
        )
    return chosen


def line_account(ctx: Context, line: Element, *, labels: str) -> Record:
    """ACCOUNTNO (and ACCOUNTLABEL) of a line, by the company's Account Labels setting."""
    label, account = text_of(line, "accountlabel"), text_of(line, "glaccountno")
    if ctx.company.settings.account_labels:
        if account or not label:
            raise failure(
                GENERIC,
                "Account Labels are on: send <accountlabel> on each line, not <glaccountno>",
                correction="Use an account label, or turn off Account Labels.",
            )
        found = existing(ctx, labels, "ACCOUNTLABEL", label)
        return {"ACCOUNTLABEL": label, "ACCOUNTNO": str(found.get("GLACCOUNTNO", ""))}
    if label:
        raise failure(
            GENERIC,
            f"Account Labels are off: account label '{label}' cannot be used",
            correction="Send <glaccountno> with a GL account number instead.",
        )
    if not account:
        raise failure(GENERIC, "Required field glaccountno is missing in <lineitem>")
    existing(ctx, "GLACCOUNT", "ACCOUNTNO", account)
    return {"ACCOUNTNO": account}


def dimensions(ctx: Context, line: Element) -> Record:
    """The line's dimension values, each checked against its object."""
    found: Record = {}
    for tag, (field, object_name, id_field) in DIMENSIONS.items():
        value = text_of(line, tag)
        if value:
            existing(ctx, object_name, id_field, value)
            found[field] = value
    return found


def tax_details(ctx: Context, line: Element) -> list[Record]:
    """``<taxentries><taxentry><detailid/><trx_tax/>`` (the PHP SDK's
    ``InvoiceLineTaxEntriesCreate`` / ``BillLineTaxEntriesCreate``): in that order, and each
    detail must exist."""
    entries: list[Record] = []
    holder = line.find("taxentries")
    if holder is not None:
        check_order(holder, ("taxentry",), repeated=frozenset({"taxentry"}))
    for entry in line.findall("taxentries/taxentry"):
        check_order(entry, ("detailid", "trx_tax"))
        detail = required(entry, "detailid")
        existing(ctx, "TAXDETAIL", "DETAILID", detail)
        row: Record = {"DETAILID": detail}
        if text_of(entry, "trx_tax"):
            row["TRX_TAX"] = money(decimal_of(entry, "trx_tax"))
        entries.append(row)
    return entries
