"""The matching steps of onboarding (rules O1-O5), each stored as soon as it is decided.

``start_matching`` reads what Re-Leased and Intacct already hold (``app.gather``) and stores the
onboarding with its auto-matches; records a feed could not read become sync results (E1). The
decisions (``match``, ``archive``, ``create_as``, ``continue_step``) are the domain's, passed
through as they are (e.g. O4 naming the holder) and stored when they succeed. All of them are
refused once the connection is confirmed (C1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from returns.pipeline import is_successful
from returns.result import Failure, Result

from released_intacct.app import preconditions
from released_intacct.app.gather import holdings
from released_intacct.app.ports import Ports, settled
from released_intacct.domain import onboarding as wizard
from released_intacct.domain.enums import ContactRole
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, IntacctKey, ReleasedId
from released_intacct.domain.matching import Decision, Step
from released_intacct.domain.onboarding import Onboarding

__all__ = ["Decide", "Matching"]

Decide = Callable[[Onboarding], Result[Onboarding, SyncError]]


class Matching:
    """Onboarding's matching steps over the ports (the base of ``ConnectionWorkflow``)."""

    def __init__(self, ports: Ports) -> None:
        self.ports = ports

    async def onboarding(self, id: ConnectionId) -> Result[Onboarding, SyncError]:
        """The stored onboarding (refused when matching has not started)."""
        return await preconditions.stored_onboarding(self.ports.store, id)

    async def match(
        self, id: ConnectionId, step: Step, released_id: ReleasedId, intacct_key: IntacctKey
    ) -> Result[Onboarding, SyncError]:
        """Rules O3/O4: match by hand; a record another one holds is refused, naming it."""
        return await self._decided(id, lambda ob: wizard.match(ob, step, released_id, intacct_key))

    async def archive(
        self, id: ConnectionId, step: Step, released_id: ReleasedId
    ) -> Result[Onboarding, SyncError]:
        """Rule O3: archive the record in Re-Leased at confirm."""
        return await self._decided(id, lambda ob: wizard.archive(ob, step, released_id))

    async def create_as(
        self, id: ConnectionId, released_id: ReleasedId, role: ContactRole
    ) -> Result[Onboarding, SyncError]:
        """Rule O3: create the contact in Intacct as a new customer or vendor at confirm."""
        return await self._decided(id, lambda ob: wizard.create_as(ob, released_id, role))

    async def continue_step(self, id: ConnectionId, step: Step) -> Result[Onboarding, SyncError]:
        """Rule O5: continue a step once all its items are resolved, in order."""
        return await self._decided(id, lambda ob: wizard.continue_step(ob, step))

    async def start_matching(self, id: ConnectionId) -> Result[Onboarding, SyncError]:
        """Rules O1/O2: read both sides, auto-match, store; again before confirm starts over."""
        found = await preconditions.open_connection(self.ports.store, id)
        connection = found.bind(lambda c: preconditions.chosen_date(c).map(lambda _: c))
        if not is_successful(connection):
            return Failure(connection.failure())
        port = await preconditions.intacct_at_entity(self.ports, connection.unwrap())
        if not is_successful(port):
            return Failure(port.failure())
        released = self.ports.released_for(connection.unwrap().released_company)
        read = await holdings(released, port.unwrap()[0])
        if not is_successful(read):
            return Failure(read.failure())
        problems = [p for p in read.unwrap().problems if p.record is not None]
        if problems:
            at = self.ports.clock.now()
            recorded = await settled(self.ports.store.record_results(id, problems, at=at))
            if not is_successful(recorded):
                return Failure(recorded.failure())
        return await self._store(id, read.unwrap().onboarding)

    async def _decided(self, id: ConnectionId, decide: Decide) -> Result[Onboarding, SyncError]:
        connection = await preconditions.open_connection(self.ports.store, id)
        if not is_successful(connection):
            return Failure(connection.failure())
        stored = await preconditions.stored_onboarding(self.ports.store, id)
        decided = stored.bind(decide)
        if not is_successful(decided):
            return decided
        return await self._store(id, decided.unwrap())

    async def decide_all(
        self, id: ConnectionId, decisions: Iterable[tuple[Step, Decision]]
    ) -> Result[Onboarding, SyncError]:
        """Many decisions taken in turn over one read and one write of the onboarding (a
        decisions file of thousands of contacts), in time linear in them (``wizard.decide_all``);
        a refusal stops them, and the decisions taken before it are stored, as they would have
        been one by one."""
        connection = await preconditions.open_connection(self.ports.store, id)
        if not is_successful(connection):
            return Failure(connection.failure())
        stored = await preconditions.stored_onboarding(self.ports.store, id)
        if not is_successful(stored):
            return stored
        decided = wizard.decide_all(stored.unwrap(), decisions)
        saved = await self._store(id, decided.onboarding)
        refused = decided.refused
        return saved if refused is None or not is_successful(saved) else Failure(refused)

    async def _store(
        self, id: ConnectionId, onboarding: Onboarding
    ) -> Result[Onboarding, SyncError]:
        saved = await settled(self.ports.store.save_onboarding(id, onboarding))
        return saved.map(lambda _: onboarding)
