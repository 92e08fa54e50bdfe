"""``serve``: the admin API and the scheduler in one loop, stopped cleanly by SIGINT (rule E4)."""

from __future__ import annotations

import io
import os
import signal
import socket
import threading
import time
from pathlib import Path

import httpx

from released_intacct.adapters.state import generate_key
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import Console


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _poke_then_interrupt(url: str, seen: list[int]) -> None:
    """Ask for health until it answers, then for the console's shell page, then send SIGINT to
    this process (as Ctrl-C does)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            seen.append(httpx.get(url, timeout=1).status_code)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    shell = httpx.get(url.replace("/health", "/ui"), timeout=5, follow_redirects=True)
    seen.append(shell.status_code if "htmx" in shell.text else -shell.status_code)
    os.kill(os.getpid(), signal.SIGINT)


def test_E4_serve_answers_health_and_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(
        f'database = "{tmp_path / "state.sqlite3"}"\n'
        f'encryption_key = "{generate_key().reveal()}"\n'
        "[released]\n"
        'base_url = "http://127.0.0.1:9"\n'
        'api_key = "unused"\n'
    )
    config.chmod(0o600)  # it holds the key
    port = _free_port()
    seen: list[int] = []
    poker = threading.Thread(
        target=_poke_then_interrupt, args=(f"http://127.0.0.1:{port}/health", seen)
    )
    out, err = io.StringIO(), io.StringIO()
    poker.start()
    code = main(
        ["--config", str(config), "serve", "--port", str(port)],
        console=Console(out=out, err=err),
    )
    poker.join()
    assert seen == [200, 200]  # health, then the console's page
    assert code == 0, err.getvalue()
    assert f"serving the admin API on http://127.0.0.1:{port}" in out.getvalue()
    assert f"the console: http://127.0.0.1:{port}/ui" in out.getvalue()
    assert out.getvalue().rstrip().endswith("stopped")


def test_E4_serve_on_a_port_in_use_exits_2_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(
        f'database = "{tmp_path / "s.sqlite3"}"\nencryption_key = "{generate_key().reveal()}"\n'
        '[released]\nbase_url = "http://127.0.0.1:9"\napi_key = "unused"\n'
    )
    config.chmod(0o600)  # it holds the key
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        err = io.StringIO()
        code = main(
            ["--config", str(config), "serve", "--port", str(port)],
            console=Console(out=io.StringIO(), err=err),
        )
    assert code == 2
    assert err.getvalue().startswith(f"error: cannot listen on 127.0.0.1:{port}")
    assert err.getvalue().count("\n") == 1
