"""``released-intacct serve``: the admin API (uvicorn) and the worker loop (``app.scheduler``) in
one event loop, for a small install; ``--api-only`` serves the API alone, beside ``worker``
processes.

SIGINT and SIGTERM stop both cleanly (``signals.stopping_gently``): the server stops taking
requests, the scheduler starts no new run, and the runs under way finish before the process ends.
A second signal stops those runs now: each is finished red in the store (so its company is not
left locked, rule E4), and the process ends as interrupted (exit code 130, or 143 on SIGTERM).

The operator's console (``/ui``: onboarding and monitoring in a browser, signed in with the admin
token) is served beside the API unless ``--no-console`` leaves it out.

The socket is bound before anything starts, so a port in use is one line on stderr and exit
code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
from collections.abc import Awaitable

import uvicorn

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.shell import OK, REFUSED, Console, add_command
from released_intacct.app.cli.signals import stopping_gently
from released_intacct.app.http_server import QuietServer, server_config
from released_intacct.app.settings import Settings

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "serve",
        summary="serve the admin API and run the scheduled syncs",
        description=(
            "Serves the admin API over HTTP and runs every confirmed company's sync when its "
            "schedule says (rule E4), in one process. Ctrl-C or SIGTERM stops it: runs under way "
            "finish first; a second Ctrl-C or SIGTERM stops them too (each finished red). "
            "Without an admin_token setting the API answers health only."
        ),
        examples="  released-intacct serve\n"
        "  released-intacct --config prod.toml -v serve --host 0.0.0.0 --port 8080",
        run=_run,
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 = any)")
    parser.add_argument(
        "--no-console",
        action="store_true",
        help="leave out the operator's console at /ui (the JSON API and its docs stay)",
    )
    parser.add_argument(
        "--api-only",
        action="store_true",
        help="serve the admin API only and run no syncs here: `worker` processes run them, "
        "those asked of the API too (on demand, a confirm's initial sync: requested from them)",
    )


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    # Imported here: the admin API is its own package, needed by this command only.
    from released_intacct.app.admin import create_admin_app  # noqa: PLC0415

    try:
        sock = socket.create_server((args.host, args.port))
    except OSError as error:
        print(
            f"error: cannot listen on {args.host}:{args.port}: {error.strerror or error}; "
            "choose another --port or stop what uses it",
            file=console.err,
        )
        return REFUSED
    stop = asyncio.Event()
    with sock, stopping_gently(stop.set):
        host, port = sock.getsockname()[:2]
        async with open_service(settings) as service:
            app = create_admin_app(
                service,
                token=settings.admin_token,
                max_body=settings.admin_max_body_bytes,
                openapi_public=settings.admin_openapi_public,
                ui=not args.no_console,
            )
            config = server_config(app, access_log=False)
            server = QuietServer(config)
            console.say(f"serving the admin API on http://{host}:{port} (Ctrl-C stops)")
            if not args.no_console:
                console.say(f"the console: http://{host}:{port}/ui (sign in with the admin token)")
            if args.api_only:
                service.leave_runs_to_workers()
            scheduling = stop.wait() if args.api_only else service.scheduler.serve(stop)
            await _serve_until(stop, server, sock, scheduling)
    console.say("stopped")
    return OK


async def _serve_until(
    stop: asyncio.Event,
    server: uvicorn.Server,
    sock: socket.socket,
    scheduler: Awaitable[object],
) -> None:
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    scheduling = asyncio.ensure_future(scheduler)
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({serving, scheduling, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    server.should_exit = True
    await asyncio.gather(serving, scheduling, stopping)
