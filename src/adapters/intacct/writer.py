"""Writes, exactly once: batched functions, ``uniqueid=true``, and look-up before any re-send.

Every function's ``controlid`` is the write's idempotency key (an update adds a suffix from the
content it writes), and the request says ``uniqueid=true``, so Intacct refuses to run a function
twice. Each function's result is handled on its own: partial failure is normal. When the outcome of
a request is uncertain (a 5xx or 524, a time-out, a dropped connection, a reply that cannot be
read), the writer first looks every create of it up by the key written into the record, and sends
again only those that are absent. A create refused as already executed is looked up the same way.
No path sends a create whose record was found.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from lxml import etree
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.classify import already_executed, function_error
from released_intacct.adapters.intacct.convert.feeds import TRANSACTION_OBJECTS
from released_intacct.adapters.intacct.convert.fields import Row
from released_intacct.adapters.intacct.convert.read_documents import transaction
from released_intacct.adapters.intacct.convert.writing import (
    create_body,
    created,
    lookup,
    unwritable,
    update_body,
)
from released_intacct.adapters.intacct.envelope import Function
from released_intacct.adapters.intacct.lines import Lines
from released_intacct.adapters.intacct.reply import FunctionResult, Response
from released_intacct.adapters.intacct.response import rows
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite, UpdateInIntacct
from released_intacct.domain.enums import Direction
from released_intacct.domain.errors import ErrorKind, RecordRef, SyncError
from released_intacct.domain.intacct import IntacctRecord, Transaction
from released_intacct.domain.ports import WriteOutcome

Sleep = Callable[[float], Awaitable[None]]


def controlid(write: IntacctWrite) -> str:
    if isinstance(write, UpdateInIntacct):
        return f"{write.key}-u{write.source_fingerprint[:16]}"
    return write.key


class Writer:
    def __init__(
        self,
        sessions: Sessions,
        lines: Lines,
        settings: ClientSettings,
        *,
        spend: Callable[[int], None],
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._sessions = sessions
        self._lines = lines
        self._settings = settings
        self._spend = spend
        self._sleep = sleep

    async def write(self, batch: Sequence[IntacctWrite]) -> tuple[WriteOutcome, ...]:
        """The batch in requests of ``batch_size`` functions, sent side by side (the governor
        keeps the company's concurrency limit): with latency, a page's requests overlap."""
        size = self._settings.batch_size
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(self._chunk(batch[start : start + size]))
                for start in range(0, len(batch), size)
            ]
        return tuple(outcome for task in tasks for outcome in task.result())

    async def _chunk(self, chunk: Sequence[IntacctWrite]) -> list[WriteOutcome]:
        pending = {controlid(w): w for w in chunk}
        done: dict[str, Result[IntacctRecord, SyncError]] = {}
        for attempt in range(self._settings.attempts):
            if not pending:
                break
            if attempt:
                await self._sleep(self._pause(attempt))
            for cid, write in list(pending.items()):
                refused = _unwritable(write)
                if refused is not None:
                    done[cid] = Failure(refused)
                    del pending[cid]
            if not pending:
                break
            functions = [Function(cid, _body(w)) for cid, w in pending.items()]
            sent = await self._sessions.call(functions, unique=True, idempotent=False)
            if is_successful(sent):
                await self._settle(sent.unwrap(), pending, done)
            elif sent.failure().kind is ErrorKind.RETRIABLE:
                await self._resolve_uncertain(pending, done)
            else:
                for cid in list(pending):
                    done[cid] = Failure(sent.failure())
                    del pending[cid]
        for cid, write in pending.items():
            done[cid] = Failure(_unconfirmed(write))
        return [WriteOutcome(key=w.key, result=done[controlid(w)]) for w in chunk]

    def _pause(self, attempt: int) -> float:
        """Seconds before write attempt ``attempt`` (1-based): doubled per attempt, capped."""
        settings = self._settings
        return min(settings.backoff_cap, settings.backoff * float(2 ** (attempt - 1)))

    async def _settle(
        self,
        response: Response,
        pending: dict[str, IntacctWrite],
        done: dict[str, Result[IntacctRecord, SyncError]],
    ) -> None:
        results = {r.controlid: r for r in response.results}
        executed: list[CreateInIntacct] = []
        for cid, write in list(pending.items()):
            result = results.get(cid)
            if result is None or result.status == "aborted":
                continue
            if result.ok:
                self._spend(1)
                written = _written(write, result)
                if written is None and isinstance(write, CreateInIntacct):
                    executed.append(write)  # it ran, but the reply does not say what it made
                    continue
                done[cid] = Success(written or write.record)
            elif already_executed(result) and isinstance(write, CreateInIntacct):
                executed.append(write)
                continue
            else:
                done[cid] = Failure(function_error(result, record=_ref(write)))
            del pending[cid]
        found = await self.find_many(executed)
        for write in executed:
            record = found.get(write.key)
            if record is None or not is_successful(record):
                continue  # the look-up itself failed: try again
            existing = record.unwrap()
            done[write.key] = Success(existing) if existing else Failure(_vanished(write))
            del pending[write.key]

    async def _resolve_uncertain(
        self, pending: dict[str, IntacctWrite], done: dict[str, Result[IntacctRecord, SyncError]]
    ) -> None:
        """After an uncertain outcome: what a create already made is found, not sent again."""
        creates = [w for w in pending.values() if isinstance(w, CreateInIntacct)]
        found = await self.find_many(creates)
        for write in creates:
            record = found.get(write.key)
            existing = record.unwrap() if record is not None and is_successful(record) else None
            if existing is not None:
                done[write.key] = Success(existing)
                del pending[write.key]

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

    async def find(self, write: CreateInIntacct) -> Result[IntacctRecord | None, SyncError]:
        """The record ``write`` created, by the key written into it, or None when absent."""
        return (await self.find_many([write])).get(write.key) or Failure(_unconfirmed(write))

    def _found(
        self, write: CreateInIntacct, result: FunctionResult
    ) -> Result[Row | None, SyncError]:
        if not result.ok or result.data is None:
            return Failure(function_error(result, record=_ref(write)))
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
        if not whole.missing:
            tz = self._settings.company_tz
            held = transaction(record.origin, record.kind, whole.rows[0], tz=tz)
            if is_successful(held):
                return Success(held.unwrap())
        return Success(created(record, key_text=None, row=row))


def _lookup_body(write: CreateInIntacct) -> etree._Element:
    return q.read_by_query(lookup(write.record_type, write.record, write.key), page_size=2)


def _unwritable(write: IntacctWrite) -> SyncError | None:
    """What Intacct's create functions have no place for, refused before anything is sent."""
    if not isinstance(write, CreateInIntacct) or not isinstance(write.record, Transaction):
        return None
    reason = unwritable(write.record)
    if reason is None:
        return None
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"This cannot be sent to Sage Intacct: {reason}",
        fix="Remove that detail from the record in Re-Leased, or enter it in Sage Intacct.",
        record=_ref(write),
    )


