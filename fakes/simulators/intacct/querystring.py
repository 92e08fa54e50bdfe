"""The readByQuery query string, parsed into a predicate over simulated records.

Grammar (keywords case-insensitive, AND binds tighter than OR, field names upper-cased)::

    query      := <empty> | disjunct <end>
    disjunct   := conjunct ("OR" conjunct)*
    conjunct   := negation ("AND" negation)*
    negation   := "NOT" negation | "(" disjunct ")" | comparison
    comparison := FIELD ( OP value | ["NOT"] "LIKE" value | ["NOT"] "IN" "(" value ("," value)* ")"
                        | "IS" ["NOT"] "NULL" )
    OP         := "=" | "!=" | "<>" | "<" | ">" | "<=" | ">="   (with a space on each side)
    value      := 'single-quoted, backslash-escaped' | unquoted number

Logic is SQL's three-valued logic: a comparison on an absent field is *unknown*, and ``NOT`` keeps
it unknown, so neither ``F = 'x'`` nor ``NOT F = 'x'`` matches a record without F; only ``IS NULL``
does. Error positions count characters from 0. The comparison helpers here are shared with
:mod:`.queryfilter`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import TypeAlias

__all__ = [
    "Getter",
    "Predicate",
    "QueryError",
    "Record",
    "Value",
    "as_datetime",
    "as_decimal",
    "compare_values",
    "field_names",
    "get_path",
    "like_match",
    "parse_query",
    "within",
]

Record: TypeAlias = dict[str, "Value"]
Value: TypeAlias = str | Record | list[Record]
Getter: TypeAlias = Callable[[str], str | None]
Predicate: TypeAlias = Callable[[Getter], bool]
_Tri: TypeAlias = Callable[[Getter], bool | None]


class QueryError(Exception):
    """A query Intacct would refuse; ``message`` is what Intacct would say."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def get_path(record: Mapping[str, object], path: str) -> str | None:
    """The text at a dotted path (``DISPLAYCONTACT.EMAIL1``); None if absent, empty or not text."""
    node: object = record
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node if isinstance(node, str) and node else None


_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_DATETIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2}):(\d{2}))?", re.ASCII)


def as_datetime(text: str) -> tuple[date, time] | None:
    """``mm/dd/yyyy`` (midnight) or ``mm/dd/yyyy HH:MM:SS`` as a comparable pair, else None."""
    match = _DATETIME.fullmatch(text)
    if match is None:
        return None
    month, day, year, hour, minute, second = (int(group or 0) for group in match.groups())
    try:
        return date(year, month, day), time(hour, minute, second)
    except ValueError:
        return None


def as_decimal(text: str) -> Decimal | None:
    """Plain decimal text (``-12``, ``3.50``, ``.5``) as a Decimal; no exponent, NaN or Infinity."""
    return Decimal(text) if _DECIMAL.fullmatch(text) else None


def compare_values(left: str, right: str, *, fold_case: bool = False) -> int:
    """-1, 0 or 1: by time if both are dates, by number if both are numbers, else by text."""
    left_time, right_time = as_datetime(left), as_datetime(right)
    if left_time is not None and right_time is not None:
        return (left_time > right_time) - (left_time < right_time)
    left_number, right_number = as_decimal(left), as_decimal(right)
    if left_number is not None and right_number is not None:
        return (left_number > right_number) - (left_number < right_number)
    if fold_case:
        left, right = left.casefold(), right.casefold()
    return (left > right) - (left < right)


def like_match(value: str, pattern: str, *, fold_case: bool = False) -> bool:
    """SQL LIKE: ``%`` is any run of characters, ``_`` exactly one; everything else is literal."""
    wild = {"%": ".*", "_": "."}
    regex = "".join(wild.get(char) or re.escape(char) for char in pattern)
    flags = re.DOTALL | (re.IGNORECASE if fold_case else re.NOFLAG)
    return re.fullmatch(regex, value, flags) is not None


