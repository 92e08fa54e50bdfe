"""Issue 16's acceptance for F1: two processes, a takeover in the middle of a send.

Both simulators run with their demo seeds, each in a process of its own (``fakes.crash_trial``),
and the demo is onboarded and confirmed into a fresh SQLite store. Then:

1. process A (``released-intacct sync``, the default settings) runs the initial sync. Its first
   request that creates Order Entry documents (``create_sotransaction``) is held by the Intacct
   simulator for ``HELD_MS`` before it runs (a ``delay`` fault);
2. while it is held, process B runs a sync with ``sync.stale_after = 1`` (it treats a run silent
   for a second as dead), so it takes the company over: A's run is released;
3. B finds A's invoices sent but not in Intacct, and may not send them again: A may still be
   sending them. It stops red with a result saying so;
4. A's request runs and A gets its reply: every store write A tries now is refused (fenced), so
   A stops at once with a notification and sends nothing more;
5. a third sync, once A has exited (its process provably dead), finds A's invoices by their keys
   and goes on to the end; a fourth changes nothing.

Intacct must have received the held request once (a second ``delay`` rule of 1 ms counts every
request creating AR invoices), and no record may be written twice on either side.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from released_intacct.app.bootstrap import open_service
from released_intacct.app.decisions import decisions_from_toml
from released_intacct.app.settings import settings_from_toml
from released_intacct.domain.results import RunStatus
from released_intacct.domain.state import IntentState, Run
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.crash_state import duplicates
from released_intacct.fakes.crash_trial import CONNECTION, World, onboard, stored, write_settings

DECISIONS = Path(__file__).parents[2] / "examples" / "demo" / "decisions.toml"
CLI = [str(Path(sys.executable).with_name("released-intacct"))]
HELD_MS = 8_000
HELD_FUNCTION = "create_sotransaction"


@pytest.fixture
def world(tmp_path: Path) -> Any:
    started = World.start(tmp_path / "logs")
    try:
        started.reset()
        yield started
    finally:
        started.stop()


def _sync(config: Path, *, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--config", str(config), "sync", CONNECTION],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "TERM": "dumb"},
    )


def test_F1_a_process_taken_over_mid_send_stops_and_intacct_receives_each_create_once(
    world: World, tmp_path: Path
) -> None:
    config = write_settings(tmp_path / "state", world)
    settings = settings_from_toml(config)
    asyncio.run(onboard(settings, decisions_from_toml(DECISIONS)))
    quick = tmp_path / "state" / "quick.toml"
    quick.write_text(config.read_text() + "\n[sync]\nstale_after = 1\n", encoding="utf-8")
    quick.chmod(0o600)
    held = world.fault(kind="delay", function=HELD_FUNCTION, delay_ms=HELD_MS, times=1)
    counted = world.fault(kind="delay", function=HELD_FUNCTION, delay_ms=1)

    a = subprocess.Popen(  # process A: the initial sync, default settings
        [*CLI, "--config", str(config), "sync", CONNECTION],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TERM": "dumb"},
    )
    try:
        deadline = time.monotonic() + 120
        while world.fired(held) == 0:
            assert a.poll() is None, a.communicate()
            assert time.monotonic() < deadline, "A never sent its AR invoices"
            time.sleep(0.05)
        time.sleep(1.5)  # A is silent for over a second: B treats its run as dead
        b = _sync(quick)  # process B takes the company over while A's request is held
        assert b.returncode == 1, (b.stdout, b.stderr)
        assert a.poll() is None, "A's request should still be held"
        a_out, a_err = a.communicate(timeout=120)
    finally:
        if a.poll() is None:
            a.kill()
            a.wait()
    assert a.returncode != 0, (a_out, a_err)
    assert "no longer holds" in a_out + a_err, (a_out, a_err)
    assert world.fired(counted) == 1  # the held request reached Intacct once: B never sent it

    _, open_intents = asyncio.run(stored(settings))
    assert {i.state for i in open_intents} <= {IntentState.SENT}
    runs = asyncio.run(_runs(config))
    taken, stopped = runs[-1], runs[-2]  # oldest last: A's run, then B's
    assert taken.released_at is not None
    assert stopped.status is RunStatus.FAILED
    notes = asyncio.run(_notes(config))
    assert any(title == "Sync stopped: taken over" for title in notes), notes

    c = _sync(config)  # A has exited: its invoices are looked up by key and found
    assert c.returncode in (0, 1), (c.stdout, c.stderr)
    d = _sync(config)
    assert d.returncode in (0, 1), (d.stdout, d.stderr)
    _, still_open = asyncio.run(stored(settings))
    assert still_open == ()
    intacct, released = world.records()
    assert duplicates(intacct, released) == []


async def _runs(config: Path) -> list[Run]:
    async with open_service(settings_from_toml(config)) as service:
        return list(await value(service.ports.store.runs(CONNECTION)))


async def _notes(config: Path) -> list[str]:
    async with open_service(settings_from_toml(config)) as service:
        found = await value(service.ports.store.notifications(CONNECTION))
        return [n.notification.title for n in found]
