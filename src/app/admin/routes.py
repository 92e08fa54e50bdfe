"""The admin API's route table: every route once, with its types (the OpenAPI document's source).

Paths are relative, so the app mounts under any prefix.
"""

from __future__ import annotations

from returns.result import Result, Success

from released_intacct.app.admin import authorizations as oauth
from released_intacct.app.admin import connections as conn
from released_intacct.app.admin import matching as match
from released_intacct.app.admin import runs
from released_intacct.app.admin.endpoint import Call, Endpoint, endpoint
from released_intacct.app.admin.reports import (
    GuardView,
    LinkView,
    NotificationsView,
    QueuedView,
    ResultsView,
    RunsView,
    RunView,
    StatusView,
)
from released_intacct.app.admin.views import (
    AcknowledgementsView,
    ConnectedView,
    ConnectionsView,
    ConnectionView,
    DisconnectedView,
    DoctorView,
    EntitiesView,
    Health,
    OnboardingView,
    PrerequisitesView,
)
from released_intacct.app.admin.wire import (
    AcknowledgeBody,
    ArchiveBody,
    ConnectBody,
    ConnectionPath,
    CreateBody,
    Empty,
    EntityBody,
    GuardBody,
    LinkPath,
    MatchBody,
    NoQuery,
    NotificationPath,
    NotificationsQuery,
    ResultsQuery,
    RunPath,
    RunsQuery,
    StepPath,
    SyncFromBody,
)
from released_intacct.domain.errors import SyncError

__all__ = ["endpoints"]

_C = "/connections/{id}"


async def _health(call: Call[Empty, NoQuery, Empty]) -> Result[Health, SyncError]:
    return Success(Health())


def endpoints() -> tuple[Endpoint, ...]:
    """Every route but ``GET /openapi.json`` (which documents these)."""
    return _connections() + _matching() + _runs()


def _connections() -> tuple[Endpoint, ...]:
    on, none = ConnectionPath, Empty
    return (
        endpoint("GET", "/health", _health, summary="Liveness (no token needed)", params=none,
                 query=NoQuery, body=Empty, out=Health, public=True),
        endpoint("POST", "/connections", conn.connect, summary="Connect (C1, C2)", params=none,
                 query=NoQuery, body=ConnectBody, out=ConnectedView, status=201),
        endpoint("POST", "/authorizations", oauth.authorize,
                 summary="Connect over REST with the user's authorization: start (C2)",
                 params=none, query=NoQuery, body=oauth.AuthorizeBody,
                 out=oauth.AuthorizationView, status=201),
        endpoint("GET", oauth.CALLBACK_PATH, oauth.callback,
                 summary="OAuth callback: the code for an issued state (C1, C2; no token)",
                 params=none, query=oauth.CallbackQuery, body=Empty, out=ConnectedView,
                 status=201, public=True),
        endpoint("GET", "/connections", conn.connections, summary="List the connections",
                 params=none, query=NoQuery, body=Empty, out=ConnectionsView),
        endpoint("GET", _C, conn.connection, summary="One connection", params=on, query=NoQuery,
                 body=Empty, out=ConnectionView),
        endpoint("DELETE", _C, conn.disconnect, summary="Disconnect before confirm (C1)",
                 params=on, query=NoQuery, body=Empty, out=DisconnectedView),
        endpoint("GET", f"{_C}/entities", conn.entities, summary="Entities to choose from (C3)",
                 params=on, query=NoQuery, body=Empty, out=EntitiesView),
        endpoint("PUT", f"{_C}/entity", conn.choose_entity, summary="Choose the entity (C3)",
                 params=on, query=NoQuery, body=EntityBody, out=ConnectionView),
        endpoint("PUT", f"{_C}/sync-from", conn.set_sync_from, summary="Sync-from date (C4)",
                 params=on, query=NoQuery, body=SyncFromBody, out=ConnectionView),
        endpoint("GET", f"{_C}/prerequisites", conn.prerequisites,
                 summary="Intacct set-up check (C5)", params=on, query=NoQuery, body=Empty,
                 out=PrerequisitesView),
        endpoint("POST", f"{_C}/acknowledgements", conn.acknowledge,
                 summary="Acknowledge prerequisites Intacct cannot report (C5)", params=on,
                 query=NoQuery, body=AcknowledgeBody, out=AcknowledgementsView),
        endpoint("GET", f"{_C}/doctor", conn.doctor,
                 summary="Read-only checks of the Intacct company (fidelity ledger, C5)",
                 params=on, query=NoQuery, body=Empty, out=DoctorView),
        endpoint("POST", f"{_C}/confirm", conn.confirm,
                 summary="Confirm; queues the initial sync (O5, C1)", params=on, query=NoQuery,
                 body=Empty, out=ConnectionView, status=202),
    )  # fmt: skip


