"""The query service's filters ([RESTDOC] docs/rest/query-service.md, "Filtering").

A filter is written either as the page shows it, ``{"field": "status", "operator": "$eq",
"value": "active"}``, or as a real client sends it, ``{"$eq": {"status": "active"}}`` ([FYREST]
``example.py``); both are accepted. Operators: ``$eq`` ``$ne`` (both take ``null``) ``$lt``
``$lte`` ``$gt`` ``$gte`` ``$in`` ``$notIn`` ``$between`` ``$notBetween`` ``$contains``
``$notContains`` ``$startsWith`` ``$notStartsWith`` ``$endsWith`` ``$notEndsWith``. Filters
are and-ed unless ``filterExpression`` combines them by 1-based number (``(1 and 2) or 3``), or
is ``and`` / ``or`` alone (what [FYREST] sends). ``filterParameters.caseSensitiveComparison``
(default true) folds case. Values compare as numbers when both sides are numbers, else as text
(UTC ISO timestamps and ISO dates order correctly as text). Relative dates (``today``, ...) are
not simulated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Final

from released_intacct.fakes.simulators.intacct.rest.envelope import invalid

Row = Mapping[str, object]
Test = Callable[[Row], bool]


_NUMBER: Final = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = str(value).strip()
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _key(value: object, fold: bool) -> tuple[int, Decimal, str]:
    """Numbers before text: (0, number, "") or (1, 0, text)."""
    number = _number(value)
    if number is not None:
        return (0, number, "")
    text = str(value)
    return (1, Decimal(0), text.lower() if fold else text)


def _equal(left: object, right: object, fold: bool) -> bool:
    if right is None or left is None:
        return left is None and right is None
    if isinstance(right, bool) or isinstance(left, bool):
        return left == right
    return _key(left, fold) == _key(right, fold)


def _text(value: object, fold: bool) -> str:
    text = "" if value is None else str(value)
    return text.lower() if fold else text


Key = tuple[int, Decimal, str]


def _order(op: Callable[[Key, Key], bool]) -> Callable[[object, object, bool], bool]:
    def test(left: object, right: object, fold: bool) -> bool:
        if left is None or right is None:
            return False
        a, b = _key(left, fold), _key(right, fold)
        return a[0] == b[0] and op(a, b)

    return test


def _pair(value: object, operator: str) -> tuple[object, object]:
    if not isinstance(value, list) or len(value) != 2:
        raise invalid(f"filters: {operator} takes an array of two values, got {value!r}")
    return value[0], value[1]


def _many(value: object, operator: str) -> list[object]:
    if not isinstance(value, list):
        raise invalid(f"filters: {operator} takes an array of values, got {value!r}")
    return value


def _between(left: object, value: object, fold: bool) -> bool:
    low, high = _pair(value, "$between")
    return _order(lambda a, b: a >= b)(left, low, fold) and _order(lambda a, b: a <= b)(
        left, high, fold
    )


def _among(values: list[object], fold: bool) -> Callable[[object], bool]:
    """``$in``: whether a value equals one of ``values`` (``_equal``'s sense), looked up in a set
    of their ``_key``s made once per query instead of compared with each value in turn; a value
    that is None or a boolean (which ``_equal`` compares otherwise) is compared one by one, as
    are the values that are."""
    keys = frozenset(_key(v, fold) for v in values if v is not None and not isinstance(v, bool))
    odd = [v for v in values if v is None or isinstance(v, bool)]

    def test(left: object) -> bool:
        if left is None or isinstance(left, bool):
            return any(_equal(left, v, fold) for v in values)
        return _key(left, fold) in keys or any(_equal(left, v, fold) for v in odd)

    return test


_OPERATORS: Final[dict[str, Callable[[object, object, bool], bool]]] = {
    "$eq": _equal,
    "$ne": lambda a, b, f: not _equal(a, b, f),
    "$lt": _order(lambda a, b: a < b),
    "$lte": _order(lambda a, b: a <= b),
    "$gt": _order(lambda a, b: a > b),
    "$gte": _order(lambda a, b: a >= b),
    "$in": lambda a, b, f: any(_equal(a, v, f) for v in _many(b, "$in")),
    "$notIn": lambda a, b, f: not any(_equal(a, v, f) for v in _many(b, "$notIn")),
    "$between": _between,
    "$notBetween": lambda a, b, f: not _between(a, b, f),
    "$contains": lambda a, b, f: _text(b, f) in _text(a, f),
    "$notContains": lambda a, b, f: _text(b, f) not in _text(a, f),
    "$startsWith": lambda a, b, f: _text(a, f).startswith(_text(b, f)),
    "$notStartsWith": lambda a, b, f: not _text(a, f).startswith(_text(b, f)),
    "$endsWith": lambda a, b, f: _text(a, f).endswith(_text(b, f)),
    "$notEndsWith": lambda a, b, f: not _text(a, f).endswith(_text(b, f)),
}


def _one(raw: object, index: int, known: Callable[[str], bool], fold: bool) -> Test:
    if isinstance(raw, dict) and set(raw) >= {"field", "operator"}:
        field_name, operator, value = raw.get("field"), raw.get("operator"), raw.get("value")
    elif isinstance(raw, dict) and len(raw) == 1:
        ((operator, inner),) = raw.items()
        if not isinstance(inner, dict) or len(inner) != 1:
            raise invalid(f"filters[{index}]: {operator} takes one {{field: value}}")
        ((field_name, value),) = inner.items()
    else:
        raise invalid(f'filters[{index}]: write {{"$eq": {{"field": value}}}}')
    test = _OPERATORS.get(str(operator))
    if test is None:
        raise invalid(
            f"filters[{index}]: unknown operator {operator!r} (known: {', '.join(_OPERATORS)})"
        )
    if not isinstance(field_name, str) or not known(field_name):
        raise invalid(f"filters[{index}]: unknown field {field_name!r}")
    if str(operator) in ("$in", "$notIn"):
        among = _among(_many(value, str(operator)), fold)
        if operator == "$in":
            return lambda row: among(row.get(field_name))
        return lambda row: not among(row.get(field_name))
    if str(operator) in ("$between", "$notBetween"):
        _pair(value, str(operator))
    return lambda row: test(row.get(field_name), value, fold)


def predicate(
    filters: object, expression: object, known: Callable[[str], bool], *, fold: bool
) -> Test:
    """What the ``filters`` and ``filterExpression`` of a query keep."""
    if filters is None:
        filters = []
    if not isinstance(filters, list):
        raise invalid("filters must be an array")
    tests = [_one(raw, n, known, fold) for n, raw in enumerate(filters)]
    if expression in (None, "", "and"):
        return lambda row: all(t(row) for t in tests)
    if expression == "or":
        return lambda row: any(t(row) for t in tests)
    if not isinstance(expression, str):
        raise invalid("filterExpression must be a string such as '(1 and 2) or 3'")
    return _Expression(expression, tests).parse()


class _Expression:
    """``(1 and 2) or 3``: and binds tighter than or."""

    def __init__(self, text: str, tests: list[Test]) -> None:
        self.text = text
        self.tokens = re.findall(r"\d+|\(|\)|and|or|\S+", text.lower())
        self.tests = tests
        self.at = 0

    def parse(self) -> Test:
        found = self._or()
        if self.at != len(self.tokens):
            raise invalid(f"filterExpression: unexpected {self.tokens[self.at]!r} in {self.text!r}")
        return found

    def _peek(self) -> str:
        return self.tokens[self.at] if self.at < len(self.tokens) else ""

    def _or(self) -> Test:
        parts = [self._and()]
        while self._peek() == "or":
            self.at += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda row: any(p(row) for p in parts))

    def _and(self) -> Test:
        parts = [self._atom()]
        while self._peek() == "and":
            self.at += 1
            parts.append(self._atom())
        return parts[0] if len(parts) == 1 else (lambda row: all(p(row) for p in parts))

    def _atom(self) -> Test:
        token = self._peek()
        self.at += 1
        if token == "(":  # noqa: S105 - a parenthesis, not a password
            inner = self._or()
            if self._peek() != ")":
                raise invalid(f"filterExpression: missing ')' in {self.text!r}")
            self.at += 1
            return inner
        if token.isdigit() and 1 <= int(token) <= len(self.tests):
            return self.tests[int(token) - 1]
        raise invalid(
            f"filterExpression: {token or 'the end'!r} is not a filter number 1-{len(self.tests)}"
        )


def lower_bound(filters: object, expression: object, *, fold: bool) -> tuple[str, str] | None:
    """(field, text) of a filter ``$gte`` or ``$gt`` a text that every row the query keeps must
    pass (the filters and-ed, compared with case kept); None when there is none. What the stamp
    index narrows a query by (``stamps.since``), the filters (``predicate``, which has checked
    their form) still applied in full."""
    if fold or expression not in (None, "", "and") or not isinstance(filters, list):
        return None
    for raw in filters:
        if set(raw) >= {"field", "operator"}:
            name, operator, value = raw.get("field"), raw.get("operator"), raw.get("value")
        else:
            ((operator, inner),) = raw.items()
            ((name, value),) = inner.items()
        if operator in ("$gte", "$gt") and isinstance(value, str) and _number(value) is None:
            return str(name), value
    return None


def sort_key(value: object) -> Key:
    """How ``orderBy`` orders values: numbers by value before text (case kept)."""
    return _key(value, False)
