"""REST rows read as the XML readers' rows, so one converter (``intacct.convert.reading``) reads
both APIs: each REST field the product uses is paired with the XML field it stands for
(docs/intacct-rest.md section 4), and a row of the query service or a GET becomes a row keyed by
XML names (dotted XML names nested: ``DISPLAYCONTACT.FIRSTNAME``). REST timestamps are UTC
(``audit.modifiedDateTime``) and are read by ``query.stamp``, never through the XML format.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final, TypeVar

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct_rest.composite import Answer, Read, reads
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import (
    CURSOR,
    QUERY_PATH,
    Row,
    Select,
    field,
    stamp,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ports import FeedQuery, Page

__all__ = [
    "Asked",
    "Pairs",
    "as_xml",
    "converted",
    "every_row",
    "first_pages",
    "modified",
    "newest",
    "rest_fields",
    "rows_from",
]

T = TypeVar("T")

Pairs = tuple[tuple[str, str], ...]
"""(REST field, XML field) pairs of one object."""

_LOOKUP: Final = "lookup"
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


def modified(row: Mapping[str, Any]) -> datetime | None:
    """The row's ``audit.modifiedDateTime`` (UTC), the ``modified_at`` of what it reads as."""
    return stamp(field(row, CURSOR))


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


def converted(page: Page[Row], convert: Callable[[Row], Result[T, SyncError]]) -> Page[T]:
    """``page``'s rows converted; a row that cannot be read is one of its problems (rule E1)."""
    found: list[T] = []
    problems = list(page.problems)
    for row in page.items:
        read = convert(row)
        if isinstance(read, Success):
            found.append(read.unwrap())
        else:
            problems.append(read.failure())
    return Page(
        items=tuple(found),
        next_token=page.next_token,
        high_water=page.high_water,
        problems=tuple(problems),
        total=page.total,
        overlap=page.overlap,
    )


async def every_row(rest: Rest, select: Select) -> Result[list[Row], SyncError]:
    """Every row ``select`` matches, page after page: a look-up (its versions are kept apart
    from the feeds'), never a feed's read."""
    return await _on_from(rest, select, await rest.pages.page(select, FeedQuery(), feed=_LOOKUP))


async def newest(
    rest: Rest, select: Select, size: int, *, feed: Hashable
) -> Result[Page[Row], SyncError]:
    """The last ``size`` rows of ``select`` in the feeds' order (``audit.modifiedDateTime``,
    then ``key``): the ones modified last, for ``doctor``'s samples. The first page tells how
    many rows there are (``ia::meta.totalCount``); when they are more than ``size``, a second
    query asks the last ``size`` from there. ``feed`` keeps their versions apart from a feed's."""
    first = await rest.pages.page(select, FeedQuery(size=size), feed=feed)
    if isinstance(first, Failure):
        return first
    total = first.unwrap().total
    if total is None or total <= size:
        return first
    last = FeedQuery(token=str(total - size + 1), size=size)
    return await rest.pages.page(select, last, feed=feed)


Asked = tuple[Rest, Select]
"""A look-up and the REST API (the entity) it is read at."""


async def first_pages(via: Rest, asked: Sequence[Asked]) -> tuple[Answer, ...]:
    """The first page of each look-up, asked together through ``via`` (``composite.reads``: one
    request for 2-10 of them); a look-up at another entity than ``via``'s names its entity in its
    sub-request's headers. Each answer is finished by ``rows_from``. With composites off
    (``intacct.rest_composite = false``) nothing is asked here: each answer is None, so
    ``rows_from`` reads each look-up on its own."""
    if not via.settings.rest_composite:
        return tuple(None for _ in asked)
    at = via.transport.entity
    firsts = [
        Read("POST", QUERY_PATH, rest.pages.first(select), entity=rest.transport.entity)
        if rest.transport.entity != at
        else Read("POST", QUERY_PATH, rest.pages.first(select))
        for rest, select in asked
    ]
    return await reads(via.transport, firsts)


async def rows_from(rest: Rest, select: Select, answer: Answer) -> Result[list[Row], SyncError]:
    """``every_row`` of ``select`` from its ``first_pages`` answer: a first page the composite
    did not answer is asked on its own; the pages after it as ``every_row`` asks them."""
    if answer is None:
        return await every_row(rest, select)
    if isinstance(answer, Failure):
        return Failure(answer.failure())
    return await _on_from(rest, select, rest.pages.answered(select, answer.unwrap(), feed=_LOOKUP))


async def _on_from(
    rest: Rest, select: Select, page: Result[Page[Row], SyncError]
) -> Result[list[Row], SyncError]:
    """The rows of ``page`` and of every page after it."""
    found: list[Row] = []
    while True:
        if isinstance(page, Failure):
            return Failure(page.failure())
        read = page.unwrap()
        found.extend(read.items)
        if read.next_token is None:
            return Success(found)
        query = FeedQuery(token=read.next_token)
        page = await rest.pages.page(select, query, feed=_LOOKUP)
