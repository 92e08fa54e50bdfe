"""The simulators of ``make run``, each in a process of its own, started and stopped as a group.

``Simulators.start(...)`` starts ``intacct-simulator`` and ``released-simulator`` (as
``python -m``, so the same interpreter and package) with their demo seeds on the ports given,
writes each one's output to a log file, and waits until both answer HTTP. ``stop()`` ends them:
SIGTERM, then SIGKILL for one that has not ended within a few seconds; it names a simulator that
had ended before it was asked. A port already taken is a ``DemoError`` naming the port and the fix,
before anything is started.

Each simulator runs in a session of its own, so the Ctrl-C a terminal sends to its foreground
process group reaches the demo only: the demo stops its sync first (the run finished red while
both simulators still answer), then the simulators.

Starting again at once on the same ports works: a port whose last connections are in TIME_WAIT is
free to a listener that sets SO_REUSEADDR, as the simulators' and the admin API's servers do
(uvicorn's asyncio servers), so ``port_free`` probes with it set too.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

__all__ = ["DemoError", "Simulators", "await_line", "free_ports", "port_free"]

_MODULES = {
    "intacct": "released_intacct.fakes.simulators.intacct.cli",
    "released": "released_intacct.fakes.simulators.released.cli",
}


class DemoError(RuntimeError):
    """The demo cannot go on; the message says why and what to do."""


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now (connections in TIME_WAIT allowed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """``count`` distinct ports free on ``host`` now (for a demo run by a test)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((host, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def await_line(process: subprocess.Popen[str], text: str, *, timeout: float) -> str:
    """Read ``process``'s stdout up to the first line holding ``text``; what was read. An
    ``AssertionError`` with what was read (and stderr, once it ended) when none comes in time."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    ended = process.stderr is not None and process.poll() is not None
    stderr = process.stderr.read() if process.stderr is not None and ended else ""
    raise AssertionError(f"no line with {text!r}:\n" + "".join(seen)[-3000:] + stderr[-3000:])


@dataclass
class Simulators:
    host: str
    ports: dict[str, int]
    logs: Path
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """More command-line options of a simulator, by name (``--latency-ms 50``)."""
    seeds: dict[str, str] = field(default_factory=dict)
    """A simulator's seed by name, when not ``demo`` (``{"intacct": "demo-blue"}``)."""
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _files: list[IO[bytes]] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"http://{self.host}:{self.ports[name]}"

    def start(self, *, timeout: float = 30.0) -> None:
        for name, port in self.ports.items():
            if not port_free(self.host, port):
                msg = (
                    f"port {port} on {self.host} (the {name} simulator) is already in use; stop "
                    f"what listens there (an earlier `make run`?) or pass --{name}-port"
                )
                raise DemoError(msg)
        self.logs.mkdir(parents=True, exist_ok=True)
        for name, port in self.ports.items():
            self.processes[name] = self._spawn(name, port)
        deadline = time.monotonic() + timeout
        for name, port in self.ports.items():
            self._await_port(name, port, deadline)

    def stop(self, *, grace: float = 5.0) -> list[str]:
        """End every simulator; the names of those that had already ended, unasked."""
        ended = [name for name, process in self.processes.items() if process.poll() is not None]
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for file in self._files:
            file.close()
        self._files.clear()
        return ended

    def _spawn(self, name: str, port: int) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}-simulator.log").open("wb")
        self._files.append(log)
        command = [
            sys.executable,
            "-m",
            _MODULES[name],
            "--host",
            self.host,
            "--port",
            str(port),
            "--seed",
            self.seeds.get(name, "demo"),
            "--log-level",
            "warning",
            *self.options.get(name, ()),
        ]
        return subprocess.Popen(  # noqa: S603 - our own module
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _await_port(self, name: str, port: int, deadline: float) -> None:
        process = self.processes[name]
        while time.monotonic() < deadline:
            if process.poll() is not None:
                msg = (
                    f"the {name} simulator ended at start (exit code {process.returncode}); "
                    f"see {self.logs / f'{name}-simulator.log'}"
                )
                raise DemoError(msg)
            with contextlib.suppress(OSError), socket.create_connection((self.host, port), 0.5):
                return
            time.sleep(0.05)
        msg = f"the {name} simulator did not answer on port {port} in time"
        raise DemoError(msg)
