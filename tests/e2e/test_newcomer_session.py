"""Issue 18's acceptance: a newcomer's session, typed as a new user would, in real processes.

From a folder of their own, the newcomer runs ``make -C <checkout> run`` and watches the demo
onboard the demo pair and finish its initial sync without a red run (rule E3). With the demo still
serving, they run ``released-intacct --config <the demo's settings> sync CONNECTION``, find it
slow (the Intacct simulator is slowed through its control API, as a busy company would be) and
press Ctrl-C twice: the sync ends at once with 130, the run closed red with its reason.
``released-intacct status`` reads that reason; ``sync`` run again at once is not refused for a
lock (rule E4) and finishes blue. Ctrl-C then stops the demo.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from released_intacct.app.cli.shell import REFUSED
from released_intacct.fakes.demo_processes import await_line, free_ports
from released_intacct.fakes.simulators.intacct.app import CONTROL_PREFIX

CHECKOUT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).parent / "released-intacct")
INTERRUPTED = "The sync was interrupted"

pytestmark = pytest.mark.skipif(
    os.name != "posix" or shutil.which("make") is None, reason="make and signals"
)


def _make_run(workdir: Path, ports: list[int]) -> list[str]:
    admin, intacct, released = ports
    options = (
        f"--workdir {workdir} --admin-port {admin} --intacct-port {intacct} "
        f"--released-port {released}"
    )
    return ["make", "--no-print-directory", "-C", str(CHECKOUT), "run", f"RUN_ARGS={options}"]


def _cli(config: Path, *words: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "--config", str(config), *words],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _connection(said: str) -> str:
    """The connection id the demo's summary names (in its status URL)."""
    for word in said.split():
        if "/connections/conn-" in word:
            return word.split("/connections/", 1)[1].split("/", 1)[0]
    raise AssertionError(said)


def _interrupted_twice(config: Path, connection: str, *, cwd: Path) -> tuple[int, str, float]:
    """``sync`` started, then Ctrl-C twice once it is under way: its exit code, output and how
    long it took to end after the second. The demo's scheduler may hold the company with a run
    of its own when ``sync`` starts, which refuses it (exit code 2, rule E4, as designed): then
    it is started again once that run is done."""
    refused = ""
    for _ in range(10):
        done = _interrupted_once(config, connection, cwd=cwd)
        if done is not None:
            return done
        refused = _cli(config, "status", connection, cwd=cwd).stdout
        time.sleep(3.0)
    raise AssertionError(f"every sync was refused; the status said: {refused}")


def _interrupted_once(config: Path, connection: str, *, cwd: Path) -> tuple[int, str, float] | None:
    """None when the sync was refused before it could be interrupted (exit code 2)."""
    with subprocess.Popen(
        [CLI, "--config", str(config), "sync", connection],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as sync:
        try:
            time.sleep(3.0)  # logged in and reading: the Intacct simulator answers slowly
            if sync.poll() == REFUSED:
                return None
            assert sync.poll() is None, "the sync ended before it was interrupted"
            os.killpg(sync.pid, signal.SIGINT)
            time.sleep(0.2)
            os.killpg(sync.pid, signal.SIGINT)
            second = time.monotonic()
            code = sync.wait(timeout=30)
            took = time.monotonic() - second
        finally:
            if sync.poll() is None:
                sync.kill()
                sync.wait()
        assert sync.stdout is not None
        return code, sync.stdout.read(), took


def test_E3_E4_a_newcomer_runs_the_demo_interrupts_a_sync_and_syncs_again(tmp_path: Path) -> None:
    workdir, ports = tmp_path / "demo", free_ports(3)
    config = workdir / "settings.toml"
    with subprocess.Popen(
        _make_run(workdir, ports),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as demo:
        try:
            said = await_line(demo, "Ctrl-C stops everything", timeout=300)
            assert "Initial sync finished BLUE" in said, said
            assert " RED" not in said, said
            connection = _connection(said)

            slow = {"company_id": "DEMO", "latency_ms": 400}
            url = f"http://127.0.0.1:{ports[1]}{CONTROL_PREFIX}/limits"
            assert httpx.post(url, json=slow, timeout=5).status_code == 200
            code, output, took = _interrupted_twice(config, connection, cwd=tmp_path)
            assert code == 130, output
            assert took < 10, took
            assert "Traceback" not in output, output

            status = _cli(config, "status", connection, cwd=tmp_path)
            assert "red" in status.stdout, status.stdout + status.stderr
            assert INTERRUPTED in status.stdout, status.stdout + status.stderr

            assert httpx.post(url, json={**slow, "latency_ms": 0}, timeout=5).status_code == 200
            again = _cli(config, "sync", connection, cwd=tmp_path)
            assert again.returncode == 0, again.stdout + again.stderr
            assert "blue" in again.stdout.lower(), again.stdout
        finally:
            if demo.poll() is None:
                os.killpg(demo.pid, signal.SIGINT)
            try:
                demo.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(demo.pid, signal.SIGKILL)
                demo.wait()
