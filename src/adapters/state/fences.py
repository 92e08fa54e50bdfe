"""The fence check every write of a run makes, inside the write's own transaction (issue 16, F1).

A fence holds while its run is open, under the epoch the company has now (``start_run`` raises
the company's epoch, so a run that took over makes every older fence fail even before the old run
is released). Read in the same ``BEGIN IMMEDIATE`` transaction as the write it guards, so no
takeover can come between the check and the write.
"""

from __future__ import annotations

import aiosqlite

from released_intacct.adapters.state.database import one
from released_intacct.adapters.state.rows import OPEN_RUN
from released_intacct.domain.errors import SyncError
from released_intacct.domain.state import Fence, lost


async def fenced(db: aiosqlite.Connection, fence: Fence | None) -> SyncError | None:
    """None when ``fence`` holds (or no fence is given); else its ``lost`` error."""
    if fence is None:
        return None
    found = await one(
        db,
        f"SELECT 1 FROM runs JOIN connections ON connections.id = runs.connection"  # noqa: S608 - constant names
        f" WHERE runs.connection = ? AND {OPEN_RUN} AND runs.id = ? AND runs.epoch = ?"
        " AND connections.run_epoch = ?",
        (fence.connection, fence.run, fence.epoch, fence.epoch),
    )
    return None if found is not None else lost(fence)
