"""How a run holds its company (issue 16, F1): the heartbeat on a timer, whether a holder is
provably dead, and whether an earlier run's write may still be in flight.

``domain.state.RunPolicy`` (``Ports.policy``) is a setting of the deployment (``sync.stale_after``,
``sync.in_flight``):

- ``stale_after``: a run silent this long is taken to be dead and may be taken over (rule E4). A
  run beats every ``domain.state.heartbeat_every(stale_after)`` on a timer (``heartbeat``),
  whatever it is doing, so only a paused, cut-off or dead process goes silent that long.
- ``in_flight``: the longest one write to Intacct or Re-Leased can take, its retries and back-off
  included. An intent SENT by a run that was released (taken over) while its process is not
  provably dead is not sent again until ``sent_at + in_flight`` has passed: the old process may
  still be waiting on that very request, and sending it again could post it twice.
- ``attempt``: the longest one request may run at the other end (the larger client time-out). A
  provably dead process sends nothing more, but its last request had left: Intacct or Re-Leased
  may still be executing it. Its intent may be in flight until ``attempt`` after the process was
  seen dead (and never past ``sent_at + in_flight``); a short wait, which recovery waits out.
  Not ``released_at + attempt``: a run is released for its silence, not for its death, so a
  paused process released while alive may have sent a retry after ``released_at`` and died since.
- ``holder``: which process this is, ``host/pid``. A holder on this host whose pid no longer runs
  is provably dead (``holder_alive``); one on another host cannot be proved dead from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.log import logger
from released_intacct.app.ports import Sleep, settled
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.ports import Clock
from released_intacct.domain.state import (
    Intent,
    IntentState,
    Run,
    RunPolicy,
    StateStore,
    heartbeat_every,
    lost,
)

__all__ = [
    "Every",
    "InFlight",
    "heartbeat",
    "holder_alive",
    "in_flight_until",
    "in_flight_window",
    "looked_again",
    "release_dead",
]

_log = logger(__name__)

T = TypeVar("T")
V = TypeVar("V")


def holder_alive(holder: str) -> bool:
    """False only when ``holder`` is provably dead: a process of this host that no longer runs."""
    host, _, pid = holder.rpartition("/")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


@dataclass(frozen=True, slots=True)
class InFlight:
    """An intent's write may still be on its way, until ``until``."""

    until: datetime
    sender_dead: bool
    """Its sender is provably dead: only its last request may still be running at the other end,
    for at most ``RunPolicy.attempt`` (a wait short enough to wait out)."""


def in_flight_window(
    sent_at: datetime, *, dead: bool, now: datetime, policy: RunPolicy
) -> InFlight | None:
    """Until when a write sent at ``sent_at`` (at the latest) by a sender that was taken over may
    still be on its way: ``sent_at + in_flight`` while the sender may live; once it is provably
    ``dead`` (seen dead ``now``: its last request left before), no later than ``now + attempt``.
    None once that is past."""
    latest = sent_at + policy.in_flight
    if dead:
        latest = min(latest, now + policy.attempt)
    return InFlight(latest, sender_dead=dead) if now < latest else None


async def in_flight_until(
    store: StateStore, intent: Intent, *, now: datetime, policy: RunPolicy
) -> Result[InFlight | None, SyncError]:
    """Until when ``intent`` (SENT, not found by its key) may still be in flight, sent by a run
    that was released (``in_flight``). None when it cannot be in flight (its run finished by
    itself, or the time is past); the store's error."""
    if intent.state is not IntentState.SENT or intent.sent_at is None or intent.run is None:
        return Success(None)
    sent_at = intent.sent_at
    found = await settled(store.run(intent.connection, intent.run))

    def until(sender: Run | None) -> InFlight | None:
        if sender is None or sender.released_at is None:
            return None
        dead = not holder_alive(sender.holder)
        return in_flight_window(sent_at, dead=dead, now=now, policy=policy)

    return found.map(until)


