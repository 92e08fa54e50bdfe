"""A sync asked for now (rule E4): what it became, answered at once (the admin API's 202).

``Service.sync_now`` starts the run in this process and answers once it holds the company, so the
answer names the run (``Queued.run``). An API that leaves its runs to the workers (``serve
--api-only``) cannot name a run no worker has started yet: it stores the request
(``StateStore.request_run``) and answers ``Queued.run = None`` with the time of the request; the
run a worker starts for it shows in the company's runs (``GET .../runs``) once it does.

Decided: either way a request while a run of the company is open and alive is refused, naming that
run and since when (``run_open``, E4), rather than queued behind it: one answer for both ways of
serving, and the caller follows the open run instead. The check and the request are not one
transaction: a run a worker starts between them leaves the request standing, so the workers run the
company once more after it (the request is newer than that run's start) — late, never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from returns.pipeline import is_successful
from returns.result import Failure, Result

from released_intacct.app.ports import Ports, settled
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.state import Run, run_open

__all__ = ["Queued", "request_unless_open"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Queued:
    """Rule E4: what a sync asked for now became."""

    run: Run | None
    """The run started for it, open and holding the company; None when it was requested from the
    workers, which start it (it then shows in the company's runs)."""
    requested_at: datetime


async def request_unless_open(ports: Ports, id: ConnectionId) -> Result[Queued, SyncError]:
    """Ask the workers for a run of ``id`` now, unless one is open and alive (refused, E4)."""
    at = ports.clock.now()
    latest = await settled(ports.store.runs(id, limit=1))
    if not is_successful(latest):
        return Failure(latest.failure())
    before = at - ports.policy.stale_after
    held = [run for run in latest.unwrap() if not run.is_stale(before=before)]
    if held and not held[0].status.finished:
        return Failure(run_open(held[0]))
    requested = await settled(ports.store.request_run(id, at=at))
    return requested.map(lambda _: Queued(run=None, requested_at=at))
