"""Runs, their fences and leases: how a run holds its company (rules E3, E4; issues 16, 17).

A run shows it is alive by its heartbeat (``save_progress``, with its progress), which the engine
beats on a timer while the run lasts. A process that dies mid-run leaves its run open, which would
lock the company out (E4); a run with no sign of life for a while is *stale* and is released:
finished red, with a notification (``release_stale_runs``, ``release``, and ``start_run`` for the
company it starts, which is a *takeover*).

Fencing (issue 16, F1): every run holds its company under an *epoch*, a number the store raises
each time a run of the company starts. A ``Fence`` (connection, run, epoch) goes with every write
a run makes (intents recorded, marked sent, settled; cursors advanced; progress; the finish), and
the store checks it in the same transaction as the write: once another run has taken the company
over, the old run's writes are refused (``lost``, rule E4) and it stops, sending nothing more.
Before each send the engine marks the intents it is about to send SENT through ``hold``, which is
fenced too, so no write leaves a run that no longer holds its company. The same port carries the
PostgreSQL store's leases (issue 17): a lease is a run's epoch with a time limit.

Leases (issue 17): many workers share the confirmed companies through the store itself. A company
is *due* when its ``next_run_at`` has come (never set: due at once) or a run of it was requested
(``request_run``); a worker takes up to as many due companies as it has room for
(``claim_due``), holding each until ``at + ttl``, renews all it holds in one call every
``ttl / 3`` (``renew_leases``) and hands each back after its run with the time of the next one
(``release_lease``). A lease that ran out (its worker died or paused) is taken by the next
``claim_due`` of any worker; that worker's ``start_run`` (with ``stale_after`` the lease's ttl)
releases the dead run red and raises the company's epoch, so every fenced write of the dead run is
refused from then on: the epoch is the fence of both, there is no second one.

Decided: a run is stale after ``DEFAULT_STALE_AFTER`` (a minute, a setting: also the lease ttl of
the worker loop) without a heartbeat. A run beats every ``heartbeat_every(stale_after)``, so a live
run is never stale unless its process is paused or cut off. A live run wrongly taken over is safe:
its next fenced write is refused, and an intent it may still have in flight is not sent again by the
run that took over until it can no longer be in flight (``Intent.sent_at``, the run's ``holder``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final

from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.ports import Notification
from released_intacct.domain.results import Progress, RunCounts, RunStatus

DEFAULT_STALE_AFTER: Final = timedelta(minutes=1)
"""How long a run may show no sign of life before it counts as left by a dead process."""
HEARTBEAT_AT_MOST: Final = timedelta(minutes=1)


DEFAULT_IN_FLIGHT: Final = timedelta(minutes=15)
"""Above the Intacct client's default longest write: 6 attempts of 60 s, plus back-off."""
DEFAULT_ATTEMPT: Final = timedelta(minutes=1)
"""The Intacct client's default time-out of one request (``intacct.timeout``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunPolicy:
    """How runs hold their companies, a setting of the deployment (``sync.stale_after``,
    ``sync.in_flight``; every process of one store must share it)."""

    stale_after: timedelta = DEFAULT_STALE_AFTER
    """A run silent this long is taken to be dead and may be taken over (E4)."""
    in_flight: timedelta = DEFAULT_IN_FLIGHT
    """The longest one write may take, retries and back-off included: an intent SENT by a run
    released while its process may live is not sent again before ``sent_at + in_flight``."""
    attempt: timedelta = DEFAULT_ATTEMPT
    """The longest one request of a write may run at the other end after it was sent: the larger
    of the clients' time-outs (``intacct.timeout``, ``released.timeout``), not a setting of its
    own. An intent SENT by a run whose process is provably dead may still be executing for this
    long after that process was seen dead (its last request had left), so the run that took
    over waits it out and looks it up again before it sends it again."""
    holder: str = ""
    """This process, ``host/pid``."""

    def __post_init__(self) -> None:
        spans = (
            ("stale_after", self.stale_after),
            ("in_flight", self.in_flight),
            ("attempt", self.attempt),
        )
        for name, span in spans:
            if span <= timedelta(0):
                msg = f"RunPolicy.{name} must be positive, got {span}"
                raise ValueError(msg)


def heartbeat_every(stale_after: timedelta) -> timedelta:
    """How often a run beats: a third of ``stale_after`` (two beats may be missed before it is
    stale), and at least once a minute."""
    return min(stale_after / 3, HEARTBEAT_AT_MOST)


@dataclass(frozen=True, slots=True, kw_only=True)
class Run:
    id: str
    connection: ConnectionId
    started_at: datetime
    status: RunStatus = RunStatus.RUNNING
    finished_at: datetime | None = None
    counts: RunCounts = RunCounts()
    errors: int = 0
    progress: Progress = Progress()
    heartbeat_at: datetime | None = None
    """When the run last showed a sign of life (``save_progress``); None until it first did."""
    epoch: int = 0
    """The company's epoch this run holds it under (``Fence``)."""
    holder: str = ""
    """Which process runs it (``host/pid``), for the operator and to tell a dead one."""
    released_at: datetime | None = None
    """When another process released it as dead (stale or taken over); None when it finished by
    itself or is open."""

    @property
    def fence(self) -> Fence:
        return Fence(connection=self.connection, run=self.id, epoch=self.epoch)

    @property
    def last_alive(self) -> datetime:
        """The heartbeat, or the start when the run never beat."""
        return self.started_at if self.heartbeat_at is None else self.heartbeat_at

    def is_stale(self, *, before: datetime) -> bool:
        """Open, and no sign of life since before ``before`` (strictly)."""
        return not self.status.finished and self.last_alive < before


