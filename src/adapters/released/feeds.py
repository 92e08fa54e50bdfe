"""List pages: ``GET /api/<resource>?modifiedSince=&page=&pageSize=&includeArchived=true``.

``FeedQuery.since`` is sent as ``modifiedSince`` (inclusive, ISO-8601 UTC with ``Z``).
``Page.high_water`` is the latest ``lastModified`` of the page, unreadable items included when
their ``lastModified`` is sound. An item that cannot be decoded or converted becomes one of
``Page.problems`` naming its JSON path; the rest of the page is read. A page that is not the one
asked for, says ``hasMore`` with no items (the paginator would loop), or holds more items than the
page size asked for is refused (FATAL: the server and this adapter disagree about the REST model);
the last before any item is decoded, so its size in memory is the reply's bytes and no more
(``wire.listed``).

Continuation is by key, not by page number: the list is ordered by ``(lastModified, id)``, so the
token is the last ``(lastModified, id)`` returned (plus a page number used only when a whole page
shares one ``lastModified``), and the next request asks ``modifiedSince`` that time and drops what
was already returned. Page numbers over a changing list would pass over a record whose
predecessors were modified while the feed was read; a key cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Generic, TypeVar

import msgspec
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.released.convert import problem
from released_intacct.adapters.released.errors import malformed
from released_intacct.adapters.released.resources import Resource
from released_intacct.adapters.released.transport import Http
from released_intacct.adapters.released.wire import (
    ItemHead,
    ListEnvelope,
    decoder,
    item_path,
    listed,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery, Page

__all__ = ["RawPage", "finish", "items_of", "read_page", "stamp"]

W = TypeVar("W")
R = TypeVar("R")

_ENVELOPE: Final = decoder(ListEnvelope)
_HEAD: Final = decoder(ItemHead)


@dataclass(frozen=True, slots=True)
class RawPage(Generic[W]):
    """A page whose items are decoded but not yet converted to domain records."""

    wires: tuple[W, ...]
    problems: tuple[SyncError, ...]
    next_token: str | None
    high_water: datetime | None
    total: int | None = None


def stamp(moment: datetime) -> str:
    """``moment`` as the wire writes it: UTC with ``Z``."""
    if moment.tzinfo is None:
        msg = "feed cursors are timezone-aware"
        raise ValueError(msg)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


async def read_page(
    http: Http,
    resource: Resource[W, R],
    query: FeedQuery,
    *,
    size: int,
    params: Mapping[str, str] | None = None,
) -> Result[RawPage[W], SyncError]:
    """One page of at most ``size`` items of ``resource``; ``params`` adds any filter."""
    cursor = _Cursor.parse(query.token)
    since = cursor.after[0] if cursor.after else query.since
    sent_params = {
        **(params or {}),
        "pageSize": str(size),
        "page": str(cursor.page),
        "includeArchived": "true",
    }
    if since is not None:
        sent_params["modifiedSince"] = stamp(since)
    sent = await http.send("GET", resource.path, params=sent_params)
    envelope = sent.bind(lambda reply: http.read(_ENVELOPE, reply))
    return envelope.bind(lambda page: _split(resource, page, cursor, size))


@dataclass(frozen=True, slots=True)
class _Cursor:
    """Where a feed continues: after ``(lastModified, id)``, at ``page`` of that time."""

    after: tuple[datetime, str] | None = None
    page: int = 1

    @classmethod
    def parse(cls, token: str | None) -> _Cursor:
        if token is None:
            return cls()
        parts = token.split("|")
        try:
            page = int(parts[2])
            if not parts[0]:
                return cls(page=page)
            moment = datetime.fromisoformat(parts[0].replace("Z", "+00:00"))
        except (IndexError, ValueError) as error:
            msg = f"not a Re-Leased feed token: {token!r}"
            raise ValueError(msg) from error
        return cls(after=(moment, parts[1]), page=page)

    def token(self) -> str:
        if self.after is None:
            return f"||{self.page}"
        return f"{stamp(self.after[0])}|{self.after[1]}|{self.page}"

    def seen(self, head: ItemHead) -> bool:
        if self.after is None or head.last_modified is None:
            return False
        return (head.last_modified, head.id or "") <= self.after

    def next(self, last: tuple[datetime, str] | None) -> _Cursor:
        if last is not None and (self.after is None or last > self.after):
            return _Cursor(after=last, page=1)
        return _Cursor(after=self.after, page=self.page + 1)


def finish(raw: RawPage[W], convert: Callable[[W], Result[R, SyncError]]) -> Page[R]:
    items: list[R] = []
    problems = list(raw.problems)
    for wire in raw.wires:
        converted = convert(wire)
        if is_successful(converted):
            items.append(converted.unwrap())
        else:
            problems.append(converted.failure())
    return Page(
        items=tuple(items),
        next_token=raw.next_token,
        high_water=raw.high_water,
        problems=tuple(problems),
        total=raw.total,
    )


def _split(
    resource: Resource[W, R], envelope: ListEnvelope, cursor: _Cursor, size: int
) -> Result[RawPage[W], SyncError]:
    listing = items_of(envelope, most=size)
    if not is_successful(listing):
        return Failure(listing.failure())
    items = listing.unwrap()
    if items is None:
        why = f"the page holds more items than the {size} asked for"
        return Failure(_bad_paging(resource, why, has_more=envelope.has_more))
    if envelope.page != cursor.page or (envelope.has_more and not items):
        why = f"asked for page {cursor.page}, got page {envelope.page} of {len(items)} items"
        return Failure(_bad_paging(resource, why, has_more=envelope.has_more))
    wires: list[W] = []
    problems: list[SyncError] = []
    high_water: datetime | None = None
    last: tuple[datetime, str] | None = None
    for index, raw in enumerate(items):
        head = _head(raw)
        if head.last_modified is not None:
            high_water = max(high_water or head.last_modified, head.last_modified)
            last = (head.last_modified, head.id or "")
        if cursor.seen(head):
            continue
        read = resource.read(raw)
        if is_successful(read):
            wires.append(read.unwrap())
        else:
            why = item_path(read.failure(), index)
            problems.append(problem(resource.record_type, head.id, why))
    return Success(
        RawPage(
            wires=tuple(wires),
            problems=tuple(problems),
            next_token=cursor.next(last).token() if envelope.has_more else None,
            high_water=high_water,
            total=envelope.total_count if cursor.after is None and cursor.page == 1 else None,
        )
    )


def items_of(envelope: ListEnvelope, *, most: int) -> Result[list[msgspec.Raw] | None, SyncError]:
    """The page's items kept raw, None when it holds more than ``most`` (``wire.listed``)."""
    try:
        return Success(listed(envelope.items, most=most))
    except msgspec.ValidationError as error:  # the envelope was read, so this is JSON
        return Failure(malformed(error, b"", root="$.items"))


def _head(raw: msgspec.Raw) -> ItemHead:
    try:
        return _HEAD.decode(raw)
    except msgspec.DecodeError:  # a ValidationError, or a raw item that is not UTF-8
        return ItemHead()


def _bad_paging(resource: Resource[W, R], why: str, *, has_more: bool) -> SyncError:
    return SyncError(
        kind=ErrorKind.FATAL,
        rule=None,
        message=f"Re-Leased paged the {resource.path} list inconsistently ({why}, "
        f"hasMore={str(has_more).lower()}).",
        fix="Contact support with the details of this error.",
        cause="unexpected paging",
    )
