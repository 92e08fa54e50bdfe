"""A sync run's progress at the terminal (rule E3), independent of the command line.

``follow_run(service, id, out=..., tty=...)`` starts a run of the company (or follows the one under
way) and renders its progress until it ends; ``watch`` renders while any awaitable runs (the
initial sync after confirm). Both answer the run as it finished, or why none ran.

- On a terminal (``tty=True``) each record type has a ``rich.progress`` bar with its count,
  percent, rate (records a second) and time remaining (``screen.run_progress``), redrawn in place.
- Otherwise one plain line per record type whose progress changed, at most once per
  ``interval``: no escape sequences, so a log file or a pipe reads cleanly. ``line_of`` is the
  pure rendering of one such line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TextIO

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success
from rich.progress import TaskID

from released_intacct.app.cli.screen import run_progress, terminal
from released_intacct.app.preconditions import refusal
from released_intacct.app.service import Service
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.results import Progress, TypeProgress
from released_intacct.domain.state import Run

__all__ = ["BAR_WIDTH", "follow_run", "line_of", "watch"]

BAR_WIDTH = 24
_NAME_WIDTH = max(len(kind.value) for kind in RecordType)
Outcome = Result[Run, SyncError]


def line_of(record_type: RecordType, progress: TypeProgress, *, width: int = BAR_WIDTH) -> str:
    """One record type: ``invoice          [#######.........]   7/16  43%``.

    An unknown total shows the count alone; more done than estimated shows a full bar and the
    real count (the total is an estimate, not a limit)."""
    name = record_type.value.ljust(_NAME_WIDTH)
    percent = progress.percent
    if percent is None:
        return f"{name} [{'?' * width}] {progress.done:>5}/?"
    filled = width * percent // 100
    bar = "#" * filled + "." * (width - filled)
    return f"{name} [{bar}] {progress.done:>5}/{progress.total} {percent:>3}%"


class _Lines:
    """Plain lines: one per record type whose progress changed since the last drawing."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._seen: dict[RecordType, TypeProgress] = {}

    def draw(self, progress: Progress) -> None:
        for kind in RecordType:
            now = progress.by_type.get(kind)
            if now is not None and self._seen.get(kind) != now:
                self._seen[kind] = now
                self._out.write(line_of(kind, now) + "\n")
        self._out.flush()

    def close(self) -> None:
        pass


class _Bars:
    """rich's bars, one per record type, in the order of ``RecordType``; more done than
    estimated fills the bar (the total is an estimate, not a limit)."""

    def __init__(self, out: TextIO) -> None:
        self._bars = run_progress(terminal(out))
        self._tasks: dict[RecordType, TaskID] = {}

    def draw(self, progress: Progress) -> None:
        if not self._tasks:
            self._bars.start()
        for kind in RecordType:
            now = progress.by_type.get(kind)
            if now is None:
                continue
            total = None if now.total is None else max(now.total, now.done)
            if kind not in self._tasks:
                self._tasks[kind] = self._bars.add_task(kind.value.ljust(_NAME_WIDTH), total=total)
            self._bars.update(self._tasks[kind], completed=now.done, total=total)
        self._bars.refresh()

    def close(self) -> None:
        if self._tasks:
            self._bars.stop()


async def follow_run(
    service: Service, id: ConnectionId, *, out: TextIO, tty: bool, interval: float = 0.2
) -> Outcome:
    """Rule E4, on demand: start a run of ``id`` (or follow the one under way), show its progress
    until it finishes; the finished run, or why none could run."""
    if not service.runner.is_running(id):
        started = await service.sync_now(id)
        if not is_successful(started):
            return Failure(started.failure())
    return await watch(service, id, service.runner.wait(id), out=out, tty=tty, interval=interval)


async def watch(
    service: Service,
    id: ConnectionId,
    until: Awaitable[Outcome | None],
    *,
    out: TextIO,
    tty: bool,
    interval: float = 0.2,
) -> Outcome:
    """Show the progress of ``id``'s latest run while ``until`` runs; then the run it answers
    (None: the latest run of the company, as stored)."""
    screen: _Lines | _Bars = _Bars(out) if tty else _Lines(out)
    waiting = asyncio.ensure_future(until)
    try:
        while not waiting.done():
            await _draw_latest(service, id, screen)
            await asyncio.wait({waiting}, timeout=interval)
        outcome = waiting.result()
        finished = outcome if outcome is not None else await _latest(service, id)
        if is_successful(finished):
            screen.draw(finished.unwrap().progress)
    finally:
        waiting.cancel()
        screen.close()
    return finished


async def _draw_latest(service: Service, id: ConnectionId, screen: _Lines | _Bars) -> None:
    status = await service.status(id)
    if is_successful(status) and status.unwrap().last_run is not None:
        run = status.unwrap().last_run
        if run is not None and not run.status.finished:
            screen.draw(run.progress)


async def _latest(service: Service, id: ConnectionId) -> Outcome:
    runs = await service.runs(id, limit=1)
    if not is_successful(runs):
        return Failure(runs.failure())
    if not runs.unwrap() or not runs.unwrap()[0].status.finished:
        return Failure(_no_run(id))
    return Success(runs.unwrap()[0])


def _no_run(id: ConnectionId) -> SyncError:
    return refusal(
        Rule.E4,
        f"No finished run of {id} was found.",
        "Run `released-intacct status` to see whether a run is under way, then sync again.",
        kind=ErrorKind.REJECTED,
    )
