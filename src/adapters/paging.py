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
the bad page is applied, and the next run reads the feed again from its cursor. The second is a
last check, after the page was made: each adapter refuses a page larger than it asked for where
its bytes arrive, before any record is read (issue 16, F6), and a feed of the sync asks for the
adapter's own page size, which only the adapter knows.

A page's problems (records it could not read, each a sync result) are kept one by one up to
:data:`PROBLEMS_PER_PAGE`; the others are counted in one more problem, naming the first of them,
so a page of unreadable records cannot flood the results and the notifications.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final, Generic, TypeVar

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.domain.errors import ErrorKind, RecordRef, SyncError
from released_intacct.domain.ports import FeedQuery, Page

__all__ = ["PROBLEMS_PER_PAGE", "All", "Fetch", "Pages", "read_all"]

T = TypeVar("T")
Fetch = Callable[[FeedQuery], Awaitable[Result[Page[T], SyncError]]]

PROBLEMS_PER_PAGE: Final = 100
"""The problems of one page kept one by one; the others are counted in one more."""
_NAMED: Final = 10
"""How many of the others the counting problem names."""


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
        if len(page.problems) > PROBLEMS_PER_PAGE:
            kept, others = page.problems[:PROBLEMS_PER_PAGE], page.problems[PROBLEMS_PER_PAGE:]
            page = replace(page, problems=(*kept, _more(self.what, others)))
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


def _more(what: str, others: Sequence[SyncError]) -> SyncError:
    """One problem for ``others``, the problems of a page past the first ``PROBLEMS_PER_PAGE``:
    how many, and the first of them by name, about the first one's kind of record."""
    names = [_name(problem.record) for problem in others[:_NAMED]]
    named = ", ".join(name for name in names if name)
    first = others[0]
    return SyncError(
        kind=first.kind,
        rule=first.rule,
        message=(
            f"{len(others):,} more records of one page of the {what} could not be read"
            f"{f' ({named}, ...)' if named else ''}; the first {PROBLEMS_PER_PAGE} are reported"
            f" one by one. The first of these others: {first.message}"
        ),
        fix=first.fix,
        record=None
        if first.record is None
        else RecordRef(
            record_type=first.record.record_type,
            direction=first.record.direction,
            label=f"{len(others):,} more records",
        ),
        cause=first.cause,
    )


def _name(record: RecordRef | None) -> str:
    if record is None:
        return ""
    return record.label or record.released_id or record.intacct_key or ""


def _refused(what: str, why: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Reading the {what} did not come to a proper end: {why}.",
        fix="Try again later; if it happens again, contact support with this message.",
        cause=f"paging refused: {why}",
    )
