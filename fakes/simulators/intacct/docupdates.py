"""Legacy AR/AP document updates: ``update_invoice`` and ``update_bill``.

Shapes (Sage's "Update Invoice (Legacy)" / "Update Bill (Legacy)" pages; the JS SDK's
``InvoiceUpdate`` / ``BillUpdate``, inventory §2.18 and §2.21):

- ``key`` is the document's RECORDNO, or with ``externalkey="true"`` the ``externalid`` its
  legacy create stored (field EXTERNALID, an **inferred** name, see ``invoices``).
- Header children, all optional, in the documented order (``_INVOICE`` / ``_BILL``): the party,
  ``datecreated``, ``dateposted``, ``datedue``, ``termname``, ``action``, the number
  (``invoiceno`` / ``billno``), ``ponumber``, ``onhold`` (bills), ``description``, ``payto``,
  ``returnto``, the currency block, ``supdocid``, ``customfields``, then the lines holder
  ``updateinvoiceitems`` / ``updatebillitems``. Empty elements (rule 2) change nothing.
- The lines holder mixes ``<updatelineitem line_num="N">`` (N from 1; only the fields sent
  change) and ``<lineitem>`` (a new line, appended; account and amount required).

What changes, as a generic ``update`` of the document would (``behaviour.prepare_update``):
WHENCREATED, WHENDUE, WHENPOSTED (posted documents only), TERMNAME, RECORDID (refused with
BL34000061 when another document of the kind holds it), DOCNUMBER, DESCRIPTION, ONHOLD, the party
(CUSTOMERID/CUSTOMERNAME or VENDORID/VENDORNAME) and CURRENCY; new lines recompute TOTALENTERED and
TOTALDUE. Not stored, as the creates do not store them: contacts, attachments, custom fields,
exchange rates. ``action`` ``Submit`` posts a Draft and leaves a posted document as it is;
``Draft`` keeps a Draft and is refused on a posted document. Refused as the generic update refuses:
a reversed document, lines of a document with payments applied. Success answers ``<key>`` with the
RECORDNO.

Decisions where no source says what Intacct does (**inferred**): the documentation marks the lines
holder Required, but the JS SDK's minimal ``<update_invoice key="1234" />`` sends none, so a
header-only update is accepted; the answer is ``<key>`` as for ``update_sotransaction``; an
unknown ``line_num`` fails with BL01001973.
"""

from __future__ import annotations

from dataclasses import dataclass

from released_intacct.fakes.simulators.intacct import (
    behaviour,
    catalog,
    duplicates,
    invoices,
    legacy,
    states,
)
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import (
    GENERIC,
    failure,
    not_found,
)
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome
from released_intacct.fakes.simulators.intacct.wire import Element, text_of

_TAIL = ("payto", "returnto")
_INVOICE = (
    "customerid", "datecreated", "dateposted", "datedue", "termname", "action", "invoiceno",
    "ponumber", "description", *_TAIL, "basecurr", "currency", "exchratedate", "exchratetype",
    "exchrate", "supdocid", "customfields", "updateinvoiceitems",
)  # fmt: skip
_BILL = (
    "vendorid", "datecreated", "dateposted", "datedue", "termname", "action", "billno", "ponumber",
    "onhold", "description", *_TAIL, "currency", "exchratedate", "exchratetype", "exchrate",
    "supdocid", "customfields", "updatebillitems", "inclusivetax",
)  # fmt: skip
_TEXT = {"termname": "TERMNAME", "ponumber": "DOCNUMBER", "description": "DESCRIPTION"}
_DATES = {"datecreated": "WHENCREATED", "datedue": "WHENDUE"}


@dataclass(frozen=True, slots=True)
class Update:
    kind: invoices.Kind
    order: tuple[str, ...]
    items: str

    @property
    def obj(self) -> catalog.ObjectDef:
        return catalog.OBJECTS[self.kind.object_name]


INVOICE = Update(invoices.INVOICE, _INVOICE, "updateinvoiceitems")
BILL = Update(invoices.BILL, _BILL, "updatebillitems")


def _sent_date(function: Element, tag: str) -> str:
    """``mm/dd/yyyy`` of a date block, or "" when absent or empty."""
    return legacy.split_date(function, tag) if len(function.findall(f"{tag}/*")) else ""


def _target(ctx: Context, spec: Update, function: Element) -> Record:
    key = (function.get("key") or "").strip()
    external = (function.get("externalkey") or "").strip().lower() == "true"
    name = spec.kind.object_name
    if not key:
        record = None
    elif external:
        record = ctx.company.by_field(name, "EXTERNALID", key)
    else:
        record = ctx.company.by_recordno(name, key)
    if record is None:
        attribute = 'key="..." externalkey="true"' if external else 'key="RECORDNO"'
        correction = f"Send <{function.tag} {attribute}> naming an existing document."
        raise not_found(name, key, action="update", correction=correction)
    return record


