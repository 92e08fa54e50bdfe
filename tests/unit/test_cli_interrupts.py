"""SIGINT and SIGTERM stop a command alike (``app.cli.signals``; issue 16, F7), in this process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import pytest

from released_intacct.app.cli.signals import (
    Interrupted,
    finishing,
    interruptible,
    stopped_by,
    stopping_gently,
)


def _signal_soon(sig: signal.Signals) -> None:
    asyncio.get_running_loop().call_soon(os.kill, os.getpid(), sig)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_F7_a_signal_cancels_the_command_which_cleans_up_then_ends_as_interrupted(
    sig: signal.Signals,
) -> None:
    cleaned: list[str] = []

    async def command() -> int:
        try:
            _signal_soon(sig)
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await asyncio.sleep(0)  # what a command closes on the way out may await
            cleaned.append("closed")
            raise
        return 0

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(interruptible(command()))
    assert cleaned == ["closed"]
    assert signal.getsignal(signal.SIGTERM) == before == signal.SIG_DFL


def test_F7_a_gentle_stop_comes_first_and_a_second_signal_cancels() -> None:
    said: list[str] = []

    async def command() -> int:
        stop = asyncio.Event()
        with stopping_gently(stop.set):
            _signal_soon(signal.SIGTERM)
            await stop.wait()
            said.append("stopping gently")
            _signal_soon(signal.SIGINT)
            try:
                await asyncio.sleep(60)  # runs under way finishing: the second signal cuts in
            except asyncio.CancelledError:
                said.append("cancelled")
                raise
        return 0

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(interruptible(command()))
    assert said == ["stopping gently", "cancelled"]


def test_F7_a_command_that_stops_gently_ends_as_it_returns() -> None:
    async def command() -> int:
        stop = asyncio.Event()
        with stopping_gently(stop.set):
            _signal_soon(signal.SIGTERM)
            await stop.wait()
        return 0

    assert asyncio.run(interruptible(command())) == 0


@pytest.mark.parametrize(
    ("sig", "code", "by"),
    [(signal.SIGTERM, 143, "stopped by SIGTERM"), (signal.SIGINT, 130, "stopped by Ctrl-C")],
    ids=["SIGTERM", "SIGINT"],
)
def test_E4_a_second_signal_stops_at_once_but_never_cuts_short_what_must_finish(
    sig: signal.Signals, code: int, by: str
) -> None:
    """The first signal cancels the command; the second (stop at once) cuts its other waits
    short, not the close of its run (``finishing``); the exit code is 128 + the first signal."""
    done: list[str] = []

    async def close(reason: str | None) -> None:
        _signal_soon(signal.SIGINT)  # the second, while the run is being closed
        await asyncio.sleep(0.1)
        done.append(f"closed: {reason}")

    async def command() -> int:
        try:
            _signal_soon(sig)
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await finishing(close(stopped_by()), within=5)
            try:
                await asyncio.sleep(60)  # anything else the command would wait for
            except asyncio.CancelledError:
                done.append("the rest cut short")
                raise
        return 0

    with pytest.raises(Interrupted) as stopped:
        asyncio.run(interruptible(command()))
    assert stopped.value.code == code
    assert done == [f"closed: {by}", "the rest cut short"]


def test_E4_a_third_signal_ends_the_process_where_it_is() -> None:
    async def command() -> int:
        try:
            _signal_soon(signal.SIGINT)
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            for _ in range(2):
                _signal_soon(signal.SIGINT)
            await finishing(asyncio.sleep(60), within=30)  # a close that hangs
        return 0

    with pytest.raises(Interrupted) as stopped:
        asyncio.run(interruptible(command()))
    assert stopped.value.code == 130


def test_E4_what_must_finish_is_bounded_in_time() -> None:
    async def command() -> None:
        with pytest.raises(TimeoutError):
            await finishing(asyncio.sleep(60), within=0.05)

    asyncio.run(command())
    assert stopped_by() is None  # outside interruptible: no signal came


_LATE_SIGNAL = """
import asyncio, os, signal, sys, time
from released_intacct.app.cli.signals import Interrupted, interruptible

async def command():
    os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C
    await asyncio.sleep(60)

try:
    asyncio.run(interruptible(command(), last=LAST))
except Interrupted as stop:
    print("stopped", flush=True)
    os.kill(os.getpid(), signal.SIGINT)  # the second, once the command has ended
    time.sleep(0.2)  # the process's way out
    sys.exit(stop.code)
"""


@pytest.mark.parametrize("last", [True, False], ids=["the-program", "embedded"])
def test_E4_a_second_ctrl_c_after_the_command_stopped_keeps_exit_code_130(last: bool) -> None:
    """Run as the program (``last``), a Ctrl-C that comes once the command has stopped is
    ignored: the process ends with 130, not killed by the signal (-2, Python's own handler). An
    embedded caller keeps its own handler."""
    script = _LATE_SIGNAL.replace("LAST", str(last))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=False
    )
    assert "stopped" in done.stdout, done.stderr
    assert done.returncode == (130 if last else -signal.SIGINT), done.stderr
