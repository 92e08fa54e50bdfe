"""The generic functions: readByQuery, readMore, query, read, readByName, create, update, delete.

The list functions (``readByQuery``, ``readMore``, ``query``) answer a transaction's header only;
``read`` and ``readByName`` nest its lines (``ARINVOICEITEMS/arinvoiceitem``, ...), as Intacct
does (spec correction 1). Naming the lines among a list function's fields is refused as Intacct
refuses a field it cannot query (``XL03000006``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from lxml import etree

from released_intacct.fakes.simulators.intacct import audit, catalog, contactrefs
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context, ResultSet
from released_intacct.fakes.simulators.intacct.errors import failure
from released_intacct.fakes.simulators.intacct.queryfilter import (
    parse_filter,
    parse_orderby,
    parse_select,
)
from released_intacct.fakes.simulators.intacct.querystring import (
    QueryError,
    get_path,
    parse_query,
)
from released_intacct.fakes.simulators.intacct.wire import Element, sub, text_of, write_value

Outcome = Element | None
Handler = Callable[[Context, Element], Outcome]


def object_of(function: Element) -> catalog.ObjectDef:
    name = text_of(function, "object")
    found = catalog.lookup(name)
    if found is None:
        raise failure("Query Failed", f"Object definition {name or '(none)'} not found")
    return found


def _pagesize(function: Element, *, default: int, most: int) -> int:
    raw = text_of(function, "pagesize", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise failure(
            "Query Failed",
            f"pagesize must be a whole number from 1 to {most}, got '{raw}'",
            correction=f"Use a pagesize between 1 and {most}.",
        )
    return int(raw)


def _fields(text: str) -> tuple[str, ...]:
    names = tuple(f.strip().upper() for f in text.split(",") if f.strip())
    return () if names in ((), ("*",)) else names


def project(record: Record, fields: Iterable[str]) -> Record:
    """The record, or only ``fields`` of it (dotted paths keep their nesting)."""
    wanted = tuple(fields)
    if not wanted:
        return record
    shown: Record = {}
    for path in wanted:
        head, _, rest = path.partition(".")
        value = record.get(head)
        if rest and isinstance(value, dict):
            inner = shown.setdefault(head, {})
            if isinstance(inner, dict):
                inner[rest] = get_path(value, rest) or ""
        else:
            shown[head] = "" if value is None else value
    return shown


def headers(obj: catalog.ObjectDef, record: Record) -> Record:
    """What a list function shows of a record: a transaction without its lines."""
    if obj.lines is None or obj.lines not in record:
        return record
    return {name: value for name, value in record.items() if name != obj.lines}


def shown(ctx: Context, obj: catalog.ObjectDef, record: Record) -> Record:
    """A record as every read shows it: its contact references resolved (``contactrefs``)."""
    return contactrefs.resolved(ctx.company, obj.name, record)


def listed(obj: catalog.ObjectDef, record: Record, fields: Iterable[str]) -> Record:
    """What a list function (readByQuery, readMore, query) answers of a shown record: the
    header only, its blocks' fields under dotted names (``SHIPTO.CONTACTNAME``: the documented
    ``query`` reply names them so, [XMLDOC queries]; for readByQuery **inferred** from captured
    replies), only ``fields`` when given (a block's name gives all its fields)."""
    flat = _dotted(headers(obj, record))
    wanted = tuple(fields)
    if not wanted:
        return flat
    picked: Record = {}
    for path in wanted:
        inside = {name: value for name, value in flat.items() if name.startswith(f"{path}.")}
        if path in flat or not inside:
            picked[path] = flat.get(path, "")
        picked.update(inside)
    return picked


def _dotted(record: Record, prefix: str = "") -> Record:
    flat: Record = {}
    for name, value in record.items():
        if isinstance(value, dict):
            flat.update(_dotted(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def _listable(obj: catalog.ObjectDef, fields: Iterable[str]) -> None:
    """Refuse a list function's fields that name the lines (they cannot be queried)."""
    lines = [f for f in fields if obj.lines and f.partition(".")[0] == obj.lines]
    if lines:
        raise failure(
            "XL03000006",
            f"The following fields cannot be queried: [{obj.name.lower()}: [{', '.join(lines)}] ]",
            correction=f"Read the lines with read, or query {_line_object(obj)}.",
        )


def _line_object(obj: catalog.ObjectDef) -> str:
    line = catalog.LINES_OF.get(obj.name)
    return line.name if line is not None else "the line object"


def write_records(data: Element, tag: str, records: Iterable[Record]) -> None:
    for record in records:
        row = sub(data, tag)
        for name, value in record.items():
            write_value(row, name, value)


def _matching(
    ctx: Context, obj: catalog.ObjectDef, predicate: Callable[..., bool], *, coded: bool = False
) -> list[Record]:
    """The records ``predicate`` keeps, by RECORDNO; ``coded``: as ``query`` shows them."""
    permitted(ctx, obj)
    rows: Iterable[Record] = (
        shown(ctx, obj, r) for r in ctx.company.records(obj.name, entity=ctx.entity)
    )
    if coded:
        rows = (audit.query_form(obj.name, r) for r in rows)
    chosen = [r for r in rows if predicate(lambda path, r=r: get_path(r, path))]
    return sorted(chosen, key=lambda r: int(str(r["RECORDNO"])))


def permitted(ctx: Context, obj: catalog.ObjectDef) -> None:
    """AUDITHISTORY needs the View permission for custom reports
    ([XMLDOC company-console-audit-trails]); the refusal's errorno and words are those Intacct
    gives for a missing API permission (PL04000005, seen in public code) -- **inferred** here."""
    if obj.name == "AUDITHISTORY" and not ctx.company.settings.audit_trail_permission:
        raise failure(
            "PL04000005",
            "You do not have permission for API operation READ_BY_QUERY on objects of type"
            " audithistory",
        )


def read_by_query(ctx: Context, function: Element) -> Outcome:
    obj = object_of(function)
    pagesize = _pagesize(function, default=100, most=1000)
    try:
        predicate = parse_query(text_of(function, "query"))
    except QueryError as error:
        raise failure("Query Failed", error.message) from error
    fields = _fields(text_of(function, "fields", "*"))
    _listable(obj, fields)
    ctx.spend()
    rows = _matching(ctx, obj, predicate)
    pending = ResultSet(
        company_id=ctx.company.company_id,
        object_name=obj.name,
        remaining=[int(str(r["RECORDNO"])) for r in rows],
        fields=fields,
        pagesize=pagesize,
        total=len(rows),
        expires_at=ctx.now + ctx.results.ttl,
    )
    return _page(ctx, pending, token=None)


def read_more(ctx: Context, function: Element) -> Outcome:
    token = text_of(function, "resultId")
    pending = ctx.results.take(token, company_id=ctx.company.company_id, now=ctx.now)
    if pending is None:
        raise failure(
            "readMore failed", f"Attempt to readMore with an invalid or expired resultId: {token}"
        )
    ctx.spend()
    return _page(ctx, replace(pending, expires_at=ctx.now + ctx.results.ttl), token=token)


def _page(ctx: Context, pending: ResultSet, *, token: str | None) -> Element:
    batch, rest = pending.remaining[: pending.pagesize], pending.remaining[pending.pagesize :]
    table = ctx.company.table(pending.object_name)
    obj = catalog.OBJECTS[pending.object_name]
    rows = [listed(obj, shown(ctx, obj, table[n]), pending.fields) for n in batch if n in table]
    if rest and token:
        ctx.results.open[token] = replace(pending, remaining=rest)
    elif rest:
        token = ctx.results.add(replace(pending, remaining=rest))
    elif token:
        ctx.results.open.pop(token, None)
    tag = pending.object_name.lower()
    data = etree.Element(
        "data",
        listtype=tag,
        count=str(len(rows)),
        totalcount=str(pending.total),
        numremaining=str(len(rest)),
        resultId=token or "",
    )
    write_records(data, tag, rows)
    return data


def query(ctx: Context, function: Element) -> Outcome:
    obj = object_of(function)
    pagesize = _pagesize(function, default=100, most=2000)
    offset_text = text_of(function, "offset", "0")
    if not offset_text.isdigit():
        raise failure("Query Failed", f"offset must be a whole number, got '{offset_text}'")
    try:
        select = parse_select(function.find("select"))
        fold = text_of(function, "options/caseinsensitive").lower() == "true"
        predicate = parse_filter(function.find("filter"), case_insensitive=fold)
        order = parse_orderby(function.find("orderby"))
    except QueryError as error:
        raise failure("Query Failed", error.message) from error
    _listable(obj, select)
    ctx.spend()
    rows = order(_matching(ctx, obj, predicate, coded=True))
    offset = int(offset_text)
    page = rows[offset : offset + pagesize]
    data = etree.Element(
        "data",
        listtype=obj.name,
        totalcount=str(len(rows)),
        offset=str(offset),
        count=str(len(page)),
        numremaining=str(max(0, len(rows) - offset - len(page))),
    )
    write_records(data, obj.name, (listed(obj, r, select) for r in page))
    return data


def _keys(function: Element) -> list[str]:
    keys = [k.strip() for k in text_of(function, "keys").split(",") if k.strip()]
    if len(keys) > 100:
        raise failure("BL01001973", f"read takes at most 100 keys, got {len(keys)}")
    return keys


def read(ctx: Context, function: Element) -> Outcome:
    obj = object_of(function)
    fields = _fields(text_of(function, "fields", "*"))
    ctx.spend()
    found = (ctx.company.by_recordno(obj.name, key) for key in _keys(function))
    return _listed(obj.name, [project(shown(ctx, obj, r), fields) for r in found if r is not None])


def read_by_name(ctx: Context, function: Element) -> Outcome:
    obj = object_of(function)
    fields = _fields(text_of(function, "fields", "*"))
    ctx.spend()
    names = [f for f in (obj.id_field, obj.name_field) if f]
    found = []
    for key in _keys(function):
        match = next((r for f in names if (r := ctx.company.by_field(obj.name, f, key))), None)
        if match is not None:
            found.append(project(shown(ctx, obj, match), fields))
    return _listed(obj.name, found)


def _listed(object_name: str, rows: list[Record]) -> Element:
    data = etree.Element("data", listtype=object_name, count=str(len(rows)))
    write_records(data, object_name, rows)
    return data


HANDLERS: dict[str, Handler] = {
    "readByQuery": read_by_query,
    "readMore": read_more,
    "query": query,
    "read": read,
    "readByName": read_by_name,
}
