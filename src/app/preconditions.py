"""Preconditions of the workflow's steps: which connection, in which phase, with what stored.

Each precondition answers the value a step needs or the refusal a user can act on, naming the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import Ports, credentials_of, settled
from released_intacct.domain.enums import Prerequisite
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, EntityId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import Entity, IntacctPort, IntacctSetup
from released_intacct.domain.rules import confirming
from released_intacct.domain.rules.connection import (
    TOP_LEVEL,
    check_link_change,
    check_new_link,
    record_of,
)
from released_intacct.domain.rules.prerequisites import Assessment, assess
from released_intacct.domain.state import Connection, StateStore


def refusal(
    rule: Rule | None, message: str, fix: str, *, kind: ErrorKind = ErrorKind.NEEDS_USER
) -> SyncError:
    return SyncError(kind=kind, rule=rule, message=message, fix=fix)


async def stored_connection(store: StateStore, id: ConnectionId) -> Result[Connection, SyncError]:
    found = await settled(store.connection(id))
    if not is_successful(found):
        return Failure(found.failure())
    connection = found.unwrap()
    if connection is None:
        return Failure(
            refusal(
                None,
                f"There is no connection {id}.",
                "Connect the Re-Leased company to Sage Intacct first.",
                kind=ErrorKind.REJECTED,
            )
        )
    return Success(connection)


async def unconfirmed_connection(
    store: StateStore, id: ConnectionId
) -> Result[Connection, SyncError]:
    """A stored connection not confirmed yet (rule C1); a confirm may be under way."""
    found = await stored_connection(store, id)
    if not is_successful(found):
        return found
    return check_link_change(record_of(found.unwrap())).map(lambda _: found.unwrap())


async def open_connection(store: StateStore, id: ConnectionId) -> Result[Connection, SyncError]:
    """A stored connection that may still change: not confirmed (rule C1), and no confirm under
    way (O5: it confirms the connection and onboarding as it read them)."""
    found = await unconfirmed_connection(store, id)
    refused = found.map(confirming.save_refusal).value_or(None)
    return found if refused is None else Failure(refused)


def chosen_entity(connection: Connection) -> Result[EntityId, SyncError]:
    if connection.entity is None:
        return Failure(
            refusal(
                Rule.C3,
                "No Sage Intacct entity is chosen for this connection yet.",
                "Choose the entity to sync with first.",
            )
        )
    return Success(connection.entity)


def chosen_date(connection: Connection) -> Result[date, SyncError]:
    if connection.sync_from is None:
        return Failure(
            refusal(
                Rule.C4,
                "The sync-from date is not set yet.",
                "Set the sync-from date (on or after 2018-01-01) first.",
            )
        )
    return Success(connection.sync_from)


async def stored_onboarding(store: StateStore, id: ConnectionId) -> Result[Onboarding, SyncError]:
    found = await settled(store.onboarding(id))
    if not is_successful(found):
        return Failure(found.failure())
    onboarding = found.unwrap()
    if onboarding is None:
        return Failure(
            refusal(
                Rule.O1,
                "Matching has not started for this connection.",
                "Start matching: it reads what Re-Leased and Sage Intacct already hold.",
            )
        )
    return Success(onboarding)


async def intacct_at_entity(
    ports: Ports, connection: Connection
) -> Result[tuple[IntacctPort, EntityId], SyncError]:
    """The Intacct port at the connection's chosen entity, with its stored credentials."""
    entity = chosen_entity(connection)
    if not is_successful(entity):
        return Failure(entity.failure())
    credentials = await credentials_of(ports.store, connection.id)
    if not is_successful(credentials):
        return Failure(credentials.failure())
    at = entity.unwrap()
    return Success((ports.intacct_for(credentials.unwrap(), at), at))


@dataclass(frozen=True, slots=True, kw_only=True)
class Checked:
    """Rule C5 at a connection's entity: its Intacct port, the set-up read, and each
    prerequisite assessed with the user's acknowledgements."""

    intacct: IntacctPort
    setup: IntacctSetup
    assessments: tuple[Assessment, ...]

    @property
    def acknowledged(self) -> frozenset[Prerequisite]:
        return frozenset(a.prerequisite for a in self.assessments if a.acknowledged)


async def checked_setup(ports: Ports, connection: Connection) -> Result[Checked, SyncError]:
    """Intacct's set-up at the connection's entity, assessed against rule C5."""
    port = await intacct_at_entity(ports, connection)
    if not is_successful(port):
        return Failure(port.failure())
    intacct, entity = port.unwrap()
    acknowledged = await settled(ports.store.acknowledgements(connection.id))
    if not is_successful(acknowledged):
        return Failure(acknowledged.failure())
    chosen = {a.prerequisite for a in acknowledged.unwrap()}
    setup = await settled(intacct.setup(entity))
    return setup.map(
        lambda read: Checked(intacct=intacct, setup=read, assessments=assess(read, chosen))
    )


def released_side_free(
    others: list[Connection], company: ReleasedCompanyId
) -> Result[None, SyncError]:
    """Rule C1: the Re-Leased company has no connection yet."""
    holder = next((c for c in others if c.released_company == company), None)
    if holder is None:
        return Success(None)
    if holder.entity is None:
        return Failure(
            refusal(
                Rule.C1,
                f"Re-Leased company {company} already has a connection to Sage Intacct company "
                f"{holder.intacct_company} (no entity chosen yet).",
                "Use that connection, or disconnect it first: it is not confirmed yet.",
                kind=ErrorKind.REJECTED,
            )
        )
    return check_new_link(
        [record_of(holder)],
        released_company=company,
        intacct_company=holder.intacct_company,
        entity=holder.entity,
    )


def some_entity_free(
    others: list[Connection],
    company: ReleasedCompanyId,
    intacct_company: IntacctCompanyId,
    entities: tuple[Entity, ...],
) -> Result[None, SyncError]:
    """Rule C1: at least one entity of the Intacct company (or its top level) is still free."""
    held = [record_of(c) for c in others if c.entity is not None]
    options = [entity.id for entity in entities] or [TOP_LEVEL]
    checks = [
        check_new_link(
            held, released_company=company, intacct_company=intacct_company, entity=option
        )
        for option in options
    ]
    if any(is_successful(check) for check in checks):
        return Success(None)
    return checks[0]
