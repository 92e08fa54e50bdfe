"""The connection steps of the workflow (rules C1-C5) over the in-memory fakes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from returns.pipeline import is_successful
from returns.result import Result, Success

from released_intacct.app.connection import Choice, ConnectionWorkflow
from released_intacct.domain.enums import IntacctApi, Prerequisite
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, EntityId, ReleasedCompanyId
from released_intacct.domain.matching import Step
from released_intacct.domain.ports import (
    Credentials,
    Entity,
    IntacctCredentials,
    IntacctPort,
    OAuthCredentials,
    ReleasedPort,
)
from released_intacct.domain.rules.prerequisites import blocking
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Phase
from released_intacct.fakes.awaiting import outcome, value
from released_intacct.fakes.intacct_port import FakeIntacct, ready_setup
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.state_store import FakeStateStore

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "pw-7f3a-never-shown"
ENTITIES = (Entity(id=EntityId("E100"), name="East"), Entity(id=EntityId("E200"), name="West"))
RL_A, RL_B, RL_C = (ReleasedCompanyId(c) for c in ("RL-A", "RL-B", "RL-C"))


def credentials(company: str = "ACME", password: str = PASSWORD) -> IntacctCredentials:
    return IntacctCredentials(
        sender_id="sender",
        sender_password=Secret("sender-secret"),
        company_id=company,
        user_id="ws_user",
        user_password=Secret(password),
    )


class Clock:
    def now(self) -> datetime:
        return NOW


@dataclass
class World:
    store: FakeStateStore = field(default_factory=FakeStateStore)
    intacct: dict[str, FakeIntacct] = field(default_factory=dict)
    released: FakeReleased = field(default_factory=FakeReleased)
    flow: ConnectionWorkflow = field(init=False)

    def __post_init__(self) -> None:
        for company in ("ACME", "SOLO"):
            self.intacct[company] = FakeIntacct(
                entities=ENTITIES if company == "ACME" else (),
                credentials=credentials(company),
            )
        self.flow = ConnectionWorkflow(
            self.store,
            intacct_for=self._intacct_for,
            released_for=self._released_for,
            clock=Clock(),
        )

    def _intacct_for(self, given: Credentials, _: EntityId | None) -> IntacctPort:
        return self.intacct[given.company_id]

    def _released_for(self, _: ReleasedCompanyId) -> ReleasedPort:
        return self.released

    async def connected(self, company: ReleasedCompanyId = RL_A, intacct: str = "ACME") -> Any:
        return (await value(self.flow.connect(company, credentials(intacct)))).connection

    async def dated(self, entity: str = "E100") -> ConnectionId:
        connection = await self.connected()
        await value(self.flow.choose_entity(connection.id, EntityId(entity)))
        await value(self.flow.set_sync_from(connection.id, date(2024, 1, 1)))
        return ConnectionId(connection.id)


def run(body: Callable[[World], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(body(World()))


async def refusal(future: Any) -> SyncError:
    result = await outcome(future)
    assert not is_successful(result), f"expected a refusal, got {result}"
    error = result.failure()
    assert isinstance(error, SyncError)
    return error


def test_C2_connect_checks_credentials_by_live_login_and_lists_entities() -> None:
    async def body(world: World) -> None:
        connected = await value(world.flow.connect(RL_A, credentials()))
        assert connected.entities == ENTITIES
        assert connected.connection.phase is Phase.CONNECTED
        assert connected.connection.entity is None
        stored = await value(world.store.credentials(connected.connection.id))
        assert stored == credentials()

    run(body)


def test_C2_incomplete_or_refused_credentials_store_nothing_and_never_show() -> None:
    async def body(world: World) -> None:
        blank = replace(credentials(), user_password=Secret(""))
        missing = await refusal(world.flow.connect(RL_A, blank))
        assert missing.rule is Rule.C2
        assert "user password" in missing.message
        wrong = await refusal(world.flow.connect(RL_A, credentials(password="wrong-pw-1b2c")))
        assert wrong.rule is Rule.C2
        assert wrong.kind is ErrorKind.FATAL
        assert await value(world.store.connections()) == ()
        for error in (missing, wrong):
            shown = f"{error} {error!r}"
            assert PASSWORD not in shown
            assert "wrong-pw-1b2c" not in shown

    run(body)


def test_C1_a_second_connection_of_the_same_released_company_is_refused() -> None:
    async def body(world: World) -> None:
        first = await world.connected()
        again = await refusal(world.flow.connect(RL_A, credentials("SOLO")))
        assert again.rule is Rule.C1
        assert "RL-A" in again.message
        await value(world.flow.choose_entity(first.id, EntityId("E100")))
        chosen = await refusal(world.flow.connect(RL_A, credentials("SOLO")))
        assert chosen.rule is Rule.C1
        assert 'entity "E100"' in chosen.message
        assert len(await value(world.store.connections())) == 1

    run(body)


def test_C1_the_same_intacct_company_and_entity_is_refused_for_another_company() -> None:
    async def body(world: World) -> None:
        first = await world.connected(RL_A)
        await value(world.flow.choose_entity(first.id, EntityId("E100")))
        second = await world.connected(RL_B)
        taken = await refusal(world.flow.choose_entity(second.id, EntityId("E100")))
        assert taken.rule is Rule.C1
        assert "RL-A" in taken.message
        other = await value(world.flow.choose_entity(second.id, EntityId("E200")))
        assert other.entity == "E200"
        assert other.phase is Phase.ENTITY_CHOSEN
        full = await refusal(world.flow.connect(RL_C, credentials()))
        assert full.rule is Rule.C1

    run(body)


def test_C1_a_company_without_entities_connects_once_at_its_top_level() -> None:
    async def body(world: World) -> None:
        connected = await value(world.flow.connect(RL_A, credentials("SOLO")))
        assert connected.entities == ()
        chosen = await value(world.flow.choose_entity(connected.connection.id, EntityId("")))
        assert chosen.entity == ""
        again = await refusal(world.flow.connect(RL_B, credentials("SOLO")))
        assert again.rule is Rule.C1
        assert "top level" in again.message

    run(body)


def test_C3_only_an_entity_of_the_company_can_be_chosen() -> None:
    async def body(world: World) -> None:
        connection = await world.connected()
        wrong = await refusal(world.flow.choose_entity(connection.id, EntityId("E999")))
        assert wrong.rule is Rule.C3
        assert '"E100", "E200"' in wrong.fix
        stored = await value(world.store.connection(connection.id))
        assert stored is not None
        assert stored.entity is None

    run(body)


def test_C3_C4_connect_with_a_refused_choice_stores_nothing() -> None:
    async def body(world: World) -> None:
        refused = (
            (Choice(entity=EntityId("E999")), Rule.C3),
            (Choice(entity=EntityId(""), sync_from=date(2024, 1, 1)), Rule.C3),
            (Choice(sync_from=date(2024, 1, 1)), Rule.C3),  # a date needs the entity first
            (Choice(entity=EntityId("E100"), sync_from=date(2017, 12, 31)), Rule.C4),
        )
        for choice, rule in refused:
            error = await refusal(world.flow.connect(RL_A, credentials(), choice))
            assert error.rule is rule, (choice, error)
            assert await value(world.store.connections()) == ()
        top = await refusal(world.flow.connect(RL_A, credentials(), Choice(entity=EntityId(""))))
        assert "has entities, so it cannot be synced at its top level" in top.message
        assert '"E100", "E200"' in top.fix
        done = await value(
            world.flow.connect(
                RL_A, credentials(), Choice(entity=EntityId("E100"), sync_from=date(2024, 1, 1))
            )
        )
        assert done.connection.entity == "E100"
        assert done.connection.sync_from == date(2024, 1, 1)
        assert done.connection.phase is Phase.ONBOARDING
        assert await value(world.store.connections()) == (done.connection,)

    run(body)


def test_C3_a_company_without_entities_is_connected_at_its_top_level_by_a_choice() -> None:
    async def body(world: World) -> None:
        solo = await value(world.flow.connect(RL_A, credentials("SOLO"), Choice()))
        assert solo.connection.entity == ""
        assert solo.connection.phase is Phase.ENTITY_CHOSEN
        many = await value(world.flow.connect(RL_B, credentials(), Choice()))
        assert many.connection.entity is None  # entities to choose from: none chosen for them
        assert many.connection.phase is Phase.CONNECTED

    run(body)


def test_C3_the_entity_cannot_change_once_matching_started() -> None:
    async def body(world: World) -> None:
        id = await world.dated("E100")
        same = await value(world.flow.choose_entity(id, EntityId("E200")))
        assert same.entity == "E200"
        await value(world.flow.start_matching(id))
        moved = await refusal(world.flow.choose_entity(id, EntityId("E100")))
        assert moved.rule is Rule.C3
        assert "Disconnect" in moved.fix

    run(body)


def test_C4_sync_from_before_2018_is_refused_and_needs_an_entity_first() -> None:
    async def body(world: World) -> None:
        connection = await world.connected()
        early = await refusal(world.flow.set_sync_from(connection.id, date(2024, 1, 1)))
        assert early.rule is Rule.C3
        await value(world.flow.choose_entity(connection.id, EntityId("E100")))
        too_early = await refusal(world.flow.set_sync_from(connection.id, date(2017, 12, 31)))
        assert too_early.rule is Rule.C4
        assert "2018-01-01" in too_early.fix
        dated = await value(world.flow.set_sync_from(connection.id, date(2018, 1, 1)))
        assert dated.sync_from == date(2018, 1, 1)
        assert dated.phase is Phase.ONBOARDING

    run(body)


def test_C5_prerequisites_name_each_failure_with_its_fix() -> None:
    async def body(world: World) -> None:
        id = await world.dated()
        assert blocking(await value(world.flow.prerequisites(id))) == ()
        world.intacct["ACME"].company_setup = replace(
            ready_setup(), account_labels=True, vendor_sequencing=False
        )
        failures = blocking(await value(world.flow.prerequisites(id)))
        assert [f.rule for f in failures] == [Rule.C5, Rule.C5]
        assert any("Account Labels" in f.message and "turn Account Labels off" in f.fix
                   for f in failures)  # fmt: skip
        assert any("Vendors" in f.message and "Vendor ID numbering" in f.fix for f in failures)

    run(body)


def test_correction_5_C5_acknowledgements_are_recorded_with_their_time_and_kept() -> None:
    async def body(world: World) -> None:
        id = await world.dated()
        world.intacct["ACME"].company_setup = replace(ready_setup(), customer_sequencing=None)
        (unknown,) = blocking(await value(world.flow.prerequisites(id)))
        assert "document sequencing numbers new Customer IDs" in unknown.message
        wanted = (Prerequisite.CUSTOMER_SEQUENCING,)
        told = await value(world.flow.acknowledge(id, wanted))
        assert [(a.prerequisite, a.at) for a in told] == [(Prerequisite.CUSTOMER_SEQUENCING, NOW)]
        again = await value(world.flow.acknowledge(id, wanted))
        assert again == told
        assert blocking(await value(world.flow.prerequisites(id))) == ()
        await value(world.flow.start_matching(id))
        await value(world.flow.confirm(id))
        assert await value(world.store.acknowledgements(id)) == told

    run(body)


def test_C1_disconnect_before_confirm_forgets_the_connection() -> None:
    async def body(world: World) -> None:
        id = await world.dated()
        await value(world.flow.start_matching(id))
        await value(world.flow.disconnect(id))
        assert await value(world.store.connections()) == ()
        again = await world.connected()
        assert again.released_company == RL_A
        gone = await refusal(world.flow.disconnect(id))
        assert gone.kind is ErrorKind.REJECTED
        assert id in gone.message

    run(body)


def test_C1_after_confirm_nothing_can_be_changed_or_disconnected() -> None:
    async def body(world: World) -> None:
        id = await world.dated()
        await value(world.flow.start_matching(id))
        confirmed = await value(world.flow.confirm(id))
        assert confirmed.phase is Phase.CONFIRMED
        assert confirmed.confirmed_at == NOW
        for attempt in (
            world.flow.disconnect(id),
            world.flow.choose_entity(id, EntityId("E200")),
            world.flow.start_matching(id),
            world.flow.continue_step(id, Step.TAX_TYPES),
            world.flow.confirm(id),
        ):
            refused = await refusal(attempt)
            assert refused.rule is Rule.C1
            assert "never be removed or changed" in refused.message
        moved = await refusal(world.flow.set_sync_from(id, date(2025, 1, 1)))
        assert moved.rule is Rule.C4
        assert "fixed at 2024-01-01" in moved.message
        same = await value(world.flow.set_sync_from(id, date(2024, 1, 1)))
        assert same == confirmed
        assert await value(world.store.connection(id)) == confirmed

    run(body)


# --- the authorization-code grant over REST (issue 20, C2) ---------------------------------------

AUTHORIZED = OAuthCredentials(
    client_id="client", client_secret=Secret("client-secret"), company_id="ACME", user_id=None
)


async def kept_token(store: FakeStateStore, id: ConnectionId) -> Secret | None:
    """The refresh token the store keeps for ``id`` (read by spending it unchanged)."""

    async def keep(token: Secret) -> Result[tuple[Secret, Secret], SyncError]:
        return Success((token, token))

    found = await outcome(store.spend_refresh_token(id, keep))
    return found.unwrap() if is_successful(found) else None


def test_C2_an_authorized_connection_is_stored_with_its_refresh_token() -> None:
    async def body(world: World) -> None:
        world.intacct["ACME"].credentials = None  # signs the OAuth client in
        done = await value(world.flow.connect(RL_A, AUTHORIZED, refresh_token=Secret("rt-1")))
        assert done.connection.api is IntacctApi.REST
        assert await kept_token(world.store, done.connection.id) == Secret("rt-1")

    run(body)


def test_C2_an_authorization_without_its_refresh_token_or_a_token_without_one_is_refused() -> None:
    async def body(world: World) -> None:
        world.intacct["ACME"].credentials = None  # signs the OAuth client in
        missing = await refusal(world.flow.connect(RL_A, AUTHORIZED))
        assert (missing.rule, "--authorization-code" in missing.fix) == (Rule.C2, True)
        stray = await refusal(world.flow.connect(RL_A, credentials(), refresh_token=Secret("x")))
        assert stray.rule is Rule.C2
        assert await value(world.store.connections()) == ()

    run(body)


def test_C2_a_refused_authorized_connect_keeps_no_refresh_token() -> None:
    async def body(world: World) -> None:
        world.intacct["ACME"].credentials = None  # signs the OAuth client in
        await value(world.flow.connect(RL_A, AUTHORIZED, refresh_token=Secret("rt-1")))
        again = await refusal(world.flow.connect(RL_A, AUTHORIZED, refresh_token=Secret("rt-2")))
        assert again.rule is Rule.C1
        stored = await value(world.store.connections())
        assert [await kept_token(world.store, c.id) for c in stored] == [Secret("rt-1")]

    run(body)
