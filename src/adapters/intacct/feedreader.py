"""Change feeds: readByQuery + readMore, page by page, filtered on a timestamp with an overlap.

A page is one request (readByQuery for the first, readMore with the result id for the rest; the
audit trail is read with ``query`` by offset, ``Reads.offset_page``), so a full read of N records
takes ceil(N / page size) requests and holds one page in memory. A record read again only because
of the overlap window (modified before the cursor) is dropped when this very version of it (its
identity, by default RECORDNO, and its cursor field) was already handed to the same feed
(``adapters.seen``); each feed remembers its own versions (customers read as a dimension and as
parties are two feeds: a version in the window reaches both).

An object two feeds read with the same query (``READ_TWICE``: customers and vendors, as dimension
values and as parties) is asked once a run: a first page that is the whole answer is held, one per
object, until the other feed asks the same (then it is handed on and let go), the object is
asked differently, or the next run starts (``let_go``, from the adapter's ``setup``). A longer
answer is not held (its ``readMore`` result id serves one reader).

A page of transactions (invoices, bills, adjustments, OE/PO documents, payments) then has its
reversal entries paired with what they reverse (``intacct.reversals``) and its lines read in
bulk and nested (``intacct.lines``): list functions answer headers only. A document whose lines
did not come is a problem of its page, never a document with no lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from functools import partial
from typing import Protocol, TypeVar

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert.feeds import READ_TWICE, Feed
from released_intacct.adapters.intacct.convert.fields import Reader, Row, as_stamp
from released_intacct.adapters.intacct.lines import LINES, Lines
from released_intacct.adapters.intacct.reads import Reads
from released_intacct.adapters.intacct.reversals import Reversals
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.seen import Seen, Version
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey
from released_intacct.domain.ports import FeedQuery, Page

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Convert(Protocol[T_co]):
    """A row to a record, given the zone Intacct writes the row's timestamps in."""

    def __call__(self, row: Row, /, *, tz: tzinfo) -> Result[T_co, SyncError]: ...


_FeedKey = tuple[str, RecordType, str | None]
"""A feed's own key: the object, what its rows become and the definition (the customers read as
a dimension and as parties are two feeds of one object, each handed a version once)."""


class FeedReader:
    def __init__(
        self, reads: Reads, lines: Lines, reversals: Reversals, settings: ClientSettings
    ) -> None:
        self._reads = reads
        self._lines = lines
        self._reversals = reversals
        self._settings = settings
        self._seen = Seen()
        self._held: dict[str, tuple[tuple[q.Select, int | None], Page[Row]]] = {}

    async def page(
        self, feed: Feed, query: FeedQuery, convert: Convert[T]
    ) -> Result[Page[T], SyncError]:
        """One page of ``feed``; a transaction's lines come nested (``intacct.lines``)."""
        zone = await self._reads.zone()
        if not is_successful(zone):
            return Failure(zone.failure())
        tz = zone.unwrap()
        overlap = self._settings.overlap
        if self._settings.company_tz is None:
            overlap += self._settings.calibrated_overlap
        start = None if query.since is None else query.since - overlap
        if query.token is None and start is not None:
            self._seen.forget_before(_feed_key(feed), start)
        select = feed.select(start, tz=tz)
        if feed.by_offset:
            unreadable = partial(_unreadable, feed, since=query.since)
            read = await self._reads.offset_page(select, query, unreadable=unreadable)
        else:
            read = await self._read(select, query)
        if not is_successful(read):
            return Failure(read.failure())
        rows = read.unwrap()
        fresh, high_water = self._fresh(feed, rows.items, since=query.since, tz=tz)
        paired = await self._reversals.pair(feed.object_name, fresh)
        if not is_successful(paired):
            return Failure(paired.failure())
        fresh = paired.unwrap()
        missing: tuple[Row, ...] = ()
        if feed.object_name in LINES and fresh:
            attached = await self._lines.attach(feed.object_name, fresh, docparid=feed.docparid)
            if not is_successful(attached):
                return Failure(attached.failure())
            fresh, missing = list(attached.unwrap().rows), attached.unwrap().missing
        items, problems = _converted(fresh, convert, tz)
        problems += [_without_lines(feed, row) for row in missing]
        problems += rows.problems
        return Success(
            Page(
                items=tuple(items),
                next_token=rows.next_token,
                high_water=high_water,
                problems=tuple(problems),
                total=rows.total,
                overlap=overlap,
            )
        )

    def let_go(self) -> None:
        """Drop the pages held for a second feed (a new run reads afresh)."""
        self._held.clear()

    async def _read(self, select: q.Select, query: FeedQuery) -> Result[Page[Row], SyncError]:
        """A page of ``select``; the whole answer of an object read twice is asked once."""
        if query.token is not None or select.object_name not in READ_TWICE:
            return await self._reads.page(select, query)
        ask = (select, query.size)
        held = self._held.pop(select.object_name, None)
        if held is not None and held[0] == ask:
            return Success(held[1])
        read = await self._reads.page(select, query)
        if is_successful(read) and read.unwrap().next_token is None:
            self._held[select.object_name] = (ask, read.unwrap())
        return read

    def _fresh(
        self, feed: Feed, rows: Sequence[Row], *, since: datetime | None, tz: tzinfo
    ) -> tuple[list[Row], datetime | None]:
        """The rows to hand on (a version read again only for the overlap is dropped), and the
        page's high-water mark."""

        def version(row: Row) -> Version:
            stamp = str(row.get(feed.cursor_field, ""))
            identity = "/".join(str(row.get(name, "")) for name in feed.identity)
            return identity, stamp, as_stamp(stamp, tz)

        return self._seen.fresh(_feed_key(feed), rows, since=since, version=version)


