"""``make run``: the product end to end on the demo pair, then serving until Ctrl-C.

1. Starts both simulators with their demo seeds, each in its own process (Intacct on 8001,
   Re-Leased on 8002), and the admin API on http://127.0.0.1:8000, over a fresh SQLite store in
   ``.demo/`` (settings in ``.demo/settings.toml``: a new encryption key and admin token each run).
2. Connects the demo companies (Intacct ``DEMO`` at entity E100, Re-Leased ``RL-DEMO``, sync from
   2024-01-01), checks the prerequisites (C5), auto-matches (O2) and takes the decisions of
   ``examples/demo/decisions.toml`` (O3), confirms (O5), and follows the initial sync with a
   progress bar per record type.
3. Prints a summary: counts per record type, every sync result grouped by its rule, where to look
   next (the admin API's URL and token, the CLI, the logs).
4. Keeps serving, with the scheduler running a sync every few minutes, until Ctrl-C (or SIGTERM),
   which stops the admin API, lets a run under way finish, and ends both simulators; a second
   Ctrl-C (or SIGTERM) stops the run too, finished red in the store (``app.cli.signals``).

Ctrl-C (or SIGTERM) during the initial sync stops it at once: the run is finished red in the store
with its reason, which the demo prints, and only then are the admin API and the simulators
stopped (they run in sessions of their own, so a terminal's Ctrl-C does not reach them first).
An interrupted demo exits with 130.

It runs from any folder: the decisions file and the work folder default to the checkout's
(``examples/demo/decisions.toml``, ``.demo/``), found from this module, not from the current
folder; a path given on the command line is the caller's, relative to the current folder.
``--once`` stops after the summary (tests); ``--intacct-api rest`` connects over the REST API
(the simulator's OAuth client, client credentials) instead of XML, on the demo company without
Order Entry and Purchasing (seed ``demo-blue-rest``: the REST pages show no way to create the
Items those need, rule D17); ``--latency-ms`` slows the
Intacct simulator's every reply. The service logs to ``.demo/logs/service.log``; the simulators to
``.demo/logs/*-simulator.log``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import secrets
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from returns.pipeline import is_successful

from released_intacct.adapters.state import generate_key
from released_intacct.app.admin import create_admin_app
from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.logs import formatter, secrets_of
from released_intacct.app.cli.signals import interruptible, stopping_gently
from released_intacct.app.decisions import Decisions, DecisionsError, decisions_from_toml
from released_intacct.app.http_server import serve_until
from released_intacct.app.service import Service
from released_intacct.app.settings import Settings, SettingsError, settings_from_toml
from released_intacct.domain.state import ResultFilter
from released_intacct.fakes.demo_onboard import onboard_and_sync, refused
from released_intacct.fakes.demo_pair import DEMO, DEMO_OAUTH
from released_intacct.fakes.demo_processes import DemoError, Simulators, port_free
from released_intacct.fakes.demo_summary import Where, summary
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH, REST_PREFIX
from released_intacct.fakes.simulators.released import seed as released_seed

__all__ = ["main"]

HOST = "127.0.0.1"
CHECKOUT = Path(__file__).resolve().parents[1]
"""The checkout this module is in (``fakes/`` is ``released_intacct.fakes``)."""
DECISIONS = CHECKOUT / "examples" / "demo" / "decisions.toml"
WORKDIR = CHECKOUT / ".demo"
INTERRUPTED = 130
"""The exit code of a demo stopped by Ctrl-C or SIGTERM (128 + SIGINT), as the CLI's."""


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="make run",
        description="The product end to end on the demo pair of simulated companies.",
    )
    cli.add_argument(
        "--workdir", default=str(WORKDIR), help="state, settings and logs (default .demo)"
    )
    cli.add_argument("--admin-port", type=int, default=8000, help="admin API port (8000)")
    cli.add_argument("--intacct-port", type=int, default=8001, help="Intacct simulator (8001)")
    cli.add_argument("--released-port", type=int, default=8002, help="Re-Leased simulator (8002)")
    cli.add_argument("--decisions", default=str(DECISIONS), help="onboarding decisions (TOML)")
    cli.add_argument("--every", type=int, default=5, help="minutes between scheduled syncs (5)")
    cli.add_argument("--once", action="store_true", help="stop after the summary")
    cli.add_argument(
        "--intacct-api",
        choices=("xml", "rest"),
        default="xml",
        help="the API the demo connection speaks (xml): rest connects the simulator's OAuth "
        "client demo-client for the Web Services user (client credentials), to the demo "
        "company without Order Entry and Purchasing (over REST the product cannot create the "
        "Items they need, rule D17)",
    )
    cli.add_argument(
        "--latency-ms",
        type=int,
        default=0,
        help="added to every reply of the Intacct simulator, in ms (0): a slower initial sync",
    )
    cli.add_argument(
        "--with-sync-errors",
        action="store_true",
        help=(
            "seed the Intacct company with D13's negative invoice and D14's EUR customer and "
            "invoice too: sync errors by rule, so every run ends red (E3) until they are unlinked"
        ),
    )
    cli.add_argument(
        "--log-level",
        default="info",
        choices=("debug", "info", "warning", "error"),
        help="the service log's level (info); debug adds the HTTP and SQLite libraries' lines",
    )
    return cli