def _matching() -> tuple[Endpoint, ...]:
    on, step = ConnectionPath, StepPath
    return (
        endpoint("POST", f"{_C}/matching", match.start_matching,
                 summary="Start matching (O1, O2)", params=on, query=NoQuery, body=Empty,
                 out=OnboardingView),
        endpoint("GET", f"{_C}/matching", match.onboarding, summary="The matching steps (O3-O5)",
                 params=on, query=NoQuery, body=Empty, out=OnboardingView),
        endpoint("POST", f"{_C}/matching/contacts/create", match.create_as,
                 summary="Create a contact in Intacct (O3)", params=on, query=NoQuery,
                 body=CreateBody, out=OnboardingView),
        endpoint("POST", f"{_C}/matching/{{step}}/match", match.match,
                 summary="Match by hand (O3, O4)", params=step, query=NoQuery, body=MatchBody,
                 out=OnboardingView),
        endpoint("POST", f"{_C}/matching/{{step}}/archive", match.archive,
                 summary="Archive in Re-Leased (O3)", params=step, query=NoQuery,
                 body=ArchiveBody, out=OnboardingView),
        endpoint("POST", f"{_C}/matching/{{step}}/continue", match.continue_step,
                 summary="Continue a step (O5)", params=step, query=NoQuery, body=Empty,
                 out=OnboardingView),
    )  # fmt: skip


def _runs() -> tuple[Endpoint, ...]:
    on, link = ConnectionPath, LinkPath
    links = f"{_C}/links/{{recordType}}/{{releasedId}}"
    return (
        endpoint("GET", f"{_C}/status", runs.status, summary="Company status (E3)", params=on,
                 query=NoQuery, body=Empty, out=StatusView),
        endpoint("POST", f"{_C}/sync", runs.sync_now,
                 summary="Sync now: the run it started, or requested from the workers (E4)",
                 params=on, query=NoQuery, body=Empty, out=QueuedView, status=202),
        endpoint("GET", f"{_C}/runs", runs.runs, summary="Latest runs (E3)", params=on,
                 query=RunsQuery, body=Empty, out=RunsView),
        endpoint("GET", f"{_C}/runs/{{run}}", runs.read_run, summary="Read one run (E3)",
                 params=RunPath, query=NoQuery, body=Empty, out=RunView),
        endpoint("GET", f"{_C}/results", runs.results, summary="Sync results (E1)", params=on,
                 query=ResultsQuery, body=Empty, out=ResultsView),
        endpoint("POST", f"{links}/unlink", runs.unlink, summary="Unlink a record (E2)",
                 params=link, query=NoQuery, body=Empty, out=LinkView),
        endpoint("POST", f"{links}/relink", runs.relink, summary="Relink a record (E2)",
                 params=link, query=NoQuery, body=Empty, out=LinkView),
        endpoint("POST", f"{_C}/guard", runs.guard,
                 summary="May a Re-Leased user act? (D1, D3, D7, D9, D20)", params=on,
                 query=NoQuery, body=GuardBody, out=GuardView),
        endpoint("GET", f"{_C}/notifications", runs.notifications, summary="Notifications (E3)",
                 params=on, query=NotificationsQuery, body=Empty, out=NotificationsView),
        endpoint("POST", f"{_C}/notifications/{{n}}/read", runs.mark_read,
                 summary="Mark a notification read", params=NotificationPath, query=NoQuery,
                 body=Empty, out=NotificationsView),
    )  # fmt: skip