def _number(ctx: Context, spec: Update, record: Record, given: str) -> str:
    holder = ctx.company.by_field(spec.kind.object_name, "RECORDID", given)
    if holder is not None and holder.get("RECORDNO") != record.get("RECORDNO"):
        then = [f"Could not update {spec.kind.object_name} record!"]
        raise duplicates.another("document", given, then=then)
    return given


def _header(ctx: Context, spec: Update, record: Record, function: Element) -> Record:
    """The header fields the function sends, as record changes."""
    kind = spec.kind
    changes: Record = {f: text_of(function, t) for t, f in _TEXT.items() if text_of(function, t)}
    changes |= {f: d for t, f in _DATES.items() if (d := _sent_date(function, t))}
    if number := text_of(function, kind.number):
        changes["RECORDID"] = _number(ctx, spec, record, number)
    if kind.party_object == "VENDOR" and text_of(function, "onhold"):
        changes["ONHOLD"] = text_of(function, "onhold")
    sent_party, sent_currency = text_of(function, kind.party), text_of(function, "currency")
    if not (sent_party or sent_currency):
        return changes
    party_id = sent_party or str(record.get(kind.party.upper(), ""))
    party = legacy.existing(ctx, kind.party_object, kind.party.upper(), party_id)
    if sent_party:
        name_field = "CUSTOMERNAME" if kind.party_object == "CUSTOMER" else "VENDORNAME"
        changes |= {kind.party.upper(): party_id, name_field: str(party.get("NAME", ""))}
    if sent_currency:
        changes["CURRENCY"] = legacy.currency(ctx, sent_currency, party)
    return changes


def _state(spec: Update, record: Record, function: Element) -> Record:
    """``action``: Submit posts a Draft; Draft keeps one; anything else is refused."""
    action, state = text_of(function, "action"), str(record.get("STATE", ""))
    if action not in ("", "Submit", "Draft"):
        raise failure(GENERIC, f"action must be Draft or Submit, got '{action}'")
    if action == "Draft" and state != states.DRAFT:
        raise failure(
            GENERIC,
            f"{states.describe(spec.kind.object_name, record)} is {state}: "
            "a posted document cannot go back to Draft",
            correction="Send action Submit, or leave action out.",
        )
    return {"STATE": states.POSTED} if action == "Submit" and state == states.DRAFT else {}


def _lines(ctx: Context, spec: Update, record: Record, holder: Element) -> list[Record]:
    kind = spec.kind
    lines = [dict(line) for line in states.lines_of(record, kind.object_name)]
    for element in holder:
        if element.tag == "lineitem":
            lines.append(invoices.new_line(ctx, kind, element, len(lines) + 1))
            continue
        number = (element.get("line_num") or "").strip()
        if element.tag != "updatelineitem":
            raise failure(legacy.SCHEMA, f"<{element.tag}> is not allowed in <{holder.tag}>")
        if not number.isdigit() or not 1 <= int(number) <= len(lines):
            raise failure(
                GENERIC,
                f"Line {number or '(no line_num)'} does not exist on this document",
                correction=f"Use a line_num from 1 to {len(lines)}.",
            )
        index = int(number) - 1
        lines[index] = {**lines[index], **invoices.line_fields(ctx, kind, element)}
    return lines


def updater(spec: Update) -> Handler:
    def update(ctx: Context, function: Element) -> Outcome:
        legacy.check_order(function, spec.order)
        record = _target(ctx, spec, function)
        changes = _header(ctx, spec, record, function) | _state(spec, record, function)
        holder = function.find(spec.items)
        if holder is not None and len(holder):
            changes[states.LINES[spec.kind.object_name]] = _lines(ctx, spec, record, holder)
        merged = behaviour.prepare_update(ctx, spec.obj, record, changes)
        if merged.get("STATE") == states.POSTED and record.get("STATE") == states.DRAFT:
            posted = _sent_date(function, "dateposted") or merged.get("WHENCREATED", "")
            merged["WHENPOSTED"] = posted
        elif merged.get("STATE") != states.DRAFT and _sent_date(function, "dateposted"):
            merged["WHENPOSTED"] = _sent_date(function, "dateposted")
        recordno = int(str(record["RECORDNO"]))
        ctx.company.update(spec.kind.object_name, recordno, merged, now=ctx.now)
        ctx.spend()
        return legacy.key_result(str(recordno))

    return update


HANDLERS: dict[str, Handler] = {"update_invoice": updater(INVOICE), "update_bill": updater(BILL)}

OBJECTS: dict[str, str] = {"update_invoice": "ARINVOICE", "update_bill": "APBILL"}
"""The object each legacy update writes (for matching fault rules by object)."""
