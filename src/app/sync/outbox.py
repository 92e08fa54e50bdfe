"""A sync's look-up of an open write by its key, and what a failed write is about.

The keys are the applier's (``app.applier.intent_key``). Only creates can be looked up by key (the
ports find a record by the key written into it); an open update is simply sent again (an update is
idempotent by content).
"""

from __future__ import annotations

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import settled
from released_intacct.app.sync.context import RunContext
from released_intacct.domain.actions import (
    CreateInIntacct,
    CreateInReleased,
    UpdateInIntacct,
    VoidInReleased,
    WriteAction,
)
from released_intacct.domain.enums import Direction
from released_intacct.domain.errors import RecordRef, SyncError
from released_intacct.domain.links import Link
from released_intacct.domain.planning.written import (
    link_for_found_write,
    link_for_released_write,
)


async def look_up(ctx: RunContext, write: WriteAction) -> Result[Link | None, SyncError]:
    """The link a create left behind if the other side holds it (found by key); else None."""
    if isinstance(write, CreateInIntacct):
        return await _in_intacct(ctx, write)
    if isinstance(write, CreateInReleased):
        return await _in_released(ctx, write)
    return Success(None)


def as_lookup(write: CreateInIntacct | UpdateInIntacct) -> CreateInIntacct:
    """The look-up of the Intacct record ``write`` concerns, by the key it was created with (an
    update carries the key of the record's create)."""
    if isinstance(write, CreateInIntacct):
        return write
    return CreateInIntacct(
        key=write.key,
        record_type=write.record_type,
        released_id=write.released_id,
        record=write.record,
        source_fingerprint=write.source_fingerprint,
    )


async def _in_intacct(ctx: RunContext, write: CreateInIntacct) -> Result[Link | None, SyncError]:
    found = await settled(ctx.intacct.find_written(write))
    if not is_successful(found):
        return Failure(found.failure())
    record = found.unwrap()
    return Success(None if record is None else link_for_found_write(write, record))


async def _in_released(ctx: RunContext, write: CreateInReleased) -> Result[Link | None, SyncError]:
    found = await settled(ctx.released.find_by_key(write.record_type, write.key))
    if not is_successful(found):
        return Failure(found.failure())
    copy = found.unwrap()
    return Success(None if copy is None else link_for_released_write(write, copy, existing=None))


def about(action: WriteAction | VoidInReleased, error: SyncError) -> SyncError:
    """``error`` attached to the record ``action`` concerns, unless it names one already."""
    if error.record is not None:
        return error
    outgoing = isinstance(action, CreateInIntacct | UpdateInIntacct)
    return error.about(
        RecordRef(
            record_type=action.record_type,
            direction=Direction.OUTGOING if outgoing else Direction.INCOMING,
            released_id=None if isinstance(action, CreateInReleased) else action.released_id,
            intacct_key=None if isinstance(action, CreateInIntacct) else action.intacct_key,
        )
    )
