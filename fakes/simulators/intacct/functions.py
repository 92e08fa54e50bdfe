"""Every function the gateway runs, by element name, plus getAPISession and inspect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from released_intacct.fakes.simulators.intacct import (
    arpayments,
    catalog,
    docupdates,
    generic,
    invoices,
    legacydeletes,
    orders,
    orderupdates,
    prefs,
    writes,
)
from released_intacct.fakes.simulators.intacct.auth import SIGN_IN, Caller
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import failure
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome, object_of
from released_intacct.fakes.simulators.intacct.wire import Element, has, sub, text_of

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator


def api_session(sim: Simulator, caller: Caller, function: Element, *, endpoint: str) -> Element:
    entity = text_of(function, "locationid") if has(function, "locationid") else caller.entity
    if entity and entity not in caller.company.entities:
        raise failure(SIGN_IN, f"Entity '{entity}' does not exist or cannot be accessed")
    session = sim.open_session(caller.company, caller.user_id, entity)
    data = etree.Element("data")
    api = sub(data, "api")
    sub(api, "sessionid", session.session_id)
    sub(api, "endpoint", endpoint)
    sub(api, "locationid", entity)
    return data


def inspect(ctx: Context, function: Element) -> Outcome:
    if text_of(function, "object") == "*":
        data = etree.Element("data", listtype="All", count=str(len(catalog.OBJECTS)))
        for name in sorted(catalog.OBJECTS):
            sub(data, "Type", Name=name, typename=name)
        return data
    obj = object_of(function)
    ctx.spend()
    data = etree.Element("data", listtype="All", count="1")
    kind = sub(data, "Type", Name=obj.name)
    attributes = sub(kind, "Attributes")
    sub(attributes, "SingularName", obj.singular)
    sub(attributes, "PluralName", obj.singular + "s")
    sub(attributes, "Description", "")
    fields = sub(kind, "Fields")
    detail = function.get("detail") == "1"
    for name in _field_names(ctx, obj):
        if detail:
            _field_detail(fields, obj, name)
        else:
            sub(fields, "Field", name)
    return data


def _field_names(ctx: Context, obj: catalog.ObjectDef) -> list[str]:
    names = ["RECORDNO", *(f for f in (obj.id_field, obj.name_field) if f), *obj.fields]
    for record in ctx.company.table(obj.name).values():
        names.extend(record)
    names.extend(("WHENCREATED", "WHENMODIFIED", "MEGAENTITYID"))
    return list(dict.fromkeys(names))


def _field_detail(parent: Element, obj: catalog.ObjectDef, name: str) -> None:
    field = sub(parent, "Field")
    sub(field, "Name", name)
    sub(field, "GroupName", "")
    sub(field, "externalDataName", "integer" if name == "RECORDNO" else "string")
    required = name == obj.id_field and obj.sequence is None
    sub(field, "isRequired", "true" if required else "false")
    sub(field, "isReadOnly", "true" if name in catalog.SYSTEM_FIELDS - {"RECORDNO"} else "false")
    sub(field, "maxLength", "20" if name == obj.id_field else "")
    sub(field, "DisplayLabel", name.replace("_", " ").title())
    sub(field, "Description", "")


FUNCTIONS: dict[str, Handler] = {
    **generic.HANDLERS,
    **writes.HANDLERS,
    **invoices.HANDLERS,
    **arpayments.HANDLERS,
    **orders.HANDLERS,
    **prefs.HANDLERS,
    **legacydeletes.HANDLERS,
    **docupdates.HANDLERS,
    **orderupdates.HANDLERS,
    "inspect": inspect,
}
