"""Owned lines written and read through their owner ([RESTDOC]
docs/rest/owner-and-owned-objects.md).

A GET of an owner shows its ``lines``, each as its line object shows it. A POST of an owner takes
``lines`` whole. A PATCH of an owner takes the lines to change: one with a ``key`` updates that
line, one without is added, one with ``"ia::operation": "delete"`` and a ``key`` is removed, and
the lines not named stay ("Update an owner by adding new owned objects and/or modifying existing
owned objects by key"). The owner and its lines are one write, so one atomic change. The XML
record keeps them nested (``ARINVOICEITEMS``, ``APBILLITEMS``: ``catalog``), which keeps each kept
line's RECORDNO (``Company.update``).
"""

from __future__ import annotations

from released_intacct.fakes.simulators.intacct import catalog
from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.rest.docobjects import line_record, tax_entries
from released_intacct.fakes.simulators.intacct.rest.envelope import invalid
from released_intacct.fakes.simulators.intacct.rest.fields import RestObject, flat, nest, to_record
from released_intacct.fakes.simulators.intacct.rest.registry import OBJECTS

_OPERATION = "ia::operation"


def shown(company: Company, obj: RestObject, record: Record) -> list[dict[str, object]]:
    """The ``lines`` of an owner's record, as its line object shows them."""
    if obj.lines is None:
        return []
    line = OBJECTS[obj.lines]
    shown = []
    for row in company.lines(obj.xml, record):
        found = nest(flat(company, line, row))
        if taxes := tax_entries(company, line, row):
            found["taxEntries"] = taxes
        shown.append(found)
    return shown


def record_of(
    company: Company, obj: RestObject, body: object, *, existing: Record | None = None
) -> Record:
    """The XML record (or changes, with ``existing``) a REST body asks for, lines included."""
    if obj.lines is None or not isinstance(body, dict) or obj.holder not in body:
        return to_record(obj, body, ignore=("key",))
    items = body[obj.holder]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise invalid(f"{obj.holder} must be an array of objects")
    record = to_record(obj, {k: v for k, v in body.items() if k != obj.holder}, ignore=("key",))
    holder = catalog.OBJECTS[obj.xml].lines
    if holder is None:
        raise invalid(f"{obj.path} has no lines")
    line = OBJECTS[obj.lines]
    if existing is None:
        for index, item in enumerate(items):
            if "key" in item or _OPERATION in item:
                raise invalid(
                    f"{obj.holder}[{index}]: a new {obj.path} takes new lines, without key"
                )
        record[holder] = [line_record(line, item) for item in items]
        return record
    record[holder] = _merged(company, obj, line, existing, items)
    return record


def _merged(
    company: Company, obj: RestObject, line: RestObject, existing: Record, items: list[object]
) -> list[Record]:
    kept = [dict(row) for row in company.lines(obj.xml, existing)]
    by_key = {str(row.get("RECORDNO", "")): row for row in kept}
    added: list[Record] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        key = str(item.get("key", "") or "")
        operation = item.get(_OPERATION)
        if operation not in (None, "delete"):
            raise invalid(f"lines[{index}].{_OPERATION} must be 'delete', got {operation!r}")
        if key and key not in by_key:
            raise invalid(f"lines[{index}]: {obj.path} has no line with key '{key}'")
        if operation == "delete":
            if not key:
                raise invalid(f"lines[{index}]: deleting a line needs its key")
            kept.remove(by_key.pop(key))
        elif key:
            by_key[key].update(line_record(line, item, ignore=("key",)))
        else:
            added.append(line_record(line, item))
    return kept + added
