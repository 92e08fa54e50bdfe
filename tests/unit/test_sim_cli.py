"""``intacct-simulator``: arguments, the app it builds, and one real run on a loopback port."""

from __future__ import annotations

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

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct import cli
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH
from released_intacct.fakes.simulators.intacct.simulator import Simulator


def test_defaults_match_the_documented_command_line() -> None:
    args = cli.parser().parse_args([])
    assert (args.host, args.port, args.seed) == ("127.0.0.1", 8001, "demo")
    assert (args.latency_ms, args.concurrency, args.fault_seed) == (0, 2, None)


def test_help_names_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--help"])
    assert stopped.value.code == 0
    shown = capsys.readouterr().out
    for option in ("--host", "--port", "--seed", "--latency-ms", "--concurrency", "--fault-seed"):
        assert option in shown


@pytest.mark.parametrize(
    "argv",
    [["--concurrency", "0"], ["--latency-ms", "-1"], ["--seed", "bogus"], ["--port", "x"]],
)
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    assert stopped.value.code == 2
    assert argv[0] in capsys.readouterr().err


def test_build_makes_an_empty_simulator_with_the_given_limits() -> None:
    args = cli.parser().parse_args(
        ["--seed", "none", "--latency-ms", "25", "--concurrency", "4", "--fault-seed", "x"]
    )
    sim = cli.build(args).state.simulator
    assert isinstance(sim, Simulator)
    assert (sim.companies, sim.concurrency, sim.latency_ms, sim.faults.seed) == ({}, 4, 25, "x")


def test_seed_demo_loads_the_demo_company() -> None:
    sim = cli.build(cli.parser().parse_args(["--seed", "demo"])).state.simulator
    assert "DEMO" in sim.companies


def test_the_console_script_is_declared() -> None:
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="intacct-simulator")
    assert script.value == "released_intacct.fakes.simulators.intacct.cli:main"


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


def test_a_real_run_answers_the_gateway_and_drops_connections(served: str) -> None:
    with httpx.Client(base_url=served, timeout=10) as client:
        reply = client.post(GATEWAY_PATH, content=xmlgw.request("<getAPISession/>"))
        assert reply.status_code == 200
        assert xmlgw.statuses(reply.content) == ["success"]
        assert reply.headers["content-type"].startswith("text/xml")
        endpoint = xmlgw.parse(reply.content).findtext("operation/result/data/api/endpoint")
        assert endpoint == f"{served}{GATEWAY_PATH}"
        assert client.post("/_sim/faults", json={"kind": "drop", "times": 1}).status_code == 201
        with pytest.raises(httpx.RemoteProtocolError):
            client.post(GATEWAY_PATH, content=xmlgw.request("<getAPISession/>"))
