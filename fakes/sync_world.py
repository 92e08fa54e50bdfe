"""One connected pair of in-memory companies and the sync service over them, faults included.

``SyncWorld`` holds a ticking clock, a ``FakeIntacct``, a ``FakeReleased`` and a ``FakeStateStore``;
the service sees both fakes through ``faulty`` wrappers whose ``faults`` schedule is empty unless a
test arms it. ``connect`` stores a confirmed connection (nothing pre-existing in Re-Leased, so
onboarding went straight to confirm, rule O1); ``sync`` runs the service once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from released_intacct.app.ports import Ports
from released_intacct.app.sync import SyncService
from released_intacct.domain.enums import RecordType
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctCompanyId,
    ReleasedCompanyId,
)
from released_intacct.domain.links import Link
from released_intacct.domain.money import currency
from released_intacct.domain.ports import Credentials, IntacctCredentials, IntacctPort, ReleasedPort
from released_intacct.domain.results import SyncResult
from released_intacct.domain.secret import Secret
from released_intacct.domain.settings import SyncSettings
from released_intacct.domain.state import Connection, Intent, Phase, ResultFilter, Run
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.faulty import Faults, FaultyIntacct, FaultyReleased
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.state_store import FakeStateStore

BASE = currency("USD")
"""The base currency of ``intacct_port.ready_setup``."""
FOREIGN = currency("EUR")
SYNC_FROM = date(2026, 1, 1)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CONNECTION = ConnectionId("conn-world")
SETTINGS = SyncSettings(connection=CONNECTION, sync_from=SYNC_FROM, base_currency=BASE)
"""What the service derives for this connection (``ready_setup``: AR / AP only, no labels)."""


class Ticking:
    """A clock that moves one second each time it is read."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


@dataclass
class SyncWorld:
    clock: Ticking = field(default_factory=Ticking)
    intacct: FakeIntacct = field(default_factory=FakeIntacct)
    released: FakeReleased = field(default_factory=FakeReleased)
    store: FakeStateStore = field(default_factory=FakeStateStore)
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        self.intacct.clock = self.clock.now
        self.released.clock = self.clock.now

    def service(self) -> SyncService:
        return SyncService(
            Ports(
                store=self.store,
                intacct_for=self._intacct_for,
                released_for=self._released_for,
                clock=self.clock,
            )
        )

    def _intacct_for(self, _: Credentials, __: EntityId | None) -> IntacctPort:
        return FaultyIntacct(self.intacct, self.faults)

    def _released_for(self, _: ReleasedCompanyId) -> ReleasedPort:
        return FaultyReleased(self.released, self.faults)

    async def connect(self) -> None:
        secret = Secret("pw")
        credentials = IntacctCredentials(
            sender_id="s",
            sender_password=secret,
            company_id="ACME",
            user_id="u",
            user_password=secret,
        )
        connection = Connection(
            id=CONNECTION,
            released_company=ReleasedCompanyId("RL-W"),
            intacct_company=IntacctCompanyId("ACME"),
            phase=Phase.CONFIRMED,
            entity=EntityId(""),
            sync_from=SYNC_FROM,
            created_at=self.clock.at,
            confirmed_at=self.clock.at,
        )
        await value(self.store.add_connection(connection, credentials))

    async def sync(self) -> Run:
        return await value(self.service().run(CONNECTION))

    async def links(self, record_type: RecordType) -> tuple[Link, ...]:
        return await value(self.store.links(CONNECTION, record_type))

    async def all_links(self) -> dict[RecordType, tuple[Link, ...]]:
        return {rt: await self.links(rt) for rt in RecordType}

    async def results(self) -> tuple[SyncResult, ...]:
        return await value(self.store.results(CONNECTION, ResultFilter(limit=100_000)))

    async def open_intents(self) -> tuple[Intent, ...]:
        return await value(self.store.open_intents(CONNECTION))
