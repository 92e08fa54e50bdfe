"""``make run`` (``python -m released_intacct.fakes.demo``) as a newcomer runs it (issue 8).

The demo runs as its own process on free ports with a work folder in ``tmp_path``: both
simulators start as processes of their own, the admin API serves, the demo pair is onboarded and
synced, and the summary names every demo edge case under its rule, well within two minutes. A
second run is stopped by SIGINT while serving: it ends cleanly and takes the simulators with it.
No log line of either run holds a demo credential.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from released_intacct.fakes.simulators.released import seed as released_seed

CREDENTIALS = ("demo-sender-pass", "ws_pass", released_seed.API_KEY)
EDGE_RULES = ("C4", "D2", "D6", "D7", "D8", "D9", "D10", "D11", "D12", "D13", "D14")


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [int(sock.getsockname()[1]) for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _command(workdir: Path, ports: list[int], *more: str) -> list[str]:
    admin, intacct, released = ports
    return [
        sys.executable,
        "-m",
        "released_intacct.fakes.demo",
        "--workdir",
        str(workdir),
        "--admin-port",
        str(admin),
        "--intacct-port",
        str(intacct),
        "--released-port",
        str(released),
        *more,
    ]


def _logs(workdir: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted((workdir / "logs").glob("*.log")))


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_E1_make_run_reports_every_demo_edge_case_under_its_rule(tmp_path: Path) -> None:
    workdir, ports = tmp_path / "demo", _free_ports(3)
    started = time.monotonic()
    done = subprocess.run(
        _command(workdir, ports, "--once"), capture_output=True, text=True, timeout=180, check=False
    )
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert took < 120, took
    assert "Initial sync finished RED" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("  ") and line.split()]
    reported = {row[0] for row in rows}
    for rule in EDGE_RULES:
        assert rule in reported, (rule, out)
    assert f"http://127.0.0.1:{ports[0]}" in out
    assert "token:" in out
    for secret in CREDENTIALS:
        assert secret not in out
        assert secret not in done.stderr
        assert secret not in _logs(workdir)
    assert "event=sync_red" in _logs(workdir)
    assert not any(_listening(port) for port in ports)


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_E4_make_run_serves_until_ctrl_c_then_stops_every_process(tmp_path: Path) -> None:
    workdir, ports = tmp_path / "demo", _free_ports(3)
    with subprocess.Popen(
        _command(workdir, ports), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        _stop_when_served(process, workdir, ports[0])
        assert process.stdout is not None
        said = process.stdout.read()
    assert not any(_listening(port) for port in ports)
    assert "Stopped the admin API and both simulators." in said


def _stop_when_served(process: subprocess.Popen[str], workdir: Path, admin: int) -> None:
    """Wait until the demo serves, check the admin API answers, then Ctrl-C it."""
    try:
        _await_line(process, "Ctrl-C stops everything", timeout=120)
        health = httpx.get(f"http://127.0.0.1:{admin}/health", timeout=5)
        assert health.status_code == 200
        token = _token(workdir / "settings.toml")
        status = httpx.get(
            f"http://127.0.0.1:{admin}/connections",
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert status.status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _await_line(process: subprocess.Popen[str], text: str, *, timeout: float) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    seen: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if text in line:
            return
    stderr = process.stderr.read() if process.stderr and process.poll() is not None else ""
    raise AssertionError("".join(seen)[-3000:] + stderr[-3000:])


def _token(config: Path) -> str:
    for line in config.read_text(encoding="utf-8").splitlines():
        if line.startswith("admin_token"):
            return line.split("=", 1)[1].strip().strip('"')
    raise AssertionError("no admin_token in " + str(config))
