"""``released-intacct sync CONNECTION``: run a sync now and show its progress (rules E3, E4).

Exit code 0 when the run finishes blue, 1 when red, 2 when no run could start (a run already
under way, E4; an unknown or unconfirmed connection) or the run lost its company to another
process that took it over (issue 16, F1); 130 when Ctrl-C stopped it, 143 SIGTERM.

Stopped (a signal, ``signals``) or crashed (an exception in this process), the run is closed red
in the store before anything else is let go, its notification saying why ("stopped by Ctrl-C"),
so the company is free and a sync again starts at once. A second Ctrl-C does not cut that short
(``signals.finishing``, at most ``CLOSE_WITHIN``); a third ends the process where it is, and the
run, if not closed by then, is released by the next sync once stale (``sync.stale_after``).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Final

from returns.pipeline import is_successful

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.progress import follow_run
from released_intacct.app.cli.shell import Console, add_command, connection_id, failed
from released_intacct.app.cli.signals import finishing, stopped_by
from released_intacct.app.cli.summary import exit_code, run_results, show, why_red
from released_intacct.app.service import Service
from released_intacct.app.settings import Settings
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.state import Run

__all__ = ["CLOSE_WITHIN", "register", "report_run", "stop_runs"]

CLOSE_WITHIN: Final = 30.0
"""Seconds a stopping sync waits at most for its run to be closed red in the store."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "sync",
        summary="run a sync of one company now and show its progress",
        description=(
            "Runs a sync of the company now (rule E4, on demand) and shows its progress per record "
            "type: bars redrawn in place on a terminal, plain lines otherwise. At the end it "
            "prints the run's status (blue or red), the Intacct API transactions it spent, its "
            "counts per record type, its results by rule and, when red, why: the notification "
            "it ended with and the rules its failed records broke, each with its fix. Ctrl-C "
            "(or SIGTERM) stops the run and closes it red in the store with its reason, so a "
            "sync again starts at once; a second Ctrl-C stops without waiting for anything but "
            "that. Exit code: 0 blue, 1 red, 2 when no run could start (one is already running, "
            "or the connection is unknown or not confirmed), 130 stopped by Ctrl-C, 143 by "
            "SIGTERM."
        ),
        examples="  released-intacct sync conn-3f2a...\n"
        "  released-intacct --config prod.toml sync conn-3f2a... > sync.log",
        run=_run,
    )
    parser.add_argument("connection", type=connection_id, help="the connection id")


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    async with open_service(settings) as service:
        found = await service.connection(args.connection)
        if not is_successful(found):
            return failed(found.failure(), console)
        try:
            outcome = await follow_run(service, args.connection, out=console.out, tty=console.tty)
        except BaseException as error:
            await stop_runs(service, error, console)
            raise
        if not is_successful(outcome):
            return failed(outcome.failure(), console)
        return await report_run(service, args.connection, outcome.unwrap(), console)


async def stop_runs(service: Service, error: BaseException, console: Console) -> None:
    """Close the runs under way red in the store, saying why (a signal, or ``error``), before the
    command lets anything else go (rule E4: the company is left free)."""
    why = stopped_by()
    if why is None and not isinstance(error, asyncio.CancelledError):
        why = f"stopped by an error in this process ({type(error).__name__})"
    if why is not None:
        print(f"stopping ({why}): closing the run red in the store", file=console.err, flush=True)
    await finishing(service.stop(why), within=CLOSE_WITHIN)


async def report_run(service: Service, id: ConnectionId, run: Run, console: Console) -> int:
    """Print what the finished run did and, when red, why (rule E3); its exit code (0 blue,
    1 red)."""
    results = await run_results(service, run)
    reasons = await service.reasons(run)
    if not is_successful(results) or not is_successful(reasons):
        return failed((reasons if is_successful(results) else results).failure(), console)
    show(console, run, results.unwrap())
    for line in why_red(reasons.unwrap()):
        console.say(line)
    if exit_code(run):
        console.say(f"see them with: released-intacct results {id}")
    return exit_code(run)
