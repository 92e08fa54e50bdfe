"""Handlers of onboarding's matching steps (rules O1-O5), each decision stored as it is made."""

from __future__ import annotations

from returns.result import Result

from released_intacct.app.admin.endpoint import Call
from released_intacct.app.admin.views import OnboardingView
from released_intacct.app.admin.wire import (
    ArchiveBody,
    ConnectionPath,
    CreateBody,
    Empty,
    MatchBody,
    NoQuery,
    StepPath,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, IntacctKey, ReleasedId

__all__ = ["archive", "continue_step", "create_as", "match", "onboarding", "start_matching"]


async def start_matching(
    call: Call[ConnectionPath, NoQuery, Empty],
) -> Result[OnboardingView, SyncError]:
    """Rules O1, O2: read both sides and auto-match; again before confirm starts over."""
    started = await call.service.workflow.start_matching(ConnectionId(call.path.id))
    return started.map(OnboardingView.of)


async def onboarding(
    call: Call[ConnectionPath, NoQuery, Empty],
) -> Result[OnboardingView, SyncError]:
    found = await call.service.workflow.onboarding(ConnectionId(call.path.id))
    return found.map(OnboardingView.of)


async def match(call: Call[StepPath, NoQuery, MatchBody]) -> Result[OnboardingView, SyncError]:
    """Rules O3, O4: match by hand; a record another one holds is refused, naming it."""
    matched = call.service.workflow.match(
        ConnectionId(call.path.id),
        call.path.step,
        ReleasedId(call.body.released_id),
        IntacctKey(call.body.intacct_key),
    )
    return (await matched).map(OnboardingView.of)


async def archive(call: Call[StepPath, NoQuery, ArchiveBody]) -> Result[OnboardingView, SyncError]:
    """Rule O3: archive the record in Re-Leased at confirm."""
    archived = call.service.workflow.archive(
        ConnectionId(call.path.id), call.path.step, ReleasedId(call.body.released_id)
    )
    return (await archived).map(OnboardingView.of)


async def create_as(
    call: Call[ConnectionPath, NoQuery, CreateBody],
) -> Result[OnboardingView, SyncError]:
    """Rule O3: create the contact in Intacct as a new customer or vendor at confirm."""
    created = call.service.workflow.create_as(
        ConnectionId(call.path.id), ReleasedId(call.body.released_id), call.body.role
    )
    return (await created).map(OnboardingView.of)


async def continue_step(call: Call[StepPath, NoQuery, Empty]) -> Result[OnboardingView, SyncError]:
    """Rule O5: continue a step once all its items are resolved, in order."""
    done = call.service.workflow.continue_step(ConnectionId(call.path.id), call.path.step)
    return (await done).map(OnboardingView.of)
