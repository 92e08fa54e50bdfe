"""The simulators of ``make run``, each in a process of its own, started and stopped as a group.

``Simulators.start(...)`` starts ``intacct-simulator`` and ``released-simulator`` (as
``python -m``, so the same interpreter and package) with their demo seeds on the ports given,
writes each one's output to a log file, and waits until both answer HTTP. ``stop()`` ends them:
SIGTERM, then SIGKILL for one that has not ended within a few seconds. A port already taken is a
``DemoError`` naming the port and the fix, before anything is started.
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

__all__ = ["DemoError", "Simulators", "port_free"]

_MODULES = {
    "intacct": "released_intacct.fakes.simulators.intacct.cli",
    "released": "released_intacct.fakes.simulators.released.cli",
}


class DemoError(RuntimeError):
    """The demo cannot go on; the message says why and what to do."""


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@dataclass
class Simulators:
    host: str
    ports: dict[str, int]
    logs: Path
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

    def stop(self, *, grace: float = 5.0) -> None:
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
            "demo",
            "--log-level",
            "warning",
        ]
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 - our own module

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
