"""Look-ups of a few records by key: one ``readByQuery`` per 100 keys, two fields each.

``Lookups.pairs(object, by, to, keys)`` answers ``by`` → ``to`` for the records of ``object``
whose ``by`` is one of ``keys`` (absent keys are simply not in the answer). Used where the engine
needs a fact about records it already knows: the AR/AP record an OE/PO document posted
(``orderkeys``), whether a customer or vendor still exists (rule D5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.classify import function_error
from released_intacct.adapters.intacct.convert.feeds import quote
from released_intacct.adapters.intacct.envelope import Function, child, element
from released_intacct.adapters.intacct.response import rows
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.domain.errors import ErrorKind, SyncError

CHUNK = 100


class Lookups:
    def __init__(self, sessions: Sessions, *, spend: Callable[[int], None]) -> None:
        self._sessions = sessions
        self._spend = spend

    async def pairs(
        self, object_name: str, by: str, to: str, keys: Iterable[str], *, extra: str = ""
    ) -> Result[dict[str, str], SyncError]:
        """``by`` → ``to`` of the records of ``object_name`` whose ``by`` is one of ``keys``;
        ``extra`` is added to the condition (`` AND ...``)."""
        wanted = sorted(set(keys))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            query = f"{by} IN ({', '.join(quote(k) for k in chunk)}){extra}"
            read = await self._read(object_name, (by, to), query, size=len(chunk))
            if not is_successful(read):
                return read
            found.update(read.unwrap())
        return Success(found)

    async def row(
        self, object_name: str, field: str, key: str
    ) -> Result[dict[str, object] | None, SyncError]:
        """The whole record of ``object_name`` whose ``field`` is ``key``, or None."""
        found = await self._query(object_name, "*", f"{field} = {quote(key)}", size=1)
        return found.map(lambda rows: rows[0] if rows else None)

    async def _read(
        self, object_name: str, fields: tuple[str, str], query: str, *, size: int
    ) -> Result[dict[str, str], SyncError]:
        found = await self._query(object_name, ",".join(dict.fromkeys(fields)), query, size=size)
        return found.map(lambda rows: _pairs(rows, *fields))

    async def _query(
        self, object_name: str, fields: str, query: str, *, size: int
    ) -> Result[list[dict[str, object]], SyncError]:
        """One ``readByQuery`` (one API transaction): the rows it answers."""
        body = element("readByQuery")
        child(body, "object", object_name)
        child(body, "fields", fields)
        child(body, "query", query)
        child(body, "pagesize", str(max(size, 1)))
        sent = await self._sessions.call([Function("read", body)], unique=False, idempotent=True)
        if not is_successful(sent):
            return Failure(sent.failure())
        results = sent.unwrap().results
        if not results or not results[0].ok or results[0].data is None:
            error = function_error(results[0], record=None) if results else _unread(object_name)
            return Failure(error)
        self._spend(1)
        return Success(rows(results[0].data))


def _pairs(found: list[dict[str, object]], by: str, to: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for row in found:
        key, value = str(row.get(by, "")).strip(), str(row.get(to, "")).strip()
        if key and value:
            pairs[key] = value
    return pairs


def _unread(object_name: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Sage Intacct answered a read of {object_name} with no result.",
        fix="Nothing to do: the next sync tries again.",
    )
