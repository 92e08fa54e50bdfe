"""A canonical text form of domain values, and fingerprints over it.

Used to tell a real change from our own echo (rule D21): two values with the same mapped content
have the same canonical text whatever their ids, versions or timestamps (the caller names the
fields to leave out). Decimals are normalized (``1.0`` equals ``1.00``), dates are ISO, enums are
their values, tuples keep their order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any


def canonical(value: object, *, exclude: Collection[str] = ()) -> str:
    """The canonical text of ``value``; ``exclude`` names dataclass fields left out at any depth."""
    kind = type(value)
    if kind is str:
        return repr(value)
    if value is None:
        return "~"
    if isinstance(value, tuple):
        return "(" + ",".join(canonical(item, exclude=exclude) for item in value) + ")"
    names = _field_names(kind)
    if names is not None:
        parts = (
            f"{name}={canonical(getattr(value, name), exclude=exclude)}"
            for name in names
            if name not in exclude
        )
        return kind.__name__ + "{" + ";".join(parts) + "}"
    if isinstance(value, Enum):
        return canonical(value.value)
    return _scalar(value)


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass type, in order (None for any other type); looked up once."""
    try:
        return _FIELDS[kind]
    except KeyError:
        names = tuple(f.name for f in fields(kind)) if is_dataclass(kind) else None
        _FIELDS[kind] = names
        return names


def _scalar(value: object) -> str:
    if value is None:
        return "~"
    for kind, show in _SCALARS:
        if isinstance(value, kind):
            return show(value)
    msg = f"no canonical form for {type(value).__name__}"
    raise TypeError(msg)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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
