"""The generic writes: create, update and delete (``listtype="objects"`` results).

A create without the object's id: customers, vendors, projects and employees are numbered by
document sequencing when the company uses it ("Required if company does not use document
sequencing, or you can provide a value to use instead of the document sequence value",
[XMLDOC project-resource-mgmt-projects], [XMLDOC employee-expenses-employees]; the ``*_sequencing``
settings; sequenced ids are **inferred**: the prefix and number format are a company's own); with
sequencing off the create is refused naming the id field. A TASK without TASKID takes its
RECORDNO ("Task ID that is unique for the given project ... (Default: record number)",
[XMLDOC project-resource-mgmt-tasks]), and a TASKID is refused only when another task of the
same project holds it.

An update that sends a block empty (``<DISPLAYCONTACT/>``, as the official JS SDK's updates do
when no contact field changes) leaves the stored block as it was (inferred; see
``_unchanged_blocks``).
"""

from __future__ import annotations

from lxml import etree

from released_intacct.fakes.simulators.intacct import behaviour, catalog, duplicates
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import (
    GENERIC,
    ErrorDetail,
    GatewayError,
    failure,
    not_found,
)
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome, object_of
from released_intacct.fakes.simulators.intacct.wire import Element, read_value, sub, text_of


def _objects(function: Element) -> list[tuple[catalog.ObjectDef, Record]]:
    found = []
    for element in function:
        obj = catalog.lookup(str(element.tag))
        if obj is None or obj.read_only:
            raise failure(GENERIC, f"Object definition {element.tag} not found or not writable")
        value = read_value(element)
        record = value if isinstance(value, dict) else {}
        found.append((obj, {k: v for k, v in record.items() if k not in catalog.SYSTEM_FIELDS}))
    if not found:
        raise failure(GENERIC, f"{function.tag} needs at least one object element")
    return found


def _objects_data(rows: list[tuple[catalog.ObjectDef, Record]]) -> Element:
    data = etree.Element("data", listtype="objects", count=str(len(rows)))
    for obj, record in rows:
        row = sub(data, obj.name.lower())
        sub(row, "RECORDNO", str(record["RECORDNO"]))
        if obj.id_field:
            sub(row, obj.id_field, str(record.get(obj.id_field, "")))
    return data


def create(ctx: Context, function: Element) -> Outcome:
    planned = [(obj, new_record(ctx, obj, record)) for obj, record in _objects(function)]
    return _objects_data([(obj, store_new(ctx, obj, record)) for obj, record in planned])


def create_record(ctx: Context, obj: catalog.ObjectDef, record: Record) -> Record:
    """Create one record as ``create`` does (its id checked, its defaults, its hooks): what the
    REST API's POST runs."""
    return store_new(ctx, obj, new_record(ctx, obj, record))


def store_new(ctx: Context, obj: catalog.ObjectDef, record: Record) -> Record:
    """Store a record ``new_record`` accepted: its defaults, the insert and what follows it."""
    prepared = behaviour.prepare_create(ctx, obj, record)
    numbered = obj.id_field if obj.id_is_recordno else None
    inserted = ctx.company.insert(
        obj.name, prepared, now=ctx.now, entity=ctx.entity, numbered=numbered
    )
    behaviour.after_create(ctx, obj, inserted)
    ctx.spend()
    return inserted


def new_record(ctx: Context, obj: catalog.ObjectDef, record: Record) -> Record:
    if not obj.generic_create:
        raise failure(
            GENERIC,
            f"{obj.name} cannot be created with the generic create function",
            correction=f"Use the legacy function for {obj.name}.",
        )
    if obj.id_field is None:
        return record
    given = str(record.get(obj.id_field, "")).strip()
    if not given:
        return record if obj.id_is_recordno else {**record, obj.id_field: _sequenced_id(ctx, obj)}
    if _taken(ctx, obj, obj.id_field, record, given):
        raise duplicates.taken(obj.name, obj.singular, given)
    return record


