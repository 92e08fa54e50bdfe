"""SIGINT (Ctrl-C) and SIGTERM stop a command the same way.

``interruptible(command)`` runs a command's coroutine with both signals handled alike:

- the first cancels the command (what ``asyncio.run`` does on Ctrl-C), so everything it opened is
  closed on the way out: ``bootstrap.open_service`` stops the runs under way, each finished red in
  the store, so no company is left locked (rule E4); the process then ends as interrupted
  (``KeyboardInterrupt``: exit code 2, "interrupted");
- while a command has said how to stop gently (``stopping_gently``: ``serve`` stops serving and
  lets the runs under way finish), the first signal does that instead, and the next one cancels;
- a signal after the command was cancelled stops the process at once (``KeyboardInterrupt``
  raised in the event loop), as a second Ctrl-C does.

Where signals cannot be handled (not the main thread), the command runs as it is.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, TypeVar

__all__ = ["interruptible", "stopping_gently"]

T = TypeVar("T")
SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


class _Stopping:
    """What the signals do to the command running in ``task``."""

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task
        self.gently: Callable[[], None] | None = None
        self.cancelled = False

    def __call__(self) -> None:
        if self.gently is not None:
            gently, self.gently = self.gently, None
            gently()
        elif not self.cancelled:
            self.cancelled = True
            self.task.cancel()
        else:
            raise KeyboardInterrupt


_current: ContextVar[_Stopping | None] = ContextVar("stopping", default=None)


async def interruptible(command: Coroutine[Any, Any, T]) -> T:
    """``command``, stopped by SIGINT or SIGTERM alike (see the module docstring)."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    if task is None:  # pragma: no cover - always run as a task by asyncio.run
        return await command
    stopping = _Stopping(task)
    try:
        for sig in SIGNALS:
            loop.add_signal_handler(sig, stopping)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals
        return await command
    token = _current.set(stopping)
    try:
        return await command
    except asyncio.CancelledError:
        if stopping.cancelled:
            raise KeyboardInterrupt from None  # ends the process as Ctrl-C does (main: exit 2)
        raise
    finally:
        _current.reset(token)
        for sig in SIGNALS:
            loop.remove_signal_handler(sig)


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
