"""Serving an ASGI app for real on loopback, in a background thread, for tests that need sockets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp


@contextmanager
def serving(app: ASGIApp, *, timeout: float = 10.0) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 at an ephemeral port; yield its base URL (``http://host:port``)."""
    # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY on accepted connections only for a
    # listening socket whose proto is TCP, and without it every keep-alive reply waits ~40 ms
    # for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))  # bound here, so nothing else can take the port meanwhile
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            msg = f"the app did not start on 127.0.0.1:{port}"
            raise RuntimeError(msg)
        time.sleep(0.02)
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout)
        sock.close()
