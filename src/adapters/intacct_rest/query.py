"""The query service's pager: ``POST /services/core/query``, one page a request.

A body names the ``object``, its ``fields`` (no ``*``), ``filters`` (ANDed), ``orderBy``,
``start`` (1-based) and ``size`` (at most 4,000) ([RESTDOC] query-service, "Pagination",
"Filtering", "Sorting"). A change feed filters ``audit.modifiedDateTime $gte`` its cursor less
``intacct.overlap`` in UTC ISO 8601 (REST timestamps are UTC, correction 11: no zone to calibrate)
and orders by that stamp, then ``key``, so pages are stable while the company changes. The page
token is the ``start`` of the next page: ``ia::meta.next`` when it is an integer past this page's
start, else the read ends (samples show ``"next": 0`` as a placeholder; docs/intacct-rest.md
section 5). The one paginator (``adapters.paging``) refuses a token offered twice.

A page holding more rows than its ``size`` is refused unread (``failures.overfull``). Rows
are ``dict``s keyed by the dotted field names asked for, or nested blocks (which one Intacct
answers is **inferred**; :func:`field` reads both). A row read again only because of the overlap
window is dropped when this very version (its ``key`` and stamp) was already handed to the same
feed (``adapters.seen``, shared with the XML feed reader).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.failures import MALFORMED, overfull
from released_intacct.adapters.intacct.settings import REST_PAGE_MAX, ClientSettings
from released_intacct.adapters.intacct_rest.transport import Reply, RestTransport
from released_intacct.adapters.seen import Seen, Version
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import FeedQuery, Page

__all__ = [
    "CURSOR",
    "IN_CHUNK",
    "QUERY_PATH",
    "Filter",
    "QueryPages",
    "Row",
    "Select",
    "field",
    "stamp",
]

Row = dict[str, Any]
QUERY_PATH: Final = "/services/core/query"
CURSOR: Final = "audit.modifiedDateTime"
_OPERATORS: Final = frozenset({"$eq", "$ne", "$lt", "$lte", "$gt", "$gte", "$in", "$notIn"})
IN_CHUNK: Final = 100
"""Values asked per ``$in`` (its limit is not in the pages: docs/intacct-rest.md section 13)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    """One condition: ``field`` (dotted), an operator of the query service, a JSON value."""

    field: str
    operator: str
    value: object

    def __post_init__(self) -> None:
        if self.operator not in _OPERATORS:
            msg = f"a query filter's operator is one of {sorted(_OPERATORS)}, got {self.operator!r}"
            raise ValueError(msg)


@dataclass(frozen=True, slots=True, kw_only=True)
class Select:
    """What a query asks: ``object_name`` (``accounts-receivable/invoice``), ``fields`` (never
    ``*``) and ``filters``; ``cursor`` and ``identity`` are always asked for too."""

    object_name: str
    fields: tuple[str, ...]
    filters: tuple[Filter, ...] = ()
    cursor: str = CURSOR
    identity: str = "key"

    def __post_init__(self) -> None:
        if not self.fields or "*" in self.fields:
            msg = f"a query of {self.object_name} names its fields (the query service has no '*')"
            raise ValueError(msg)

    def body(self, *, since: datetime | None, start: int, size: int) -> dict[str, object]:
        """The query service's request: records modified at or after ``since`` (None: all), in
        a stable order, ``size`` of them from ``start``."""
        asked = dict.fromkeys((self.identity, *self.fields, self.cursor))
        filters = [
            {"field": f.field, "operator": f.operator, "value": f.value} for f in self.filters
        ]
        if since is not None:
            filters.append({"field": self.cursor, "operator": "$gte", "value": _iso(since)})
        body: dict[str, object] = {"object": self.object_name, "fields": list(asked)}
        if filters:
            body["filters"] = filters
        body["orderBy"] = [{name: "asc"} for name in dict.fromkeys((self.cursor, self.identity))]
        body["start"] = start
        body["size"] = size
        return body


def field(row: Mapping[str, Any], name: str) -> Any:
    """A row's value for the dotted ``name``: a flat ``"audit.modifiedDateTime"`` key, or nested
    blocks ``{"audit": {"modifiedDateTime": …}}``; None when absent."""
    if name in row:
        return row[name]
    value: Any = row
    for part in _PARTS.get(name) or _parts(name):
        if type(value) is not dict and not isinstance(value, Mapping):  # a dict: no ABC check
            return None
        value = value.get(part)
    return value


_PARTS: dict[str, tuple[str, ...]] = {}
"""The parts of each dotted name ``field`` was asked for (names the code spells: a few dozen;
kept up to ``_PARTS_KEPT``)."""
_PARTS_KEPT: Final = 1024


def _parts(name: str) -> tuple[str, ...]:
    parts = tuple(name.split("."))
    if len(_PARTS) < _PARTS_KEPT:
        _PARTS[name] = parts
    return parts


