"""Change feeds: readByQuery + readMore, page by page, filtered on a timestamp with an overlap.

A page is one request (readByQuery for the first, readMore with the result id for the rest), so a
full read of N records takes ceil(N / page size) requests and holds one page in memory. A record
read again only because of the overlap window (modified before the cursor) is dropped when this
very version of it, (RECORDNO, WHENMODIFIED), was already returned by this reader; a full read
drops nothing. The set of versions remembered is capped, so memory stays flat.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.adapters.intacct.convert.feeds import Feed
from released_intacct.adapters.intacct.convert.fields import Row
from released_intacct.adapters.intacct.reads import Reads
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ports import FeedQuery, Page

T = TypeVar("T")
Convert = Callable[[Row], Result[T, SyncError]]

SEEN_CAP = 200_000


class FeedReader:
    def __init__(self, reads: Reads, settings: ClientSettings) -> None:
        self._reads = reads
        self._settings = settings
        self._seen: OrderedDict[tuple[str, str, str], None] = OrderedDict()

    async def page(
        self, feed: Feed, query: FeedQuery, convert: Convert[T]
    ) -> Result[Page[T], SyncError]:
        start = None if query.since is None else query.since - self._settings.overlap
        select = feed.select(start, tz=self._settings.company_tz)
        read = await self._reads.page(select, query)
        return read.map(lambda rows: self._build(feed, rows, convert, since=query.since))

    def _build(
        self, feed: Feed, rows: Page[Row], convert: Convert[T], *, since: datetime | None
    ) -> Page[T]:
        items: list[T] = []
        problems: list[SyncError] = []
        high_water: datetime | None = None
        for row in rows.items:
            stamp = str(row.get(feed.cursor_field, ""))
            modified = self._parse(stamp)
            high_water = _later(high_water, modified)
            seen = self._remember(feed.object_name, str(row.get("RECORDNO", "")), stamp)
            in_overlap = since is not None and modified is not None and modified < since
            if seen and in_overlap:
                continue
            converted = convert(row)
            if is_successful(converted):
                items.append(converted.unwrap())
            else:
                problems.append(converted.failure())
        return Page(
            items=tuple(items),
            next_token=rows.next_token,
            high_water=high_water,
            problems=tuple(problems),
            total=rows.total,
        )

    def _parse(self, stamp: str) -> datetime | None:
        try:
            naive = datetime.strptime(stamp, "%m/%d/%Y %H:%M:%S")  # noqa: DTZ007 - zone set below
        except ValueError:
            return None
        return naive.replace(tzinfo=self._settings.company_tz)

    def _remember(self, object_name: str, recordno: str, stamp: str) -> bool:
        """Remember a row; True when this very version of it was returned before."""
        key = (object_name, recordno, stamp)
        if key in self._seen:
            return True
        self._seen[key] = None
        if len(self._seen) > SEEN_CAP:
            self._seen.popitem(last=False)
        return False


def _later(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    return candidate if current is None or candidate > current else current
