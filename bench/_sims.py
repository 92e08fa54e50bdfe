"""Both simulators served, each in a process of its own (``_world.py``), for the time of a
``with``: ``simulators(...)`` yields their URLs and ``Served.pids`` names their processes (whose
CPU the many-workers figures report)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Served:
    intacct: str
    released: str
    pids: dict[str, int]
    """The process of each side (``intacct``, ``released``)."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def simulators(*, intacct: Sequence[str] = (), released: Sequence[str] = ()) -> Iterator[Served]:
    """Both simulators serving, each started with its ``_world.py`` options."""
    ports = {"intacct": _free_port(), "released": _free_port()}
    extra = {"intacct": list(intacct), "released": list(released)}
    started = {
        side: subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(HERE / "_world.py"), side, "--port", str(port), *extra[side]],
            stdout=subprocess.PIPE,
            text=True,
        )
        for side, port in ports.items()
    }
    try:
        for side, process in started.items():
            assert process.stdout is not None
            if process.stdout.readline().strip() != "ready":
                msg = f"the {side} simulator did not start"
                raise RuntimeError(msg)
            _await_port(ports[side])
        yield Served(
            intacct=f"http://127.0.0.1:{ports['intacct']}",
            released=f"http://127.0.0.1:{ports['released']}",
            pids={side: process.pid for side, process in started.items()},
        )
    finally:
        for process in started.values():
            process.terminate()
            process.wait(timeout=10)


def _await_port(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    msg = f"nothing listens on port {port}"
    raise RuntimeError(msg)
