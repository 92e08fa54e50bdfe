"""The ``query`` function's ``<filter>``, ``<orderby>`` and ``<select>`` elements.

Shapes accepted (anything else is a QueryError naming the element)::

    <filter>   exactly one condition
    condition  <and>/<or> holding two or more conditions (the SDKs refuse fewer), or
               <OP><field>F</field><value>v</value>…</OP> where OP is one of
               equalto notequalto lessthan lessthanorequalto greaterthan greaterthanorequalto
               (one value), between (two), in notin (one or more), like notlike (one),
               isnull isnotnull (none)
    <orderby>  one or more <order><field>F</field><ascending/>|<descending/></order>
    <select>   one or more <field>F</field>; aggregates (count sum avg min max) are refused,
               because the simulator does not compute them

Values compare as in :mod:`.querystring` (dates, then numbers, then case-sensitive text unless the
query asks for ``caseinsensitive``); a condition on an absent field is false, except ``isnull``.
Ordering treats a whole column as dates if every value is one, else as numbers if every value is
one, else as text; absent values sort last ascending and first descending (as Oracle does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from lxml import etree

from released_intacct.fakes.simulators.intacct.querystring import (
    Getter,
    Predicate,
    QueryError,
    as_datetime,
    as_decimal,
    compare_values,
    get_path,
    like_match,
    within,
)

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparisonT

__all__ = ["Sorter", "named_fields", "parse_filter", "parse_orderby", "parse_select", "sorter"]

_Element = etree._Element
_R = TypeVar("_R", bound=Mapping[str, object])


class Sorter(Protocol):
    """Puts records in the order an ``<orderby>`` asks for (a new list; the sort is stable)."""

    def __call__(self, records: Iterable[_R], /) -> list[_R]: ...


_SIGNS = {
    "equalto": {0},
    "notequalto": {-1, 1},
    "lessthan": {-1},
    "lessthanorequalto": {-1, 0},
    "greaterthan": {1},
    "greaterthanorequalto": {0, 1},
}
_VALUES: dict[str, tuple[int, int | None]] = {
    **dict.fromkeys(_SIGNS, (1, 1)),
    "between": (2, 2),
    "in": (1, None),
    "notin": (1, None),
    "like": (1, 1),
    "notlike": (1, 1),
    "isnull": (0, 0),
    "isnotnull": (0, 0),
}
_AGGREGATES = frozenset({"count", "sum", "avg", "min", "max"})


def parse_filter(element: _Element | None, *, case_insensitive: bool = False) -> Predicate:
    """The predicate a ``<filter>`` selects with (no filter selects everything)."""
    if element is None:
        return lambda _get: True
    conditions = _children(element)
    if len(conditions) != 1:
        raise QueryError(f"<filter> must hold exactly one condition, found {len(conditions)}")
    return _condition(conditions[0], fold_case=case_insensitive)


def parse_orderby(element: _Element | None) -> Sorter:
    """The sorter an ``<orderby>`` asks for, first ``<order>`` as the main key (none: unchanged)."""
    keys = [] if element is None else [_order_key(order) for order in _children(element)]
    if element is not None and not keys:
        raise QueryError("<orderby> needs at least one <order>")
    return sorter(keys)


def sorter(keys: Sequence[tuple[str, bool]]) -> Sorter:
    """The sorter for (field, descending) keys, the first as the main key (also ``get_list``)."""

    def sort(records: Iterable[_R]) -> list[_R]:
        ordered = list(records)
        for field, descending in reversed(keys):
            ranks = _column_ranks([get_path(record, field) for record in ordered])
            index = sorted(range(len(ordered)), key=ranks.__getitem__, reverse=descending)
            ordered = [ordered[i] for i in index]
        return ordered

    return sort


def parse_select(element: _Element | None) -> tuple[str, ...]:
    """The (upper-cased, de-duplicated) fields a ``<select>`` names, in order."""
    if element is None:
        raise QueryError("query needs a <select> naming at least one <field>")
    names: list[str] = []
    for child in _children(element):
        if child.tag in _AGGREGATES:
            raise QueryError(f"<select> aggregate <{child.tag}> is not simulated")
        if child.tag != "field":
            raise QueryError(f"<select> takes <field> elements, found <{child.tag}>")
        name = _field_name(child, "select")
        if name == "*":
            raise QueryError("<select> does not accept '*': name each <field>")
        names.append(name)
    if not names:
        raise QueryError("<select> needs at least one <field>")
    return tuple(dict.fromkeys(names))


def named_fields(element: _Element | None) -> frozenset[str]:
    """The (upper-cased) fields named anywhere in a ``<filter>``, ``<orderby>`` or ``<select>``."""
    if element is None:
        return frozenset()
    return frozenset(_field_name(field, "field") for field in element.iter("field"))


def _children(element: _Element) -> list[_Element]:
    return list(element.iterchildren("*"))


def _field_name(element: _Element, owner: str) -> str:
    name = (element.text or "").strip().upper()
    if not name:
        raise QueryError(f"<{owner}> has an empty <field>")
    return name


def _condition(element: _Element, *, fold_case: bool) -> Predicate:
    tag = element.tag
    if tag in ("and", "or"):
        parts = [_condition(child, fold_case=fold_case) for child in _children(element)]
        if len(parts) < 2:
            raise QueryError(f"<{tag}> needs two or more conditions, found {len(parts)}")
        if tag == "and":
            return lambda get: all(part(get) for part in parts)
        return lambda get: any(part(get) for part in parts)
    if tag not in _VALUES:
        raise QueryError(f"unknown filter operator <{tag}>")
    field, values = _operands(element)
    if tag in ("isnull", "isnotnull"):
        return lambda get: (get(field) is None) == (tag == "isnull")
    test = _value_test(tag, values, fold_case=fold_case)

    def run(get: Getter) -> bool:
        value = get(field)
        return value is not None and test(value)

    return run


def _operands(element: _Element) -> tuple[str, tuple[str, ...]]:
    tag = element.tag
    children = _children(element)
    strays = [child.tag for child in children if child.tag not in ("field", "value")]
    if strays:
        raise QueryError(f"<{tag}> does not take <{strays[0]}>")
    fields = [child for child in children if child.tag == "field"]
    if len(fields) != 1:
        raise QueryError(f"<{tag}> needs exactly one <field>, found {len(fields)}")
    values = tuple(child.text or "" for child in children if child.tag == "value")
    least, most = _VALUES[tag]
    if len(values) < least or (most is not None and len(values) > most):
        wanted = f"{least} or more" if most is None else str(least)
        raise QueryError(f"<{tag}> needs {wanted} <value>, found {len(values)}")
    return _field_name(fields[0], tag), values


def _value_test(tag: str, values: tuple[str, ...], *, fold_case: bool) -> Callable[[str], bool]:
    def compare(value: str, literal: str) -> int:
        return compare_values(value, literal, fold_case=fold_case)

    if tag in _SIGNS:
        signs = _SIGNS[tag]
        return lambda value: compare(value, values[0]) in signs
    if tag == "between":
        low, high = values
        return lambda value: compare(value, low) >= 0 and compare(value, high) <= 0
    if tag in ("in", "notin"):
        wanted = tag == "in"
        if not fold_case:
            member = within(values)
            return lambda value: member(value) == wanted
        return lambda value: any(compare(value, option) == 0 for option in values) == wanted
    wanted = tag == "like"
    return lambda value: like_match(value, values[0], fold_case=fold_case) == wanted


def _order_key(order: _Element) -> tuple[str, bool]:
    if order.tag != "order":
        raise QueryError(f"<orderby> takes <order> elements, found <{order.tag}>")
    children = _children(order)
    strays = [c.tag for c in children if c.tag not in ("field", "ascending", "descending")]
    if strays:
        raise QueryError(f"<order> does not take <{strays[0]}>")
    fields = [child for child in children if child.tag == "field"]
    if len(fields) != 1:
        raise QueryError(f"<order> needs exactly one <field>, found {len(fields)}")
    directions = [child.tag for child in children if child.tag != "field"]
    if len(directions) != 1:
        found = len(directions)
        raise QueryError(f"<order> needs one <ascending/> or <descending/>, found {found}")
    return _field_name(fields[0], "order"), directions[0] == "descending"


def _column_ranks(values: list[str | None]) -> list[int]:
    """Each value's rank in its column; equal values share a rank and absent ones rank last."""
    present = {value for value in values if value is not None}
    times = {value: when for value in present if (when := as_datetime(value)) is not None}
    numbers = {value: number for value in present if (number := as_decimal(value)) is not None}
    if len(times) == len(present):
        ranks = _rank_by(times)
    elif len(numbers) == len(present):
        ranks = _rank_by(numbers)
    else:
        ranks = _rank_by({value: value for value in present})
    last = len(ranks)
    return [last if value is None else ranks[value] for value in values]


def _rank_by(keys: Mapping[str, SupportsRichComparisonT]) -> dict[str, int]:
    position = {key: rank for rank, key in enumerate(sorted(set(keys.values())))}
    return {value: position[key] for value, key in keys.items()}
