"""The writes a company's sync holds open, and the user's answer about one (issue 16, F3).

A write stays open (PENDING or SENT) while the sync cannot confirm it. A create in Intacct whose
key no record carries, while records exist that may be its copy, waits for the user
(``app.sync.uncertain``): ``open_writes`` lists every open write with the latest NEEDS_USER result
about its record (which names the candidates), and ``resolve`` stores the answer the next run acts
on: link it to one of the candidates, or send it again. The CLI's ``intents`` and ``resolve``
commands are these two.

Decided: only a create in Intacct takes an answer. Every other open write is sent again by the
next sync as it is (an update is idempotent by its content; a create in Re-Leased is found by its
key), so an answer about one is refused, saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import settled
from released_intacct.domain.actions import (
    CreateInIntacct,
    CreateInReleased,
    UpdateInIntacct,
    WriteAction,
)
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey
from released_intacct.domain.intacct import IntacctPayment, Party, Transaction
from released_intacct.domain.results import SyncResult
from released_intacct.domain.state import Intent, Resolution, ResultFilter, StateStore

__all__ = ["OpenWrite", "open_writes", "resolve", "what"]

_RESULTS_READ = 200
"""The latest results of each record type searched for an open write's own."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenWrite:
    intent: Intent
    asked: SyncResult | None
    """The latest NEEDS_USER result about the write's record (the candidates it names); None
    when there is none among the latest results of its type."""

    @property
    def answerable(self) -> bool:
        """Whether ``resolve`` takes an answer about it (a create in Intacct)."""
        return isinstance(self.intent.action, CreateInIntacct)


async def open_writes(
    store: StateStore, id: ConnectionId
) -> Result[tuple[OpenWrite, ...], SyncError]:
    """The writes of ``id`` the sync holds open, oldest first, each with what it asked."""
    opened = await settled(store.open_intents(id))
    if not is_successful(opened):
        return Failure(opened.failure())
    intents = opened.unwrap()
    asked: dict[RecordType, Sequence[SyncResult]] = {}
    for record_type in dict.fromkeys(i.action.record_type for i in intents):
        where = ResultFilter(
            record_type=record_type, direction=Direction.OUTGOING, limit=_RESULTS_READ
        )
        found = await settled(store.results(id, where))
        if not is_successful(found):
            return Failure(found.failure())
        asked[record_type] = [r for r in found.unwrap() if r.kind is ErrorKind.NEEDS_USER]
    return Success(
        tuple(
            OpenWrite(intent=i, asked=_latest(asked[i.action.record_type], i.action))
            for i in intents
        )
    )


def _latest(results: Sequence[SyncResult], action: WriteAction) -> SyncResult | None:
    if isinstance(action, CreateInReleased):
        return None
    return next((r for r in results if r.released_id == action.released_id), None)


async def resolve(
    store: StateStore, id: ConnectionId, key: IdempotencyKey, resolution: Resolution
) -> Result[None, SyncError]:
    """Store the user's answer about the open create ``key`` for the next run to act on."""
    opened = await settled(store.open_intents(id))
    if not is_successful(opened):
        return Failure(opened.failure())
    intent = next((i for i in opened.unwrap() if i.key == key), None)
    if intent is not None and not isinstance(intent.action, CreateInIntacct):
        return Failure(_not_answerable(intent))
    return await settled(store.resolve_intent(id, key, resolution))


def _not_answerable(intent: Intent) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=(
            f"Open write {intent.key} ({what(intent.action)}) takes no answer: the next sync "
            "sends it again by itself."
        ),
        fix="Answer only about a create in Intacct (`released-intacct intents` marks them).",
    )


def what(action: WriteAction) -> str:
    """An open write in a few words: what it does, and to which record."""
    if isinstance(action, CreateInIntacct):
        return f"create Intacct {_created(action)}"
    if isinstance(action, UpdateInIntacct):
        return f"update Intacct {action.record_type.value} {action.intacct_key}"
    if isinstance(action, CreateInReleased):
        return f"create Re-Leased {action.record_type.value} from Intacct {action.intacct_key}"
    return f"update Re-Leased {action.record_type.value} {action.released_id}"


def _created(action: CreateInIntacct) -> str:
    record = action.record
    if isinstance(record, Party):
        return f'{record.role.name.lower()} "{record.name}"'
    if isinstance(record, Transaction):
        noun = action.record_type.value.replace("_", " ")
        return f"{noun} {record.number or '(numbered by Intacct)'}"
    if isinstance(record, IntacctPayment):
        return f"payment of {record.currency} {record.amount} on {record.date.isoformat()}"
    return action.record_type.value
