"""The one paginator: every feed and look-up of the product walks its pages through ``Pages``.

A source is a fetch from a ``FeedQuery`` to one ``Page``: a port's feed (through
``app.ports.awaited``), an Intacct query (``intacct.reads``) or a Re-Leased list. ``Pages`` asks
for the first page, then follows ``next_token`` until a page has none. It refuses, rather than
reading on:

- a token offered twice: the source would page forever (Intacct keeps one ``resultId`` for a whole
  result set, so its adapter puts what remains into the token);
- a page holding more records than the ``size`` asked for: a source that ignores the size it was
  given cannot be trusted to page correctly either.

Both refusals are RETRIABLE errors naming the source (``what``): the run stops before anything of
the bad page is applied, and the next run reads the feed again from its cursor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery, Page

__all__ = ["All", "Fetch", "Pages", "read_all"]

T = TypeVar("T")
Fetch = Callable[[FeedQuery], Awaitable[Result[Page[T], SyncError]]]


class Pages(Generic[T]):
    """The pages of one source, one ``next()`` at a time, from ``since`` (None: everything)."""

    __slots__ = ("_fetch", "_query", "_tokens", "done", "what")

    def __init__(
        self,
        fetch: Fetch[T],
        *,
        what: str,
        since: datetime | None = None,
        size: int | None = None,
    ) -> None:
        if size is not None and size < 1:
            msg = f"a page size is at least 1, got {size}"
            raise ValueError(msg)
        self._fetch = fetch
        self._query = FeedQuery(since=since, size=size)
        self._tokens: set[str] = set()
        self.what = what
        self.done = False

    @property
    def query(self) -> FeedQuery:
        """What the next ``next()`` asks for."""
        return self._query

    async def next(self) -> Result[Page[T], SyncError]:
        """The next page; after the last one, ``done`` is True."""
        if self.done:
            msg = f"the {self.what} were read to the end already"
            raise RuntimeError(msg)
        read = await self._fetch(self._query)
        if not is_successful(read):
            return read
        page = read.unwrap()
        size = self._query.size
        if size is not None and len(page.items) + len(page.problems) > size:
            held = len(page.items) + len(page.problems)
            return Failure(_refused(self.what, f"a page held {held} records, {size} were asked"))
        token = page.next_token
        if token is None:
            self.done = True
        elif token in self._tokens or token == self._query.token:
            return Failure(_refused(self.what, "a page was offered twice"))
        else:
            self._tokens.add(token)
            self._query = FeedQuery(since=self._query.since, token=token, size=size)
        return Success(page)


@dataclass(frozen=True, slots=True, kw_only=True)
class All(Generic[T]):
    """All of one source: its records and the problems its pages reported."""

    items: tuple[T, ...]
    problems: tuple[SyncError, ...] = ()


async def read_all(
    fetch: Fetch[T],
    *,
    what: str,
    key: Callable[[T], Hashable] | None = None,
    since: datetime | None = None,
    size: int | None = None,
    until: Callable[[list[T]], bool] | None = None,
) -> Result[All[T], SyncError]:
    """Every record of a source, page by page to the end.

    With ``key``, a record read twice (pages of a changing source may overlap) counts once, the
    last read winning. ``until`` stops early once the records read so far satisfy it.
    """
    pages: Pages[T] = Pages(fetch, what=what, since=since, size=size)
    found: dict[Hashable, T] = {}
    kept: list[T] = []
    problems: list[SyncError] = []
    while not pages.done:
        read = await pages.next()
        if not is_successful(read):
            return Failure(read.failure())
        page = read.unwrap()
        if key is None:
            kept.extend(page.items)
        else:
            found.update((key(item), item) for item in page.items)
        problems.extend(page.problems)
        if until is not None and until(kept if key is None else list(found.values())):
            break
    items = tuple(kept) if key is None else tuple(found.values())
    return Success(All(items=items, problems=tuple(problems)))


def _refused(what: str, why: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Reading the {what} did not come to a proper end: {why}.",
        fix="Try again later; if it happens again, contact support with this message.",
        cause=f"paging refused: {why}",
    )
