"""``released-intacct status [CONNECTION]``: where each company is (rules E3, E4).

One block per connection: its companies and entity, its phase, the colour of its last run, the
last and next run, and the Intacct API transactions this process spent (0 in a fresh process).
While a confirm is under way (phase ``confirming``, rule O5) a line says since when, by which
process (``host/pid``) and until when it holds the connection, after which a confirm whose process
stopped may be taken over.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from returns.pipeline import is_successful

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.shell import (
    OK,
    REFUSED,
    Console,
    add_command,
    connection_id,
    failed,
)
from released_intacct.app.ports import settled
from released_intacct.app.service import CompanyStatus, Service
from released_intacct.app.settings import Settings
from released_intacct.domain.ids import ConnectionId

__all__ = ["describe", "register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "status",
        summary="show the phase, last and next run of one company or of all",
        description=(
            "Shows each connection (or the one given): its Re-Leased and Intacct companies, the "
            "entity, the phase (connected, entity_chosen, onboarding, confirming, confirmed; "
            "while confirming, since when and until when that confirm holds it), the colour of "
            "its last run (orange while running with errors, blue or red when finished), the "
            "last and next run and the Intacct API transactions spent by this process."
        ),
        examples="  released-intacct status\n  released-intacct status conn-3f2a...",
        run=_run,
    )
    parser.add_argument(
        "connection", nargs="?", type=connection_id, help="one connection id (default: all)"
    )


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    async with open_service(settings, needs_released=False) as service:
        ids = await _ids(service, args.connection, console)
        if ids is None:
            return REFUSED
        if not ids:
            console.say("no connections yet: connect one with `released-intacct connect`")
        for id in ids:
            status = await settled(service.status(id))
            if not is_successful(status):
                return failed(status.failure(), console)
            for line in describe(status.unwrap()):
                console.say(line)
    return OK


async def _ids(
    service: Service, one: ConnectionId | None, console: Console
) -> list[ConnectionId] | None:
    if one is not None:
        return [one]
    every = await settled(service.connections())
    if not is_successful(every):
        failed(every.failure(), console)
        return None
    return [c.id for c in every.unwrap()]


def describe(status: CompanyStatus) -> list[str]:
    """The lines of one company's status (pure)."""
    c, run = status.connection, status.last_run
    entity = "-" if c.entity is None else (c.entity or "top level")
    colour = status.colour or (status.run_status.value if status.run_status else "never run")
    lines = [
        f"{c.id}",
        f"  companies     Re-Leased {c.released_company} -> Intacct {c.intacct_company} "
        f"(entity {entity})",
        f"  phase         {c.phase.value}"
        + (f", syncing from {c.sync_from.isoformat()}" if c.sync_from else ""),
        f"  status        {colour}" + (" (running)" if status.running else ""),
    ]
    if c.confirming is not None:
        lines.insert(
            3,
            f"  confirming    since {_when(c.confirming.since)} by "
            f"{c.confirming.holder or 'an unknown process'}, held until "
            f"{_when(c.confirming.until)} (then a confirm again takes over one whose process "
            "stopped)",
        )
    if run is not None:
        lines.append(
            f"  last run      {run.id} started {_when(run.started_at)}, "
            f"finished {_when(run.finished_at)}, {run.errors} error(s)"
        )
    lines.append(f"  next run      {_when(status.next_run)}")
    lines.append(f"  transactions  {status.transactions_spent}")
    return lines


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="seconds")