def _body(write: IntacctWrite) -> etree._Element:
    if isinstance(write, UpdateInIntacct):
        return update_body(write.record, intacct_key=write.intacct_key)
    return create_body(write.record, key=write.key)


def _written(write: IntacctWrite, result: FunctionResult) -> IntacctRecord | None:
    """The record as written; None when the reply does not name the ids Intacct assigned."""
    data_rows = rows(result.data) if result.data is not None else []
    try:
        return created(write.record, key_text=result.key, row=data_rows[0] if data_rows else None)
    except ValueError:
        return None


def _ref(write: IntacctWrite) -> RecordRef:
    return RecordRef(
        record_type=write.record_type,
        direction=Direction.OUTGOING,
        released_id=write.released_id,
        intacct_key=write.intacct_key if isinstance(write, UpdateInIntacct) else None,
    )


def _unconfirmed(write: IntacctWrite) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=(
            f"Could not confirm the {write.record_type.value.replace('_', ' ')} sent to Sage "
            "Intacct after several tries; it was not sent twice."
        ),
        fix="Nothing to do: the next sync looks it up first and sends it only if it is missing.",
        record=_ref(write),
    )


def _vanished(write: IntacctWrite) -> SyncError:
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=None,
        message=(
            "Sage Intacct says this record was already created, but it cannot be found now; "
            "it may have been deleted in Intacct."
        ),
        fix="Check Sage Intacct; unlink the record if it should not be created again.",
        record=_ref(write),
    )
