"""The legacy list function: ``<get_list object="vendor" [maxitems] [start] [showprivate]>``.

Shape (the SDKs' ``GetList``, inventory §2.39; Sage's "Legacy get_list" sections): attributes
``object`` (required), ``maxitems``, ``start`` (zero-based) and ``showprivate``; children in this
order, all optional: ``filter`` (one ``expression{field, operator, value}`` or ``logical
logical_operator="and|or"`` holding two or more expressions or logicals), ``sorts``
(``sortfield order="asc|desc"``, the field as text), ``fields`` (``field``\\*) and
``additional_parameters``. Operators: ``=``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``like``,
``not like``, ``is null``; values compare as in ``querystring`` (dates, numbers, then text).

Reply (the SDK tests' ``get_list class`` response and the fixture
``response-multiple-results.xml``): ``<listtype start end total>object</listtype>`` then
``<data>`` directly under ``<result>``, one lower-case element per record named as the request
named the object, with lower-case field names (``<vendor><recordno/><vendorid/>…``). ``end`` is
the zero-based index of the last record sent (``start + count - 1``).

Decisions where no source says what Intacct does (**inferred**):

- the object names: a simulated object by its name in any case (``vendor``, ``glaccount``,
  ``class``), and the legacy names of the documents, taken from the legacy functions' names:
  ``invoice`` (ARINVOICE), ``bill`` (APBILL), ``arpayment`` (ARPYMT), ``sotransaction``
  (SODOCUMENT), ``potransaction`` (PODOCUMENT); anything else fails with BL01001973;
- the fields are the generic ones lower-cased (the fixture's vendor agrees; the SDK test's class
  shows legacy names such as ``key`` that the simulator does not map), transactions without their
  lines, as the generic list functions answer them;
- no ``maxitems`` returns every record from ``start``; ``showprivate`` and
  ``additional_parameters`` change nothing (the session's entity decides what is seen).
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from released_intacct.fakes.simulators.intacct import catalog, legacy
from released_intacct.fakes.simulators.intacct.company import Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure
from released_intacct.fakes.simulators.intacct.generic import (
    Handler,
    Outcome,
    headers,
    project,
    shown,
)
from released_intacct.fakes.simulators.intacct.queryfilter import sorter
from released_intacct.fakes.simulators.intacct.querystring import (
    Getter,
    Predicate,
    compare_values,
    get_path,
    like_match,
)
from released_intacct.fakes.simulators.intacct.wire import Element, fragment, sub, write_value

LEGACY_NAMES = {
    "invoice": "ARINVOICE",
    "bill": "APBILL",
    "arpayment": "ARPYMT",
    "sotransaction": "SODOCUMENT",
    "potransaction": "PODOCUMENT",
}
_SIGNS = {"=": {0}, "!=": {-1, 1}, "<": {-1}, "<=": {-1, 0}, ">": {1}, ">=": {0, 1}}
_OPERATORS = frozenset({*_SIGNS, "like", "not like", "is null"})


def object_name(name: str) -> str | None:
    """The simulated object a ``get_list object=`` names, or None."""
    key = name.strip().lower()
    found = catalog.lookup(LEGACY_NAMES.get(key, key))
    return None if found is None else found.name


def _number(function: Element, attribute: str) -> int | None:
    raw = (function.get(attribute) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise failure(GENERIC, f"get_list {attribute} must be a whole number, got '{raw}'")
    return int(raw)


def _expression(element: Element) -> Predicate:
    legacy.check_order(element, ("field", "operator", "value"))
    field = legacy.required(element, "field").upper()
    operator = (element.findtext("operator") or "").strip().lower()
    if operator not in _OPERATORS:
        raise failure(GENERIC, f"get_list operator '{operator}' is not one of {sorted(_OPERATORS)}")
    if operator == "is null":
        return lambda get: get(field) is None
    test = _matches(operator, element.findtext("value") or "")

    def run(get: Getter) -> bool:
        text = get(field)
        return text is not None and test(text)

    return run


def _matches(operator: str, value: str) -> Callable[[str], bool]:
    if operator in _SIGNS:
        signs = _SIGNS[operator]
        return lambda text: compare_values(text, value) in signs
    wanted = operator == "like"
    return lambda text: like_match(text, value) == wanted


def _condition(element: Element) -> Predicate:
    if element.tag == "expression":
        return _expression(element)
    operator = (element.get("logical_operator") or "").strip().lower()
    if element.tag != "logical" or operator not in ("and", "or") or len(element) < 2:
        raise failure(
            GENERIC,
            f"get_list filter: <{element.tag}> must be an <expression> or a <logical "
            'logical_operator="and|or"> holding two or more filters',
        )
    parts = [_condition(child) for child in element]
    if operator == "and":
        return lambda get: all(part(get) for part in parts)
    return lambda get: any(part(get) for part in parts)


def _predicate(function: Element) -> Predicate:
    holder = function.find("filter")
    if holder is None:
        return lambda _get: True
    conditions = list(holder)
    if len(conditions) != 1:
        raise failure(GENERIC, "get_list <filter> holds exactly one <expression> or <logical>")
    return _condition(conditions[0])


def _getter(record: Record) -> Getter:
    return lambda path: get_path(record, path)


def _rows(ctx: Context, obj: catalog.ObjectDef, function: Element) -> list[Record]:
    predicate = _predicate(function)
    seen = (shown(ctx, obj, r) for r in ctx.company.records(obj.name, entity=ctx.entity))
    rows = [headers(obj, r) for r in seen if predicate(_getter(r))]
    rows.sort(key=lambda r: int(str(r["RECORDNO"])))
    order = [
        ((s.text or "").strip().upper(), (s.get("order") or "asc").lower() == "desc")
        for s in function.iterfind("sorts/sortfield")
    ]
    return sorter(order)(rows)


def _lower(value: object) -> object:
    if isinstance(value, dict):
        return {str(k).lower(): _lower(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower(item) for item in value]
    return value


def get_list(ctx: Context, function: Element) -> Outcome:
    named = (function.get("object") or "").strip()
    found = object_name(named)
    if found is None:
        raise failure(GENERIC, f"get_list: object '{named}' is not a known object")
    legacy.check_order(function, ("filter", "sorts", "fields", "additional_parameters"))
    obj = catalog.OBJECTS[found]
    start, most = _number(function, "start") or 0, _number(function, "maxitems")
    fields = [(f.text or "").strip().upper() for f in function.iterfind("fields/field")]
    ctx.spend()
    rows = _rows(ctx, obj, function)
    page = rows[start:] if most is None else rows[start : start + most]
    tag = named.lower()
    listtype = etree.Element("listtype", start=str(start), end=str(start + len(page) - 1))
    listtype.set("total", str(len(rows)))
    listtype.text = tag
    data = etree.Element("data")
    for record in page:
        row = sub(data, tag)
        for name, value in project(record, [f for f in fields if f]).items():
            write_value(row, name.lower(), _lower(value))
    return fragment(listtype, data)


HANDLERS: dict[str, Handler] = {"get_list": get_list}
