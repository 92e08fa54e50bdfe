"""Why a run is red, read from the store (rule E3): ``domain.reasons`` over the run's company's
notifications and the sync results seen since the run started.

The one reader the CLI (``sync``, ``status``) and the admin API (runs, status) share. A result a
later run saw again has moved on (E1 refreshes its row), so an older run's reasons are the ones
the store still dates to it.
"""

from __future__ import annotations

from typing import Final

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import settled
from released_intacct.domain.errors import SyncError
from released_intacct.domain.reasons import Reason, reasons
from released_intacct.domain.results import RunStatus
from released_intacct.domain.state import ResultFilter, Run, StateStore

__all__ = ["RESULTS_READ", "run_reasons"]

RESULTS_READ: Final = 10_000
"""At most this many results of a run are read (to count them by rule, and for its reasons)."""


async def run_reasons(store: StateStore, run: Run) -> Result[tuple[Reason, ...], SyncError]:
    """Why ``run`` is red (``domain.reasons.reasons``); () without reading for a run not red."""
    if run.status is not RunStatus.FAILED:
        return Success(())
    notes = await settled(store.notifications(run.connection))
    if not is_successful(notes):
        return Failure(notes.failure())
    where = ResultFilter(since=run.started_at, limit=RESULTS_READ)
    results = await settled(store.results(run.connection, where))
    if not is_successful(results):
        return Failure(results.failure())
    return Success(reasons(run, notes.unwrap(), results.unwrap()))
