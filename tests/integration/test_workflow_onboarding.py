"""The matching steps and confirm of the workflow (rules O1-O5, C5, C1) over the in-memory fakes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

from returns.future import FutureResult
from returns.pipeline import is_successful

from released_intacct.app.connection import ConnectionWorkflow
from released_intacct.domain import onboarding as wizard
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    RecordType,
    ReleasedStatus,
    System,
)
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctId,
    IntacctKey,
    ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.intacct import (
    ContactBlock,
    DimensionValue,
    GlAccount,
    Party,
    TaxDetail,
)
from released_intacct.domain.matching import Archive, CreateAs, Match, Step
from released_intacct.domain.money import currency
from released_intacct.domain.ports import Entity, IntacctCredentials, IntacctPort, ReleasedPort
from released_intacct.domain.released import (
    Account,
    Contact,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Phase
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.intacct_port import FakeIntacct, ready_setup
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.state_store import FakeStateStore

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RL = ReleasedCompanyId("RL-A")
CREDENTIALS = IntacctCredentials(
    sender_id="sender",
    sender_password=Secret("sender-secret"),
    company_id="ACME",
    user_id="ws_user",
    user_password=Secret("pw-5e1d"),
)


def rid(text: str) -> ReleasedId:
    return ReleasedId(text)


class Clock:
    def now(self) -> datetime:
        return NOW


def _released() -> FakeReleased:
    released = FakeReleased(clock=lambda: NOW)
    for record in (
        TaxType(id=rid("tax-std"), name=" standard ", rate=Decimal(10)),
        TaxType(id=rid("tax-std-dup"), name="STANDARD", rate=Decimal(10)),
        Account(id=rid("acc-4000"), code="4000", name="Rent"),
        Account(id=rid("acc-9999"), code="9999", name="Suspense"),
        TrackingCategory(
            id=rid("trc-dept"),
            name="Department",
            kind=DimensionKind.DEPARTMENT,
            options=(TrackingOption(id=rid("opt-leasing"), name="leasing"),),
        ),
        Contact(id=rid("con-harbour"), name="Harbour Cafe", email="hi@harbour.example"),
        Contact(id=rid("con-new"), name="Greenleaf", currency=currency("USD")),
        Contact(id=rid("con-euro"), name="Rheinland GmbH", currency=currency("EUR")),
    ):
        released.put(record)
    return released


def _intacct() -> FakeIntacct:
    intacct = FakeIntacct(
        clock=lambda: NOW,
        entities=(Entity(id=EntityId("E100"), name="East"),),
        credentials=CREDENTIALS,
    )
    for record in (
        TaxDetail(detail_id=IntacctId("Standard"), rate=Decimal(10)),
        GlAccount(account_no=IntacctId("4000"), title="Rental Income"),
        GlAccount(account_no=IntacctId("6000"), title="Other"),
        DimensionValue(kind=DimensionKind.DEPARTMENT, value_id=IntacctId("D1"), name="Leasing"),
        Party(
            role=ContactRole.CUSTOMER,
            party_id=IntacctId("CUS-1"),
            name="Harbour Café Ltd",
            primary=ContactBlock(email="HI@harbour.example"),
        ),
    ):
        intacct.put(record)
    return intacct


@dataclass
class World:
    store: FakeStateStore = field(default_factory=FakeStateStore)
    intacct: FakeIntacct = field(default_factory=_intacct)
    released: FakeReleased = field(default_factory=_released)
    started: list[ConnectionId] = field(default_factory=list)
    flow: ConnectionWorkflow = field(init=False)

    def __post_init__(self) -> None:
        self.flow = self.workflow()

    def workflow(self, *, start: bool = False) -> ConnectionWorkflow:
        async def start_sync(id: ConnectionId) -> None:
            await asyncio.sleep(0)
            self.started.append(id)

        return ConnectionWorkflow(
            self.store,
            intacct_for=self._intacct_for,
            released_for=self._released_for,
            clock=Clock(),
            start_initial_sync=start_sync if start else None,
        )

    def _intacct_for(self, _: IntacctCredentials, __: EntityId | None) -> IntacctPort:
        return self.intacct

    def _released_for(self, _: ReleasedCompanyId) -> ReleasedPort:
        return self.released

    async def matching(self) -> ConnectionId:
        connected = await value(self.flow.connect(RL, CREDENTIALS))
        id = connected.connection.id
        await value(self.flow.choose_entity(id, EntityId("E100")))
        await value(self.flow.set_sync_from(id, date(2024, 1, 1)))
        await value(self.flow.start_matching(id))
        return id

    async def resolved(self) -> ConnectionId:
        """Every item decided and every step continued."""
        id = await self.matching()
        flow = self.flow
        await value(flow.archive(id, Step.TAX_TYPES, rid("tax-std-dup")))
        await value(flow.continue_step(id, Step.TAX_TYPES))
        await value(flow.match(id, Step.ACCOUNTS, rid("acc-9999"), IntacctKey("6000")))
        await value(flow.continue_step(id, Step.ACCOUNTS))
        await value(flow.continue_step(id, Step.TRACKING_OPTIONS))
        await value(flow.create_as(id, rid("con-new"), ContactRole.CUSTOMER))
        await value(flow.create_as(id, rid("con-euro"), ContactRole.CUSTOMER))
        await value(flow.continue_step(id, Step.CONTACTS))
        return id


def run(body: Callable[[World], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(body(World()))


async def refusal(future: Any) -> SyncError:
    result = await settled(future)
    assert not is_successful(result), f"expected a refusal, got {result}"
    error = result.failure()
    assert isinstance(error, SyncError)
    return error


def test_O2_start_matching_reads_both_sides_and_auto_matches() -> None:
    async def body(world: World) -> None:
        id = await world.matching()
        ob = await value(world.flow.onboarding(id))
        decisions = {s.step: dict(s.decisions) for s in ob.steps}
        assert decisions[Step.TAX_TYPES] == {
            "tax-std": Match(
                released_id=rid("tax-std"), intacct_key=IntacctKey("Standard"), auto=True
            )
        }
        assert decisions[Step.ACCOUNTS][rid("acc-4000")] == Match(
            released_id=rid("acc-4000"), intacct_key=IntacctKey("4000"), auto=True
        )
        leasing = decisions[Step.TRACKING_OPTIONS][rid("opt-leasing")]
        assert isinstance(leasing, Match)
        assert leasing.intacct_key == "DEPARTMENT:D1"
        harbour = decisions[Step.CONTACTS][rid("con-harbour")]
        assert isinstance(harbour, Match)
        assert harbour.intacct_key == "CUSTOMER:CUS-1"  # by email: the names differ
        assert not any(s.continued for s in ob.steps)

    run(body)


def test_O1_with_nothing_in_released_every_step_starts_continued() -> None:
    async def body(world: World) -> None:
        world.released = FakeReleased(clock=lambda: NOW)
        id = await world.matching()
        ob = await value(world.flow.onboarding(id))
        assert all(s.continued for s in ob.steps)
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED

    run(body)


def test_O1_decisions_need_matching_to_have_started() -> None:
    async def body(world: World) -> None:
        connected = await value(world.flow.connect(RL, CREDENTIALS))
        early = await refusal(
            world.flow.archive(connected.connection.id, Step.ACCOUNTS, rid("acc-9999"))
        )
        assert early.rule is Rule.O1
        await value(world.flow.choose_entity(connected.connection.id, EntityId("E100")))
        undated = await refusal(world.flow.start_matching(connected.connection.id))
        assert undated.rule is Rule.C4

    run(body)


def test_O4_a_second_match_is_refused_naming_the_holder_and_nothing_is_stored() -> None:
    async def body(world: World) -> None:
        id = await world.matching()
        before = await value(world.flow.onboarding(id))
        taken = await refusal(
            world.flow.match(id, Step.TAX_TYPES, rid("tax-std-dup"), IntacctKey("Standard"))
        )
        assert taken.rule is Rule.O4
        assert "' standard '" in taken.message
        assert await value(world.flow.onboarding(id)) == before

    run(body)


def test_O3_archive_and_create_as_are_stored_and_only_contacts_are_created() -> None:
    async def body(world: World) -> None:
        id = await world.matching()
        await value(world.flow.archive(id, Step.ACCOUNTS, rid("acc-9999")))
        await value(world.flow.create_as(id, rid("con-new"), ContactRole.VENDOR))
        ob = await value(world.store.onboarding(id))
        assert ob is not None
        assert ob.state(Step.ACCOUNTS).decisions[rid("acc-9999")] == Archive(
            released_id=rid("acc-9999")
        )
        assert ob.state(Step.CONTACTS).decisions[rid("con-new")] == CreateAs(
            released_id=rid("con-new"), role=ContactRole.VENDOR
        )
        wrong = await refusal(world.flow.create_as(id, rid("acc-4000"), ContactRole.CUSTOMER))
        assert wrong.rule is Rule.O3

    run(body)


def test_O3_decide_all_takes_many_decisions_in_one_write_and_keeps_those_before_a_refusal() -> None:
    async def body(world: World) -> None:
        id = await world.matching()
        saves = 0
        save = world.store.save_onboarding

        def counted(*args: Any, **kwargs: Any) -> Any:
            nonlocal saves
            saves += 1
            return save(*args, **kwargs)

        world.store.save_onboarding = counted  # type: ignore[method-assign]
        ob = await value(
            world.flow.decide_all(
                id,
                [
                    partial(wizard.create_as, released_id=rid("con-new"), role=ContactRole.VENDOR),
                    partial(wizard.archive, step=Step.ACCOUNTS, released_id=rid("acc-9999")),
                ],
            )
        )
        assert saves == 1
        assert rid("con-new") in ob.state(Step.CONTACTS).decisions
        wrong = await refusal(
            world.flow.decide_all(
                id,
                [
                    partial(wizard.create_as, released_id=rid("con-euro"), role=ContactRole.VENDOR),
                    partial(wizard.create_as, released_id=rid("acc-4000"), role=ContactRole.VENDOR),
                ],
            )
        )
        assert wrong.rule is Rule.O3
        stored = await value(world.store.onboarding(id))
        assert stored is not None
        assert rid("con-euro") in stored.state(Step.CONTACTS).decisions  # taken before the refusal
        assert saves == 2

    run(body)


def test_O5_steps_continue_in_order_and_confirm_waits_for_all() -> None:
    async def body(world: World) -> None:
        id = await world.matching()
        order = await refusal(world.flow.continue_step(id, Step.ACCOUNTS))
        assert order.rule is Rule.O5
        open_items = await refusal(world.flow.continue_step(id, Step.TAX_TYPES))
        assert open_items.rule is Rule.O5
        assert "'STANDARD'" in open_items.message
        early = await refusal(world.flow.confirm(id))
        assert early.rule is Rule.O5
        assert await value(world.store.links(id, RecordType.TAX_TYPE)) == ()
        stored = await value(world.store.connection(id))
        assert stored is not None
        assert stored.phase is Phase.ONBOARDING

    run(body)


def test_C5_account_labels_block_confirm_with_the_fix_named() -> None:
    async def body(world: World) -> None:
        id = await world.resolved()
        world.intacct.company_setup = replace(ready_setup(), account_labels=True)
        blocked = await refusal(world.flow.confirm(id))
        assert blocked.rule is Rule.C5
        assert "Account Labels" in blocked.message
        assert "turn Account Labels off" in blocked.fix
        assert await value(world.store.links(id, RecordType.ACCOUNT)) == ()
        assert world.intacct.by_key == {}
        world.intacct.company_setup = ready_setup()
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED

    run(body)


def test_O5_confirm_links_archives_creates_and_starts_the_initial_sync() -> None:
    async def body(world: World) -> None:
        id = await world.resolved()
        confirmed = await value(world.flow.confirm(id))
        assert confirmed.phase is Phase.CONFIRMED
        assert confirmed.sync_from == date(2024, 1, 1)
        accounts = await value(world.store.links(id, RecordType.ACCOUNT))
        assert {(link.released_id, link.intacct_key) for link in accounts} == {
            ("acc-4000", "4000"),
            ("acc-9999", "6000"),
        }
        categories = await value(world.store.links(id, RecordType.TRACKING_CATEGORY))
        assert [(c.released_id, c.intacct_key) for c in categories] == [("trc-dept", "DEPARTMENT")]
        archived = world.released.get(RecordType.TAX_TYPE, rid("tax-std-dup"))
        assert isinstance(archived, TaxType)
        assert archived.status is ReleasedStatus.ARCHIVED
        contacts = {
            link.released_id: link
            for link in await value(world.store.links(id, RecordType.CONTACT))
        }
        created = contacts[rid("con-new")]
        assert created.origin is System.RELEASED
        assert created.intacct_key.startswith("CUSTOMER:C")
        assert any(isinstance(r, Party) and r.name == "Greenleaf" for r in world.intacct.records)
        assert await value(world.store.open_intents(id)) == ()
        assert rid("con-euro") not in contacts
        results = await value(world.store.results(id))
        assert [(r.rule, r.released_id) for r in results] == [(Rule.D14, "con-euro")]
        await world.flow.background()
        notes = await value(world.store.notifications(id))
        assert [n.notification.title for n in notes] == ["Initial sync queued"]

    run(body)


def test_O5_the_initial_sync_starts_in_the_background_once_confirmed() -> None:
    async def body(world: World) -> None:
        world.flow = world.workflow(start=True)
        id = await world.resolved()
        await value(world.flow.confirm(id))
        await world.flow.background()
        assert world.started == [id]
        assert await value(world.store.notifications(id)) == ()

    run(body)


def test_C1_confirm_refuses_every_later_decision() -> None:
    async def body(world: World) -> None:
        id = await world.resolved()
        await value(world.flow.confirm(id))
        for attempt in (
            world.flow.archive(id, Step.ACCOUNTS, rid("acc-4000")),
            world.flow.match(id, Step.ACCOUNTS, rid("acc-9999"), IntacctKey("4000")),
            world.flow.create_as(id, rid("con-harbour"), ContactRole.VENDOR),
            world.flow.disconnect(id),
        ):
            refused = await refusal(attempt)
            assert refused.rule is Rule.C1
            assert refused.kind is ErrorKind.REJECTED
        ob = await value(world.flow.onboarding(id))
        assert ob.confirmed

    run(body)


class DroppingIntacct(FakeIntacct):
    """Intacct whose first write is lost on the way (a dropped connection): uncertain, RETRIABLE."""

    dropped = False

    def write(self, batch: Any) -> Any:
        if not self.dropped:
            self.dropped = True
            return FutureResult.from_failure(
                SyncError(
                    kind=ErrorKind.RETRIABLE,
                    rule=None,
                    message="The connection to Sage Intacct dropped.",
                    fix="Try again.",
                )
            )
        return super().write(batch)


def test_O5_confirm_again_after_a_lost_write_creates_each_contact_once() -> None:
    async def body(world: World) -> None:
        dropping = DroppingIntacct(
            clock=lambda: NOW,
            entities=world.intacct.entities,
            credentials=CREDENTIALS,
            records=list(world.intacct.records),
        )
        world.intacct = dropping
        id = await world.resolved()
        lost = await refusal(world.flow.confirm(id))
        assert lost.kind is ErrorKind.RETRIABLE
        pending = await value(world.store.open_intents(id))
        (intent,) = pending
        assert isinstance(intent.action, CreateInIntacct)
        assert intent.action.released_id == "con-new"
        stored = await value(world.store.connection(id))
        assert stored is not None
        assert stored.phase is Phase.ONBOARDING
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
        greenleaf = [r for r in dropping.records if isinstance(r, Party) and r.name == "Greenleaf"]
        assert len(greenleaf) == 1
        assert await value(world.store.open_intents(id)) == ()

    run(body)