def _intacct_seed(args: argparse.Namespace) -> str:
    """The Intacct simulator's seed: with D13's and D14's sync errors, or without them; over REST
    without Order Entry and Purchasing (``seed.load_demo``)."""
    if args.with_sync_errors:
        return "demo"
    return "demo-blue-rest" if args.intacct_api == "rest" else "demo-blue"


def main(argv: Sequence[str] | None = None, *, out: TextIO = sys.stdout) -> int:
    args = parser().parse_args(argv)
    workdir = Path(args.workdir).resolve()  # the settings file names its paths absolute
    try:
        if not port_free(HOST, args.admin_port):
            msg = f"port {args.admin_port} (the admin API) is in use; stop what listens there"
            raise DemoError(msg)
        decisions = decisions_from_toml(args.decisions)
        settings = _fresh_workdir(workdir, args)
        _log_to(workdir / "logs" / "service.log", level=args.log_level, settings=settings)
        simulators = Simulators(
            HOST,
            {"intacct": args.intacct_port, "released": args.released_port},
            logs=workdir / "logs",
            options={"intacct": ("--latency-ms", str(args.latency_ms))},
            seeds={"intacct": _intacct_seed(args)},
        )
        print(f"Starting the simulators (logs in {workdir / 'logs'}) ...", file=out)
        try:
            simulators.start()
            return asyncio.run(interruptible(_demo(args, workdir, settings, decisions, out)))
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the runs under way were stopped, red
            print("Interrupted: the runs under way were stopped.", file=out)
            return INTERRUPTED
        finally:
            for name in simulators.stop():
                print(f"make run: the {name} simulator had stopped before the demo", file=out)
            print("Stopped the admin API and both simulators.", file=out, flush=True)
    except (DemoError, DecisionsError, SettingsError, OSError) as error:
        print(f"make run: {error}", file=sys.stderr)
        return 2


def _fresh_workdir(workdir: Path, args: argparse.Namespace) -> Settings:
    """A new store, key and token each run: the simulators start from their seeds each time."""
    if workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "logs").mkdir(parents=True)
    config = workdir / "settings.toml"
    config.write_text(
        "# Written by `make run` for this run; the key and token are new every time.\n"
        f'database = "{workdir / "state.sqlite3"}"\n'
        f'encryption_key = "{generate_key().reveal()}"\n'
        f'admin_token = "{secrets.token_urlsafe(32)}"\n\n'
        f"[schedule]\nevery_minutes = {args.every}\n\n"
        f'[intacct]\nendpoint = "http://{HOST}:{args.intacct_port}{GATEWAY_PATH}"\n'
        f'api_base = "http://{HOST}:{args.intacct_port}{REST_PREFIX}"\n\n'
        f'[released]\nbase_url = "http://{HOST}:{args.released_port}"\n'
        f'api_key = "{released_seed.API_KEY}"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    return settings_from_toml(config)


def _log_to(path: Path, *, level: str, settings: Settings) -> None:
    """The service's log file, in the CLI's lines (``cli.logs``): logfmt, the settings' secrets
    hidden."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(formatter(secrets_of(settings), verbose=level.upper() == "DEBUG"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level.upper())


async def _demo(
    args: argparse.Namespace, workdir: Path, settings: Settings, decisions: Decisions, out: TextIO
) -> int:
    started = time.monotonic()
    stop = asyncio.Event()
    async with open_service(settings) as service:
        admin = create_admin_app(
            service,
            token=settings.admin_token,
            max_body=settings.admin_max_body_bytes,
            openapi_public=settings.admin_openapi_public,
            ui=True,
        )
        api = asyncio.create_task(serve_until(admin, stop, host=HOST, port=args.admin_port))
        try:
            try:  # Ctrl-C or SIGTERM here cancels: the initial sync is stopped, red
                credentials = DEMO_OAUTH if args.intacct_api == "rest" else DEMO
                id, run = await onboard_and_sync(service, decisions, out, credentials=credentials)
            except asyncio.CancelledError:
                await _stopped(service, out)
                raise
            results = await service.results(id, ResultFilter(limit=10_000))
            if not is_successful(results):
                raise refused(results.failure())
            token = settings.admin_token.reveal() if settings.admin_token else ""
            where = Where(
                connection=id,
                admin_url=f"http://{HOST}:{args.admin_port}",
                token=token,
                config=str(workdir / "settings.toml"),
                logs=str(workdir / "logs"),
                every_minutes=args.every,
                cli=str(Path(sys.executable).parent / "released-intacct"),
            )
            out.write(summary(run, results.unwrap(), where))
            print(f"(ready after {time.monotonic() - started:.1f} s)", file=out, flush=True)
            if not args.once:
                # Ctrl-C or SIGTERM: stop serving, let a run under way finish; a second one
                # stops it too
                with stopping_gently(stop.set):
                    await service.scheduler.serve(stop)
        finally:
            stop.set()
            with contextlib.suppress(asyncio.CancelledError):
                await api
    return 0


async def _stopped(service: Service, out: TextIO) -> None:
    """Interrupted during onboarding or the initial sync: the runs under way stopped now, each
    finished red with its reason in the store, and the reasons told, while the simulators still
    answer (``main`` stops them after)."""
    await service.stop()
    connections = await service.connections()
    for connection in connections.value_or(()):
        notes = await service.notifications(connection.id)
        latest = max(notes.value_or(()), key=lambda note: note.id, default=None)
        if latest is not None:
            said = latest.notification
            print(f"{said.title}: {said.body}", file=out, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
