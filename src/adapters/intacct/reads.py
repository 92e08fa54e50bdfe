"""Running reads: one function a request, one API transaction a call, rows out.

Every read of the adapter goes through ``Reads``: a page of a ``Select`` (``readByQuery`` first,
``readMore`` after it, paged by the one paginator of ``adapters.paging``), every row of one, and
records by RECORDNO (``read``, at most 100 keys a call). Intacct keeps one ``resultId`` for a whole
result set, so a page's token is the result id plus what remains after the page: each page's token
is new, and the paginator can refuse one offered twice.

``offset_page`` reads a page with ``query`` from an offset instead (the token is the offset): a
page Intacct fails to process ("There was an error processing the request", met on AUDITHISTORY)
is asked for again a quarter the size, down to one record, and the rest of the read keeps the
smaller size (the token holds it); a record that fails even alone is passed over and reported by
the caller's ``unreadable``, so one bad entry never stops the feed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import tzinfo
from types import MappingProxyType
from typing import Final

from lxml import etree
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.classify import function_error, overfull, unprocessed
from released_intacct.adapters.intacct.convert.fields import Row
from released_intacct.adapters.intacct.envelope import Function
from released_intacct.adapters.intacct.reply import FunctionResult
from released_intacct.adapters.intacct.response import page_info, rows
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.paging import read_all
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery, Page

__all__ = ["Reads", "result_data", "result_id"]

_NONE: Final[Mapping[str, int]] = MappingProxyType({})
_PAGE_MARK: Final = "#remaining="
_OFFSET: Final = "offset="
_SIZE: Final = ";size="


def result_id(token: str) -> str:
    """The ``resultId`` a page token continues."""
    return token.rsplit(_PAGE_MARK, 1)[0]


class Reads:
    def __init__(
        self, sessions: Sessions, settings: ClientSettings, *, spend: Callable[[int], None]
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._spend = spend

    async def page(self, select: q.Select, query: FeedQuery) -> Result[Page[Row], SyncError]:
        """One page of ``select``: the first when ``query.token`` is None, else the next one."""
        size = min(query.size or self._settings.page_size, self._settings.page_size)
        if query.token is None:
            body = q.read_by_query(select, page_size=size)
        else:
            body = q.read_more(result_id(query.token))
        data = await self.call(body, what=select.object_name)
        if not is_successful(data):
            return Failure(data.failure())
        return _page(data.unwrap(), most=size, what=select.object_name, first=query.token is None)

    async def first_pages(
        self,
        selects: Mapping[str, q.Select],
        *,
        sizes: Mapping[str, int] = _NONE,
        also: Sequence[Function] = (),
    ) -> Result[
        tuple[dict[str, Result[Page[Row], SyncError]], dict[str, FunctionResult]], SyncError
    ]:
        """The first page of each of ``selects`` (by name; ``sizes``: fewer rows than a page) and
        the functions ``also`` asks, all in one request: each page as ``page`` reads it (or its
        own refusal), and ``also``'s results by control id. An API transaction is spent for each
        page answered."""
        largest = self._settings.page_size
        size = {n: min(sizes.get(n, largest), largest) for n in selects}
        asked = [
            Function(f"page.{n}", q.read_by_query(s, page_size=size[n])) for n, s in selects.items()
        ]
        sent = await self._sessions.call([*asked, *also], unique=False, idempotent=True)
        if not is_successful(sent):
            return Failure(sent.failure())
        results = {r.controlid: r for r in sent.unwrap().results}
        pages: dict[str, Result[Page[Row], SyncError]] = {}
        for name, select in selects.items():
            what = select.object_name
            data = result_data(results.pop(f"page.{name}", None), what=what)
            if not is_successful(data):
                pages[name] = Failure(data.failure())
                continue
            self._spend(1)
            pages[name] = _page(data.unwrap(), most=size[name], what=what, first=True)
        return Success((pages, results))

    async def rest(self, select: q.Select, first: Page[Row]) -> Result[list[Row], SyncError]:
        """Every row of ``select`` whose ``first`` page was read already (``first_pages``), the
        rest page by page."""

        async def fetch(query: FeedQuery) -> Result[Page[Row], SyncError]:
            return Success(first) if query.token is None else await self.page(select, query)

        read = await read_all(
            fetch, what=f"Intacct {select.object_name} records", size=self._settings.page_size
        )
        return read.map(lambda found: list(found.items))

    async def offset_page(
        self, select: q.Select, query: FeedQuery, *, unreadable: Callable[[int], SyncError]
    ) -> Result[Page[Row], SyncError]:
        """One page of ``select`` with ``query`` from the token's offset (see the docstring)."""
        largest = min(query.size or self._settings.page_size, self._settings.page_size)
        offset, size = _offset(query.token, largest)
        while True:
            body = q.query(select, page_size=size, offset=offset)
            data = await self.call(body, what=select.object_name)
            if is_successful(data):
                read = _rows(data.unwrap(), most=size, what=select.object_name)
                if not is_successful(read):
                    return Failure(read.failure())
                info, found = page_info(data.unwrap()), tuple(read.unwrap())
                more = info.remaining > 0 and bool(found)
                token = _offset_token(offset + len(found), size) if more else None
                total = info.total if query.token is None else None
                return Success(Page(items=found, next_token=token, total=total))
            if not unprocessed(data.failure()):
                return Failure(data.failure())
            if size == 1:
                token = _offset_token(offset + 1, size)
                return Success(Page(items=(), next_token=token, problems=(unreadable(offset),)))
            size = max(1, size // 4)

    async def zone(self) -> Result[tzinfo, SyncError]:
        """The zone Intacct writes timestamps in (``Sessions.zone``)."""
        return await self._sessions.zone()

    async def every(self, select: q.Select) -> Result[list[Row], SyncError]:
        """Every row of ``select``, page by page."""
        read = await read_all(
            lambda query: self.page(select, query),
            what=f"Intacct {select.object_name} records",
            size=self._settings.page_size,
        )
        return read.map(lambda found: list(found.items))

    async def by_keys(
        self,
        object_name: str,
        keys: Sequence[str],
        *,
        fields: Sequence[str] = (),
        docparid: str | None = None,
    ) -> Result[list[Row], SyncError]:
        """The records ``keys`` (RECORDNOs) with ``read``, 100 a call; absent keys are absent."""
        found: list[Row] = []
        wanted = list(dict.fromkeys(keys))
        for start in range(0, len(wanted), q.READ_KEYS):
            chunk = wanted[start : start + q.READ_KEYS]
            body = q.read(object_name, chunk, fields=fields, docparid=docparid)
            data = await self.call(body, what=object_name)
            if not is_successful(data):
                return Failure(data.failure())
            read = _rows(data.unwrap(), most=len(chunk), what=object_name)
            if not is_successful(read):
                return Failure(read.failure())
            found.extend(read.unwrap())
        return Success(found)

    async def call(self, body: etree._Element, *, what: str) -> Result[etree._Element, SyncError]:
        """One read function alone in a request: its ``<data>``, one API transaction spent."""
        sent = await self._sessions.call([Function("read", body)], unique=False, idempotent=True)
        if not is_successful(sent):
            return Failure(sent.failure())
        results = sent.unwrap().results
        data = result_data(results[0] if results else None, what=what)
        if is_successful(data):
            self._spend(1)
        return data


def result_data(result: FunctionResult | None, *, what: str) -> Result[etree._Element, SyncError]:
    """A read function's ``<data>``; its refusal; or, when Intacct left it unanswered, an error
    to try again."""
    if result is None:
        return Failure(_unanswered(what))
    if not result.ok or result.data is None:
        return Failure(function_error(result, record=None))
    return Success(result.data)


def _page(
    data: etree._Element, *, most: int, what: str, first: bool
) -> Result[Page[Row], SyncError]:
    """The page ``data`` holds, with the token that continues it (None: the last page)."""
    found = _rows(data, most=most, what=what)
    if not is_successful(found):
        return Failure(found.failure())
    info = page_info(data)
    more = info.remaining > 0 and info.result_id
    token = f"{info.result_id}{_PAGE_MARK}{info.remaining}" if more else None
    total = info.total if first else None
    return Success(Page(items=tuple(found.unwrap()), next_token=token, total=total))


def _rows(data: etree._Element, *, most: int, what: str) -> Result[Sequence[Row], SyncError]:
    """The records of ``data``; refused unread when it holds more than ``most``, what was asked."""
    held = sum(1 for _ in data.iterchildren(tag=etree.Element))
    if held > most:
        return Failure(overfull(what, held, most))
    return Success(rows(data))


def _offset_token(offset: int, size: int) -> str:
    return f"{_OFFSET}{offset}{_SIZE}{size}"


def _offset(token: str | None, largest: int) -> tuple[int, int]:
    """The offset and page size an ``offset_page`` token holds (a page shrunk once stays so for
    the rest of the read); the first page starts at 0, ``largest`` records."""
    if token is None:
        return 0, largest
    offset, _, size = token.removeprefix(_OFFSET).partition(_SIZE)
    if not token.startswith(_OFFSET) or not (offset.isdigit() and size.isdigit()):
        msg = f"not an offset page token: {token!r}"
        raise ValueError(msg)
    return int(offset), max(1, min(int(size), largest))


def _unanswered(what: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Sage Intacct answered a read of {what} with no result.",
        fix="Nothing to do: the read is made again.",
    )
