"""The REST writer: ``write``, ``find_written`` and ``candidates`` over ``batch.Batches``,
generic over the ``Family`` that handles each record (parties here; documents and payments in
their modules).

Creates are grouped by the object they are written to and POSTed in batches (at most
``rest_batch_size``, not atomic: one record's refusal does not undo the others); each record's
``Idempotency-Key`` is its outbox key (a batch's is derived from its records' keys,
``batch.batch_key``), so a create sent again with the same key and body is replayed, not made
twice. An update is PATCHed alone to ``<object>/<key>``, under a key that carries a
fingerprint of what it writes (``controlid``, as the XML writer's control id): every update of a
record shares the outbox key of its create, and Intacct refuses a key sent again with another
body (409, and for 60 days whatever the body). A record Intacct took is then read back
by its family (which runs any workflow it needs): a batch's creates together when the family
can (``family.ReadsBackAll``: the documents, a batch GET of up to 500 keys), else one by one.
Items are refused before anything is sent (``items.refused``: no documented REST create fits),
and so are documents carrying what REST has no field for (``documents.Documents.refusal``).
``find_written`` and ``candidates`` only read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.writer import controlid
from released_intacct.adapters.intacct_rest import documents, items
from released_intacct.adapters.intacct_rest.batch import Outcome, Record
from released_intacct.adapters.intacct_rest.family import Family, ReadsBackAll, Rekeyed, Rest
from released_intacct.adapters.intacct_rest.query import Filter
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite, UpdateInIntacct
from released_intacct.domain.errors import SyncError
from released_intacct.domain.intacct import IntacctRecord, Item
from released_intacct.domain.ports import WriteOutcome

__all__ = ["OBJECTS", "Writer"]

OBJECTS: Final = "/objects/"


class Writer:
    """Writes of one company at one entity, through the families given."""

    def __init__(self, rest: Rest, families: Sequence[Family]) -> None:
        self._rest = rest
        self._families = tuple(families)

    def family(self, record: IntacctRecord) -> Family:
        for family in self._families:
            if family.handles(record):
                return family
        msg = f"no REST family writes a {type(record).__name__} (IntacctRestAdapter(families=…))"
        raise ValueError(msg)

    async def write(
        self, batch: Sequence[IntacctWrite]
    ) -> Result[tuple[WriteOutcome, ...], SyncError]:
        outcomes: dict[int, WriteOutcome] = {}
        creates: dict[tuple[int, str], list[tuple[int, CreateInIntacct]]] = {}
        updates: list[tuple[int, UpdateInIntacct]] = []
        for at, write in enumerate(batch):
            if isinstance(write.record, Item):
                outcomes[at] = WriteOutcome(
                    key=write.key, result=Failure(items.refused(write.record))
                )
            elif (refused := documents.FAMILY.refusal(write)) is not None:
                outcomes[at] = WriteOutcome(key=write.key, result=Failure(refused))
            elif isinstance(write, CreateInIntacct):
                family = self.family(write.record)
                where = (self._families.index(family), family.path(write.record))
                creates.setdefault(where, []).append((at, write))
            else:
                updates.append((at, write))
        for (index, path), group in creates.items():
            sent = await self._create(self._families[index], path, group)
            if isinstance(sent, Failure):
                return Failure(sent.failure())
            outcomes.update(sent.unwrap())
        for at, update in updates:
            sent_one = await self._update(update)
            if isinstance(sent_one, Failure):
                return Failure(sent_one.failure())
            outcomes[at] = sent_one.unwrap()
        return Success(tuple(outcomes[at] for at in range(len(batch))))

    async def _create(
        self, family: Family, path: str, group: Sequence[tuple[int, CreateInIntacct]]
    ) -> Result[dict[int, WriteOutcome], SyncError]:
        records = [Record(key=w.key, body=family.create_body(w)) for _, w in group]
        sent = await self._rest.batches.write("POST", f"{OBJECTS}{path}", records)
        if isinstance(sent, Failure):
            return Failure(sent.failure())
        outcomes = sent.unwrap()
        if not isinstance(family, ReadsBackAll):
            read = await asyncio.gather(
                *(
                    self._read_back(family, write, outcome)
                    for (_, write), outcome in zip(group, outcomes, strict=True)
                )
            )
            return Success({at: done for (at, _), done in zip(group, read, strict=True)})
        done: dict[int, WriteOutcome] = {}
        taken: list[tuple[int, CreateInIntacct, str]] = []
        for (at, write), outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome.result, Failure):
                done[at] = WriteOutcome(key=write.key, result=Failure(outcome.result.failure()))
            else:
                taken.append((at, write, _answered(outcome)))
        backs = await family.read_backs(self._rest, [(write, key) for _, write, key in taken])
        for (at, write, _), back in zip(taken, backs, strict=True):
            done[at] = WriteOutcome(key=write.key, result=back)
        return Success(done)

    async def _update(self, write: UpdateInIntacct) -> Result[WriteOutcome, SyncError]:
        family = self.family(write.record)
        target: str = write.intacct_key
        if isinstance(family, Rekeyed):  # linked by another key than the one a PATCH names
            found = await family.update_key(self._rest, write)
            if isinstance(found, Failure):
                return Success(WriteOutcome(key=write.key, result=Failure(found.failure())))
            target = found.unwrap()
        path = f"{OBJECTS}{family.path(write.record)}/{target}"
        record = Record(key=controlid(write), body=family.update_body(write))
        sent = await self._rest.batches.write("PATCH", path, [record])
        if isinstance(sent, Failure):
            return Failure(sent.failure())
        (outcome,) = sent.unwrap()
        return Success(await self._read_back(family, write, outcome, fallback=target))

    async def _read_back(
        self, family: Family, write: IntacctWrite, outcome: Outcome, *, fallback: str = ""
    ) -> WriteOutcome:
        if isinstance(outcome.result, Failure):
            return WriteOutcome(key=write.key, result=Failure(outcome.result.failure()))
        key = _answered(outcome) or fallback
        return WriteOutcome(key=write.key, result=await family.read_back(self._rest, write, key))

    async def find_written(self, write: CreateInIntacct) -> Result[IntacctRecord | None, SyncError]:
        if isinstance(write.record, Item):
            wanted = Filter(field="id", operator="$eq", value=write.record.item_id)
            found = await items.items_matching(self._rest, wanted)
            return found.map(lambda held: held[0] if held else None)
        return await self.family(write.record).find(self._rest, write)

    async def candidates(
        self, write: CreateInIntacct
    ) -> Result[tuple[IntacctRecord, ...], SyncError]:
        if isinstance(write.record, Item):
            return Success(())
        return await self.family(write.record).candidates(self._rest, write)


def _answered(outcome: Outcome) -> str:
    """The ``key`` Intacct answered for a record it took (``""`` when it named none)."""
    answered = outcome.result.unwrap().get("key") if isinstance(outcome.result, Success) else None
    return str(answered) if answered not in (None, "") else ""
