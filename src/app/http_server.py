"""Serving an ASGI app with uvicorn inside an event loop that owns its own shutdown.

uvicorn's ``Server.serve`` takes over SIGINT and SIGTERM and raises them again once it has shut
down, which would cut short whatever else the process is doing (the scheduler, runs under way).
``serve_until(app, stop, host=..., port=...)`` serves until ``stop`` is set, leaving the signals
to the caller, then shuts uvicorn down gracefully.

``server_config(app, ...)`` is the one ``uvicorn.Config`` both use: uvicorn's own logging set-up
is off (``log_config=None``), so its records reach the process's handlers (the CLI's log
pipeline) instead of handlers of uvicorn's own with its multi-line format.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

__all__ = ["QuietServer", "serve_until", "server_config"]


def server_config(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    log_level: str = "warning",
    access_log: bool = True,
) -> uvicorn.Config:
    """uvicorn's settings for ``app`` (no lifespan), its records left to the process's logging."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=log_level,
        access_log=access_log,
        lifespan="off",
    )


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process that runs it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_until(
    app: ASGIApp, stop: asyncio.Event, *, host: str, port: int, log_level: str = "warning"
) -> None:
    """Serve ``app`` on ``host:port`` until ``stop`` is set. A port that cannot be bound is an
    ``OSError`` raised at once (uvicorn itself would exit the process)."""
    config = server_config(app, host=host, port=port, log_level=log_level)
    server = QuietServer(config)
    serving = asyncio.create_task(server.serve())
    stopping = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if serving in done:
        stopping.cancel()
        _raise_start_failure(serving, host, port)
        return
    server.should_exit = True
    await serving


def _raise_start_failure(serving: asyncio.Task[None], host: str, port: int) -> None:
    """uvicorn ends ``serve`` early (SystemExit) when it cannot bind; say which port."""
    try:
        serving.result()
    except SystemExit:
        msg = f"cannot serve on {host}:{port}: the port is in use or not allowed"
        raise OSError(msg) from None
