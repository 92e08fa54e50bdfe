"""Handlers of what a company's syncs did and may do (rules E1-E4, D1, D3, D7, D9, D20)."""

from __future__ import annotations

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.admin.endpoint import Call
from released_intacct.app.admin.errors import detail_of
from released_intacct.app.admin.reports import (
    GuardView,
    LinkView,
    NotificationsView,
    NotificationView,
    QueuedView,
    ResultsView,
    ResultView,
    RunsView,
    RunView,
    StatusView,
)
from released_intacct.app.admin.wire import (
    ConnectionPath,
    Empty,
    GuardBody,
    LinkPath,
    NoQuery,
    NotificationPath,
    NotificationsQuery,
    ResultsQuery,
    RunPath,
    RunsQuery,
)
from released_intacct.app.service import Service
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, ReleasedId
from released_intacct.domain.state import ResultFilter, Run

__all__ = [
    "guard",
    "mark_read",
    "notifications",
    "read_run",
    "relink",
    "results",
    "runs",
    "status",
    "sync_now",
    "unlink",
]

_REFUSALS = (ErrorKind.REJECTED, ErrorKind.NEEDS_USER)
"""A guard failure of these kinds is the answer (not allowed); others are the API's failure."""


async def status(call: Call[ConnectionPath, NoQuery, Empty]) -> Result[StatusView, SyncError]:
    """Rule E3: phase, run status and colour, progress, counts, last and next run."""
    return (await call.service.status(ConnectionId(call.path.id))).map(StatusView.of)


async def sync_now(call: Call[ConnectionPath, NoQuery, Empty]) -> Result[QueuedView, SyncError]:
    """Rule E4: start a run now, or request it from the workers; refused while one is open (409,
    naming it)."""
    queued = await call.service.sync_now(ConnectionId(call.path.id))
    return queued.map(QueuedView.of)


async def read_run(call: Call[RunPath, NoQuery, Empty]) -> Result[RunView, SyncError]:
    """Rule E3: one run of the company, a red one with its reasons (the endpoint answers 404 for
    a run it does not have)."""
    found = await call.service.run(ConnectionId(call.path.id), call.path.run)
    if not is_successful(found):
        return Failure(found.failure())
    run = found.unwrap()
    return Failure(_gone(call.path)) if run is None else await _view(call.service, run)


def _gone(path: RunPath) -> SyncError:
    """The run the endpoint found is no longer there (never, as runs are kept: a refusal)."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.E3,
        message=f"Connection {path.id} has no run {path.run}.",
        fix="GET the connection's runs for their ids.",
    )


async def runs(call: Call[ConnectionPath, RunsQuery, Empty]) -> Result[RunsView, SyncError]:
    """Rules E3, E4: the latest runs first, each red one with its reasons."""
    found = await call.service.runs(ConnectionId(call.path.id), limit=call.query.limit)
    if not is_successful(found):
        return Failure(found.failure())
    views = []
    for run in found.unwrap():
        view = await _view(call.service, run)
        if not is_successful(view):
            return Failure(view.failure())
        views.append(view.unwrap())
    return Success(RunsView(runs=tuple(views)))


async def _view(service: Service, run: Run) -> Result[RunView, SyncError]:
    """A run as the API shows it, a red one with why (the reasons ``sync`` and ``status`` print)."""
    why = await service.reasons(run)
    return why.map(lambda reasons: RunView.of(run, reasons))


async def results(
    call: Call[ConnectionPath, ResultsQuery, Empty],
) -> Result[ResultsView, SyncError]:
    """Rule E1: the sync results, filtered."""
    q = call.query
    where = ResultFilter(
        record_type=q.record_type,
        direction=q.direction,
        link_status=q.link,
        since=q.since,
        limit=q.limit,
        offset=q.offset,
    )
    found = await call.service.results(ConnectionId(call.path.id), where)
    return found.map(lambda every: ResultsView(results=tuple(map(ResultView.of, every))))


async def unlink(call: Call[LinkPath, NoQuery, Empty]) -> Result[LinkView, SyncError]:
    """Rule E2: take the record out of every later sync; nothing is deleted on either side."""
    p = call.path
    done = call.service.unlink(ConnectionId(p.id), p.record_type, ReleasedId(p.released_id))
    return (await done).map(LinkView.of)


async def relink(call: Call[LinkPath, NoQuery, Empty]) -> Result[LinkView, SyncError]:
    """Rule E2: put an unlinked record back into the sync."""
    p = call.path
    done = call.service.relink(ConnectionId(p.id), p.record_type, ReleasedId(p.released_id))
    return (await done).map(LinkView.of)


async def guard(call: Call[ConnectionPath, NoQuery, GuardBody]) -> Result[GuardView, SyncError]:
    """Rules D1, D3, D7, D9, D20: may a Re-Leased user take this action on the record?"""
    b = call.body
    asked = call.service.guard(
        ConnectionId(call.path.id),
        b.record_type,
        b.action,
        released_id=None if b.released_id is None else ReleasedId(b.released_id),
        label=b.label,
    )
    answer = await asked
    if is_successful(answer):
        return Success(GuardView(allowed=True))
    refused = answer.failure()
    if refused.kind in _REFUSALS:
        return Success(GuardView(allowed=False, error=detail_of(refused)))
    return Failure(refused)


async def notifications(
    call: Call[ConnectionPath, NotificationsQuery, Empty],
) -> Result[NotificationsView, SyncError]:
    found = call.service.notifications(ConnectionId(call.path.id), unread_only=call.query.unread)
    return (await found).map(
        lambda every: NotificationsView(notifications=tuple(map(NotificationView.of, every)))
    )


async def mark_read(
    call: Call[NotificationPath, NoQuery, Empty],
) -> Result[NotificationsView, SyncError]:
    """Mark one notification read (again: nothing changes); answers the unread ones left."""
    id = ConnectionId(call.path.id)
    marked = await call.service.mark_read(id, call.path.n)
    if not is_successful(marked):
        return Failure(marked.failure())
    query = NotificationsQuery(unread=True)
    path = ConnectionPath(id=call.path.id)
    return await notifications(Call(service=call.service, path=path, query=query, body=Empty()))
