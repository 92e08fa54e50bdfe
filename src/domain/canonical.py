"""A canonical text form of domain values, and fingerprints over it.

Used to tell a real change from our own echo (rule D21): two values with the same mapped content
have the same canonical text whatever their ids, versions or timestamps (the caller names the
fields to leave out). Decimals are normalized (``1.0`` equals ``1.00``), dates are ISO, enums are
their values, tuples keep their order.

The text is stored (as links' fingerprints) and compared on later syncs, so its form never
changes: ``Type{field=value;...}`` for a dataclass (its fields in order), ``(a,b)`` for a tuple,
``~`` for None, ``repr`` for a string, ``T``/``F`` for a bool, the normalized Decimal for a number
(an int as the Decimal it equals, zero as ``0``), ISO for a date or datetime, an enum as its value.
Each type's encoder is worked out once, on first sight, and kept (``_ENCODERS``); a dataclass keeps
its field names once per set of excluded names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

Encoder = Callable[[Any, frozenset[str]], str]
_NOTHING: frozenset[str] = frozenset()


def canonical(value: object, *, exclude: Collection[str] = ()) -> str:
    """The canonical text of ``value``; ``exclude`` names dataclass fields left out at any depth."""
    skip = exclude if type(exclude) is frozenset else frozenset(exclude)
    return _encoder(type(value))(value, skip)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


_ENCODERS: dict[type, Encoder] = {}


def _encoder(kind: type) -> Encoder:
    """How values of exactly ``kind`` are written; worked out once a type."""
    try:
        return _ENCODERS[kind]
    except KeyError:
        made = _ENCODERS[kind] = _make(kind)
        return made


def _make(kind: type) -> Encoder:
    if kind is str:
        return _text
    if kind is type(None):
        return _none
    if issubclass(kind, tuple):
        return _tuple
    if is_dataclass(kind):
        return _Dataclass(kind)
    if issubclass(kind, Enum):
        return _enum
    for scalar, show in _SCALARS:
        if issubclass(kind, scalar):
            return _scalar(show)
    msg = f"no canonical form for {kind.__name__}"
    raise TypeError(msg)


def _text(value: str, _skip: frozenset[str]) -> str:
    return repr(value)


def _none(_value: None, _skip: frozenset[str]) -> str:
    return "~"


def _tuple(value: tuple[object, ...], skip: frozenset[str]) -> str:
    return "(" + ",".join([_encoder(type(item))(item, skip) for item in value]) + ")"


def _enum(value: Enum, _skip: frozenset[str]) -> str:
    plain = value._value_
    return _encoder(type(plain))(plain, _NOTHING)  # an enum's value leaves nothing out


def _scalar(show: Callable[[Any], str]) -> Encoder:
    return lambda value, _skip: show(value)


class _Dataclass:
    """``Name{field=value;...}`` for one dataclass type, its fields named once per exclusion."""

    def __init__(self, kind: type) -> None:
        self._prefix = kind.__name__ + "{"
        self._names = tuple(f.name for f in fields(kind))
        self._kept: dict[frozenset[str], tuple[tuple[str, str], ...]] = {}

    def __call__(self, value: object, skip: frozenset[str]) -> str:
        try:
            kept = self._kept[skip]
        except KeyError:
            kept = self._kept[skip] = tuple((n, n + "=") for n in self._names if n not in skip)
        parts = []
        for name, label in kept:
            item = getattr(value, name)
            kind = type(item)
            if kind is str:
                parts.append(label + repr(item))
            elif item is None:
                parts.append(label + "~")
            else:
                parts.append(label + _encoder(kind)(item, skip))
        return self._prefix + ";".join(parts) + "}"


def _decimal(value: Decimal) -> str:
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


_SCALARS: tuple[tuple[type | tuple[type, ...], Callable[[Any], str]], ...] = (
    (bool, lambda value: "T" if value else "F"),
    (Decimal, _decimal),
    (int, lambda value: _decimal(Decimal(value))),
    ((datetime, date), lambda value: value.isoformat()),
    (str, repr),
)
