"""The links one page needs, and only those: a ``LinkIndex`` loaded by key (bounded memory).

A page names the records it holds and the records they refer to (a contact, a line's account, a
tax type, a tracking option, the invoice a payment pays); ``Wanted`` collects their ids and keys
per record type and ``load`` asks the store for exactly those. A record type with nothing wanted
is not asked for at all (the store answers *every* link of a type asked for with no keys).
``intacct_prefix`` asks for every link whose Intacct key starts so (the allocations of one Intacct
payment are linked as ``<RECORDNO>/<document>``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.links import Link, LinkIndex


class Wanted:
    __slots__ = ("_intacct", "_prefixes", "_released")

    def __init__(self) -> None:
        self._released: defaultdict[RecordType, set[ReleasedId]] = defaultdict(set)
        self._intacct: defaultdict[RecordType, set[IntacctKey]] = defaultdict(set)
        self._prefixes: set[tuple[RecordType, str]] = set()

    def intacct_prefix(self, record_type: RecordType, prefixes: Iterable[str]) -> Wanted:
        self._prefixes.update((record_type, p) for p in prefixes if p)
        return self

    def released(self, record_type: RecordType, ids: Iterable[ReleasedId | None]) -> Wanted:
        self._released[record_type].update(i for i in ids if i)
        return self

    def intacct(self, record_type: RecordType, keys: Iterable[IntacctKey | None]) -> Wanted:
        self._intacct[record_type].update(k for k in keys if k)
        return self

    async def load(self, ctx: RunContext) -> Result[LinkIndex, SyncError]:
        found: list[Link] = []
        for record_type in RecordType:
            ids = sorted(self._released[record_type])
            keys = sorted(self._intacct[record_type])
            if not ids and not keys:
                continue
            links = await settled(
                ctx.store.links(ctx.connection, record_type, released_ids=ids, intacct_keys=keys)
            )
            if not is_successful(links):
                return Failure(links.failure())
            found.extend(links.unwrap())
        for record_type, prefix in sorted(self._prefixes, key=lambda rp: (rp[0].value, rp[1])):
            by_prefix = ctx.store.links_by_intacct_prefix
            links = await settled(by_prefix(ctx.connection, record_type, prefix))
            if not is_successful(links):
                return Failure(links.failure())
            found.extend(links.unwrap())
        return Success(LinkIndex(found))