def stamp(value: object) -> datetime | None:
    """A REST timestamp (UTC ISO 8601, ``2024-09-24T14:18:20Z``) as an aware time; None for
    anything else (a stamp with no zone is not taken for UTC)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if parsed.tzinfo is None else parsed.astimezone(UTC)


class QueryPages:
    """Pages of the query service for one company, remembering each feed's versions."""

    def __init__(self, transport: RestTransport, settings: ClientSettings) -> None:
        self._transport = transport
        self._settings = settings
        self._seen = Seen()
        self._held: dict[str, tuple[dict[str, object], Reply]] = {}

    def let_go(self) -> None:
        """Drop the answers held for a second feed (a new run reads afresh)."""
        self._held.clear()

    async def page(
        self,
        select: Select,
        query: FeedQuery,
        *,
        feed: Hashable | None = None,
        shared: bool = False,
    ) -> Result[Page[Row], SyncError]:
        """One page of ``select`` from ``query.since`` less the overlap; ``feed`` names whose
        versions are remembered (default: the object). ``shared``: two feeds read this object
        with the same query (customers and vendors, as dimension values and as parties): a first
        page that is the whole answer is held until the other feed asks the same (then handed
        on and let go), the object is asked differently, or ``let_go``, as the XML feed reader
        does (``intacct.feedreader``); each feed still drops the versions it was handed."""
        start = _start(query.token)
        if start is None:
            return Failure(_bad_token(select.object_name))
        size = min(query.size or self._settings.rest_page_size, REST_PAGE_MAX)
        overlap = self._settings.overlap
        since = None if query.since is None else query.since - overlap
        name = select.object_name if feed is None else feed
        if query.token is None and since is not None:
            self._seen.forget_before(name, since)
        body = select.body(since=since, start=start, size=size)
        sent = await self._ask(select.object_name, body, shared=shared and query.token is None)
        if isinstance(sent, Failure):
            return Failure(sent.failure())
        return self._read(select, query, sent.unwrap(), name=name, start=start, size=size)

    def first(self, select: Select) -> dict[str, object]:
        """The query of ``select``'s first page of every row (no cursor), as ``page`` asks it
        for a look-up: to be sent elsewhere (a composite of reads), its reply read by
        ``answered``."""
        return select.body(since=None, start=1, size=self._settings.rest_page_size)

    def answered(
        self, select: Select, reply: Reply, *, feed: Hashable
    ) -> Result[Page[Row], SyncError]:
        """The page ``reply`` answers to ``first(select)``, read as ``page`` reads its own."""
        size = self._settings.rest_page_size
        return self._read(select, FeedQuery(), reply, name=feed, start=1, size=size)

    def _read(
        self,
        select: Select,
        query: FeedQuery,
        reply: Reply,
        *,
        name: Hashable,
        start: int,
        size: int,
    ) -> Result[Page[Row], SyncError]:
        envelope = reply.envelope
        rows = envelope.result if envelope.result is not None else []
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            return Failure(_not_rows(select.object_name))
        if len(rows) > size:
            return Failure(overfull(select.object_name, len(rows), size))

        def version(row: Row) -> Version:
            at = field(row, select.cursor)
            return str(field(row, select.identity)), str(at), stamp(at)

        fresh, high_water = self._seen.fresh(name, rows, since=query.since, version=version)
        meta = envelope.meta
        following = None if meta is None else meta.next
        return Success(
            Page(
                items=tuple(fresh),
                next_token=str(following) if following is not None and following > start else None,
                high_water=high_water,
                total=None if meta is None or query.token is not None else meta.total_count,
                overlap=self._settings.overlap,
            )
        )

    async def _ask(
        self, name: str, body: dict[str, object], *, shared: bool
    ) -> Result[Reply, SyncError]:
        if not shared:
            return await self._transport.request("POST", QUERY_PATH, body=body)
        held = self._held.pop(name, None)
        if held is not None and held[0] == body:
            return Success(held[1])
        sent = await self._transport.request("POST", QUERY_PATH, body=body)
        if isinstance(sent, Success):
            meta = sent.unwrap().envelope.meta
            following = None if meta is None else meta.next
            if following is None or following <= 1:  # the first page is the whole answer
                self._held[name] = (body, sent.unwrap())
        return sent


def _iso(at: datetime) -> str:
    """UTC ISO 8601 with ``Z`` and whole seconds, as Intacct writes its stamps (rounded down: a
    filter from a moment never skips that second)."""
    return at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _start(token: str | None) -> int | None:
    if token is None:
        return 1
    return int(token) if token.isdigit() and 0 < int(token) < 10**12 else None


def _bad_token(what: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Reading {what} from Sage Intacct was asked to go on from a page it cannot name.",
        fix="Nothing to do: the sync reads it again from its cursor.",
        cause="paging refused: not a start",
    )


def _not_rows(what: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Sage Intacct answered a query of {what} with something that is not records.",
        fix="Nothing to do: the sync tries again shortly; if it goes on, contact support.",
        cause=f"{MALFORMED}: query of {what}: ia::result is not a list of records",
    )
