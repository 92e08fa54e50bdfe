"""The demo's onboarding, told step by step: connect, check, match, decide, confirm, sync.

``onboard_and_sync(service, decisions, out)`` connects the demo companies through the service
(Intacct ``DEMO`` at entity E100, Re-Leased ``RL-DEMO``, sync from 2024-01-01), prints what each
step found, takes the decisions file's decisions, confirms, and follows the initial sync that
confirm starts with a progress bar per record type (``app.cli.progress``). Any refusal is a
``DemoError`` with the refusal's message and fix.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TextIO, TypeVar

from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.app.cli.onboard import step_lines
from released_intacct.app.cli.prerequisites import check_lines
from released_intacct.app.cli.progress import watch
from released_intacct.app.decisions import Decision, Decisions, apply_decisions, describe
from released_intacct.app.service import Service
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, EntityId
from released_intacct.domain.matching import Candidate, Step
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import Credentials
from released_intacct.domain.state import Run
from released_intacct.fakes.demo_pair import DEMO, RL_DEMO, SYNC_FROM
from released_intacct.fakes.demo_processes import DemoError

__all__ = ["onboard_and_sync", "refused"]

T = TypeVar("T")
E100 = EntityId("E100")


def refused(error: SyncError) -> DemoError:
    """A step of the demo was refused: the refusal's message and fix."""
    return DemoError(f"{error.message} {error.fix}")


async def _ok(call: Awaitable[Result[T, SyncError]]) -> T:
    outcome = await call
    if not is_successful(outcome):
        raise refused(outcome.failure())
    return outcome.unwrap()


async def onboard_and_sync(
    service: Service, decisions: Decisions, out: TextIO, *, credentials: Credentials = DEMO
) -> tuple[ConnectionId, Run]:
    """``credentials``: the demo company's over the XML API (``DEMO``) or the REST API
    (``DEMO_OAUTH``)."""
    flow = service.workflow
    connected = await _ok(flow.connect(RL_DEMO, credentials))
    id = connected.connection.id
    entities = ", ".join(f"{e.id} ({e.name})" for e in connected.entities)
    api = connected.connection.api.value.upper()
    _say(out, f"Connected Re-Leased {RL_DEMO} to Sage Intacct {DEMO.company_id} over {api} (C2).")
    _say(out, f"  entities: {entities}; syncing with {E100} from {SYNC_FROM} (C3, C4)")
    await _ok(flow.choose_entity(id, E100))
    await _ok(flow.set_sync_from(id, SYNC_FROM))
    checks = await _ok(flow.prerequisites(id))
    _say(out, "  Intacct set-up (C5):")
    for line in check_lines(checks):
        _say(out, line)
    onboarding = await _ok(flow.start_matching(id))
    _matched(out, onboarding)
    taken = await apply_decisions(flow, id, decisions, on_decision=lambda *a: _decided(out, *a))
    if not is_successful(taken):
        raise refused(taken.failure())
    told = [a.value for a in decisions.acknowledge]
    _say(out, f"  acknowledged from the decisions file (C5): {', '.join(told) or 'nothing'}")
    await _ok(flow.confirm(id))
    _say(out, "Confirmed (O5); the initial sync runs in the background:")
    run = await _initial_sync(service, id, out)
    return id, run


async def _initial_sync(service: Service, id: ConnectionId, out: TextIO) -> Run:
    """Follow the initial sync confirm started, until it has finished."""
    followed = await watch(service, id, service.workflow.background(), out=out, tty=out.isatty())
    if not is_successful(followed):
        raise refused(followed.failure())
    return followed.unwrap()


def _matched(out: TextIO, onboarding: Onboarding) -> None:
    _say(out, "Matching what Re-Leased already holds (O1, O2):")
    for step in Step:
        _say(out, step_lines(onboarding, step))


def _decided(out: TextIO, step: Step, candidate: Candidate, decision: Decision) -> None:
    _say(out, f"  {step.title:<17} {describe(decision):<20} {candidate.label.strip()}")


def _say(out: TextIO, line: str) -> None:
    if line:
        print(line, file=out, flush=True)