def parse_query(text: str) -> Predicate:
    """The predicate a readByQuery ``<query>`` selects with; raises QueryError for a bad query."""
    node = _Parser(text).parse()
    return lambda get: node(get) is True


def field_names(text: str) -> frozenset[str]:
    """The (upper-cased) fields a query refers to; raises QueryError for a bad query."""
    parser = _Parser(text)
    parser.parse()
    return frozenset(parser.fields)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "op", "punct", "string", "number", "word" or "end"
    text: str
    pos: int


_SCAN = re.compile(r"(?P<space>\s+)|(?P<op>[<>=!]+)|(?P<punct>[(),])|(?P<bare>[\w.+-]+)")
_FIELD = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", re.ASCII)
_SIGNS = {"=": {0}, "!=": {-1, 1}, "<>": {-1, 1}, "<": {-1}, "<=": {-1, 0}, ">": {1}, ">=": {0, 1}}
_KEYWORDS = frozenset({"AND", "OR", "NOT", "LIKE", "IN", "IS", "NULL"})


def _error(near: str, pos: int, detail: str) -> QueryError:
    where = f"near '{near}' at position {pos}" if near else f"at the end (position {pos})"
    return QueryError(f"Syntax error in query {where}: {detail}")


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        if text[pos] == "'":
            token, pos = _scan_string(text, pos)
            tokens.append(token)
            continue
        match = _SCAN.match(text, pos)
        if match is None:
            raise _error(text[pos : pos + 20], pos, f"unexpected character '{text[pos]}'")
        pos = match.end()
        if match.lastgroup == "op":
            _check_operator(text, match.start(), match.group())
        if match.lastgroup != "space":
            tokens.append(_classify(str(match.lastgroup), match.group(), match.start()))
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _scan_string(text: str, start: int) -> tuple[_Token, int]:
    chars: list[str] = []
    pos = start + 1
    while pos < len(text):
        if text[pos] == "\\" and pos + 1 < len(text):
            chars.append(text[pos + 1])
            pos += 2
        elif text[pos] == "'":
            return _Token("string", "".join(chars), start), pos + 1
        else:
            chars.append(text[pos])
            pos += 1
    raise _error(text[start : start + 20], start, "unterminated string")


def _check_operator(text: str, start: int, op: str) -> None:
    if op not in _SIGNS:
        raise _error(op, start, f"unknown operator '{op}'")
    end = start + len(op)
    before, after = text[start - 1 : start] or " ", text[end : end + 1] or " "
    if not (before.isspace() and after.isspace()):
        raise _error(op, start, f"operator '{op}' needs a space on each side")


def _classify(kind: str, text: str, pos: int) -> _Token:
    if kind != "bare":
        return _Token(kind, text, pos)
    if _DECIMAL.fullmatch(text):
        return _Token("number", text, pos)
    if _FIELD.fullmatch(text):
        return _Token("word", text, pos)
    raise _error(text, pos, "not a field name, keyword or number")


