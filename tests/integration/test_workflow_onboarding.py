"""The matching steps and confirm of the workflow (rules O1-O5, C5, C1) over the in-memory fakes."""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.app.admin.errors import STATUS_OF
from released_intacct.app.connection import ConnectionWorkflow
from released_intacct.app.ports import Sleep, run_policy
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
from released_intacct.domain.ports import (
    Credentials,
    Entity,
    IntacctCredentials,
    IntacctPort,
    ReleasedPort,
)
from released_intacct.domain.released import (
    Account,
    Contact,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import (
    DEFAULT_IN_FLIGHT,
    DEFAULT_STALE_AFTER,
    Phase,
    Resolution,
    RunPolicy,
    StateStore,
)
from released_intacct.fakes.awaiting import outcome, settled, value
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
    """Stands at ``NOW`` until a test moves it."""

    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


def _released(kind: type[FakeReleased] = FakeReleased) -> FakeReleased:
    released = kind(clock=lambda: NOW)
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
    store: StateStore = field(default_factory=FakeStateStore)
    intacct: FakeIntacct = field(default_factory=_intacct)
    released: FakeReleased = field(default_factory=_released)
    started: list[ConnectionId] = field(default_factory=list)
    clock: Clock = field(default_factory=Clock)
    flow: ConnectionWorkflow = field(init=False)

    def __post_init__(self) -> None:
        self.flow = self.workflow()

    def workflow(
        self,
        *,
        start: bool = False,
        store: StateStore | None = None,
        policy: RunPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> ConnectionWorkflow:
        """The workflow over this world (``store``: another process's store of the same file;
        ``sleep``: how it waits out a gone confirm's create)."""

        async def start_sync(id: ConnectionId) -> None:
            await asyncio.sleep(0)
            self.started.append(id)

        return ConnectionWorkflow(
            store or self.store,
            intacct_for=self._intacct_for,
            released_for=self._released_for,
            clock=self.clock,
            start_initial_sync=start_sync if start else None,
            policy=policy,
            sleep=sleep,
        )

    def _intacct_for(self, _: Credentials, __: EntityId | None) -> IntacctPort:
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
    result = await outcome(future)
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
                    (Step.CONTACTS, CreateAs(released_id=rid("con-new"), role=ContactRole.VENDOR)),
                    (Step.ACCOUNTS, Archive(released_id=rid("acc-9999"))),
                ],
            )
        )
        assert saves == 1
        assert rid("con-new") in ob.state(Step.CONTACTS).decisions
        wrong = await refusal(
            world.flow.decide_all(
                id,
                [
                    (Step.CONTACTS, CreateAs(released_id=rid("con-euro"), role=ContactRole.VENDOR)),
                    (Step.CONTACTS, CreateAs(released_id=rid("acc-4000"), role=ContactRole.VENDOR)),
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


# --- F4: one confirm at a time -------------------------------------------------------------------


class Gates:
    """Calls held in the order they arrive, each until the test lets it go (a slow request)."""

    def __init__(self) -> None:
        self.arrived = 0
        self._gates: dict[int, asyncio.Event] = {}

    async def wait(self) -> None:
        number, self.arrived = self.arrived, self.arrived + 1
        await self._gate(number).wait()

    def let_go(self, *numbers: int) -> None:
        for number in numbers:
            self._gate(number).set()

    async def until_arrived(self, count: int) -> None:
        async def arrived() -> None:
            while self.arrived < count:
                await asyncio.sleep(0.001)

        await asyncio.wait_for(arrived(), timeout=30)

    def _gate(self, number: int) -> asyncio.Event:
        return self._gates.setdefault(number, asyncio.Event())


class ForgetfulIntacct(FakeIntacct):
    """Intacct as the product must assume it may be: it holds no ``controlid`` against a create
    (whether Intacct refuses one already executed, for how long and across which sessions is not
    documented, spec correction 6), so every create sent makes a record; the look-up by key finds
    the first. ``gates`` holds each write in flight; ``lose`` loses the reply to that many writes
    after their records were made (RETRIABLE: the outcome is unknown to the sender);
    ``on_write`` runs once the records are made."""

    gates: Gates | None = None
    lose = 0
    on_write: Callable[[], None] | None = None

    def write(self, batch: Any) -> Any:
        return FutureResult(self._sent(batch))

    async def _sent(self, batch: Any) -> Any:
        if self.gates is not None:
            await self.gates.wait()
        first = {w.key: self.by_key.pop(w.key) for w in batch if w.key in self.by_key}
        made = await settled(FakeIntacct.write(self, batch))
        self.by_key.update(first)
        if self.on_write is not None:
            self.on_write()
        if self.lose:
            self.lose -= 1
            return Failure(_dropped())
        return made

    def named(self, name: str) -> list[Party]:
        return [r for r in self.records if isinstance(r, Party) and r.name == name]


def _dropped() -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message="The connection to Sage Intacct dropped.",
        fix="Try again.",
    )


class HeldReleased(FakeReleased):
    """Re-Leased whose archive calls wait at ``gates`` (set it to hold them)."""

    gates: Gates | None = None

    def set_archived(self, record_type: Any, released_id: Any, *, archived: bool) -> Any:
        async def held() -> Any:
            if self.gates is not None:
                await self.gates.wait()
            return await settled(
                FakeReleased.set_archived(self, record_type, released_id, archived=archived)
            )

        return FutureResult(held())


class DyingStore(FakeStateStore):
    """The store of a process that dies once ``dead`` is set: nothing more it would write is
    written (what was stored stays for the next process, which sets ``dead`` back)."""

    dead = False

    def _gone(self) -> Any:
        return FutureResult.from_failure(
            SyncError(kind=ErrorKind.FATAL, rule=None, message="The process died.", fix="-")
        )

    def settle(self, *args: Any, **kwargs: Any) -> Any:
        return self._gone() if self.dead else super().settle(*args, **kwargs)

    def settle_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._gone() if self.dead else super().settle_many(*args, **kwargs)

    def renew_confirm(self, *args: Any, **kwargs: Any) -> Any:
        return self._gone() if self.dead else super().renew_confirm(*args, **kwargs)

    def release_confirm(self, *args: Any, **kwargs: Any) -> Any:
        return self._gone() if self.dead else super().release_confirm(*args, **kwargs)


def forgetful(world: World, **settings: Any) -> ForgetfulIntacct:
    """``world`` with a ``ForgetfulIntacct`` holding what its Intacct holds; that Intacct."""
    intacct = ForgetfulIntacct(
        clock=lambda: NOW,
        entities=world.intacct.entities,
        credentials=CREDENTIALS,
        records=list(world.intacct.records),
    )
    for name, setting in settings.items():
        setattr(intacct, name, setting)
    world.intacct = intacct
    return intacct


async def _phase(world: World, id: ConnectionId) -> Phase:
    stored = await value(world.store.connection(id))
    assert stored is not None
    return stored.phase


async def soon(future: Any) -> SyncError:
    """The refusal ``future`` settles to, failing (not hanging) if it waits at a gate instead."""
    return await asyncio.wait_for(refusal(future), timeout=30)


def _under_way(error: SyncError) -> bool:
    return (error.kind, error.rule) == (
        ErrorKind.REJECTED,
        Rule.O5,
    ) and "under way" in error.message


def test_F4_two_concurrent_confirms_give_one_success_one_409_and_one_created_customer() -> None:
    """The finding: two confirms of one connection at once both succeeded and both created the
    "create as" customer. Now the second is refused (REJECTED: the admin API's 409) while the
    first is under way, and Intacct holds the customer once."""

    async def body(world: World) -> None:
        gates = Gates()
        intacct = forgetful(world, gates=gates)
        id = await world.resolved()
        first = asyncio.create_task(world.flow.confirm(id))
        await gates.until_arrived(1)  # the first confirm is sending its creates
        second = asyncio.create_task(world.flow.confirm(id))
        both_sending = asyncio.create_task(gates.until_arrived(2))
        await asyncio.wait({second, both_sending}, return_when=asyncio.FIRST_COMPLETED)
        both_sending.cancel()
        gates.let_go(0, 1)
        outcomes = [await first, await second]
        confirmed = [o.unwrap() for o in outcomes if is_successful(o)]
        refused = [o.failure() for o in outcomes if not is_successful(o)]
        assert len(intacct.named("Greenleaf")) == 1
        assert [c.phase for c in confirmed] == [Phase.CONFIRMED]
        (error,) = refused
        assert _under_way(error)
        assert STATUS_OF[error.kind] == 409
        assert await _phase(world, id) is Phase.CONFIRMED
        assert await value(world.store.open_intents(id)) == ()

    run(body)


def test_F4_while_a_confirm_is_under_way_the_connection_shows_it_and_nothing_changes() -> None:
    async def body(world: World) -> None:
        gates = Gates()
        intacct = forgetful(world, gates=gates)
        id = await world.resolved()
        first = asyncio.create_task(world.flow.confirm(id))
        await gates.until_arrived(1)
        stored = await value(world.store.connection(id))
        assert stored is not None
        assert stored.phase is Phase.CONFIRMING
        assert stored.confirming is not None
        assert (stored.confirming.since, stored.confirming.until) == (
            NOW,
            NOW + DEFAULT_STALE_AFTER,
        )
        flow = world.flow
        for change in (
            flow.match(id, Step.ACCOUNTS, rid("acc-9999"), IntacctKey("4000")),
            flow.archive(id, Step.CONTACTS, rid("con-harbour")),
            flow.create_as(id, rid("con-harbour"), ContactRole.VENDOR),
            flow.continue_step(id, Step.CONTACTS),
            flow.start_matching(id),
            flow.set_sync_from(id, date(2025, 1, 1)),
            flow.choose_entity(id, EntityId("E100")),
            flow.acknowledge(id, ()),
            flow.disconnect(id),
            flow.confirm(id),
            world.store.save_onboarding(id, wizard.start_onboarding()),
            world.store.remove_connection(id),
        ):
            error = await soon(change)
            assert _under_way(error), error
            assert "2026-03-01 09:01:00 UTC" in error.message  # until when it holds the connection
        gates.let_go(0)
        assert is_successful(await first)
        assert await _phase(world, id) is Phase.CONFIRMED
        assert len(intacct.named("Greenleaf")) == 1

    run(body)


def test_F4_a_confirm_whose_reply_was_lost_is_retried_and_creates_each_contact_once() -> None:
    """Intacct made the customer but its reply was lost: confirm fails (RETRIABLE), the
    connection is ONBOARDING again, and the retry finds the customer by its key, not sending it
    again (this Intacct keeps no control id: only the look-up stands between it and a copy)."""

    async def body(world: World) -> None:
        intacct = forgetful(world, lose=1)
        id = await world.resolved()
        lost = await refusal(world.flow.confirm(id))
        assert lost.kind is ErrorKind.RETRIABLE
        stored = await value(world.store.connection(id))
        assert stored is not None
        assert (stored.phase, stored.confirming) == (Phase.ONBOARDING, None)
        (open_intent,) = await value(world.store.open_intents(id))
        assert isinstance(open_intent.action, CreateInIntacct)
        assert open_intent.action.released_id == "con-new"
        assert len(intacct.named("Greenleaf")) == 1
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
        assert len(intacct.named("Greenleaf")) == 1
        (link,) = await value(
            world.store.links(id, RecordType.CONTACT, released_ids=[rid("con-new")])
        )
        assert link.intacct_key == intacct.named("Greenleaf")[0].link_key
        assert await value(world.store.open_intents(id)) == ()

    run(body)


def test_F3_a_confirm_retried_after_a_lost_reply_and_an_edited_key_field_asks_then_links() -> None:
    """F3 at confirm: the "create as" customer was made but its reply was lost, then a user
    edited the field its key lives in, so the retry finds nothing by the key. It must not create
    a second copy: it names the customer of that name and stops (NEEDS_USER, the intent open);
    the user's answer (``released-intacct resolve --link``) links it on the next attempt."""

    async def body(world: World) -> None:
        intacct = forgetful(world, lose=1)
        id = await world.resolved()
        await refusal(world.flow.confirm(id))
        (open_intent,) = await value(world.store.open_intents(id))
        intacct.by_key.pop(open_intent.key)  # the key's field edited: no record carries it
        (made,) = intacct.named("Greenleaf")
        asked = await refusal(world.flow.confirm(id))
        assert asked.kind is ErrorKind.NEEDS_USER
        assert str(made.link_key) in asked.message
        assert f"resolve {id} {open_intent.key} --link" in asked.fix
        assert len(intacct.named("Greenleaf")) == 1  # nothing sent
        assert await _phase(world, id) is Phase.ONBOARDING
        answer = Resolution.link(made.link_key)
        await value(world.store.resolve_intent(id, open_intent.key, answer))
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
        assert len(intacct.named("Greenleaf")) == 1
        (link,) = await value(
            world.store.links(id, RecordType.CONTACT, released_ids=[rid("con-new")])
        )
        assert link.intacct_key == made.link_key
        assert await value(world.store.open_intents(id)) == ()

    run(body)


def test_F3_a_confirm_retried_with_no_candidate_sends_the_create_again_once() -> None:
    """No record may be its copy (the lost create never landed): sent again, once."""

    async def body(world: World) -> None:
        intacct = forgetful(world, lose=1)
        id = await world.resolved()
        await refusal(world.flow.confirm(id))
        (open_intent,) = await value(world.store.open_intents(id))
        intacct.by_key.pop(open_intent.key)
        intacct.records = [r for r in intacct.records if r not in intacct.named("Greenleaf")]
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
        assert len(intacct.named("Greenleaf")) == 1

    run(body)


class FailingFinish(FakeStateStore):
    """A store that cannot write the end of the first confirm (a full disk, for once)."""

    failed = False

    def finish_confirm(self, *args: Any, **kwargs: Any) -> Any:
        if self.failed:
            return super().finish_confirm(*args, **kwargs)
        self.failed = True
        error = SyncError(kind=ErrorKind.FATAL, rule=None, message="Disk full.", fix="Free space.")
        return FutureResult.from_failure(error)


def test_F4_a_confirm_that_failed_after_its_creates_sends_none_of_them_again() -> None:
    async def body(world: World) -> None:
        world.store = FailingFinish()
        world.flow = world.workflow()
        intacct = forgetful(world)
        id = await world.resolved()
        failed = await refusal(world.flow.confirm(id))
        assert failed.message == "Disk full."
        assert await _phase(world, id) is Phase.ONBOARDING
        assert len(intacct.named("Greenleaf")) == 1
        spent = intacct.spent
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
        assert len(intacct.named("Greenleaf")) == 1
        assert intacct.spent == spent  # nothing sent, nothing looked up: the link says it all

    run(body)


async def died_confirming(
    world: World, policy: RunPolicy | None = None
) -> tuple[DyingStore, ForgetfulIntacct, ConnectionId]:
    """A confirm (its process as ``policy`` says) that dies between sending its create, which
    Intacct made, and storing what came of it; the store as that process left it."""
    store = DyingStore()
    world.store = store
    world.flow = world.workflow()
    intacct = forgetful(world)
    intacct.on_write = lambda: setattr(store, "dead", True)
    id = await world.resolved()
    assert (await refusal(world.workflow(policy=policy).confirm(id))).message == "The process died."
    store.dead, intacct.on_write = False, None  # another process, the same state
    left = await value(store.connection(id))
    assert left is not None
    assert left.phase is Phase.CONFIRMING
    assert len(await value(store.open_intents(id))) == 1
    assert len(intacct.named("Greenleaf")) == 1
    return store, intacct, id


async def _taken_over_once(world: World, id: ConnectionId, intacct: ForgetfulIntacct) -> str:
    """Confirm takes the dead confirm over, finds its customer and creates nothing again; what
    the notification of the take-over says."""
    assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
    assert len(intacct.named("Greenleaf")) == 1
    assert await value(world.store.open_intents(id)) == ()
    notes = [n.notification for n in await value(world.store.notifications(id))]
    (taken,) = [n for n in notes if n.title == "Confirm taken over"]
    return taken.body


def test_F4_a_confirm_left_by_a_dead_process_is_taken_over_once_its_lease_ran_out() -> None:
    """The process dies between sending the create and storing what came of it: the connection
    stays CONFIRMING. Another confirm is refused until the dead one's lease has run out, then
    takes it over, finds the customer the dead one made, and creates nothing again."""

    # sync.stale_after above sync.in_flight: the lease alone decides (the next test has both)
    policy = run_policy(stale_after=timedelta(minutes=30), in_flight=timedelta(minutes=15))

    async def body(world: World) -> None:
        _, intacct, id = await died_confirming(world, policy)
        world.flow = world.workflow(policy=policy)
        world.clock.at = NOW + policy.stale_after - timedelta(seconds=1)
        blocked = await refusal(world.flow.confirm(id))
        assert _under_way(blocked)
        assert "after 2026-03-01 09:30:00 UTC" in blocked.fix
        world.clock.at = NOW + policy.stale_after
        told = await _taken_over_once(world, id, intacct)
        assert "started at 2026-03-01 09:00:00 UTC" in told
        assert "no sign of life by 2026-03-01 09:30:00 UTC" in told

    run(body)


def test_F4_a_confirm_whose_process_is_gone_from_this_host_is_taken_over_at_once() -> None:
    async def body(world: World) -> None:
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        holder = f"{socket.gethostname()}/{gone.pid}"
        _, intacct, id = await died_confirming(world, run_policy())
        left = await value(world.store.connection(id))
        assert left is not None
        assert left.confirming is not None
        await value(  # as if that process had claimed it: it is provably gone
            world.store.claim_confirm(id, token=left.confirming.token, at=NOW, holder=holder)
        )
        world.flow = world.workflow()
        world.clock.at = NOW + timedelta(minutes=1)  # long before its lease runs out
        told = await _taken_over_once(world, id, intacct)
        assert f"its process ({holder}) is gone" in told

    run(body)


def test_F4_a_confirm_whose_process_may_live_is_not_taken_over_while_its_create_may_fly() -> None:
    """With ``sync.in_flight`` longer than ``sync.stale_after``, a create the stalled process sent
    at its last sign of life may land after its lease ran out: no take-over before then."""

    async def body(world: World) -> None:
        policy = RunPolicy(
            stale_after=timedelta(minutes=5),
            in_flight=timedelta(minutes=20),
            holder="another-host/4242",
        )
        _, intacct, id = await died_confirming(world, policy)
        world.flow = world.workflow(policy=replace(policy, holder="this-host/1"))
        world.clock.at = NOW + timedelta(minutes=5)  # the lease ran out
        blocked = await refusal(world.flow.confirm(id))
        assert (blocked.kind, blocked.rule) == (ErrorKind.REJECTED, Rule.O5)
        assert "another-host/4242" in blocked.message
        assert "on its way to Sage Intacct until 2026-03-01 09:20:00 UTC" in blocked.message
        assert await _phase(world, id) is Phase.CONFIRMING
        world.clock.at = NOW + timedelta(minutes=20)
        await _taken_over_once(world, id, intacct)

    run(body)


async def _renewed(world: World, id: ConnectionId) -> None:
    """Once the confirm holding ``id`` has renewed its lease past the world's clock."""

    async def renewed() -> None:
        while True:
            held = (await value(world.store.connection(id))).confirming  # type: ignore[union-attr]
            if held is not None and held.until > world.clock.at:
                return
            await asyncio.sleep(0.01)

    await asyncio.wait_for(renewed(), timeout=30)


async def _gone_before_landing(
    world: World, policy: RunPolicy | None = None
) -> tuple[ForgetfulIntacct, ConnectionId, Callable[[], None]]:
    """A confirm (its process as ``policy`` says) that died after sending its create, which has
    not reached Intacct yet; and what lands it (Intacct still executes a request whose sender is
    gone, developer.intacct.com sync-vs-async). ``policy`` None: a process gone from this host."""
    _, intacct, id = await died_confirming(world, policy or run_policy())
    if policy is None:
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        left = await value(world.store.connection(id))
        assert left is not None
        assert left.confirming is not None
        holder = f"{socket.gethostname()}/{gone.pid}"
        await value(  # as if that process had claimed it: it is provably gone
            world.store.claim_confirm(id, token=left.confirming.token, at=NOW, holder=holder)
        )
    (open_intent,) = await value(world.store.open_intents(id))
    made = intacct.by_key.pop(open_intent.key)
    intacct.records.remove(made)

    def land() -> None:
        if made not in intacct.records:
            intacct.by_key[open_intent.key] = made
            intacct.records.append(made)

    return intacct, id, land


def test_F4_a_gone_confirm_s_create_landing_late_is_found_after_the_wait_not_sent_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The confirm whose process is gone sent its create, and Intacct makes it only after the
    take-over's first look-up by key. The take-over waits (RunPolicy.attempt), its claim held and
    renewed all along, so no other confirm takes it meanwhile; it looks again, finds the
    customer and sends nothing. Without the wait it sent the create again: two customers."""
    caplog.set_level(logging.INFO, logger="released_intacct.app.holding")

    async def body(world: World) -> None:
        intacct, id, land = await _gone_before_landing(world)
        policy = run_policy(stale_after=timedelta(milliseconds=300))  # renewed every 0.1 s
        slept: list[float] = []

        async def sleep(seconds: float) -> None:
            slept.append(seconds)
            world.clock.at += timedelta(seconds=seconds)  # long past the claim's first lease
            await _renewed(world, id)
            assert _under_way(await soon(world.workflow(policy=policy).confirm(id)))
            land()

        world.flow = world.workflow(policy=policy, sleep=sleep)
        world.clock.at = NOW + timedelta(minutes=1)
        done = await world.flow.confirm(id)
        land()  # Intacct made it by now in any case
        assert is_successful(done)
        assert len(intacct.named("Greenleaf")) == 1  # two without the wait
        assert slept == [policy.attempt.total_seconds()]
        assert await value(world.store.open_intents(id)) == ()
        (link,) = await value(
            world.store.links(id, RecordType.CONTACT, released_ids=[rid("con-new")])
        )
        assert link.intacct_key == intacct.named("Greenleaf")[0].link_key
        wait = f"event=in_flight_wait connection={id} by=confirm intents=1 seconds=60.0"
        assert wait in caplog.text

    run(body)


class Sleeps:
    """The waits a confirm asks for, each moving the world's clock on (no real wait)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        self.world.clock.at += timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("after", "waited"),
    [
        (timedelta(minutes=1), 60.0),  # RunPolicy.attempt from now: well within sync.in_flight
        (DEFAULT_IN_FLIGHT - timedelta(seconds=20), 20.0),  # never past its last renewal's
    ],
    ids=["attempt_from_now", "capped_by_in_flight"],
)
def test_F4_a_gone_confirm_s_create_that_never_lands_is_sent_once_after_the_wait(
    after: timedelta, waited: float
) -> None:
    """The gone process renewed its claim last at NOW: its create may run until now +
    RunPolicy.attempt, but nothing it sent is on its way after NOW + sync.in_flight."""

    async def body(world: World) -> None:
        intacct, id, _ = await _gone_before_landing(world)
        sleeps = Sleeps(world)
        world.flow = world.workflow(sleep=sleeps)
        world.clock.at = NOW + after
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
        assert sleeps.seconds == [waited]
        assert len(intacct.named("Greenleaf")) == 1
        assert await value(world.store.open_intents(id)) == ()

    run(body)


def test_F4_a_confirm_taken_over_from_a_process_that_may_live_waits_for_nothing_more() -> None:
    """Unchanged: a confirm whose process may live (another host) is taken over only once its
    lease ran out and nothing it sent may still fly (``test_F4_..._may_live_...``); the create
    it never landed is then sent again at once, without a wait."""

    async def body(world: World) -> None:
        elsewhere = run_policy(stale_after=timedelta(minutes=30))  # above sync.in_flight
        policy = replace(elsewhere, holder="another-host/4242")
        intacct, id, _ = await _gone_before_landing(world, policy)
        sleeps = Sleeps(world)
        world.flow = world.workflow(policy=replace(policy, holder="this-host/1"), sleep=sleeps)
        world.clock.at = NOW + policy.stale_after
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
        assert sleeps.seconds == []
        assert len(intacct.named("Greenleaf")) == 1

    run(body)


def test_F4_a_live_confirm_renews_its_lease_and_is_never_taken_over() -> None:
    """However long Intacct keeps the creates in flight, the confirm's process renews its lease,
    so another confirm is refused even after the first lease's time has passed."""

    async def body(world: World) -> None:
        gates = Gates()
        intacct = forgetful(world, gates=gates)
        policy = run_policy(stale_after=timedelta(milliseconds=300))  # renewed every 0.1 s
        world.flow = world.workflow(policy=policy)
        id = await world.resolved()
        first = asyncio.create_task(world.flow.confirm(id))
        await gates.until_arrived(1)
        world.clock.at = NOW + timedelta(hours=1)  # long past the first lease
        await _renewed(world, id)
        assert _under_way(await soon(world.workflow(policy=policy).confirm(id)))
        gates.let_go(0)
        assert is_successful(await first)
        assert len(intacct.named("Greenleaf")) == 1

    run(body)


def test_F4_a_confirm_that_lost_its_claim_sends_nothing_more() -> None:
    """The first confirm stalls (its archive held) past its lease and another takes it over;
    when the first goes on, it finds it no longer holds the connection and stops before sending
    its creates: Intacct gets the customer from the second only."""

    async def body(world: World) -> None:
        gates = Gates()
        world.released = held = _released(HeldReleased)
        assert isinstance(held, HeldReleased)
        held.gates = gates
        intacct = forgetful(world)
        id = await world.resolved()
        first = asyncio.create_task(world.flow.confirm(id))
        await gates.until_arrived(1)  # the first confirm's archive is in flight
        # its lease ran out, and its archive can no longer be in flight
        world.clock.at = NOW + max(DEFAULT_STALE_AFTER, DEFAULT_IN_FLIGHT)
        second = asyncio.create_task(world.flow.confirm(id))
        await gates.until_arrived(2)  # the second took over and is archiving too
        gates.let_go(0)
        stopped = await first
        assert not is_successful(stopped)
        assert stopped.failure().rule is Rule.O5
        assert "no longer holds it" in stopped.failure().message
        assert intacct.named("Greenleaf") == []
        gates.let_go(1)
        assert is_successful(await second)
        assert len(intacct.named("Greenleaf")) == 1
        assert await _phase(world, id) is Phase.CONFIRMED

    run(body)


def test_F4_two_processes_on_one_database_confirm_once(tmp_path: Path) -> None:
    """Two store objects on one SQLite file, as two processes have: the claim is serialised by
    the file's write lock, not by anything the two share in memory."""

    async def body() -> None:
        key = generate_key()
        one = await SqliteStateStore.open(tmp_path / "state.sqlite3", key=key)
        other = await SqliteStateStore.open(tmp_path / "state.sqlite3", key=key)
        try:
            world = World(store=one)
            gates = Gates()
            intacct = forgetful(world, gates=gates)
            id = await world.resolved()
            first = asyncio.create_task(world.flow.confirm(id))
            await gates.until_arrived(1)
            assert _under_way(await soon(world.workflow(store=other).confirm(id)))
            gates.let_go(0)
            assert is_successful(await first)
            assert len(intacct.named("Greenleaf")) == 1
            seen = await value(other.connection(id))
            assert seen is not None
            assert seen.phase is Phase.CONFIRMED
        finally:
            await one.close()
            await other.close()

    asyncio.run(body())


def test_F4_a_contact_decided_otherwise_after_a_failed_confirm_is_neither_created_nor_linked() -> (
    None
):
    """The first confirm made the customer but never learnt it; the user then archives that
    contact instead. The retry creates nothing, links nothing, closes the open create for good
    (the initial sync's recovery would otherwise link or send it) and names the customer."""

    async def body(world: World) -> None:
        intacct = forgetful(world, lose=1)
        id = await world.resolved()
        assert (await refusal(world.flow.confirm(id))).kind is ErrorKind.RETRIABLE
        (made,) = intacct.named("Greenleaf")
        await value(world.flow.archive(id, Step.CONTACTS, rid("con-new")))
        await value(world.flow.continue_step(id, Step.CONTACTS))
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
        assert intacct.named("Greenleaf") == [made]
        linked = await value(
            world.store.links(id, RecordType.CONTACT, released_ids=[rid("con-new")])
        )
        assert linked == ()
        assert await value(world.store.open_intents(id)) == ()
        (result,) = [r for r in await value(world.store.results(id)) if r.released_id == "con-new"]
        assert (result.kind, result.rule, result.intacct_key) == (
            ErrorKind.NEEDS_USER,
            Rule.O3,
            made.link_key,
        )

    run(body)
