"""The one Intacct query builder: conditions, and the function elements that read with them.

Every read of the product is built here (spec §3): ``read_by_query`` (the query-string form, paged
by ``read_more``), ``query`` (the filter-element form, paged by offset) and ``read`` (by
RECORDNO, at most :data:`READ_KEYS` keys). A condition is a value (``Eq``, ``In``, ``AtLeast``,
``IsNull``, ``NotIn``, ``And``, ``Or``) rendered either as a query string (strings single-quoted,
backslash-escaped; XML escaping is lxml's when the text is set) or as ``<filter>`` elements, so a
feed, a look-up and a line read say what they want once, whatever function carries it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from lxml import etree

from released_intacct.adapters.intacct.envelope import child, element
from released_intacct.adapters.intacct.response import (
    NODES_PER_ANSWER,
    NODES_PER_DOCUMENT,
    NODES_PER_REPLY,
)

__all__ = [
    "READ_KEYS",
    "And",
    "AtLeast",
    "Condition",
    "Eq",
    "In",
    "IsNull",
    "NotIn",
    "Or",
    "Select",
    "query",
    "quote",
    "read",
    "read_by_query",
    "read_more",
    "reply_nodes",
    "text",
]

READ_KEYS: Final = 100
"""``read`` / ``readByName`` take at most 100 keys (spec §3; the JS SDK's ``Read`` refuses more)."""
READ_BY_QUERY_MAX: Final = 1000
QUERY_MAX: Final = 2000
_DEFAULT_PAGE_SIZE: Final = 100
"""readByQuery's and query's ``pagesize`` when none is given."""


def quote(value: str) -> str:
    """A query-string literal: single quotes, backslash escapes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True, slots=True)
class Eq:
    field: str
    value: str


@dataclass(frozen=True, slots=True)
class In:
    field: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.values:
            msg = f"an IN list of {self.field} needs at least one value"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True)
class NotIn:
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AtLeast:
    """``field >= value``; a timestamp is passed as Intacct writes it (``mm/dd/yyyy HH:MM:SS``)."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class IsNull:
    field: str


@dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Condition, ...]


Condition = Eq | In | NotIn | AtLeast | IsNull | And | Or


