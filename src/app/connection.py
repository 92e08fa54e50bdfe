"""Connecting a Re-Leased company to Sage Intacct and onboarding it (seeds 000/001; C1-C5, O1-O5).

``ConnectionWorkflow`` drives the steps through ports only (the state store, the Intacct port of
the company, the Re-Leased port); each is an ``async def`` answering a ``Result`` whose failure is
a ``SyncError`` naming the rule and the fix. The steps, in the order a user meets them:

1. ``connect``: credentials complete (C2), the Re-Leased company not yet connected (C1), a live
   log-in (C2), and at least one entity of the Intacct company still free (C1); the connection is
   stored with its credentials (encrypted by the store). Answers the entities to choose from.
   Given a ``Choice``, the entity (C3) and the sync-from date (C4) are chosen in the same step:
   all of it is checked before the one write, so a refusal stores nothing.
2. ``choose_entity`` (C3; C1 for the Intacct company + entity).
3. ``set_sync_from`` (C4; after confirm only the same date is accepted, as a no-op).
4. ``prerequisites``: Intacct's set-up at the entity (C5): each prerequisite holds, fails (with
   its fix) or is unknown (with where to check it); ``acknowledge`` records that the user checked
   the unknown ones, which confirm requires.
5. ``start_matching``: reads what both sides hold and stores the onboarding with its auto-matches
   (O1, O2); then ``match``, ``archive``, ``create_as``, ``continue_step`` (O3-O5).
6. ``confirm`` (see ``app.confirm``), then the initial sync starts in the background. One confirm
   at a time: meanwhile the connection is CONFIRMING, and a second confirm is refused.
``disconnect`` forgets a connection before confirm and is refused after it (C1).

Decided:
- Every change is refused once the connection is confirmed (C1), whatever the step, and while a
  confirm is under way (O5), with since when and until when it holds the connection.
- ``policy`` (``sync.stale_after``, ``sync.in_flight``, this process): a confirm holds its
  connection as a run holds its company (``app.claim``); a confirm whose process died blocks the
  next one for ``stale_after`` at most, or not at all when it ran on this host.
- The entity cannot change once matching has started (the matches are the entity's): disconnect
  and connect again instead. ``start_matching`` may run again before confirm; it reads both sides
  afresh and starts the steps over, dropping the decisions made so far.
- The initial sync runs as an asyncio task the workflow keeps until it ends; the default
  ``start_initial_sync`` stores the notification "Initial sync queued" (the sync engine comes
  later). ``background()`` awaits what is still running (for shutdown and tests).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.log import logger
from released_intacct.app import preconditions
from released_intacct.app.confirm import confirm_connection
from released_intacct.app.matching import Matching
from released_intacct.app.ports import (
    Granted,
    IntacctFor,
    Ports,
    ReleasedFor,
    Sleep,
    StartSync,
    credentials_of,
    keeping_tokens,
    run_policy,
    settled,
)
from released_intacct.domain.enums import Prerequisite
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import ConnectionId, EntityId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.ports import (
    Clock,
    Credentials,
    Entity,
    Notification,
)
from released_intacct.domain.rules import connection as rules
from released_intacct.domain.rules.prerequisites import Assessment
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import (
    Acknowledgement,
    Connection,
    Phase,
    RunPolicy,
    StateStore,
)
from released_intacct.domain.tokens import TokenSource

__all__ = ["Choice", "Connected", "ConnectionWorkflow", "new_connection_id"]

_log = logger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Connected:
    connection: Connection
    entities: tuple[Entity, ...]
    """The entities to choose from (C3); () when the company has none: choose the top level."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """What ``connect`` stores with the connection, all or nothing (rules C3, C4)."""

    entity: EntityId | None = None
    """The entity to sync with (``rules.TOP_LEVEL``: the top level, for a company without
    entities); None: the top level when the company has no entities (its only choice), else
    none yet."""
    sync_from: date | None = None
    """The sync-from date (C4; needs the entity); None: not set yet."""


def new_connection_id() -> ConnectionId:
    return ConnectionId(f"conn-{uuid.uuid4().hex}")


class ConnectionWorkflow(Matching):
    """Connect, choose, date, check, match and confirm one Re-Leased company at a time."""

    def __init__(
        self,
        store: StateStore,
        *,
        intacct_for: IntacctFor,
        released_for: ReleasedFor,
        clock: Clock,
        start_initial_sync: StartSync | None = None,
        new_id: Callable[[], ConnectionId] = new_connection_id,
        policy: RunPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        ports = Ports(
            store=store,
            intacct_for=intacct_for,
            released_for=released_for,
            clock=clock,
            policy=run_policy() if policy is None else policy,
            sleep=sleep,
        )
        super().__init__(ports)
        self._start = start_initial_sync or self._queued
        self._new_id = new_id
        self._running: set[asyncio.Task[None]] = set()

    # --- C1-C3 -----------------------------------------------------------------------------------

    async def connect(
        self,
        released_company: ReleasedCompanyId,
        credentials: Credentials,
        choice: Choice | None = None,
        *,
        refresh_token: Secret | None = None,
    ) -> Result[Connected, SyncError]:
        """Rules C1-C4: log in, and store the connection (with ``choice``'s entity and date)
        only when every check passed: a refusal leaves nothing stored. ``refresh_token``: the
        authorization-code grant's (OAuth credentials without a user), stored with the
        connection in one write, never one without the other."""
        checked = rules.validate_credentials(credentials).bind(
            lambda valid: rules.check_refresh_token(valid, refresh_token)
        )
        if not is_successful(checked):
            return Failure(checked.failure())
        intacct_company = IntacctCompanyId(credentials.company_id.strip())
        others = await self._others(None)
        if not is_successful(others):
            return Failure(others.failure())
        held = preconditions.released_side_free(others.unwrap(), released_company)
        if not is_successful(held):
            return Failure(held.failure())
        id = self._new_id()
        granted = None if refresh_token is None else Granted(refresh_token)
        signing_in = (
            credentials
            if granted is None
            else keeping_tokens(credentials, TokenSource(granted, id))
        )
        entities = await settled(self.ports.intacct_for(signing_in, None).login(signing_in))
        if not is_successful(entities):
            return Failure(entities.failure())
        draft = Connection(
            id=id,
            released_company=released_company,
            intacct_company=intacct_company,
            created_at=self.ports.clock.now(),
            api=rules.api_of(credentials),
        )
        drafted = preconditions.some_entity_free(
            others.unwrap(), released_company, intacct_company, entities.unwrap()
        ).bind(lambda _: _chosen(draft, choice, entities.unwrap(), others.unwrap()))
        if not is_successful(drafted):
            return Failure(drafted.failure())
        store = self.ports.store
        added = await settled(
            store.add_connection(
                drafted.unwrap(),
                credentials,
                refresh_token=None if granted is None else granted.latest,
            )
        )
        return added.map(lambda stored: Connected(connection=stored, entities=entities.unwrap()))

    async def choose_entity(
        self, id: ConnectionId, entity_id: EntityId
    ) -> Result[Connection, SyncError]:
        found = await self._changeable_entity(id, entity_id)
        if not is_successful(found):
            return found
        connection = found.unwrap()
        credentials = await credentials_of(self.ports.store, id)
        if not is_successful(credentials):
            return Failure(credentials.failure())
        intacct = self.ports.intacct_for(credentials.unwrap(), None)
        entities = await settled(intacct.login(credentials.unwrap()))
        chosen = entities.bind(lambda listed: rules.choose_entity(listed, entity_id))
        if not is_successful(chosen):
            return Failure(chosen.failure())
        others = await self._others(id)
        free = others.bind(
            lambda held: rules.check_new_link(
                [rules.record_of(c) for c in held if c.entity is not None],
                released_company=connection.released_company,
                intacct_company=connection.intacct_company,
                entity=chosen.unwrap().id,
            )
        )
        if not is_successful(free):
            return Failure(free.failure())
        phase = Phase.ENTITY_CHOSEN if connection.phase is Phase.CONNECTED else connection.phase
        changed = replace(connection, entity=chosen.unwrap().id, phase=phase)
        return await settled(self.ports.store.save_connection(changed))

    async def _changeable_entity(
        self, id: ConnectionId, entity_id: EntityId
    ) -> Result[Connection, SyncError]:
        found = await preconditions.open_connection(self.ports.store, id)
        if not is_successful(found) or found.unwrap().entity in (None, entity_id):
            return found
        matching = await settled(self.ports.store.onboarding(id))
        if not is_successful(matching):
            return Failure(matching.failure())
        if matching.unwrap() is None:
            return found
        return Failure(
            preconditions.refusal(
                Rule.C3,
                f'Matching has started at entity "{found.unwrap().entity}", so the entity can no '
                "longer change.",
                "Disconnect, then connect again and choose the other entity.",
            )
        )

    # --- C4, C5 ----------------------------------------------------------------------------------

    async def set_sync_from(self, id: ConnectionId, day: date) -> Result[Connection, SyncError]:
        found = await preconditions.stored_connection(self.ports.store, id)
        if not is_successful(found):
            return found
        connection = found.unwrap()
        if connection.phase is Phase.CONFIRMED and connection.sync_from is not None:
            fixed = rules.fix_sync_from(connection.sync_from, day, confirmed=True)
            return fixed.map(lambda _: connection)
        opened = (await preconditions.open_connection(self.ports.store, id)).bind(
            preconditions.chosen_entity
        )
        valid = opened.bind(lambda _: rules.validate_sync_from(day))
        if not is_successful(valid):
            return Failure(valid.failure())
        changed = replace(connection, sync_from=valid.unwrap(), phase=Phase.ONBOARDING)
        return await settled(self.ports.store.save_connection(changed))

    async def prerequisites(self, id: ConnectionId) -> Result[tuple[Assessment, ...], SyncError]:
        """Rule C5: each prerequisite at the chosen entity, holding, failing (with its fix) or
        unknown (with where to check it), and whether the user acknowledged it."""
        found = await preconditions.stored_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        checked = await preconditions.checked_setup(self.ports, found.unwrap())
        return checked.map(lambda done: done.assessments)

    async def acknowledge(
        self, id: ConnectionId, prerequisites: Sequence[Prerequisite]
    ) -> Result[tuple[Acknowledgement, ...], SyncError]:
        """Rule C5: the user checked these prerequisites in Intacct (those Intacct cannot report);
        recorded with the time, kept until confirm and after it; refused once confirmed (C1)."""
        opened = await preconditions.open_connection(self.ports.store, id)
        if not is_successful(opened):
            return Failure(opened.failure())
        store = self.ports.store
        done = await settled(store.acknowledge(id, prerequisites, at=self.ports.clock.now()))
        if not is_successful(done):
            return Failure(done.failure())
        _log.info(
            "prerequisites_acknowledged",
            connection=id,
            prerequisites=",".join(p.value for p in prerequisites),
        )
        return await settled(store.acknowledgements(id))

    # --- O5, C1 ----------------------------------------------------------------------------------

    async def confirm(self, id: ConnectionId) -> Result[Connection, SyncError]:
        """Rules C5, O5, C1: confirm, then start the initial sync in the background; refused
        (REJECTED) while another confirm of the connection is under way."""
        confirmed = await confirm_connection(self.ports, id)
        if is_successful(confirmed):
            task = asyncio.create_task(self._initial_sync(id), name=f"initial-sync-{id}")
            self._running.add(task)
            task.add_done_callback(self._finished)
        return confirmed

    async def disconnect(self, id: ConnectionId) -> Result[None, SyncError]:
        """Forget a connection before confirm; refused after it (C1), and nothing changes."""
        found = await preconditions.open_connection(self.ports.store, id)
        if not is_successful(found):
            return Failure(found.failure())
        return await settled(self.ports.store.remove_connection(id))

    async def background(self) -> None:
        """Wait for the initial syncs started so far (their failures are logged, not raised)."""
        while self._running:
            await asyncio.wait(set(self._running))

    # --- helpers ---------------------------------------------------------------------------------

    async def _others(self, id: ConnectionId | None) -> Result[list[Connection], SyncError]:
        every = await settled(self.ports.store.connections())
        return every.map(lambda found: [c for c in found if c.id != id])

    async def _initial_sync(self, id: ConnectionId) -> None:
        await self._start(id)

    async def _queued(self, id: ConnectionId) -> None:
        note = Notification(
            connection=id,
            title="Initial sync queued",
            body="The connection is confirmed; the initial sync will run in the background. "
            "Re-Leased stays usable meanwhile.",
        )
        stored = await settled(self.ports.store.notify(id, note, at=self.ports.clock.now()))
        if not is_successful(stored):
            _log.warning("initial_sync_notification_failed", connection=id, error=stored.failure())

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.error("initial_sync_failed", task=task.get_name(), error=repr(task.exception()))


def _chosen(
    draft: Connection,
    choice: Choice | None,
    entities: tuple[Entity, ...],
    others: list[Connection],
) -> Result[Connection, SyncError]:
    """``draft`` with ``choice`` applied, checked as ``choose_entity`` and ``set_sync_from``
    check them (C3, C1, C4), before anything is stored."""
    if choice is None:
        return Success(draft)
    wanted = choice.entity
    if wanted is None and not entities:
        wanted = rules.TOP_LEVEL  # the only choice of a company without entities
    connection: Result[Connection, SyncError] = Success(draft)
    if wanted is not None:
        connection = (
            rules.choose_entity(entities, wanted)
            .bind(
                lambda entity: rules.check_new_link(
                    [rules.record_of(c) for c in others if c.entity is not None],
                    released_company=draft.released_company,
                    intacct_company=draft.intacct_company,
                    entity=entity.id,
                ).map(lambda _: entity.id)
            )
            .map(lambda entity: replace(draft, entity=entity, phase=Phase.ENTITY_CHOSEN))
        )
    day = choice.sync_from
    if day is None:
        return connection
    return connection.bind(
        lambda chosen: (
            preconditions.chosen_entity(chosen)
            .bind(lambda _: rules.validate_sync_from(day))
            .map(lambda valid: replace(chosen, sync_from=valid, phase=Phase.ONBOARDING))
        )
    )
