"""The query service, ``POST /services/core/query`` ([RESTDOC] docs/rest/query-service.md).

``object`` (a path of ``registry.OBJECTS``), ``fields`` (required, no ``*``; dotted names),
``filters`` / ``filterExpression`` / ``filterParameters`` (``filters``), ``orderBy`` (a list of
``{field: "asc" | "desc"}``), ``start`` (1-based, default 1) and ``size`` (default 100, at most
4,000: "max: 4,000 per response"; more is refused with 400, **inferred**: the page does not say
whether it is refused or cut). Rows are what the entity sees, in key order unless ordered, each
with the asked fields under their dotted names (**inferred**: the page shows only requests).
``ia::meta``: ``totalCount``, ``start``, ``pageSize``, ``next`` (the next page's start, or null)
and ``previous``. One object per query: the page's array of queries is not simulated. Not
idempotent-keyed ("Core services like model and query do not support idempotency").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Final

from released_intacct.fakes.simulators.intacct import catalog, generic
from released_intacct.fakes.simulators.intacct.company import Record, sees
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GatewayError
from released_intacct.fakes.simulators.intacct.rest import filters, stamps
from released_intacct.fakes.simulators.intacct.rest.docobjects import base_path, document_of
from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestError,
    RestReply,
    details,
    encode,
    invalid,
)
from released_intacct.fakes.simulators.intacct.rest.fields import Owner, RestObject, View
from released_intacct.fakes.simulators.intacct.rest.registry import OBJECTS

MAX_SIZE: Final = 4000
DEFAULT_SIZE: Final = 100
_KNOWN: Final = frozenset(
    {
        "object",
        "fields",
        "filters",
        "filterExpression",
        "filterParameters",
        "orderBy",
        "start",
        "size",
    }
)


def object_named(path: object) -> RestObject:
    if isinstance(path, str) and path != base_path(path) and base_path(path) in OBJECTS:
        return document_of(OBJECTS[base_path(path)], path)
    found = OBJECTS.get(path) if isinstance(path, str) else None
    if found is None:
        raise invalid(f"object: unknown object {path!r} (known: {', '.join(sorted(OBJECTS))})", 404)
    return found


def readable(ctx: Context, obj: RestObject) -> catalog.ObjectDef:
    """The XML object of ``obj``, if the caller may read it. Audit history needs the same
    permission as over XML (``generic.permitted``): without it, 403 ``permissionDenied`` with
    the XML refusal in ``details`` (the code is **inferred**)."""
    xml = catalog.OBJECTS[obj.xml]
    try:
        generic.permitted(ctx, xml)
    except GatewayError as error:
        message = f"No permission to read {obj.path}"
        raise RestError(403, "permissionDenied", message, details(error)) from error
    return xml


def visible(ctx: Context, obj: RestObject, among: Iterable[Record] | None = None) -> list[View]:
    """Every record of ``obj`` the caller's entity sees (of those ``among``, when given: a part
    of ``obj``'s table), as REST shows it (each field converted when first asked for), by key;
    an owned object's rows also carry every field of their owner under its name
    (``bill.vendor.id``: "Owning Parent Query", [RESTDOC] docs/rest/query-service.md)."""
    xml = readable(ctx, obj)

    def show(record: Record) -> Record:
        return generic.shown(ctx, xml, record)

    held = (
        ctx.company.records(obj.xml, entity=ctx.entity)
        if among is None
        else (r for r in among if sees(ctx.entity, r))
    )
    rows = [
        View(ctx.company, obj, r, show)
        for r in held
        if obj.definition is None or r.get("DOCPARID") == obj.definition
    ]
    if obj.owner is not None:
        _with_owners(ctx, obj.owner, rows)
    return sorted(rows, key=lambda r: r.key)


def names(obj: RestObject) -> frozenset[str]:
    """The fields a query of ``obj`` may name: its own, and its owner's under the owner's name
    (never an owner's lines: "You cannot query a parent and get child fields")."""
    own = {f.rest for f in obj.all_fields}
    if obj.owner is not None:
        parent = OBJECTS[obj.owner.path]
        own |= {f"{obj.owner.name}.{f.rest}" for f in parent.all_fields}
    return frozenset(own)


def _with_owners(ctx: Context, owner: Owner, rows: list[View]) -> None:
    """Give each row its owner's view (one per owner, made when first asked for)."""
    parent = OBJECTS[owner.path]
    xml = catalog.OBJECTS[parent.xml]
    views: dict[str, View | None] = {}

    def show(record: Record) -> Record:
        return generic.shown(ctx, xml, record)

    def lookup(key: str) -> View | None:
        if key not in views:
            record = ctx.company.by_recordno(parent.xml, key)
            views[key] = None if record is None else View(ctx.company, parent, record, show)
        return views[key]

    for row in rows:
        row.prefixed[owner.name] = partial(lookup, str(row.record.get(owner.key_field, "")))


def _int(body: dict[str, object], name: str, default: int, *, most: int | None = None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(f"{name} must be a whole number >= 1, got {value!r}")
    if most is not None and value > most:
        raise invalid(f"{name} must be at most {most}, got {value}")
    return value


def query(ctx: Context, body: object) -> RestReply:
    if not isinstance(body, dict):
        raise invalid("the query must be a JSON object with object and fields")
    unknown = sorted(set(body) - _KNOWN)
    if unknown:
        raise invalid(f"{unknown[0]}: unknown query parameter (known: {', '.join(sorted(_KNOWN))})")
    obj = object_named(body.get("object"))
    allowed = names(obj)

    def known(name: str) -> bool:
        return name in allowed

    fields = body.get("fields")
    if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
        raise invalid("fields is required: an array of field names (no '*')")
    for name in fields:
        if not known(name):
            raise invalid(f"fields: unknown field {name!r} of {obj.path}")
    parameters = body.get("filterParameters") or {}
    if not isinstance(parameters, dict):
        raise invalid("filterParameters must be an object")
    fold = parameters.get("caseSensitiveComparison", True) is False
    keep = filters.predicate(body.get("filters"), body.get("filterExpression"), known, fold=fold)
    start = _int(body, "start", 1)
    size = _int(body, "size", DEFAULT_SIZE, most=MAX_SIZE)
    bound = filters.lower_bound(body.get("filters"), body.get("filterExpression"), fold=fold)
    among = _since(ctx, obj, bound)
    rows = [r for r in visible(ctx, obj, among) if keep(r)]
    rows = _ordered(rows, body.get("orderBy"), known)
    ctx.spend()
    page = rows[start - 1 : start - 1 + size]
    following = start + size if start - 1 + size < len(rows) else None
    meta = {
        "totalCount": len(rows),
        "start": start,
        "pageSize": size,
        "next": following,
        "previous": max(1, start - size) if start > 1 else None,
    }
    result = [{name: row.get(name) for name in fields} for row in page]
    return RestReply(200, encode({"ia::result": result, "ia::meta": meta}))


def _since(ctx: Context, obj: RestObject, bound: tuple[str, str] | None) -> list[Record] | None:
    """The records a query's lower bound on a stamp field can keep, from the stamp index
    (``stamps.since``); None (every record) when the query has no such bound, or the field is
    not a stamp of the object's own table (a view's, a block's)."""
    if bound is None:
        return None
    spec = obj.field(bound[0])
    xml = catalog.OBJECTS[obj.xml]
    if spec is None or spec.kind != "timestamp" or "." in spec.xml or xml.view is not None:
        return None
    return stamps.since(ctx.company, obj.xml, spec, bound[1])


def _ordered(rows: list[View], order: object, known: Callable[[str], bool]) -> list[View]:
    if order is None:
        return rows
    if not isinstance(order, list):
        raise invalid('orderBy must be an array such as [{"id": "asc"}]')
    for item in reversed(order):
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid('orderBy: each entry is one {"field": "asc" | "desc"}')
        ((name, way),) = item.items()
        if not known(name) or way not in ("asc", "desc"):
            raise invalid(f"orderBy: {name!r}: {way!r} (a known field, asc or desc)")
        present = [r for r in rows if r.get(name) is not None]
        empty = [r for r in rows if r.get(name) is None]
        present.sort(key=_by(name), reverse=way == "desc")
        rows = present + empty
    return rows


def _by(name: str) -> Callable[[View], filters.Key]:
    return lambda row: filters.sort_key(row.get(name))
