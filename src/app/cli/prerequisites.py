"""``released-intacct prerequisites CONNECTION`` and ``acknowledge CONNECTION NAME...`` (rule C5).

``prerequisites`` shows each prerequisite of the chosen entity: it holds, fails (with its fix) or
is unknown (Intacct cannot report it: where to check it, and whether it was acknowledged); exit 0
when nothing blocks confirm, else 2. ``acknowledge`` records that the user checked the named
prerequisites in Intacct (the time is kept); ``onboard --acknowledge`` and the decisions file's
``[prerequisites]`` do the same.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from returns.pipeline import is_successful

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.shell import OK, REFUSED, Console, add_command, connection_id, failed
from released_intacct.app.service import Service
from released_intacct.app.settings import Settings
from released_intacct.domain.enums import Prerequisite
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.rules.prerequisites import Assessment, Status

__all__ = ["check_lines", "prerequisite", "register", "review_prerequisites", "show_checks"]

_MARK = {Status.HOLDS: "holds  ", Status.FAILS: "FAILS  ", Status.UNKNOWN: "unknown"}


def prerequisite(raw: str) -> Prerequisite:
    """An argparse type: a prerequisite by its name, or an error listing the names."""
    try:
        return Prerequisite(raw.strip())
    except ValueError:
        names = ", ".join(p.value for p in Prerequisite)
        msg = f"unknown prerequisite {raw!r}; the names are: {names}"
        raise argparse.ArgumentTypeError(msg) from None


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    shown = add_command(
        commands,
        "prerequisites",
        summary="check Intacct's set-up at the chosen entity (rule C5)",
        description=(
            "Shows each prerequisite of rule C5: it holds, fails (with its fix) or is unknown "
            "because Intacct cannot report it (where to check it in Intacct, and whether it was "
            "acknowledged). Exit code 0 when nothing blocks confirm, else 2."
        ),
        examples="  released-intacct prerequisites conn-3f2a...",
        run=_show,
    )
    shown.add_argument("connection", type=connection_id, help="the connection id")
    told = add_command(
        commands,
        "acknowledge",
        summary="record that prerequisites Intacct cannot report were checked (rule C5)",
        description=(
            "Records that you checked, in Sage Intacct, each named prerequisite that Intacct "
            "cannot report (see `prerequisites`); confirm requires it for each unknown one. "
            f"Names: {', '.join(p.value for p in Prerequisite)}."
        ),
        examples="  released-intacct acknowledge conn-3f2a... customer_sequencing "
        "vendor_sequencing",
        run=_acknowledge,
    )
    told.add_argument("connection", type=connection_id, help="the connection id")
    told.add_argument("names", nargs="+", type=prerequisite, metavar="NAME", help="a prerequisite")


async def _show(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    async with open_service(settings, needs_released=False) as service:
        return await review_prerequisites(service, args.connection, (), console)


async def _acknowledge(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    async with open_service(settings, needs_released=False) as service:
        return await review_prerequisites(service, args.connection, args.names, console)


async def review_prerequisites(
    service: Service,
    id: ConnectionId,
    acknowledge: Sequence[Prerequisite],
    console: Console,
    *,
    ask: bool = False,
) -> int:
    """Record ``acknowledge``, show the checks, and (``ask``, at a terminal) ask about each
    unknown one not yet acknowledged; OK when nothing blocks confirm, else REFUSED."""
    flow = service.workflow
    if acknowledge:
        done = await flow.acknowledge(id, acknowledge)
        if not is_successful(done):
            return failed(done.failure(), console)
    checked = await flow.prerequisites(id)
    if not is_successful(checked):
        return failed(checked.failure(), console)
    assessments = checked.unwrap()
    if ask and console.interactive:
        confirmed = [a.prerequisite for a in assessments if _open(a) and _asked(a, console)]
        if confirmed:
            return await review_prerequisites(service, id, confirmed, console)
    console.say("prerequisites (rule C5):")
    show_checks(assessments, console)
    blocking = [a for a in assessments if a.blocks]
    if blocking:
        print("error: the Intacct set-up is not ready (rule C5):", file=console.err)
        for assessment in blocking:
            print(f"  - {assessment.error()}", file=console.err)
        return REFUSED
    console.say("prerequisites (rule C5): ready")
    return OK


def show_checks(assessments: Sequence[Assessment], console: Console) -> None:
    """The prerequisites: a table at a terminal, else ``check_lines``."""
    rows = [
        (_MARK[a.status].strip(), a.prerequisite.value, "\n".join(_said(a))) for a in assessments
    ]
    console.table(
        ("", "PREREQUISITE", "WHAT IS SEEN, AND THE FIX"), rows, plain=check_lines(assessments)
    )


def check_lines(assessments: Sequence[Assessment]) -> list[str]:
    """One line per prerequisite, then its fix or where to check it (pure)."""
    lines: list[str] = []
    for a in assessments:
        said, *fix = _said(a)
        lines.append(f"  {_MARK[a.status]} {a.prerequisite.value}: {said}")
        lines.extend(f"           {line}" for line in fix)
    return lines


def _said(a: Assessment) -> list[str]:
    """What the prerequisite's check says, then its fix or where to check it when it matters."""
    acknowledged = a.status is Status.UNKNOWN and a.acknowledged
    said = [f"{a.message}{' (acknowledged)' if acknowledged else ''}"]
    return said if a.status is Status.HOLDS or acknowledged else [*said, a.fix]


def _open(assessment: Assessment) -> bool:
    return assessment.status is Status.UNKNOWN and not assessment.acknowledged


def _asked(assessment: Assessment, console: Console) -> bool:
    console.say(f"  {assessment.message}")
    console.say(f"  Check it in Sage Intacct: {assessment.where}.")
    return console.confirm(f"  Checked it is as needed ({assessment.prerequisite.value})?")
