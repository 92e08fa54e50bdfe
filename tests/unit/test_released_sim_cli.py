"""``released-simulator``: arguments, the app it builds, in-process use, one real loopback run."""

from __future__ import annotations

import asyncio
import importlib.metadata
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import IO

import httpx
import pytest

from released_intacct.fakes.simulators.released import cli
from released_intacct.fakes.simulators.released.app import create_app
from released_intacct.fakes.simulators.released.seed import API_KEY, COMPANY_ID
from released_intacct.fakes.simulators.released.simulator import Simulator

DEMO = {"Authorization": f"Bearer {API_KEY}", "X-Company-Id": COMPANY_ID}


def test_defaults_match_the_documented_command_line() -> None:
    args = cli.parser().parse_args([])
    assert (args.host, args.port, args.seed, args.fault_seed) == ("127.0.0.1", 8002, "demo", None)


def test_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--help"])
    assert stopped.value.code == 0
    shown = capsys.readouterr().out
    for option in ("--host", "--port", "--seed", "--fault-seed", "--log-level"):
        assert option in shown


@pytest.mark.parametrize("argv", [["--seed", "bogus"], ["--port", "x"], ["--log-level", "loud"]])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_build_makes_an_empty_or_seeded_simulator() -> None:
    empty = cli.build(cli.parser().parse_args(["--seed", "none", "--fault-seed", "x"]))
    sim = empty.state.simulator
    assert isinstance(sim, Simulator)
    assert (sim.companies, sim.faults.seed) == ({}, "x")
    seeded = cli.build(cli.parser().parse_args([])).state.simulator
    assert list(seeded.companies) == [COMPANY_ID]


def test_the_console_script_is_declared() -> None:
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="released-simulator")
    assert script.value == "released_intacct.fakes.simulators.released.cli:main"


def test_create_app_serves_in_process_through_asgi_transport() -> None:
    app = cli.build(cli.parser().parse_args([]))

    async def run() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://rl") as client:
            listed = await client.get("/api/accounts", headers=DEMO)
            made = await client.post(
                "/api/contacts",
                headers={**DEMO, "Idempotency-Key": "in-process"},
                json={"name": "In Process Ltd"},
            )
            return listed.json()["totalCount"], made.status_code

    assert asyncio.run(run()) == (9, 201)
    assert create_app(Simulator()).state.simulator.companies == {}


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


def _started(lines: queue.Queue[str], *, timeout: float) -> str | None:
    """The base URL from uvicorn's start-up line, or None when it is not printed in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            return None
        found = re.search(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", line)
        if found:
            return found.group(1)
    return None


@pytest.fixture
def served() -> Iterator[str]:
    """The simulator served by ``python -m ...cli`` on a free loopback port; yields its base URL."""
    command = [sys.executable, "-m", cli.__name__, "--port", "0", "--seed", "demo"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_pump, args=(process.stderr, lines), daemon=True)
    reader.start()
    try:
        base = _started(lines, timeout=30)
        assert base is not None, "the simulator did not start"
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        reader.join(timeout=10)
        process.stderr.close()
    assert process.returncode == 0


def test_a_real_run_serves_the_demo_and_drops_connections(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10, headers=DEMO) as client:
        reply = client.get("/api/invoices", params={"includeArchived": "true", "pageSize": "5"})
        assert reply.status_code == 200
        assert (reply.json()["totalCount"], reply.json()["hasMore"]) == (8, True)
        assert client.get("/api/contacts", headers={"Authorization": "Bearer x"}).status_code == 401
        assert client.post("/_sim/faults", json={"kind": "drop", "times": 1}).status_code == 201
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/api/contacts")
        assert client.get("/api/contacts").status_code == 200