async def looked_again(
    verdicts: Sequence[tuple[T, V | InFlight]],
    again: Callable[[T], Awaitable[Result[V, SyncError]]],
    *,
    clock: Clock,
    sleep: Sleep,
    connection: ConnectionId,
    who: Mapping[str, str],
) -> Result[list[tuple[T, V]], SyncError]:
    """``verdicts`` (what came of each open write's look-up by its key) with every write of a
    provably dead sender that may still be running at the other end (an ``InFlight``) waited
    out: one sleep until the last of them, logged (``event=in_flight_wait``), then each of those
    looked up ``again`` (in the same order); the first failure of a look-up. The one wait of
    recovery (a run taken over) and of confirm (a confirm taken over); ``who`` names the waiter
    in the log event (``{"by": "confirm"}``)."""
    waits = [verdict.until for _, verdict in verdicts if isinstance(verdict, InFlight)]
    if waits:
        seconds = max(0.0, (max(waits) - clock.now()).total_seconds())
        _log.info(
            "in_flight_wait",
            connection=connection,
            **who,
            intents=len(waits),
            seconds=round(seconds, 1),
        )
        await sleep(seconds)
    decided: list[tuple[T, V]] = []
    for item, verdict in verdicts:
        if not isinstance(verdict, InFlight):
            decided.append((item, verdict))
            continue
        looked = await again(item)
        if not is_successful(looked):
            return Failure(looked.failure())
        decided.append((item, looked.unwrap()))
    return Success(decided)


async def release_dead(
    store: StateStore, id: ConnectionId, *, now: datetime, policy: RunPolicy
) -> Result[Run, SyncError]:
    """The operator's ``release``: free ``id`` from its open run when that run is provably dead
    (its process ran on this host and is gone) or silent for ``policy.stale_after``; refused
    (REJECTED, E4) while it may be alive, and when no run of ``id`` is open."""
    latest = await settled(store.runs(id, limit=1))
    if not is_successful(latest):
        return Failure(latest.failure())
    found = latest.unwrap()
    if not found or found[0].status.finished:
        return Failure(_nothing_open(id))
    run = found[0]
    silent = now - run.last_alive
    if holder_alive(run.holder) and silent < policy.stale_after:
        return Failure(_alive(run, silent, policy.stale_after))
    return await settled(store.release(run.fence, at=now))


def _nothing_open(id: ConnectionId) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.E4,
        message=f"No sync of connection {id} is open: the company is free.",
        fix="Nothing to release; start a sync when you want one.",
    )


def _alive(run: Run, silent: timedelta, stale_after: timedelta) -> SyncError:
    holder = run.holder or "an unknown process"
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.E4,
        message=(
            f"Run {run.id} of connection {run.connection} may still be alive: it is held by "
            f"{holder}, last seen {int(silent.total_seconds())} s ago, which is less than "
            f"sync.stale_after ({int(stale_after.total_seconds())} s), and that process cannot be "
            "shown to be gone from here."
        ),
        fix=(
            "Stop that process (Ctrl-C or SIGTERM frees the company as it exits), or wait until "
            "the run has been silent for sync.stale_after; then release it."
        ),
    )


Snapshot = Callable[[], Run]


class Every:
    """The one timer of this module's callers: ``beat`` every ``every`` until it answers False or
    the timer is stopped (a run's heartbeat, ``heartbeat``; a confirm's lease, ``app.claim``)."""

    def __init__(
        self,
        beat: Callable[[], Awaitable[bool]],
        every: timedelta,
        *,
        name: str,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._beat, self._every, self._name, self._sleep = beat, every, name, sleep
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self._name)

    def cancel(self) -> None:
        """Beat no more from now on (a beat under way is cancelled where it waits)."""
        if self._task is not None:
            self._task.cancel()

    async def stop(self) -> None:
        """``cancel``, and wait until the beating task has ended."""
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _loop(self) -> None:
        while True:
            await self._sleep(self._every.total_seconds())
            if not await self._beat():
                return


def heartbeat(
    store: StateStore,
    clock: Clock,
    snapshot: Snapshot,
    policy: RunPolicy,
    on_lost: Callable[[], None],
) -> Every:
    """A run's heartbeat: its progress (``snapshot()``) saved every ``heartbeat_every`` of the
    policy's ``stale_after``. When a beat is refused because the run lost its company,
    ``on_lost`` is called once and beating stops; any other failure is logged and the next beat
    tried."""

    async def beat() -> bool:
        run = snapshot()
        saved = await settled(store.save_progress(run, at=clock.now()))
        if is_successful(saved):
            return True
        error = saved.failure()
        if error == lost(run.fence):
            _log.warning("run_lost", connection=run.connection, run=run.id)
            on_lost()
            return False
        _log.warning("heartbeat_failed", run=run.id, error=error)
        return True

    return Every(beat, heartbeat_every(policy.stale_after), name="heartbeat")
