"""Pieces every planner shares: outcome of a refusal, and the incoming create-or-update decision."""

from __future__ import annotations

from collections.abc import Callable

from returns.result import Result, Success

from released_intacct.domain.actions import (
    Action,
    CreateInReleased,
    RecordResult,
    Skip,
    UpdateInReleased,
)
from released_intacct.domain.enums import RecordType, System
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IdempotencyKey, IntacctKey, ReleasedId, idempotency_key
from released_intacct.domain.links import LinkIndex
from released_intacct.domain.released import ReleasedRecord
from released_intacct.domain.settings import SyncSettings

BuildReleased = Callable[[ReleasedId], Result[ReleasedRecord, SyncError]]


def outcome(error: SyncError) -> Action:
    """A by-design non-sync is a ``Skip``; anything else is a sync result to act on (rule E1)."""
    if error.kind is ErrorKind.SKIPPED:
        return Skip(reason=error)
    return RecordResult(error=error)


def key_for_released(
    settings: SyncSettings, record_type: RecordType, intacct_key: IntacctKey
) -> IdempotencyKey:
    """The key of creating, in Re-Leased, the copy of the Intacct record ``intacct_key``."""
    return idempotency_key(
        settings.connection,
        System.RELEASED,
        record_type,
        source=System.INTACCT,
        source_id=intacct_key,
    )


def key_for_intacct(
    settings: SyncSettings, record_type: RecordType, released_id: ReleasedId
) -> IdempotencyKey:
    """The key of creating, in Intacct, the copy of the Re-Leased record ``released_id``."""
    return idempotency_key(
        settings.connection,
        System.INTACCT,
        record_type,
        source=System.RELEASED,
        source_id=released_id,
    )


def plan_incoming(
    record_type: RecordType,
    intacct_key: IntacctKey,
    source_fingerprint: str,
    build: BuildReleased,
    *,
    links: LinkIndex,
    settings: SyncSettings,
) -> tuple[Action, ...]:
    """Create the Re-Leased copy of a new Intacct record, or update the linked copy if it changed.

    Nothing when the link is unlinked (rule E2) or the content equals what was last synced from
    Intacct (rule D21). A new record's proposed id is its idempotency key.
    """
    link = links.by_intacct(record_type, intacct_key)
    if link is None:
        key = key_for_released(settings, record_type, intacct_key)
        created = build(ReleasedId(key)).map(
            lambda record: CreateInReleased(
                key=key,
                record_type=record_type,
                intacct_key=intacct_key,
                record=record,
                source_fingerprint=source_fingerprint,
            )
        )
        return (decided(created),)
    if not link.is_linked or link.intacct_fingerprint == source_fingerprint:
        return ()
    updated = build(link.released_id).map(
        lambda record: UpdateInReleased(
            record_type=record_type,
            released_id=link.released_id,
            intacct_key=intacct_key,
            record=record,
            source_fingerprint=source_fingerprint,
        )
    )
    return (decided(updated),)


def decided(planned: Result[Action, SyncError]) -> Action:
    """The action decided: the planned one, or the outcome of why there is none."""
    return planned.lash(lambda error: Success(outcome(error))).unwrap()
