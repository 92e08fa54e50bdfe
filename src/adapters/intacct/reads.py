"""Running reads: one function a request, one API transaction a call, rows out.

Every read of the adapter goes through ``Reads``: a page of a ``Select`` (``readByQuery`` first,
``readMore`` after it, paged by the one paginator of ``adapters.paging``), every row of one, and
records by RECORDNO (``read``, at most 100 keys a call). Intacct keeps one ``resultId`` for a whole
result set, so a page's token is the result id plus what remains after the page: each page's token
is new, and the paginator can refuse one offered twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from lxml import etree
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.classify import function_error
from released_intacct.adapters.intacct.convert.fields import Row
from released_intacct.adapters.intacct.envelope import Function
from released_intacct.adapters.intacct.response import page_info, rows
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.paging import read_all
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery, Page

__all__ = ["Reads", "result_id"]

_PAGE_MARK: Final = "#remaining="


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
        info = page_info(data.unwrap())
        more = info.remaining > 0 and info.result_id
        token = f"{info.result_id}{_PAGE_MARK}{info.remaining}" if more else None
        total = info.total if query.token is None else None
        return Success(Page(items=tuple(rows(data.unwrap())), next_token=token, total=total))

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
            found.extend(rows(data.unwrap()))
        return Success(found)

    async def call(self, body: etree._Element, *, what: str) -> Result[etree._Element, SyncError]:
        """One read function alone in a request: its ``<data>``, one API transaction spent."""
        sent = await self._sessions.call([Function("read", body)], unique=False, idempotent=True)
        if not is_successful(sent):
            return Failure(sent.failure())
        results = sent.unwrap().results
        if not results:
            return Failure(_unanswered(what))
        result = results[0]
        if not result.ok or result.data is None:
            return Failure(function_error(result, record=None))
        self._spend(1)
        return Success(result.data)


def _unanswered(what: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Sage Intacct answered a read of {what} with no result.",
        fix="Nothing to do: the read is made again.",
    )
