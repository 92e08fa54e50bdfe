"""REST rows read as the XML readers' rows, so one converter (``intacct.convert.reading``) reads
both APIs: each REST field the product uses is paired with the XML field it stands for
(docs/intacct-rest.md section 4), and a row of the query service or a GET becomes a row keyed by
XML names (dotted XML names nested: ``DISPLAYCONTACT.FIRSTNAME``). REST timestamps are UTC
(``audit.modifiedDateTime``) and are read by ``query.stamp``, never through the XML format.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from released_intacct.adapters.intacct_rest.query import field

__all__ = ["Pairs", "as_xml", "rest_fields"]

Pairs = tuple[tuple[str, str], ...]
"""(REST field, XML field) pairs of one object."""

_STATUS_WORDS: Final = {"activeNonPosting": "active non-posting"}
"""The model's status enum to the XML words the readers know (docs/intacct-rest.md 4.3)."""


def rest_fields(pairs: Pairs) -> tuple[str, ...]:
    return tuple(rest for rest, _ in pairs)


def as_xml(row: Mapping[str, Any], pairs: Pairs) -> dict[str, Any]:
    """``row`` keyed by XML names: ``key`` is RECORDNO, the rest as ``pairs`` say; absent or
    null fields are left out, numbers and booleans become text."""
    found: dict[str, Any] = {}
    key = field(row, "key")
    if key is not None:
        found["RECORDNO"] = str(key)
    for rest, xml in pairs:
        value = field(row, rest)
        if value is None or isinstance(value, (dict, list)):
            continue
        text = _text(value)
        if xml == "STATUS" or xml.endswith(".STATUS"):
            text = _STATUS_WORDS.get(text, text)
        _put(found, xml.split("."), text)
    return found


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _put(into: dict[str, Any], path: list[str], value: str) -> None:
    for name in path[:-1]:
        inner = into.get(name)
        if not isinstance(inner, dict):
            inner = into[name] = {}
        into = inner
    into[path[-1]] = value
