"""Handlers of the connection steps (rules C1-C5, O5): connect, list, choose, date, confirm."""

from __future__ import annotations

from returns.result import Result

from released_intacct.app.admin.endpoint import Call
from released_intacct.app.admin.views import (
    AcknowledgementsView,
    ConnectedView,
    ConnectionsView,
    ConnectionView,
    DisconnectedView,
    DoctorView,
    EntitiesView,
    PrerequisitesView,
)
from released_intacct.app.admin.wire import (
    AcknowledgeBody,
    ConnectBody,
    ConnectionPath,
    Empty,
    EntityBody,
    NoQuery,
    SyncFromBody,
)
from released_intacct.app.connection import Connected
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, EntityId, ReleasedCompanyId
from released_intacct.domain.ports import IntacctCredentials

__all__ = [
    "acknowledge",
    "choose_entity",
    "confirm",
    "connect",
    "connected_view",
    "connection",
    "connections",
    "disconnect",
    "doctor",
    "entities",
    "prerequisites",
    "set_sync_from",
]


async def connect(call: Call[Empty, NoQuery, ConnectBody]) -> Result[ConnectedView, SyncError]:
    """Rules C1, C2: a live log-in, then the connection is stored (credentials encrypted)."""
    given = call.body.credentials
    credentials = IntacctCredentials(
        sender_id=given.sender_id,
        sender_password=given.sender_password,
        company_id=given.company_id,
        user_id=given.user_id,
        user_password=given.user_password,
    )
    company = ReleasedCompanyId(call.body.released_company)
    done = await call.service.workflow.connect(company, credentials)
    return done.map(connected_view)


def connected_view(done: Connected) -> ConnectedView:
    listed = EntitiesView.of(done.entities)
    return ConnectedView(connection=ConnectionView.of(done.connection), entities=listed.entities)


async def connections(call: Call[Empty, NoQuery, Empty]) -> Result[ConnectionsView, SyncError]:
    found = await call.service.connections()
    return found.map(
        lambda every: ConnectionsView(connections=tuple(map(ConnectionView.of, every)))
    )


async def connection(
    call: Call[ConnectionPath, NoQuery, Empty],
) -> Result[ConnectionView, SyncError]:
    found = await call.service.connection(ConnectionId(call.path.id))
    return found.map(ConnectionView.of)


async def disconnect(
    call: Call[ConnectionPath, NoQuery, Empty],
) -> Result[DisconnectedView, SyncError]:
    """Rule C1: forget a connection before confirm; refused after it, and nothing changes."""
    gone = await call.service.workflow.disconnect(ConnectionId(call.path.id))
    return gone.map(lambda _: DisconnectedView(id=call.path.id))


async def entities(call: Call[ConnectionPath, NoQuery, Empty]) -> Result[EntitiesView, SyncError]:
    """Rule C3: the entities to choose from, by a live log-in with the stored credentials."""
    found = await call.service.entities(ConnectionId(call.path.id))
    return found.map(EntitiesView.of)


async def choose_entity(
    call: Call[ConnectionPath, NoQuery, EntityBody],
) -> Result[ConnectionView, SyncError]:
    chosen = call.service.workflow.choose_entity(
        ConnectionId(call.path.id), EntityId(call.body.entity_id)
    )
    return (await chosen).map(ConnectionView.of)


async def set_sync_from(
    call: Call[ConnectionPath, NoQuery, SyncFromBody],
) -> Result[ConnectionView, SyncError]:
    """Rule C4: the sync-from date, fixed at confirm."""
    dated = call.service.workflow.set_sync_from(ConnectionId(call.path.id), call.body.sync_from)
    return (await dated).map(ConnectionView.of)


async def prerequisites(
    call: Call[ConnectionPath, NoQuery, Empty],
) -> Result[PrerequisitesView, SyncError]:
    """Rule C5: each set-up failure at the chosen entity, with its fix."""
    found = await call.service.workflow.prerequisites(ConnectionId(call.path.id))
    return found.map(PrerequisitesView.of)


async def acknowledge(
    call: Call[ConnectionPath, NoQuery, AcknowledgeBody],
) -> Result[AcknowledgementsView, SyncError]:
    """Rule C5: the user checked these prerequisites in Intacct; confirm requires it for each one
    Intacct cannot report."""
    done = call.service.workflow.acknowledge(ConnectionId(call.path.id), call.body.prerequisites)
    return (await done).map(AcknowledgementsView.of)


async def doctor(call: Call[ConnectionPath, NoQuery, Empty]) -> Result[DoctorView, SyncError]:
    """Read-only checks of the company against what the product relies on (the fidelity
    ledger), with rule C5's prerequisites: a report a support engineer can send."""
    found = await call.service.doctor(ConnectionId(call.path.id))
    return found.map(DoctorView.of)


async def confirm(call: Call[ConnectionPath, NoQuery, Empty]) -> Result[ConnectionView, SyncError]:
    """Rules C5, O5, C1: confirm; the initial sync is queued in the background (202)."""
    confirmed = await call.service.workflow.confirm(ConnectionId(call.path.id))
    return confirmed.map(ConnectionView.of)
