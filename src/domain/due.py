"""Whether a claimed company is to run now (rule E4 with many workers, issue 17).

A worker claims due companies by the store's ``next_run_at`` (``StateStore.claim_due``), which is
only what the last worker to hold the company wrote when it handed it back. The runs table is the
truth: a run may have been started meanwhile outside any lease (the CLI's ``sync``, the admin
API's on-demand run, the initial sync a confirm starts), a run may still be open elsewhere, and a
store upgraded from before leases has no ``next_run_at`` at all. So before it starts a run, the
worker reads the company's latest run and ``on_claim`` decides:

- no run yet: start;
- the latest run is open and alive (a sign of life within ``stale_after``): hand back, due again
  just after that run would be stale (it is then taken over, E4; if it finished meanwhile, the
  schedule after its start decides then). An open run with no sign of life for ``stale_after`` is
  started over: ``start_run`` releases it red in the same transaction (the takeover);
- the latest run was released as dead (``released_at``: by a takeover's ``start_run``, a
  worker's ``release_stale_runs`` or the operator's ``release``): start. Its process died
  mid-way, so the company's sync is unfinished; the schedule after that run's start would leave
  it so until the next scheduled run (a day, nightly). A worker's heartbeat releases a dead
  run as soon as it is stale, which may be before the dead worker's lease runs out;
- a run was requested on demand (``Lease.requested_at``): start, unless a run started at or after
  the request (it answered the request);
- otherwise the schedule after the latest run's start: start when it has come, else hand back
  with that time (and the latest run's start as ``ran_from``: a request made before it is
  answered).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from released_intacct.domain.schedule import Schedule, next_run
from released_intacct.domain.state import Lease, Run

__all__ = ["HandBack", "Start", "on_claim"]

_MOMENT = timedelta(milliseconds=1)
"""A run is stale only strictly after ``last_alive + stale_after``: hand back until just after."""


@dataclass(frozen=True, slots=True)
class Start:
    """Run the company now."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HandBack:
    """Do not run it now: hand the lease back (``release_lease``) with these."""

    next_run_at: datetime
    ran_from: datetime | None
    """The start of the run that answered a request (None: no request is answered)."""
    why: str
    """For the log: what the latest run said."""


def on_claim(
    lease: Lease, latest: Run | None, *, now: datetime, schedule: Schedule, stale_after: timedelta
) -> Start | HandBack:
    """Start a run of ``lease``'s company now, or hand it back (see the module doc)."""
    if latest is None:
        return Start()
    if not latest.status.finished:
        if latest.is_stale(before=now - stale_after):
            return Start()
        return HandBack(
            next_run_at=latest.last_alive + stale_after + _MOMENT,
            ran_from=None,
            why=f"run {latest.id} is open and alive",
        )
    requested = lease.requested_at
    answered = requested is None or latest.started_at >= requested
    due = next_run(schedule, after=latest.started_at)
    if latest.released_at is not None or not answered or due <= now:
        return Start()
    return HandBack(
        next_run_at=due,
        ran_from=latest.started_at,
        why=f"run {latest.id} started at {latest.started_at.isoformat()}",
    )