def both(*parts: Condition | None) -> Condition | None:
    """The conditions given that are not None, ANDed (None when there are none)."""
    kept = tuple(part for part in parts if part is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else And(kept)


def text(condition: Condition | None) -> str:
    """``condition`` as a readByQuery query string ("" for none: every record)."""
    if condition is None:
        return ""
    return _text(condition, top=True)


def _text(condition: Condition, *, top: bool = False) -> str:
    if isinstance(condition, Eq):
        return f"{condition.field} = {quote(condition.value)}"
    if isinstance(condition, In | NotIn):
        operator = "IN" if isinstance(condition, In) else "NOT IN"
        listed = ", ".join(quote(value) for value in condition.values)
        return f"{condition.field} {operator} ({listed})"
    if isinstance(condition, AtLeast):
        return f"{condition.field} >= {quote(condition.value)}"
    if isinstance(condition, IsNull):
        return f"{condition.field} IS NULL"
    joiner = " AND " if isinstance(condition, And) else " OR "
    joined = joiner.join(_text(part) for part in condition.parts)
    return joined if top or len(condition.parts) == 1 else f"({joined})"


def _filter(parent: etree._Element, condition: Condition) -> None:
    if isinstance(condition, And | Or):
        holder = child(parent, "and" if isinstance(condition, And) else "or")
        for part in condition.parts:
            _filter(holder, part)
        return
    if isinstance(condition, IsNull):
        child(child(parent, "isnull"), "field", condition.field)
        return
    tag, values = _operator(condition)
    op = child(parent, tag)
    child(op, "field", condition.field)
    for value in values:
        child(op, "value", value)


def _operator(condition: Eq | In | NotIn | AtLeast) -> tuple[str, Sequence[str]]:
    if isinstance(condition, Eq):
        return "equalto", (condition.value,)
    if isinstance(condition, In):
        return "in", condition.values
    if isinstance(condition, NotIn):
        return "notin", condition.values
    return "greaterthanorequalto", (condition.value,)


@dataclass(frozen=True, slots=True, kw_only=True)
class Select:
    """What to read of one object: its fields (``()``: all) and the records wanted."""

    object_name: str
    fields: tuple[str, ...] = ()
    where: Condition | None = None
    docparid: str | None = None
    """An Order Entry / Purchasing transaction definition (its custom fields come too)."""

    def narrowed(self, condition: Condition | None) -> Select:
        """This selection with ``condition`` ANDed to its own."""
        return Select(
            object_name=self.object_name,
            fields=self.fields,
            where=both(self.where, condition),
            docparid=self.docparid,
        )


def _fields(fields: Iterable[str]) -> str:
    listed = ",".join(dict.fromkeys(fields))
    return listed or "*"


def read_by_query(select: Select, *, page_size: int) -> etree._Element:
    """``readByQuery``: the first page of at most ``page_size`` (1-1000) records."""
    _check_size(page_size, READ_BY_QUERY_MAX, "readByQuery")
    body = element("readByQuery")
    child(body, "object", select.object_name)
    child(body, "fields", _fields(select.fields))
    child(body, "query", text(select.where))
    child(body, "pagesize", str(page_size))
    if select.docparid:
        child(body, "docparid", select.docparid)
    return body


def read_more(result_id: str) -> etree._Element:
    """``readMore``: the next page of the result set ``result_id``."""
    body = element("readMore")
    child(body, "resultId", result_id)
    return body


def query(
    select: Select,
    *,
    page_size: int,
    offset: int = 0,
    order: Sequence[tuple[str, bool]] = (),
) -> etree._Element:
    """``query``: the records from ``offset``, at most ``page_size`` (1-2000); fields required.
    ``order``: (field, descending) pairs, the first the main key (``<orderby>``)."""
    _check_size(page_size, QUERY_MAX, "query")
    if not select.fields:
        msg = "query needs the fields it selects (it has no '*')"
        raise ValueError(msg)
    body = element("query")
    child(body, "object", select.object_name)
    fields = child(body, "select")
    for name in dict.fromkeys(select.fields):
        child(fields, "field", name)
    if select.where is not None:
        _filter(child(body, "filter"), select.where)
    if select.docparid:
        child(body, "docparid", select.docparid)
    if order:
        orderby = child(body, "orderby")
        for name, descending in order:
            by = child(orderby, "order")
            child(by, "field", name)
            child(by, "descending" if descending else "ascending")
    child(body, "pagesize", str(page_size))
    child(body, "offset", str(offset))
    return body


def read(
    object_name: str,
    keys: Sequence[str],
    *,
    fields: Sequence[str] = (),
    docparid: str | None = None,
) -> etree._Element:
    """``read`` of up to :data:`READ_KEYS` records by RECORDNO; transactions come with lines."""
    if not 1 <= len(keys) <= READ_KEYS:
        msg = f"read takes 1-{READ_KEYS} keys, got {len(keys)}"
        raise ValueError(msg)
    body = element("read")
    child(body, "object", object_name)
    child(body, "keys", ",".join(keys))
    child(body, "fields", _fields(fields))
    if docparid:
        child(body, "docparid", docparid)
    return body


def _check_size(size: int, most: int, function: str) -> None:
    if not 1 <= size <= most:
        msg = f"{function} takes a page size of 1-{most}, got {size}"
        raise ValueError(msg)


def reply_nodes(bodies: Iterable[etree._Element]) -> int:
    """The most XML nodes a reply to the functions ``bodies`` may hold (``parse_response`` refuses
    more): :data:`NODES_PER_REPLY`, and for each function what it asked for. A page
    (``readByQuery``, ``query``) may answer ``pagesize`` rows of :data:`NODES_PER_ANSWER`;
    ``readMore`` continues a readByQuery without repeating its page size, so at most 1,000 rows;
    ``read`` one document of :data:`NODES_PER_DOCUMENT` per key; any other function one answer.
    """
    return NODES_PER_REPLY + sum(_answer_nodes(body) for body in bodies)


def _answer_nodes(body: etree._Element) -> int:
    if body.tag in ("readByQuery", "query"):
        size = (body.findtext("pagesize") or "").strip()
        rows = int(size) if size.isdigit() else _DEFAULT_PAGE_SIZE
        return rows * NODES_PER_ANSWER
    if body.tag == "readMore":
        return READ_BY_QUERY_MAX * NODES_PER_ANSWER
    if body.tag == "read":
        keys = [key for key in (body.findtext("keys") or "").split(",") if key.strip()]
        return max(1, len(keys)) * NODES_PER_DOCUMENT
    return NODES_PER_ANSWER