def _feed_key(feed: Feed) -> _FeedKey:
    return (feed.object_name, feed.record_type, feed.docparid)


def _unreadable(feed: Feed, offset: int, *, since: datetime | None) -> SyncError:
    """An entry of the audit trail Intacct fails to serve even alone: a deletion may be unseen."""
    after = f" since {since.isoformat(timespec='seconds')}" if since else ""
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.D8,
        message=(
            f"Sage Intacct could not serve an entry of its audit trail ({feed.object_name}, "
            f"position {offset} of the deletions read{after}), even asked for alone: a "
            f"{feed.record_type.value} deleted in Intacct may not be seen."
        ),
        fix=(
            f"In Sage Intacct, look in the audit trail for {feed.record_type.value}s deleted"
            f"{after}; if one was synced, void and unlink it in Re-Leased. Tell Sage support the"
            ' audit trail cannot be read ("There was an error processing the request").'
        ),
        record=RecordRef(
            record_type=feed.record_type,
            direction=Direction.INCOMING,
            label=f"{feed.object_name} position {offset}",
        ),
    )


def _converted(
    rows: Sequence[Row], convert: Convert[T], tz: tzinfo
) -> tuple[list[T], list[SyncError]]:
    items: list[T] = []
    problems: list[SyncError] = []
    for row in rows:
        converted = convert(row, tz=tz)
        if is_successful(converted):
            items.append(converted.unwrap())
        else:
            problems.append(converted.failure())
    return items, problems


def _without_lines(feed: Feed, row: Row) -> SyncError:
    """A document with a total whose lines did not come, even read again: never synced empty."""
    reader = Reader(feed.object_name, row, record_type=feed.record_type)
    number = str(row.get("RECORDID") or row.get("DOCID") or "").strip()
    label = f"{feed.object_name} {reader.record_no or ''} {number}".strip()
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.M1,
        message=(
            f"Sage Intacct {label} has a total but its lines could not be read, so it is not "
            "synced (it would arrive with no lines)."
        ),
        fix=(
            "Check the document's lines in Sage Intacct, then save it there again so the next "
            "sync reads it; if its lines look right, contact support."
        ),
        record=RecordRef(
            record_type=feed.record_type,
            direction=Direction.INCOMING,
            intacct_key=IntacctKey(reader.record_no) if reader.record_no else None,
            label=label,
        ),
        cause=f"{feed.object_name}: no lines from {LINES[feed.object_name].object_name} or read",
    )