class _Parser:
    """Recursive descent over the tokens; each rule returns a three-valued predicate."""

    def __init__(self, text: str) -> None:
        self._tokens = _tokenize(text)
        self._index = 0
        self.fields: set[str] = set()

    def parse(self) -> _Tri:
        if self._peek().kind == "end":
            return lambda _get: True
        node = self._disjunct()
        token = self._peek()
        if token.kind == "punct" and token.text == ")":
            raise _error(")", token.pos, "')' without a matching '('")
        if token.kind != "end":
            raise _error(token.text, token.pos, "expected AND, OR or the end of the query")
        return node

    def _disjunct(self) -> _Tri:
        parts = [self._conjunct()]
        while self._accept("OR"):
            parts.append(self._conjunct())
        return parts[0] if len(parts) == 1 else _combine(parts, decisive=True)

    def _conjunct(self) -> _Tri:
        parts = [self._negation()]
        while self._accept("AND"):
            parts.append(self._negation())
        return parts[0] if len(parts) == 1 else _combine(parts, decisive=False)

    def _negation(self) -> _Tri:
        if self._accept("NOT"):
            inner = self._negation()
            return lambda get: None if (result := inner(get)) is None else not result
        opening = self._peek()
        if self._accept("("):
            inner = self._disjunct()
            self._expect(")", f"expected ')' to close the '(' at position {opening.pos}")
            return inner
        return self._comparison()

    def _comparison(self) -> _Tri:
        token = self._next()
        if token.kind != "word" or token.text.upper() in _KEYWORDS:
            raise _error(token.text, token.pos, "expected a field name")
        field = token.text.upper()
        self.fields.add(field)
        op = self._next()
        if op.kind == "op":
            literal, signs = self._value(op), _SIGNS[op.text]
            return _on_field(field, lambda value: compare_values(value, literal) in signs)
        word = op.text.upper() if op.kind == "word" else ""
        if word == "IS":
            negated = self._accept("NOT")
            self._expect("NULL", "expected NULL or NOT NULL after IS")
            return lambda get: (get(field) is None) != negated
        negated = word == "NOT"
        if negated:
            op = self._next()
            word = op.text.upper() if op.kind == "word" else ""
        if word == "LIKE":
            pattern = self._value(op)
            return _on_field(field, lambda value: like_match(value, pattern) != negated)
        if word == "IN":
            member = within(self._list())
            return _on_field(field, lambda value: member(value) != negated)
        detail = (
            "expected LIKE or IN after NOT" if negated else f"expected an operator after {field}"
        )
        unknown = f"unknown operator '{op.text}', " if op.kind != "end" else ""
        raise _error(op.text, op.pos, unknown + detail)

    def _value(self, after: _Token) -> str:
        token = self._next()
        if token.kind not in ("string", "number"):
            detail = f"expected a quoted string or a number after '{after.text}'"
            raise _error(token.text, token.pos, detail)
        return token.text

    def _list(self) -> tuple[str, ...]:
        opening = self._peek()
        self._expect("(", "expected '(' to open the IN list")
        if self._peek().kind == "punct" and self._peek().text == ")":
            raise _error(")", self._peek().pos, "the IN list is empty")
        values = [self._value(opening)]
        while self._accept(","):
            values.append(self._value(self._tokens[self._index - 1]))
        self._expect(")", f"expected ',' or ')' in the IN list opened at position {opening.pos}")
        return tuple(values)

    def _peek(self) -> _Token:
        return self._tokens[self._index]

    def _next(self) -> _Token:
        token = self._peek()
        if token.kind != "end":
            self._index += 1
        return token

    def _accept(self, text: str) -> bool:
        token = self._peek()
        if token.kind in ("word", "punct") and token.text.upper() == text:
            self._index += 1
            return True
        return False

    def _expect(self, text: str, detail: str) -> None:
        if not self._accept(text):
            raise _error(self._peek().text, self._peek().pos, detail)


def _combine(parts: list[_Tri], *, decisive: bool) -> _Tri:
    """AND (decisive False) or OR (decisive True) in three-valued logic."""

    def run(get: Getter) -> bool | None:
        results = [part(get) for part in parts]
        if decisive in results:
            return decisive
        return None if None in results else not decisive

    return run


def _on_field(field: str, test: Callable[[str], bool]) -> _Tri:
    """Unknown when the field is absent, else the test of its value."""

    def run(get: Getter) -> bool | None:
        value = get(field)
        return None if value is None else test(value)

    return run


def within(options: tuple[str, ...]) -> Callable[[str], bool]:
    """Membership in an IN list, as ``compare_values(value, option) == 0`` for some option, in
    constant time: equal times when both are dates, equal numbers when both are numbers, else
    (and always, when the texts are the same) equal text."""
    times = {when for option in options if (when := as_datetime(option)) is not None}
    numbers = {
        number
        for option in options
        if as_datetime(option) is None and (number := as_decimal(option)) is not None
    }
    texts = frozenset(options)

    def member(value: str) -> bool:
        if value in texts:
            return True
        when = as_datetime(value)
        if when is not None:
            return when in times
        number = as_decimal(value)
        return number is not None and number in numbers

    return member
