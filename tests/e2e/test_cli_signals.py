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
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli import main, sync
from released_intacct.app.cli.shell import Console
from released_intacct.app.decisions import decisions_from_toml
from released_intacct.app.service import Service
from released_intacct.app.settings import Settings, settings_from_toml
from released_intacct.domain.ids import ConnectionId
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

    def cli(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """A command run to its end, its output captured."""
        command = [CLI, "--config", str(self.config), *argv]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

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


def _said(child: subprocess.Popen[str], *, timeout: float) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of ``child``; killed if it has not ended in ``timeout``."""
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        _, err = child.communicate()
        pytest.fail(f"the sync did not end within {timeout} s: {err}")
    return child.returncode, out, err


def _ended(child: subprocess.Popen[str], *, timeout: float) -> tuple[int, str]:
    """The exit code and stderr of ``child`` (``_said``)."""
    code, _, err = _said(child, timeout=timeout)
    return code, err


def _held_sync(demo: Demo) -> subprocess.Popen[str]:
    """A ``sync`` under way, held in its first Intacct request (a two-minute delay)."""
    held = demo.fault(kind="delay", delay_ms=120_000, times=1)
    child = demo.sync()
    deadline = time.monotonic() + 60
    while demo.fired(held) == 0:
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the sync never reached Intacct"
        time.sleep(0.05)
    return child


@pytest.mark.parametrize(
    ("sig", "code", "by"),
    [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")],
    ids=["SIGTERM", "SIGINT"],
)
def test_F7_E4_sigterm_stops_a_sync_as_ctrl_c_does_and_its_run_is_closed_red(
    demo: Demo, sig: signal.Signals, code: int, by: str
) -> None:
    child = _held_sync(demo)
    child.send_signal(sig)
    ended, err = _ended(child, timeout=60)
    assert ended == code, err  # 128 + the signal, as a tool the signal stops
    assert "interrupted" in err
    run, note = demo.latest()
    assert run.finished_at is not None  # finished in the store, not left open
    assert run.status is RunStatus.FAILED
    assert note.startswith("The sync stopped")
    assert f"stopped by {by}" in note


def test_E4_ctrl_c_twice_closes_the_run_red_and_a_sync_at_once_starts(demo: Demo) -> None:
    child = _held_sync(demo)
    child.send_signal(signal.SIGINT)
    child.send_signal(signal.SIGINT)  # the second stops at once, the run still closed red
    ended, err = _ended(child, timeout=60)
    assert ended == 130, err
    run, note = demo.latest()
    assert run.status is RunStatus.FAILED
    assert run.finished_at is not None
    assert "stopped by Ctrl-C" in note
    status = demo.cli("status", CONNECTION)
    assert status.returncode == 0, status.stderr
    assert "why it is red:" in status.stdout  # the reason, read back by another process
    assert "The sync was interrupted (stopped by Ctrl-C)" in status.stdout
    again, err = _ended(demo.sync(), timeout=180)  # at once: no waiting for the run to go stale
    assert again in (0, 1), err  # a run started and finished (not refused: E4, exit 2)
    latest, _ = demo.latest()
    assert latest.id != run.id
    assert latest.finished_at is not None


def test_F7_a_day_long_retry_after_ends_the_sync_red_at_once(demo: Demo) -> None:
    demo.fault(kind="throttle", retry_after=86_400, times=1)
    code, said, err = _said(demo.sync(), timeout=120)
    assert code == 1, err  # red, not hung
    why = said[said.index("why it is red:") :]  # the reason, not only counts (E3)
    assert "asked to wait 86400 s" in why
    assert "intacct.max_retry_after" in why
    run, note = demo.latest()
    assert run.finished_at is not None
    assert run.status is RunStatus.FAILED
    assert "asked to wait 86400 s" in note
    assert "intacct.max_retry_after" in note


def test_E4_a_crash_of_the_sync_command_closes_its_run_red_and_a_sync_at_once_starts(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = demo.fault(kind="delay", delay_ms=120_000, times=1)

    async def crashing(service: Service, id: ConnectionId, **_: Any) -> None:
        await service.sync_now(id)
        while demo.fired(held) == 0:  # the run is under way, held in its first Intacct request
            await asyncio.sleep(0.05)
        raise RuntimeError("a bug in the command")

    monkeypatch.setattr(sync, "follow_run", crashing)
    err = StringIO()
    with pytest.raises(RuntimeError, match="a bug in the command"):
        main(["--config", str(demo.config), "sync", CONNECTION], console=Console(err=err))
    assert "stopping (stopped by an error in this process (RuntimeError))" in err.getvalue()
    run, note = demo.latest()
    assert run.status is RunStatus.FAILED
    assert run.finished_at is not None
    assert "stopped by an error in this process (RuntimeError)" in note
    again, said = _ended(demo.sync(), timeout=180)
    assert again in (0, 1), said  # the company is free: no waiting for the run to go stale
