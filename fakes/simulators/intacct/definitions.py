"""Object definitions: ``inspect`` (legacy) and ``lookup``, from one list of field facts.

Both describe an object's fields from ``fields_of``: RECORDNO, the id and name fields, the
catalog's fields, every field a record of the company holds, then WHENCREATED, WHENMODIFIED and
MEGAENTITYID. A field is required when it is the id and no document sequence supplies it,
read-only when the gateway sets it (``catalog.SYSTEM_FIELDS`` but RECORDNO).

- ``inspect`` (``<object>`` or ``*``; ``detail="1"`` for the details) answers
  ``<data listtype="All"><Type Name><Attributes/><Fields><Field>…`` (field names only, or with
  ``detail="1"`` Name, GroupName, externalDataName, isRequired, isReadOnly, maxLength,
  DisplayLabel, Description).
- ``lookup`` (``<object>``, optional ``<docparid>``; the SDKs' ``Lookup``, inventory §2.39)
  answers ``<data listtype="All" count="1"><Type Name><Fields><Field>`` with the documented
  ``ID``, ``LABEL``, ``DESCRIPTION``, ``REQUIRED``, ``READONLY``, ``DATATYPE`` (Sage's "Get Object
  Definition" page), then ``<Relationships><Relationship>`` with ``OBJECTPATH``, ``OBJECTNAME``,
  ``LABEL``, ``RELATIONSHIPTYPE``, ``RELATEDBY`` (the Python SDK reads
  ``data.Type.Relationships.Relationship``). **Inferred**: the ``Type`` / ``Fields`` wrappers
  beyond what that SDK reads, DATATYPE ``INTEGER`` for RECORDNO and ``TEXT`` otherwise, and one
  MANY2ONE relationship per dimension id field the object holds (LOCATIONID → LOCATION, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from released_intacct.fakes.simulators.intacct import catalog, legacy
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome, object_of
from released_intacct.fakes.simulators.intacct.wire import Element, sub, text_of


@dataclass(frozen=True, slots=True)
class FieldFact:
    name: str
    required: bool
    read_only: bool
    integer: bool
    max_length: str

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").title()


def fields_of(ctx: Context, obj: catalog.ObjectDef) -> list[FieldFact]:
    """The object's fields, in the order both functions list them."""
    names = ["RECORDNO", *(f for f in (obj.id_field, obj.name_field) if f), *obj.fields]
    for record in ctx.company.table(obj.name).values():
        names.extend(record)
    names.extend(("WHENCREATED", "WHENMODIFIED", "MEGAENTITYID"))
    return [
        FieldFact(
            name=name,
            required=name == obj.id_field and obj.sequence is None,
            read_only=name in catalog.SYSTEM_FIELDS - {"RECORDNO"},
            integer=name == "RECORDNO",
            max_length="20" if name == obj.id_field else "",
        )
        for name in dict.fromkeys(names)
    ]


def _flag(on: bool) -> str:
    return "true" if on else "false"


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
    for fact in fields_of(ctx, obj):
        if detail:
            _inspected(fields, fact)
        else:
            sub(fields, "Field", fact.name)
    return data


def _inspected(parent: Element, fact: FieldFact) -> None:
    field = sub(parent, "Field")
    sub(field, "Name", fact.name)
    sub(field, "GroupName", "")
    sub(field, "externalDataName", "integer" if fact.integer else "string")
    sub(field, "isRequired", _flag(fact.required))
    sub(field, "isReadOnly", _flag(fact.read_only))
    sub(field, "maxLength", fact.max_length)
    sub(field, "DisplayLabel", fact.label)
    sub(field, "Description", "")


def lookup(ctx: Context, function: Element) -> Outcome:
    legacy.check_order(function, ("object", "docparid"))
    obj = object_of(function)
    ctx.spend()
    data = etree.Element("data", listtype="All", count="1")
    kind = sub(data, "Type", Name=obj.name)
    fields = sub(kind, "Fields")
    facts = fields_of(ctx, obj)
    for fact in facts:
        field = sub(fields, "Field")
        sub(field, "ID", fact.name)
        sub(field, "LABEL", fact.label)
        sub(field, "DESCRIPTION", "")
        sub(field, "REQUIRED", _flag(fact.required))
        sub(field, "READONLY", _flag(fact.read_only))
        sub(field, "DATATYPE", "INTEGER" if fact.integer else "TEXT")
    relationships = sub(kind, "Relationships")
    for field_name, target, _ in legacy.DIMENSIONS.values():
        if target != obj.name and any(fact.name == field_name for fact in facts):
            relationship = sub(relationships, "Relationship")
            sub(relationship, "OBJECTPATH", target)
            sub(relationship, "OBJECTNAME", target)
            sub(relationship, "LABEL", target.title())
            sub(relationship, "RELATIONSHIPTYPE", "MANY2ONE")
            sub(relationship, "RELATEDBY", field_name)
    return data


HANDLERS: dict[str, Handler] = {"inspect": inspect, "lookup": lookup}
