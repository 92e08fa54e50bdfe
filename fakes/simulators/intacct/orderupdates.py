"""Legacy Order Entry / Purchasing updates: ``update_sotransaction`` and ``update_potransaction``.

- ``key`` is the document's DOCID (``Sales Order-SO0001``); with ``externalkey="true"`` it is the
  ``externalid`` the legacy create stored (field EXTERNALID, an **inferred** name, see ``orders``).
  ``disablevalidation`` is accepted and changes nothing.
- Header children in the documented order (inventory §2.29, §2.32): dates, ``referenceno``
  (PONUMBER), ``termname``, ``message``, ``state`` change the header (as ``orders.header``); the
  contacts, ``vendordocno``, ``supdocid``, ``externalid`` (the JS SDK writes it even when it is
  the key), custom fields and subtotals are accepted and not stored, as the creates do not store
  them. ``currency`` is checked as on create.
- ``updatesotransitems`` / ``updatepotransitems`` mix ``updatesotransitem line_num="N"`` /
  ``updatepotransitem`` (N numbered from 1; the fields sent replace the line's) and new
  ``sotransitem`` / ``potransitem`` lines, appended.
- Like a generic update of the document (``orders.prepare_update``): DOCID cannot change, a posted
  document cannot go back to Draft, the document is re-priced and its AR/AP record re-created
  under a new RECORDNO (D19), refused once that record has payments applied.
- Success answers ``<key>`` with the DOCID. An unknown key fails with BL01001973
  (``errors.not_found``), an unknown ``line_num`` with BL01001973.
"""

from __future__ import annotations

from dataclasses import dataclass

from released_intacct.fakes.simulators.intacct import legacy, orderledger, orders
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure, not_found
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome
from released_intacct.fakes.simulators.intacct.orderledger import PURCHASES, SALES, DocKind
from released_intacct.fakes.simulators.intacct.wire import Element, text_of

_TAIL = ("supdocid", "externalid", *legacy.MULTI_CURRENCY)
_SO = (
    "datecreated", "dateposted", "referenceno", "termname", "datedue", "origdocdate", "message",
    "shippingmethod", "shipto", "billto", *_TAIL, "vsoepricelist", "customfields", "state",
    "projectid", "updatesotransitems", "updatesubtotals",
)  # fmt: skip
_PO = (
    "datecreated", "dateposted", "referenceno", "vendordocno", "termname", "datedue", "message",
    "shippingmethod", "returnto", "payto", "deliverto", *_TAIL, "customfields", "state",
    "projectid", "updatepotransitems", "updatesubtotals",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Update:
    kind: DocKind
    order: tuple[str, ...]
    prefix: str
    """``so`` or ``po``: the line elements are ``<prefix>transitem`` and ``update<prefix>…``."""

    @property
    def items(self) -> str:
        return f"update{self.prefix}transitems"


SALES_UPDATE = Update(SALES, _SO, "so")
PURCHASES_UPDATE = Update(PURCHASES, _PO, "po")


def _target(ctx: Context, spec: Update, function: Element) -> Record:
    key = (function.get("key") or "").strip()
    external = (function.get("externalkey") or "").strip().lower() == "true"
    field = "EXTERNALID" if external else "DOCID"
    record = ctx.company.by_field(spec.kind.object_name, field, key) if key else None
    if record is None:
        raise not_found(
            spec.kind.object_name,
            key,
            action="update",
            correction=f'Send <{function.tag} key="..."> with the {field} of a document.',
        )
    return record


def _edited_lines(
    ctx: Context, spec: Update, record: Record, holder: Element | None
) -> list[Record]:
    lines = orderledger.entries(spec.kind, record)
    for element in [] if holder is None else list(holder):
        if element.tag == f"{spec.prefix}transitem":
            lines.append(orders.line(ctx, element))
            continue
        number = (element.get("line_num") or "").strip()
        if element.tag != f"update{spec.prefix}transitem" or not number.isdigit():
            raise failure(legacy.SCHEMA, f"<{element.tag}> needs line_num or is not allowed here")
        index = int(number) - 1
        if not 0 <= index < len(lines):
            raise failure(GENERIC, f"Line {number} does not exist on this transaction")
        lines[index] = {**lines[index], **orders.line(ctx, element)}
    return lines


def updater(spec: Update) -> Handler:
    def update(ctx: Context, function: Element) -> Outcome:
        legacy.check_order(function, spec.order)
        kind = spec.kind
        record = _target(ctx, spec, function)
        after = {**record, **orders.header(function)}
        if currency := text_of(function, "currency"):
            party_id = str(record.get("CUSTVENDID", ""))
            party = legacy.existing(ctx, kind.party_object, kind.party_field, party_id)
            after["CURRENCY"] = legacy.currency(ctx, currency, party)
        after[kind.lines] = _edited_lines(ctx, spec, record, function.find(spec.items))
        edited = orders.prepare_update(ctx, kind, record, after)
        ctx.company.update(kind.object_name, int(str(record["RECORDNO"])), edited, now=ctx.now)
        ctx.spend()
        return legacy.key_result(str(record["DOCID"]))

    return update


HANDLERS: dict[str, Handler] = {
    "update_sotransaction": updater(SALES_UPDATE),
    "update_potransaction": updater(PURCHASES_UPDATE),
}

OBJECTS: dict[str, str] = {
    "update_sotransaction": "SODOCUMENT",
    "update_potransaction": "PODOCUMENT",
}
"""The object each legacy update writes (for matching fault rules by object)."""
