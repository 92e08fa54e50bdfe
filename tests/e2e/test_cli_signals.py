"""``released-intacct sync`` in a process of its own: it stops on SIGTERM as on Ctrl-C, and never
waits without bound (issue 16, F7).

Both simulators run with their demo seeds in processes of their own; the demo is onboarded and
confirmed (``fakes.crash_trial``), then ``sync`` runs as an operator starts it, and a fault of the
Intacct simulator holds it: a ``delay`` of two minutes on its first request (then the signal is
sent), or a 429 asking to wait a day.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from released_intacct.app.bootstrap import open_service
from released_intacct.app.decisions import decisions_from_toml
from released_intacct.app.settings import Settings, settings_from_toml
from released_intacct.domain.results import RunStatus
from released_intacct.domain.state import Run
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.crash_trial import CONNECTION, World, onboard, write_settings

DECISIONS = Path(__file__).parents[2] / "examples" / "demo" / "decisions.toml"
CLI = str(Path(sys.executable).parent / "released-intacct")


@dataclass(frozen=True)
class Demo:
    world: World
    config: Path
    settings: Settings

    def fault(self, **rule: Any) -> str:
        added = self.world.http.post(f"{self.world.intacct}/_sim/faults", json=rule)
        added.raise_for_status()
        return str(added.json()["rule_id"])

    def fired(self, rule_id: str) -> int:
        listed = self.world.http.get(f"{self.world.intacct}/_sim/faults").json()["faults"]
        return int(next(rule["fired"] for rule in listed if rule["rule_id"] == rule_id))

    def sync(self) -> subprocess.Popen[str]:
        argv = [CLI, "--config", str(self.config), "sync", CONNECTION]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def latest(self) -> tuple[Run, str]:
        """The company's latest run and its latest notification's body, as the store has them."""

        async def read() -> tuple[Run, str]:
            async with open_service(self.settings) as service:
                store = service.ports.store
                (run,) = await value(store.runs(CONNECTION, limit=1))
                notes = await value(store.notifications(CONNECTION))
                return run, notes[0].notification.body

        return asyncio.run(read())


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    world = World.start(tmp_path / "logs")
    try:
        world.reset()
        config = write_settings(tmp_path / "store", world)
        settings = settings_from_toml(config)
        asyncio.run(onboard(settings, decisions_from_toml(DECISIONS)))
        yield Demo(world, config, settings)
    finally:
        world.stop()


def _ended(child: subprocess.Popen[str], *, timeout: float) -> tuple[int, str]:
    """The exit code and stderr of ``child``; killed if it has not ended within ``timeout``."""
    try:
        _, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"the sync did not end within {timeout} s: {err}")
    return child.returncode, err


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_F7_sigterm_stops_a_sync_as_ctrl_c_does_and_its_run_is_finished(
    demo: Demo, sig: signal.Signals
) -> None:
    held = demo.fault(kind="delay", delay_ms=120_000, times=1)
    child = demo.sync()
    deadline = time.monotonic() + 60
    while demo.fired(held) == 0:  # the run is under way, held in its first Intacct request
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the sync never reached Intacct"
        time.sleep(0.05)
    child.send_signal(sig)
    code, err = _ended(child, timeout=60)
    assert code == 2, err
    assert "interrupted" in err
    run, note = demo.latest()
    assert run.finished_at is not None  # finished in the store, not left open
    assert run.status is RunStatus.FAILED
    assert note.startswith("The sync stopped")


def test_F7_a_day_long_retry_after_ends_the_sync_red_at_once(demo: Demo) -> None:
    demo.fault(kind="throttle", retry_after=86_400, times=1)
    code, err = _ended(demo.sync(), timeout=120)
    assert code == 1, err  # red, not hung
    run, note = demo.latest()
    assert run.finished_at is not None
    assert run.status is RunStatus.FAILED
    assert "asked to wait 86400 s" in note
    assert "intacct.max_retry_after" in note
