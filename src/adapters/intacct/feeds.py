"""Change feeds: readByQuery + readMore, page by page, filtered on a timestamp with an overlap.

A page is one request (readByQuery for the first, readMore with the result id for the rest), so a
full read of N records takes ceil(N / page size) requests and holds one page in memory. A record
read again only because of the overlap window (modified before the cursor) is dropped when this
very version of it, (RECORDNO, WHENMODIFIED), was already returned by this reader; a full read
drops nothing. The set of versions remembered is capped, so memory stays flat.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from lxml import etree
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.classify import function_error
from released_intacct.adapters.intacct.convert.feeds import Feed
from released_intacct.adapters.intacct.envelope import Function, child, element
from released_intacct.adapters.intacct.response import page_info, rows
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery, Page

T = TypeVar("T")
Row = Mapping[str, object]
Convert = Callable[[Row], Result[T, SyncError]]

SEEN_CAP = 200_000


_PAGE_MARK = "#remaining="


class FeedReader:
    def __init__(
        self, sessions: Sessions, settings: ClientSettings, *, spend: Callable[[int], None]
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._spend = spend
        self._seen: OrderedDict[tuple[str, str, str], None] = OrderedDict()

    async def page(
        self, feed: Feed, query: FeedQuery, convert: Convert[T]
    ) -> Result[Page[T], SyncError]:
        first = query.token is None
        body = self._read(feed, query.since) if first else self._read_more(query.token or "")
        sent = await self._sessions.call([Function("read", body)], unique=False, idempotent=True)
        if not is_successful(sent):
            return Failure(sent.failure())
        results = sent.unwrap().results
        if not results:
            return Failure(_empty())
        result = results[0]
        if not result.ok or result.data is None:
            return Failure(function_error(result, record=None))
        self._spend(1)
        page = self._build(feed, result.data, convert, since=query.since)
        total = page_info(result.data).total if first else None
        return Success(replace(page, total=total))

    def _read(self, feed: Feed, since: datetime | None) -> etree._Element:
        start = None if since is None else since - self._settings.overlap
        body = element("readByQuery")
        child(body, "object", feed.object_name)
        child(body, "fields", feed.fields)
        child(body, "query", feed.query(start, tz=self._settings.company_tz))
        child(body, "pagesize", str(self._settings.page_size))
        if feed.docparid:
            child(body, "docparid", feed.docparid)
        return body

    @staticmethod
    def _read_more(token: str) -> etree._Element:
        body = element("readMore")
        child(body, "resultId", token.rsplit(_PAGE_MARK, 1)[0])
        return body

    def _build(
        self, feed: Feed, data: etree._Element, convert: Convert[T], *, since: datetime | None
    ) -> Page[T]:
        info = page_info(data)
        items: list[T] = []
        problems: list[SyncError] = []
        high_water: datetime | None = None
        for row in rows(data):
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
        # Intacct keeps one resultId for a whole result set: the page's token also carries what
        # remains after it, so each page's token is new (the reader refuses a token seen twice).
        more = info.remaining > 0 and info.result_id
        token = f"{info.result_id}{_PAGE_MARK}{info.remaining}" if more else None
        return Page(
            items=tuple(items),
            next_token=token,
            high_water=high_water,
            problems=tuple(problems),
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


def _empty() -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message="Sage Intacct answered a read with no result.",
        fix="Nothing to do: the sync reads the page again.",
    )
