"""Finding what a create wrote, by the key written into it: one ``readByQuery`` per create, all
in one request, and the lines of a document found (``intacct.lines``).

The writer looks a create up whenever its outcome is uncertain (``writer``), and the outbox before
it sends an open one again (``IntacctAdapter.find_written``): one way to find a written record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
from released_intacct.adapters.intacct.lines import Lines
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

    async def find_many(
        self, writes: Sequence[CreateInIntacct]
    ) -> dict[str, Result[IntacctRecord | None, SyncError]]:
        """Look every create up in one request (one query function each); by key.

        A document found has its lines read too (``intacct.lines``). A key missing from the
        answer means its look-up could not be made (try again later).
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
        return {key: await self._held(write, row) for key, (write, row) in found.items()}

    def _found(
        self, write: CreateInIntacct, result: FunctionResult
    ) -> Result[Row | None, SyncError]:
        if not result.ok or result.data is None:
            return Failure(function_error(result, record=ref_of(write)))
        self._spend(1)
        matches = rows(result.data)
        return Success(matches[0] if matches else None)

    async def _held(
        self, write: CreateInIntacct, found: Result[Row | None, SyncError]
    ) -> Result[IntacctRecord | None, SyncError]:
        """The record found, as Intacct holds it. A document is read whole, its lines included:
        Intacct adds to an OE/PO document (its DOCID, the tax its engine calculated, rule D17),
        and a user may have edited it since (D20); anything else (or a document whose lines did
        not come) is the record sent with the ids Intacct assigned."""
        if not is_successful(found):
            return Failure(found.failure())
        row, record = found.unwrap(), write.record
        if row is None:
            return Success(None)
        if not isinstance(record, Transaction):
            return Success(created(record, key_text=None, row=row))
        object_name = TRANSACTION_OBJECTS[record.origin, record.kind]
        docparid = record.transaction_definition if record.origin.is_order_module else None
        attached = await self._lines.attach(object_name, [row], docparid=docparid)
        if not is_successful(attached):
            return Failure(attached.failure())
        whole = attached.unwrap()
        zone = await self._sessions.zone()
        if not whole.missing and is_successful(zone):
            held = transaction(record.origin, record.kind, whole.rows[0], tz=zone.unwrap())
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
