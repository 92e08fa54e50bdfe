"""``released-intacct onboard CONNECTION``: matching, prerequisites, confirm (rules C5, O1-O5).

Matching starts (again: it reads both sides afresh); what auto-match did is shown per step. The
open items are decided by the ``--decisions`` file (each decision printed) or by the person at
the terminal; each step is continued. The prerequisites (C5) are checked: each failure shown with
its fix, each one Intacct cannot report with where to check it, to be acknowledged (--acknowledge,
the decisions file, or a yes at the terminal). With ``--confirm`` (or a yes at the terminal) the
connection is confirmed, which queues the initial sync; its progress is shown until it finishes,
and the exit code is the sync's. While another confirm of the connection is under way (in this or
another process, rule O5), every step is refused with since when and until when it holds the
connection, and the exit code is REFUSED; a confirm that failed can simply be run again.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.connect import add_choice
from released_intacct.app.cli.interactive import decide_at_terminal
from released_intacct.app.cli.prerequisites import prerequisite, review_prerequisites
from released_intacct.app.cli.progress import watch
from released_intacct.app.cli.shell import OK, REFUSED, Console, add_command, connection_id, failed
from released_intacct.app.cli.shell import problems as list_problems
from released_intacct.app.cli.sync import report_run, stop_runs
from released_intacct.app.decisions import (
    Decision,
    Decisions,
    DecisionsError,
    apply_decisions,
    decisions_from_toml,
    describe,
)
from released_intacct.app.service import Service
from released_intacct.app.settings import Settings
from released_intacct.domain.enums import Prerequisite
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.matching import Archive, Candidate, Match, Step
from released_intacct.domain.onboarding import Onboarding, unresolved

__all__ = ["register", "step_lines"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = add_command(
        commands,
        "onboard",
        summary="match what both sides hold, check the set-up, confirm and run the initial sync",
        description=(
            "Starts matching (rules O1, O2) and shows per step what auto-match did. The items "
            "left are decided by --decisions FILE (rule O3; each decision is printed) or asked "
            "at the terminal: match to a listed Intacct record, archive in Re-Leased, or create "
            "a contact in Intacct. Each step is then continued (O5). The prerequisites of the "
            "entity are checked (rule C5); those Intacct cannot report are acknowledged with "
            "--acknowledge NAME, the decisions file's [prerequisites], or at the terminal. With "
            "--confirm, or a yes at the terminal, the "
            "connection is confirmed (fixed for good, C1) and the initial sync runs: its "
            "progress is shown and the exit code is 0 (blue) or 1 (red)."
        ),
        examples="  released-intacct onboard conn-3f2a... --decisions decisions.toml --confirm\n"
        "  released-intacct onboard conn-3f2a...   # asks at the terminal",
        run=_run,
    )
    parser.add_argument("connection", type=connection_id, help="the connection id")
    parser.add_argument("--decisions", metavar="FILE", help="TOML decisions (see the docs)")
    parser.add_argument("--confirm", action="store_true", help="confirm without asking")
    parser.add_argument(
        "--acknowledge",
        action="append",
        default=[],
        type=prerequisite,
        metavar="NAME",
        help="a prerequisite Intacct cannot report that you checked (rule C5; repeatable)",
    )
    add_choice(parser)  # choose the entity (or the top level) and the date first


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    decisions: Decisions | None = None
    if args.decisions is not None:
        try:
            decisions = decisions_from_toml(args.decisions)
        except DecisionsError as error:
            return list_problems(error.problems, console, what="the decisions file cannot be used")
    elif not console.interactive:
        print(
            "error: no one can answer at this terminal: give --decisions FILE, or run onboard "
            "at a terminal",
            file=console.err,
        )
        return REFUSED
    async with open_service(settings) as service:
        id: ConnectionId = args.connection
        matched = await _matched(service, id, args, console)
        if is_successful(matched):
            matched = await _decide(service, id, decisions, console)
        if not is_successful(matched):
            return failed(matched.failure(), console)
        return await _finish(
            service, id, confirm=args.confirm, acknowledge=args.acknowledge, console=console
        )


async def _matched(
    service: Service, id: ConnectionId, args: argparse.Namespace, console: Console
) -> Result[None, SyncError]:
    flow = service.workflow
    if args.entity is not None:
        chosen = await flow.choose_entity(id, args.entity)
        if not is_successful(chosen):
            return Failure(chosen.failure())
    if args.sync_from is not None:
        dated = await flow.set_sync_from(id, args.sync_from)
        if not is_successful(dated):
            return Failure(dated.failure())
    started = await flow.start_matching(id)
    if not is_successful(started):
        return Failure(started.failure())
    console.say("auto-match (rules O1, O2):")
    for step in Step:
        console.say(step_lines(started.unwrap(), step))
    return Success(None)


def step_lines(onboarding: Onboarding, step: Step) -> str:
    """One step after auto-match (pure): matched, archived already, left to decide."""
    state = onboarding.state(step)
    decided = list(state.decisions.values())
    auto = sum(isinstance(d, Match) and d.auto for d in decided)
    archived = sum(isinstance(d, Archive) for d in decided)
    left = len(unresolved(onboarding, step))
    return (
        f"  {step.title:<17} {len(state.candidates):>3} in Re-Leased: {auto} matched, "
        f"{archived} already archived, {left} to decide"
    )


async def _decide(
    service: Service, id: ConnectionId, decisions: Decisions | None, console: Console
) -> Result[None, SyncError]:
    if decisions is None:
        return await decide_at_terminal(service, id, console)

    def told(step: Step, candidate: Candidate, decision: Decision) -> None:
        said = describe(decision)
        console.say(f"  {step.value}: {candidate.label} ({candidate.released_id}) -> {said}")

    tally = await apply_decisions(service.workflow, id, decisions, on_decision=told)
    if not is_successful(tally):
        return Failure(tally.failure())
    t = tally.unwrap()
    console.say(f"decisions: {t.matched} matched, {t.archived} archived, {t.created} created")
    return Success(None)


async def _finish(
    service: Service,
    id: ConnectionId,
    *,
    confirm: bool,
    acknowledge: Sequence[Prerequisite],
    console: Console,
) -> int:
    ready = await review_prerequisites(service, id, acknowledge, console, ask=True)
    if ready != OK:
        return ready
    if not (confirm or _yes(console)):
        console.say(f"not confirmed; confirm with: released-intacct onboard {id} --confirm")
        return OK
    confirmed = await service.workflow.confirm(id)
    if not is_successful(confirmed):
        return failed(confirmed.failure(), console)
    console.say("confirmed: the initial sync runs now")
    try:
        outcome = await watch(
            service, id, service.workflow.background(), out=console.out, tty=console.tty
        )
    except BaseException as error:  # Ctrl-C, SIGTERM, a crash: the initial run closed red first
        await stop_runs(service, error, console)
        raise
    if not is_successful(outcome):
        return failed(outcome.failure(), console)
    return await report_run(service, id, outcome.unwrap(), console)


def _yes(console: Console) -> bool:
    if not console.interactive:
        return False
    return console.confirm("Confirm? The link can never be changed afterwards (rule C1)")
