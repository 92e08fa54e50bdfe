"""``released-intacct worker``: the worker loop alone (``app.scheduler``), one of any number.

It claims the companies that are due from the state store, runs up to ``worker.capacity`` of them
at once, and hands each back with the time of its next run. Many ``worker`` processes, on one
machine or many, share one PostgreSQL database: a company goes to one worker at a time, and a
worker that dies (or is paused) loses its companies to the others after ``sync.stale_after`` (the
lease ttl). On SQLite (one process) it is what ``serve`` runs beside the admin API.

SIGINT and SIGTERM stop it gently (``signals.stopping_gently``): it claims nothing more, lets the
runs under way finish (for ``worker.grace`` seconds, when set; then each is finished red and its
company handed back, due at once, so another worker takes it), hands every lease back and ends.
A second signal stops the runs now (each finished red, its company handed back), exit code 2.
With ``-v`` it logs a heartbeat line (``event=worker_heartbeat``) every third of the lease ttl.
"""

from __future__ import annotations

import argparse
import asyncio

from released_intacct.adapters.state import postgres
from released_intacct.app.bootstrap import database_path, is_postgres, open_service
from released_intacct.app.cli.shell import OK, Console, add_command
from released_intacct.app.cli.signals import stopping_gently
from released_intacct.app.settings import Settings

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_command(
        commands,
        "worker",
        summary="run the syncs of the companies that are due, as one of many workers",
        description=(
            "Claims due companies from the state store (their schedule has come, or a sync was "
            "requested), runs up to worker.capacity at once and hands each back with its next "
            "run time. Run as many as you need against one postgresql:// database; a worker "
            "that dies loses its companies to the others after sync.stale_after seconds. "
            "Ctrl-C or SIGTERM stops it gently: runs under way finish (within worker.grace "
            "seconds, when set) and every company is handed back; a second signal stops them "
            "at once (each finished red). -v logs a heartbeat line."
        ),
        examples="  RELEASED_INTACCT_DATABASE=postgresql://sync@db/released released-intacct -v "
        "worker\n  released-intacct --config prod.toml -v worker",
        run=_run,
    )


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    stop = asyncio.Event()
    with stopping_gently(stop.set):
        async with open_service(settings) as service:
            worker = settings.worker
            console.say(
                f"worker {service.scheduler.worker} on {_database(settings.database)}: up to "
                f"{worker.capacity} companies at once, lease ttl "
                f"{settings.runs.stale_after.total_seconds():g} s (Ctrl-C stops)"
            )
            await service.scheduler.serve(stop)
    console.say("stopped")
    return OK


def _database(database: str) -> str:
    if is_postgres(database):
        return postgres.describe(database)
    return f"SQLite database {database_path(database)}"
