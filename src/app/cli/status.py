"""``released-intacct status [CONNECTION]``: where each company is (rules E3, E4).

One block per connection: its companies and entity, its phase, the colour of its last run, the
last run (with the Intacct API transactions it spent and, when red, why: ``app.reasons``, the
same reasons the admin API gives), the next run, and the Intacct API transactions this process
spent (0 in a fresh process).
While a confirm is under way (phase ``confirming``, rule O5) a line says since when, by which
process (``host/pid``) and until when it holds the connection, after which a confirm whose process
stopped may be taken over.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Final

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
from released_intacct.app.cli.summary import why_red
from released_intacct.app.company_status import CompanyStatus
from released_intacct.app.service import Service
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
            "last run with the Intacct API transactions it spent and, when red, why (the "
            "notification it ended with, the rules its failed records broke and their fixes), the "
            "next run and the Intacct API transactions spent by this process."
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
            status = await service.status(id)
            if not is_successful(status):
                return failed(status.failure(), console)
            shown = status.unwrap()
            console.table(("", str(shown.connection.id)), fields(shown), plain=describe(shown))
    return OK


async def _ids(
    service: Service, one: ConnectionId | None, console: Console
) -> list[ConnectionId] | None:
    if one is not None:
        return [one]
    every = await service.connections()
    if not is_successful(every):
        failed(every.failure(), console)
        return None
    return [c.id for c in every.unwrap()]


_WHY: Final = "why it is red"


def fields(status: CompanyStatus) -> list[tuple[str, str]]:
    """One company's status as (field, value) pairs, in order (pure); a red last run adds a
    ``why it is red`` pair per reason."""
    c, run = status.connection, status.last_run
    entity = "-" if c.entity is None else (c.entity or "top level")
    colour = status.colour or (status.run_status.value if status.run_status else "never run")
    pairs = [
        ("companies", f"Re-Leased {c.released_company} -> Intacct {c.intacct_company} "
                      f"(entity {entity})"),
        ("phase", c.phase.value + (f", syncing from {c.sync_from.isoformat()}"
                                   if c.sync_from else "")),
        ("intacct.api", c.api.value),
    ]  # fmt: skip
    if c.confirming is not None:
        pairs.append((
            "confirming",
            f"since {_when(c.confirming.since)} by {c.confirming.holder or 'an unknown process'}, "
            f"held until {_when(c.confirming.until)} (then a confirm again takes over one whose "
            "process stopped)",
        ))  # fmt: skip
    pairs.append(("status", colour + (" (running)" if status.running else "")))
    if run is not None:
        pairs.append((
            "last run",
            f"{run.id} started {_when(run.started_at)}, finished {_when(run.finished_at)}, "
            f"{run.errors} error(s), {run.transactions} Intacct API transaction(s)",
        ))  # fmt: skip
        pairs.extend((_WHY, str(reason)) for reason in status.reasons)
    pairs.append(("next run", _when(status.next_run)))
    pairs.append(("transactions", f"{status.transactions_spent} spent by this process"))
    return pairs


def describe(status: CompanyStatus) -> list[str]:
    """The plain lines of one company's status (pure): its id, then a line per field; a red
    run's reasons under ``why it is red:`` (``summary.why_red``)."""
    lines = [f"{status.connection.id}"]
    for name, value in fields(status):
        if name != _WHY:
            lines.append(f"  {name:<13} {value}")
        if name == "last run":
            lines.extend(f"  {line}" for line in why_red(status.reasons))
    return lines


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.isoformat(timespec="seconds")
