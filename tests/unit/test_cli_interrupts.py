"""SIGINT and SIGTERM stop a command alike (``app.cli.signals``; issue 16, F7), in this process."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from released_intacct.app.cli.signals import interruptible, stopping_gently


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
