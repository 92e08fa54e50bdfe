"""Writes, exactly once: batched functions, ``uniqueid=true``, and look-up before any re-send.

Every function's ``controlid`` is the write's idempotency key (an update adds a suffix from the
content it writes), and the request says ``uniqueid=true``, so Intacct refuses to run a function
twice. Each function's result is handled on its own: partial failure is normal. When the outcome of
a request is uncertain (a 5xx or 524, a time-out, a dropped connection, a reply that cannot be
read), the writer first looks every create of it up by the key written into the record, and sends
again only those that are absent. A function refused for a rate limit or the service off-line
(correction 8) stays pending and is sent again after a pause. A request known never to have left
(``SyncError.unsent``: no connection could be had) is sent again after a pause with nothing looked
up; a write never sent at all fails with that error, so the outbox looks nothing up either.

Intacct's refusal of a control id already executed has no documented errorno (correction 6), so
*any* failure of a function this writer sent before (a retry in this batch) is uncertain
(``classify.function_error(resent=True)``): a create is looked up by its key before anything
else; found, it is the record written; absent, Intacct's refusal stands as it reads. No path
sends a create whose record was found.

This writer is the one place a write is looked up right after an uncertain send (issue 19: the
outbox applier does not ask again what the writer just asked, ``app.applier``). Across runs, the
sync's recovery looks up an intent an earlier run left open before sending it again
(``app.sync.recovery``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from lxml import etree
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.classify import already_executed, function_error, uncertain
from released_intacct.adapters.intacct.convert.writing import (
    create_body,
    created,
    unwritable,
    update_body,
)
from released_intacct.adapters.intacct.envelope import Function
from released_intacct.adapters.intacct.lines import Lines
from released_intacct.adapters.intacct.reply import FunctionResult, Response
from released_intacct.adapters.intacct.response import rows
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.written import Written, ref_of
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite, UpdateInIntacct
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.intacct import IntacctRecord, Transaction
from released_intacct.domain.ports import WriteOutcome

Sleep = Callable[[float], Awaitable[None]]

AHEAD = 2
"""Requests of one batch built (and in flight or waiting for the governor) per governor slot:
one being sent and one ready to go as soon as a slot frees, so the pipe stays full."""


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
        self._settings = settings
        self._spend = spend
        self._sleep = sleep
        self._written = Written(sessions, lines, settings, spend=spend)

    async def find(self, write: CreateInIntacct) -> Result[IntacctRecord | None, SyncError]:
        """The record ``write`` created, by the key written into it, or None when absent."""
        return await self._written.find_one(write) or Failure(_unconfirmed(write))

    async def write(self, batch: Sequence[IntacctWrite]) -> tuple[WriteOutcome, ...]:
        """The batch in requests of ``batch_size`` functions, sent side by side (the governor
        keeps the company's concurrency limit): with latency, a page's requests overlap.

        At most ``AHEAD`` times the governor's slots of requests are built at once: a request's
        body exists only once it is this close to being sent, so a batch of 10,000 creates (a
        confirm's contacts) holds a few requests in memory, not 200."""
        size = self._settings.batch_size
        window = asyncio.Semaphore(AHEAD * self._settings.concurrency)

        async def held(chunk: Sequence[IntacctWrite]) -> list[WriteOutcome]:
            async with window:
                return await self._chunk(chunk)

        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(held(batch[start : start + size]))
                for start in range(0, len(batch), size)
            ]
        return tuple(outcome for task in tasks for outcome in task.result())

    async def _chunk(self, chunk: Sequence[IntacctWrite]) -> list[WriteOutcome]:
        pending = {controlid(w): w for w in chunk}
        done: dict[str, Result[IntacctRecord, SyncError]] = {}
        sent_before: set[str] = set()
        unsent: SyncError | None = None
        for attempt in range(self._settings.attempts):
            if not pending:
                break
            if attempt:
                await self._sleep(self._pause(attempt))
            _refuse_unwritable(pending, done)
            if not pending:
                break
            functions = [Function(cid, _body(w)) for cid, w in pending.items()]
            resent = sent_before & set(pending)
            sent = await self._sessions.call(functions, unique=True, idempotent=False)
            unsent = None if is_successful(sent) or not sent.failure().unsent else sent.failure()
            if unsent is None:  # else it never left: nothing to look up, sent again after a pause
                sent_before |= set(pending)
                await self._answered(sent, pending, done, resent=resent)
        for cid, write in pending.items():
            if unsent is not None and cid not in sent_before:
                done[cid] = Failure(unsent.about(ref_of(write)))  # never sent: nothing to look up
            else:
                done[cid] = Failure(_unconfirmed(write))
        return [WriteOutcome(key=w.key, result=done[controlid(w)]) for w in chunk]

    async def _answered(
        self,
        sent: Result[Response, SyncError],
        pending: dict[str, IntacctWrite],
        done: dict[str, Result[IntacctRecord, SyncError]],
        *,
        resent: set[str],
    ) -> None:
        """What a request that left answered: each function's result; an uncertain failure is
        looked up; any other failure is every pending write's."""
        if is_successful(sent):
            await self._match_results(sent.unwrap(), pending, done, resent=resent)
        elif sent.failure().kind is ErrorKind.RETRIABLE:
            await self._resolve_uncertain(pending, done)
        else:
            for cid in list(pending):
                done[cid] = Failure(sent.failure())
                del pending[cid]

    def _pause(self, attempt: int) -> float:
        """Seconds before write attempt ``attempt`` (1-based): doubled per attempt, capped."""
        settings = self._settings
        return min(settings.backoff_cap, settings.backoff * float(2 ** (attempt - 1)))

    async def _match_results(
        self,
        response: Response,
        pending: dict[str, IntacctWrite],
        done: dict[str, Result[IntacctRecord, SyncError]],
        *,
        resent: set[str],
    ) -> None:
        """Each pending write by its result; what may exist is looked up (``_found_or``)."""
        results = {r.controlid: r for r in response.results}
        unsure: list[tuple[CreateInIntacct, FunctionResult]] = []
        for cid, write in list(pending.items()):
            result = results.get(cid)
            if result is None or result.status == "aborted":
                continue
            if result.ok:
                self._spend(1)
                written = _written(write, result)
                if written is None and isinstance(write, CreateInIntacct):
                    unsure.append((write, result))  # it ran; the reply does not say what it made
                    continue
                done[cid] = Success(written or write.record)
            else:
                error = function_error(result, record=ref_of(write), resent=cid in resent)
                if uncertain(error) and isinstance(write, CreateInIntacct):
                    unsure.append((write, result))
                    continue
                if _later(error):
                    continue  # a rate limit or the service off-line: sent again after a pause
                done[cid] = Failure(error)
            del pending[cid]
        await self._found_or(unsure, pending, done)

    async def _found_or(
        self,
        unsure: list[tuple[CreateInIntacct, FunctionResult]],
        pending: dict[str, IntacctWrite],
        done: dict[str, Result[IntacctRecord, SyncError]],
    ) -> None:
        """Creates that may have been written, looked up by key: found, they are done; absent,
        what their result said stands (``_absent``); a look-up that failed is tried again."""
        found = await self._written.find_many([write for write, _ in unsure])
        for write, result in unsure:
            record = found.get(write.key)
            if record is None or not is_successful(record):
                continue
            existing = record.unwrap()
            outcome = Success(existing) if existing else _absent(write, result)
            if outcome is not None:
                done[write.key] = outcome
                del pending[write.key]

    async def _resolve_uncertain(
        self, pending: dict[str, IntacctWrite], done: dict[str, Result[IntacctRecord, SyncError]]
    ) -> None:
        """After an uncertain outcome: what a create already made is found, not sent again."""
        creates = [w for w in pending.values() if isinstance(w, CreateInIntacct)]
        found = await self._written.find_many(creates)
        for write in creates:
            record = found.get(write.key)
            existing = record.unwrap() if record is not None and is_successful(record) else None
            if existing is not None:
                done[write.key] = Success(existing)
                del pending[write.key]


def _absent(write: CreateInIntacct, result: FunctionResult) -> Failure[SyncError] | None:
    """A create looked up and not found: the refusal as it reads, judged as on a first send
    (None: a rate limit or the service off-line, to send again); a success, or a refusal as
    already executed, whose record is gone, is the user's to check."""
    if result.ok or already_executed(result):
        return Failure(_vanished(write))
    error = function_error(result, record=ref_of(write))
    return None if _later(error) else Failure(error)


def _later(error: SyncError) -> bool:
    """Retriable without doubt about what ran: the function can simply be sent again."""
    return error.kind is ErrorKind.RETRIABLE and not uncertain(error)


def _refuse_unwritable(
    pending: dict[str, IntacctWrite], done: dict[str, Result[IntacctRecord, SyncError]]
) -> None:
    for cid, write in list(pending.items()):
        refused = _unwritable(write)
        if refused is not None:
            done[cid] = Failure(refused)
            del pending[cid]


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
        record=ref_of(write),
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


def _unconfirmed(write: IntacctWrite) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=(
            f"Could not confirm the {write.record_type.value.replace('_', ' ')} sent to Sage "
            "Intacct after several tries; it was not sent twice."
        ),
        fix="Nothing to do: the next sync looks it up first and sends it only if it is missing.",
        record=ref_of(write),
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
        record=ref_of(write),
    )