def _taken(ctx: Context, obj: catalog.ObjectDef, id_field: str, record: Record, given: str) -> bool:
    """Whether another record holds the id (within the same ``id_within`` value, if any)."""
    if obj.id_within is None:
        return ctx.company.by_field(obj.name, id_field, given) is not None
    scope = str(record.get(obj.id_within, ""))
    return any(
        str(other.get(id_field, "")) == given and str(other.get(obj.id_within, "")) == scope
        for other in ctx.company.table(obj.name).values()
    )


def _sequenced_id(ctx: Context, obj: catalog.ObjectDef) -> str:
    if obj.sequence is None:
        raise failure(GENERIC, f"Required field {obj.id_field} is missing for {obj.name}")
    if not getattr(ctx.company.settings, obj.sequence):
        if obj.missing_id is not None:
            raise failure(*obj.missing_id)
        raise failure(
            GENERIC,
            f"{obj.id_field} is required: document sequencing is off for {obj.name.lower()}s",
            correction=f"Send {obj.id_field}, or turn on document sequencing for "
            f"{obj.name.lower()}s.",
        )
    return ctx.company.next_id(obj.name, obj.prefix)


def update(ctx: Context, function: Element) -> Outcome:
    stored = []
    for obj, changes in _objects(function):
        stored.append((obj, update_record(ctx, obj, _existing(ctx, obj, changes), changes)))
    return _objects_data(stored)


def update_record(ctx: Context, obj: catalog.ObjectDef, record: Record, changes: Record) -> Record:
    """Apply ``changes`` to the stored ``record`` as ``update`` does: what the REST API's PATCH
    runs."""
    before = str(record.get("STATE", ""))
    merged = behaviour.prepare_update(ctx, obj, record, _unchanged_blocks(record, changes))
    recordno = int(str(record["RECORDNO"]))
    updated = ctx.company.update(obj.name, recordno, merged, now=ctx.now)
    behaviour.after_update(ctx, obj, before, updated)
    ctx.spend()
    return updated


def _unchanged_blocks(record: Record, changes: Record) -> Record:
    """``changes`` less the empty elements sent for a block the record holds.

    The official JS SDK's updates (CustomerUpdate, VendorUpdate, ...) always write
    ``<DISPLAYCONTACT>``, empty when no contact field changes; an empty block changes nothing
    (inferred: otherwise every SDK update would erase the contact).
    """
    kept: Record = {}
    for name, value in changes.items():
        current = record.get(name)
        if isinstance(value, dict) and isinstance(current, dict):
            kept[name] = _unchanged_blocks(current, value)
        elif not (value == "" and isinstance(current, dict | list)):
            kept[name] = value
    return kept


def _existing(ctx: Context, obj: catalog.ObjectDef, changes: Record) -> Record:
    recordno = str(changes.get("RECORDNO", "")).strip()
    if recordno:
        found = ctx.company.by_recordno(obj.name, recordno)
        key = f"RECORDNO={recordno}"
    elif obj.id_field and str(changes.get(obj.id_field, "")).strip():
        value = str(changes[obj.id_field]).strip()
        found = ctx.company.by_field(obj.name, obj.id_field, value)
        key = f"{obj.id_field}={value}"
    else:
        raise failure(GENERIC, f"update of {obj.name} needs RECORDNO or {obj.id_field}")
    if found is None:
        raise GatewayError(ErrorDetail(f"Cannot update non-existing {obj.name} with {key}."))
    return found


def delete(ctx: Context, function: Element) -> Outcome:
    obj = object_of(function)
    keys = [k.strip() for k in text_of(function, "keys").split(",") if k.strip()]
    rows = [ctx.company.by_recordno(obj.name, key) for key in keys]
    for key, row in zip(keys, rows, strict=True):
        if row is None or obj.read_only:
            raise not_found(obj.name, key, action="delete")
    for key in keys:
        delete_record(ctx, obj, key)
    return None


def delete_record(ctx: Context, obj: catalog.ObjectDef, recordno: str) -> None:
    """Delete one existing record as ``delete`` does: its checks, its AUDITHISTORY row, one
    transaction (shared by the legacy ``delete_*`` functions)."""
    behaviour.before_delete(ctx, obj, recordno)
    ctx.company.delete(obj.name, int(recordno), now=ctx.now)
    ctx.spend()


HANDLERS: dict[str, Handler] = {"create": create, "update": update, "delete": delete}