@dataclass(frozen=True, slots=True, kw_only=True)
class Fence:
    """A run's proof that it still holds its company: the store refuses a fenced write unless
    ``run`` is open and the company is still under ``epoch`` (no other run took it over)."""

    connection: ConnectionId
    run: str
    epoch: int


def release_run(run: Run, *, at: datetime) -> tuple[Run, Notification]:
    """Rule E4: a run left open by a process that died, finished red at ``at`` with one more
    error (the stop itself; counts and progress as last saved), and the notification saying so."""
    released = replace(
        run, status=RunStatus.FAILED, finished_at=at, errors=run.errors + 1, released_at=at
    )
    alive = run.last_alive.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    holder = f" (process {run.holder})" if run.holder else ""
    body = (
        f"The sync stopped unexpectedly: it showed no sign of life after {alive}{holder}, so "
        "it was released and the company freed. Nothing was lost: the next sync picks up "
        "where it stopped."
    )
    return released, Notification(connection=run.connection, title="Sync failed", body=body)


def beat(stored: Run, run: Run, at: datetime) -> Run:
    """``stored`` with the progress, counts, errors and open status of ``run``, alive at ``at``
    (``save_progress``: the stored start, epoch and holder are kept)."""
    return replace(
        stored,
        status=run.status,
        counts=run.counts,
        errors=run.errors,
        progress=run.progress,
        heartbeat_at=at,
    )


def run_open(run: Run) -> SyncError:
    """Rule E4: a run of the company is open (``run``), so no other starts; names it and since
    when, so the caller can follow it (``GET .../runs/{run}``) instead of starting another."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.E4,
        message=(
            f"A sync of connection {run.connection} is already running: run {run.id}, started "
            f"{run.started_at.isoformat()} (last sign of life {run.last_alive.isoformat()})."
        ),
        fix=(
            f"Wait for run {run.id} to finish (one sync per company runs at a time), then start "
            "another if still needed."
        ),
    )


def lost(fence: Fence) -> SyncError:
    """Rule E4: ``fence``'s run no longer holds its company (released, taken over, finished)."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.E4,
        message=(
            f"Run {fence.run} no longer holds connection {fence.connection}: it was released "
            "or another run took the company over, so it stopped and sends nothing more."
        ),
        fix="Nothing to do: the run holding the company now carries on from where this stopped.",
    )


def not_held(fence: Fence) -> SyncError:
    """``hold`` of a key ``fence``'s run does not hold PENDING: it was not recorded by the run
    (``record_intents`` answers the keys it may send), or it is sent already."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Run {fence.run} is sending a write it does not hold open in the outbox.",
        fix="Send only the keys record_intents answered, once each.",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Lease:
    """A worker's hold on a due company (``claim_due``), until ``until`` unless renewed."""

    connection: ConnectionId
    worker: str
    until: datetime
    epoch: int
    """The company's run epoch when claimed: the run the worker starts holds ``epoch + 1``."""
    requested_at: datetime | None = None
    """When a run of it was asked for on demand (``request_run``); None: due by its schedule."""


def claim_refusal(worker: str, free: int, ttl: timedelta) -> SyncError | None:
    """Why ``claim_due``/``renew_leases`` cannot be done as asked (None: they can)."""
    if not worker:
        problem = "worker is empty"
    elif free < 0:
        problem = f"free must not be negative, got {free}"
    elif ttl <= timedelta(0):
        problem = f"ttl must be positive, got {ttl}"
    else:
        return None
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Leases cannot be claimed or renewed: {problem}.",
        fix="Name the worker (host/pid), give free >= 0 and a positive lease ttl.",
    )


def not_confirmed(id: ConnectionId) -> SyncError:
    """A run asked for a connection that is not confirmed: there is nothing to sync yet."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.C4,
        message=f"Connection {id} is not confirmed, so it cannot sync yet.",
        fix="Finish onboarding and confirm the connection first.",
    )
