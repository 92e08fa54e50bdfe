"""Finding what a create wrote, by the key written into it: one ``readByQuery`` per create, all
in one request, and the lines of a document found (``intacct.lines``).

The writer looks a create up whenever its outcome is uncertain (``writer``), and the outbox before
it sends an open one again (``IntacctAdapter.find_written``): one way to find a written record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import tzinfo
from functools import partial

from lxml import etree
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.classify import function_error
from released_intacct.adapters.intacct.convert.feeds import TRANSACTION_OBJECTS
from released_intacct.adapters.intacct.convert.fields import Row
from released_intacct.adapters.intacct.convert.read_documents import transaction
from released_intacct.adapters.intacct.convert.writing import created, lookup
from released_intacct.adapters.intacct.envelope import Function
from released_intacct.adapters.intacct.lines import Lines, record_no
from released_intacct.adapters.intacct.reply import FunctionResult
from released_intacct.adapters.intacct.response import rows
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite, UpdateInIntacct
from released_intacct.domain.enums import Direction
from released_intacct.domain.errors import RecordRef, SyncError
from released_intacct.domain.intacct import IntacctRecord, Transaction

__all__ = ["Written", "ref_of"]


class Written:
    def __init__(
        self,
        sessions: Sessions,
        lines: Lines,
        settings: ClientSettings,
        *,
        spend: Callable[[int], None],
    ) -> None:
        self._sessions = sessions
        self._lines = lines
        self._settings = settings
        self._spend = spend
        self._asked: list[CreateInIntacct] = []
        self._answer: asyncio.Future[dict[str, Result[IntacctRecord | None, SyncError]]] | None
        self._answer = None

    async def find_one(
        self, write: CreateInIntacct
    ) -> Result[IntacctRecord | None, SyncError] | None:
        """``write``'s record as ``find_many`` finds it (None inside: absent); None when the
        look-up could not be made. Look-ups asked side by side (the read-back of a page's
        documents) go out together: the first waits while others join, then one ``find_many``
        answers them all."""
        self._asked.append(write)
        if self._answer is not None:
            return (await asyncio.shield(self._answer)).get(write.key)
        answer = self._answer = asyncio.get_running_loop().create_future()
        try:
            joined = -1
            while joined != len(self._asked):  # until nobody else joins in a turn of the loop
                joined = len(self._asked)
                await asyncio.sleep(0)
            asked, self._asked, self._answer = self._asked, [], None
            found = await self.find_many(asked)
        except BaseException as error:
            if self._answer is answer:
                self._asked, self._answer = [], None
            if isinstance(error, asyncio.CancelledError):
                answer.cancel()
            else:
                answer.set_exception(error)
                answer.exception()  # retrieved: each follower raises it on its own
            raise
        answer.set_result(found)
        return found.get(write.key)

    async def find_many(
        self, writes: Sequence[CreateInIntacct]
    ) -> dict[str, Result[IntacctRecord | None, SyncError]]:
        """Look every create up in one request (one query function each); by key.

        The documents found have their lines read together: one line read per line object (and
        definition), not one per document (``intacct.lines``). A key missing from the answer
        means its look-up could not be made (try again later).
        """
        if not writes:
            return {}
        functions = [Function(f"find-{n}", _lookup_body(w)) for n, w in enumerate(writes)]
        sent = await self._sessions.call(functions, unique=False, idempotent=True)
        if not is_successful(sent):
            return {}
        results = {r.controlid: r for r in sent.unwrap().results}
        found = {
            w.key: (w, self._found(w, results[f"find-{n}"]))
            for n, w in enumerate(writes)
            if f"find-{n}" in results
        }
        whole = await self._with_lines(
            [(w, row.unwrap()) for w, row in found.values() if is_successful(row)]
        )
        zone = await self._sessions.zone()
        held = partial(_held, whole=whole, zone=zone.value_or(None))
        return {key: held(write, row) for key, (write, row) in found.items()}

    def _found(
        self, write: CreateInIntacct, result: FunctionResult
    ) -> Result[Row | None, SyncError]:
        if not result.ok or result.data is None:
            return Failure(function_error(result, record=ref_of(write)))
        self._spend(1)
        matches = rows(result.data)
        return Success(matches[0] if matches else None)

    async def _with_lines(
        self, found: Sequence[tuple[CreateInIntacct, Row | None]]
    ) -> Result[dict[int, Row | None], SyncError]:
        """The documents of ``found`` whole, by the ``id`` of the row found: one line read per
        line object and definition; None where a document's lines did not come."""
        groups: dict[tuple[str, str | None], list[Row]] = {}
        for write, row in found:
            record = write.record
            if row is None or not isinstance(record, Transaction):
                continue
            object_name = TRANSACTION_OBJECTS[record.origin, record.kind]
            docparid = record.transaction_definition if record.origin.is_order_module else None
            groups.setdefault((object_name, docparid), []).append(row)
        whole: dict[int, Row | None] = {}
        for (object_name, docparid), headers in groups.items():
            attached = await self._lines.attach(object_name, headers, docparid=docparid)
            if not is_successful(attached):
                return Failure(attached.failure())
            lost = {record_no(row) for row in attached.unwrap().missing}
            nested = iter(attached.unwrap().rows)
            for row in headers:
                whole[id(row)] = None if record_no(row) in lost else next(nested)
        return Success(whole)


def _held(
    write: CreateInIntacct,
    found: Result[Row | None, SyncError],
    *,
    whole: Result[dict[int, Row | None], SyncError],
    zone: tzinfo | None,
) -> Result[IntacctRecord | None, SyncError]:
    """The record found, as Intacct holds it. A document is read whole, its lines included:
    Intacct adds to an OE/PO document (its DOCID, the tax its engine calculated, rule D17), and a
    user may have edited it since (D20); anything else (or a document whose lines did not come,
    or whose zone is unknown) is the record sent with the ids Intacct assigned."""
    if not is_successful(found):
        return Failure(found.failure())
    row, record = found.unwrap(), write.record
    if row is None:
        return Success(None)
    if not isinstance(record, Transaction):
        return Success(created(record, key_text=None, row=row))
    if not is_successful(whole):
        return Failure(whole.failure())
    nested = whole.unwrap().get(id(row))
    if nested is not None and zone is not None:
        held = transaction(record.origin, record.kind, nested, tz=zone)
        if is_successful(held):
            return Success(held.unwrap())
    return Success(created(record, key_text=None, row=row))


def ref_of(write: IntacctWrite) -> RecordRef:
    """The record a write concerns, for the errors about it."""
    return RecordRef(
        record_type=write.record_type,
        direction=Direction.OUTGOING,
        released_id=write.released_id,
        intacct_key=write.intacct_key if isinstance(write, UpdateInIntacct) else None,
    )


def _lookup_body(write: CreateInIntacct) -> etree._Element:
    return q.read_by_query(lookup(write.record_type, write.record, write.key), page_size=2)
