"""SIGINT (Ctrl-C) and SIGTERM stop a command the same way (rule E4: no company left locked).

``interruptible(command)`` runs a command's coroutine with both signals handled alike:

- the first cancels the command (what ``asyncio.run`` does on Ctrl-C), so everything it opened is
  closed on the way out: ``sync`` closes its run red in the store first, its notification saying
  why ("stopped by Ctrl-C", ``stopped_by``), and ``bootstrap.open_service`` stops any other run
  under way the same way, so a sync again starts at once; the process then ends as interrupted
  (``Interrupted``: exit code 130 for Ctrl-C, 143 for SIGTERM, 128 + the signal as a tool the
  signal stops);
- while a command has said how to stop gently (``stopping_gently``: ``serve`` stops serving and
  lets the runs under way finish), the first signal does that instead, and the next one cancels;
- the signal after the cancel stops at once: it cancels the command again, which cuts every wait
  short but what runs under ``finishing`` (closing a run in the store, bounded in time);
- a signal after that ends the process where it is (``Interrupted`` raised in the event loop): a
  run not closed by then is released by the next sync once it is stale (``sync.stale_after``);
- for the process's own command (``last=True``: ``released-intacct`` run as a program), a signal
  that comes once the command has ended, stopped, is ignored: the process is already ending with
  its exit code, and Python's own handler would end it by the signal instead (exit -2, not 130).

Where signals cannot be handled (not the main thread), the command runs as it is.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, TypeVar

__all__ = [
    "INTERRUPTED",
    "Interrupted",
    "finishing",
    "interruptible",
    "stopped_by",
    "stopping_gently",
]

T = TypeVar("T")
SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
INTERRUPTED: Final = 128 + signal.SIGINT
"""The exit code of a command stopped by Ctrl-C (130)."""
_NAMES: Final = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}


class Interrupted(KeyboardInterrupt):
    """The command was stopped by ``sig``; ``code`` is its exit code (128 + the signal)."""

    def __init__(self, sig: signal.Signals) -> None:
        super().__init__(f"stopped by {_NAMES.get(sig, sig.name)}")
        self.signal = sig
        self.code = 128 + sig


class _Stopping:
    """What the signals do to the command running in ``task``."""

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.gently: Callable[[], None] | None = None
        self.first: signal.Signals | None = None
        self.cancels = 0
        self.ended = False
        """The process was ended where it was (``Interrupted`` raised in the event loop)."""

    def __call__(self, sig: signal.Signals) -> None:
        self.first = self.first or sig
        if self.gently is not None:
            gently, self.gently = self.gently, None
            gently()
        elif self.cancels < 2:  # the first stops the command, the second stops it at once
            self.cancels += 1
            self.task.cancel()
        else:
            self.ended = True
            raise Interrupted(self.first)


_current: ContextVar[_Stopping | None] = ContextVar("stopping", default=None)


async def interruptible(command: Coroutine[Any, Any, T], *, last: bool = False) -> T:
    """``command``, stopped by SIGINT or SIGTERM alike (see the module docstring); ``last``: the
    process ends after it, so a signal after it stopped is ignored."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    if task is None:  # pragma: no cover - always run as a task by asyncio.run
        return await command
    stopping = _Stopping(task)
    try:
        for sig in SIGNALS:
            loop.add_signal_handler(sig, stopping, sig)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals
        return await command
    token = _current.set(stopping)
    try:
        return await command
    except asyncio.CancelledError:
        if stopping.cancels and stopping.first is not None and not stopping.ended:
            raise Interrupted(stopping.first) from None  # main: exit 128 + the signal
        raise  # ended already: asyncio.run is cancelling what is left
    finally:
        _current.reset(token)
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)
            if last and stopping.first is not None:  # already ending, with its exit code
                signal.signal(sig, signal.SIG_IGN)


def stopped_by() -> str | None:
    """Why the command is stopping, for the store and the operator: "stopped by Ctrl-C" or
    "stopped by SIGTERM" once a signal came; None before (or outside ``interruptible``)."""
    stopping = _current.get()
    if stopping is None or stopping.first is None:
        return None
    return f"stopped by {_NAMES.get(stopping.first, stopping.first.name)}"


async def finishing(work: Awaitable[T], *, within: float) -> T:
    """``work`` awaited to its end even when a signal asks to stop at once meanwhile (the second
    Ctrl-C: ``interruptible``): what must not be cut short, such as closing a run red in the
    store. The cancellation held back meanwhile is then passed on: the caller's next wait is cut
    short. At most ``within`` seconds (then ``TimeoutError``, ``work`` cancelled)."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    until = loop.time() + within
    me = asyncio.current_task()
    held = False
    try:
        while True:
            try:
                return await asyncio.wait_for(asyncio.shield(task), max(0.0, until - loop.time()))
            except asyncio.CancelledError:
                if task.cancelled() or me is None:
                    raise
                me.uncancel()  # stopping at once: this is what is left to do first
                held = True
            except TimeoutError:
                task.cancel()
                raise
    finally:
        if held and me is not None:
            me.cancel()


@contextmanager
def stopping_gently(stop: Callable[[], None]) -> Iterator[None]:
    """While inside, the first SIGINT or SIGTERM calls ``stop`` instead of cancelling the command;
    the next one cancels it. Outside ``interruptible`` it changes nothing."""
    stopping = _current.get()
    if stopping is not None:
        stopping.gently = stop
    try:
        yield
    finally:
        if stopping is not None:
            stopping.gently = None
