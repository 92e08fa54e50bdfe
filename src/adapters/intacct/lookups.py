"""Look-ups of a few records by key: one ``readByQuery`` per 100 keys, two fields each.

``Lookups.pairs(object, by, to, keys)`` answers ``by`` → ``to`` for the records of ``object``
whose ``by`` is one of ``keys`` (absent keys are simply not in the answer). Used where the engine
needs a fact about records it already knows: the AR/AP record an OE/PO document posted
(``orderkeys``), whether a customer or vendor still exists (rule D5).
"""

from __future__ import annotations

from collections.abc import Iterable

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert.fields import Row
from released_intacct.adapters.intacct.reads import Reads
from released_intacct.domain.errors import SyncError

CHUNK = 100


class Lookups:
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def pairs(
        self,
        object_name: str,
        by: str,
        to: str,
        keys: Iterable[str],
        *,
        extra: q.Condition | None = None,
    ) -> Result[dict[str, str], SyncError]:
        """``by`` → ``to`` of the records of ``object_name`` whose ``by`` is one of ``keys``;
        ``extra`` is ANDed to the condition."""
        wanted = sorted(set(keys))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = tuple(wanted[start : start + CHUNK])
            select = q.Select(
                object_name=object_name, fields=(by, to), where=q.both(q.In(by, chunk), extra)
            )
            read = await self._reads.every(select)
            if not is_successful(read):
                return Failure(read.failure())
            found.update(_pairs(read.unwrap(), by, to))
        return Success(found)

    async def row(self, object_name: str, field: str, key: str) -> Result[Row | None, SyncError]:
        """The whole record of ``object_name`` whose ``field`` is ``key``, or None."""
        found = await self._reads.every(q.Select(object_name=object_name, where=q.Eq(field, key)))
        return found.map(lambda rows: rows[0] if rows else None)


def _pairs(found: list[Row], by: str, to: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for row in found:
        key, value = str(row.get(by, "")).strip(), str(row.get(to, "")).strip()
        if key and value:
            pairs[key] = value
    return pairs
