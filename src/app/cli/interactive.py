"""Onboarding decisions taken by a person at the terminal (rule O3).

For each item auto-match left unresolved, the Intacct records it may match are listed, numbered
(one another item already holds is marked, rule O4), and the person answers: a number to match,
``a`` to archive it in Re-Leased, or (contacts only) ``c`` / ``v`` to create it in Intacct as a
customer or a vendor. A refused decision is shown with its fix and asked again; no answer (end of
input) stops onboarding.
"""

from __future__ import annotations

from collections.abc import Awaitable

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.cli.shell import Console
from released_intacct.app.preconditions import refusal
from released_intacct.app.service import Service
from released_intacct.domain.enums import ContactRole
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.matching import Candidate, Step
from released_intacct.domain.onboarding import Onboarding, StepState, unresolved

__all__ = ["decide_at_terminal", "proposals"]


def proposals(state: StepState) -> list[str]:
    """The numbered Intacct records of the step (pure), each marked when another item holds it."""
    lines = []
    for number, target in enumerate(state.targets, start=1):
        holder = state.holder(target.intacct_key)
        held = f"  (matched to {holder})" if holder else ""
        lines.append(f"  {number:>3}. {target.label} [{target.intacct_key}]{held}")
    return lines


async def decide_at_terminal(
    service: Service, id: ConnectionId, console: Console
) -> Result[None, SyncError]:
    """Resolve every step's open items by asking, then continue each step in order (O5)."""
    for step in Step:
        onboarding = await service.workflow.onboarding(id)
        if not is_successful(onboarding):
            return Failure(onboarding.failure())
        if onboarding.unwrap().state(step).continued:
            continue
        for candidate in unresolved(onboarding.unwrap(), step):
            done = await _ask_until_decided(service, id, step, candidate, console)
            if not is_successful(done):
                return done
        continued = await service.workflow.continue_step(id, step)
        if not is_successful(continued):
            return Failure(continued.failure())
        console.say(f"{step.title}: continued")
    return Success(None)


async def _ask_until_decided(
    service: Service, id: ConnectionId, step: Step, candidate: Candidate, console: Console
) -> Result[None, SyncError]:
    while True:
        onboarding = await service.workflow.onboarding(id)
        if not is_successful(onboarding):
            return Failure(onboarding.failure())
        state = onboarding.unwrap().state(step)
        console.say(f"\n{step.title}: {candidate.label} ({candidate.released_id}) has no match.")
        for line in proposals(state):
            console.say(line)
        try:
            answer = console.question(_prompt(step))
        except EOFError:
            return Failure(_no_answer(step, candidate))
        decided = _decision(service, id, state, candidate, answer)
        if decided is None:
            console.say("  not an answer: give a number from the list, or a letter shown")
            continue
        done = await decided
        if is_successful(done):
            return Success(None)
        console.say(f"  refused: {done.failure()}")


def _prompt(step: Step) -> str:
    contacts = ", c = create as customer, v = create as vendor" if step is Step.CONTACTS else ""
    return f"match N, a = archive in Re-Leased{contacts}: "


def _decision(
    service: Service, id: ConnectionId, state: StepState, candidate: Candidate, answer: str
) -> Awaitable[Result[Onboarding, SyncError]] | None:
    flow, released_id = service.workflow, candidate.released_id
    if answer.isdigit() and 1 <= int(answer) <= len(state.targets):
        target = state.targets[int(answer) - 1]
        return flow.match(id, state.step, released_id, target.intacct_key)
    if answer in ("a", "archive"):
        return flow.archive(id, state.step, released_id)
    roles = {"c": ContactRole.CUSTOMER, "v": ContactRole.VENDOR}
    if state.step is Step.CONTACTS and answer in roles:
        return flow.create_as(id, released_id, roles[answer])
    return None


def _no_answer(step: Step, candidate: Candidate) -> SyncError:
    return refusal(
        Rule.O3,
        f"Onboarding stopped: no decision for the {step.noun} '{candidate.label}' "
        f"({candidate.released_id}).",
        "Run onboard again at a terminal (matching starts over), or give --decisions FILE.",
        kind=ErrorKind.NEEDS_USER,
    )
