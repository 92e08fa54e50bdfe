"""Onboarding end to end on both simulators' demo seeds (rules C1-C5, O1-O5).

Intacct: the simulator's ``DEMO`` company (``seed.load_demo``) through the real ``IntacctAdapter``;
Re-Leased: the simulator's ``RL-DEMO`` company (``seed.load_demo``, whose docstring maps each item
to its onboarding case) through the real ``ReleasedAdapter``; both over ``httpx.ASGITransport``.
State: the in-memory ``FakeStateStore`` and the aiosqlite ``SqliteStateStore`` (ids ``fake``,
``sqlite``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from returns.pipeline import is_successful

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.domain.enums import ContactRole, RecordType
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctKey,
    ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.matching import Match, Step
from released_intacct.domain.onboarding import Onboarding, unresolved
from released_intacct.domain.rules.prerequisites import Status, blocking
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Phase, StateStore
from released_intacct.fakes.awaiting import outcome, value
from released_intacct.fakes.demo_pair import CHECKED_BY_HAND, DEMO, RL_DEMO, DemoPair, demo_pair
from released_intacct.fakes.simulators.released import seed as released_seed
from released_intacct.fakes.state_store import FakeStateStore

E100 = EntityId("E100")
T0 = datetime(2026, 5, 1, tzinfo=UTC)


async def _fake(_: Path) -> tuple[StateStore, Callable[[], Coroutine[Any, Any, None]]]:
    async def nothing() -> None:
        return None

    return FakeStateStore(), nothing


async def _sqlite(folder: Path) -> tuple[StateStore, Callable[[], Coroutine[Any, Any, None]]]:
    store = await SqliteStateStore.open(folder / "state.sqlite3", key=generate_key())
    return store, store.close


STORES = {"fake": _fake, "sqlite": _sqlite}


@pytest.fixture(params=sorted(STORES))
def scenario(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[Callable[[DemoPair], Coroutine[Any, Any, None]]], None]:
    make = STORES[str(request.param)]

    def run(body: Callable[[DemoPair], Coroutine[Any, Any, None]]) -> None:
        async def main() -> None:
            store, close = await make(tmp_path)
            try:
                async with demo_pair(store) as world:
                    await body(world)
            finally:
                await close()

        asyncio.run(main())

    return run


async def refusal(future: Any) -> SyncError:
    result = await outcome(future)
    assert not is_successful(result), f"expected a refusal, got {result}"
    error = result.failure()
    assert isinstance(error, SyncError)
    return error


def matched(ob: Onboarding, step: Step) -> dict[str, str]:
    return {
        released_id: decision.intacct_key
        for released_id, decision in ob.state(step).decisions.items()
        if isinstance(decision, Match)
    }


async def dated(world: DemoPair) -> ConnectionId:
    connected = await value(world.flow.connect(RL_DEMO, DEMO))
    assert {e.id for e in connected.entities} == {"E100", "E200"}
    id = connected.connection.id
    await value(world.flow.choose_entity(id, E100))
    early = await refusal(world.flow.set_sync_from(id, date(2017, 12, 31)))
    assert early.rule is Rule.C4
    assert "2017-12-31" in early.message
    await value(world.flow.set_sync_from(id, date(2024, 1, 1)))
    checks = await value(world.flow.prerequisites(id))
    assert {a.prerequisite for a in checks if a.blocks} == set(CHECKED_BY_HAND)
    assert {a.status for a in checks if a.blocks} == {Status.UNKNOWN}
    await value(world.flow.acknowledge(id, CHECKED_BY_HAND))
    assert blocking(await value(world.flow.prerequisites(id))) == ()
    return id


async def resolve(world: DemoPair, id: ConnectionId) -> None:
    """Every item auto-match left, resolved as the seed documents it; every step continued."""
    flow = world.flow
    for step in Step:
        ob = await value(flow.onboarding(id))
        for candidate in unresolved(ob, step):
            if candidate.released_id == "con-greenleaf":
                await value(flow.create_as(id, candidate.released_id, ContactRole.CUSTOMER))
            elif candidate.released_id == "con-sparkle":
                await value(flow.create_as(id, candidate.released_id, ContactRole.VENDOR))
            else:
                await value(flow.archive(id, step, candidate.released_id))
        await value(flow.continue_step(id, step))


def test_O2_auto_matches_on_the_demo_seeds(scenario: Any) -> None:
    async def body(world: DemoPair) -> None:
        id = await dated(world)
        ob = await value(world.flow.start_matching(id))
        assert matched(ob, Step.TAX_TYPES) == {
            "tax-standard": "Standard 10%",
            "tax-reduced": "Reduced 5%",
            "tax-exempt": "Exempt",
        }
        assert matched(ob, Step.ACCOUNTS) == {
            "acc-4000": "4000",
            "acc-4100": "4100",
            "acc-4200": "4200",
            "acc-5000": "5000",
            "acc-util": "5100",
            "acc-5200": "5200",
        }
        options = matched(ob, Step.TRACKING_OPTIONS)
        assert options["opt-loc-west"] == "LOCATION:E200"
        assert options["opt-dept-maint"] == "DEPARTMENT:D200"
        assert options["opt-class-com"] == "CLASS:CL-COM"
        assert options["opt-proj-lobby"] == "PROJECT:P-001"
        assert "opt-port-north" not in options
        assert matched(ob, Step.CONTACTS) == {
            "con-harbour": "CUSTOMER:CUS-1001",
            "con-northwind": "CUSTOMER:CUS-1002",
            "con-bluebell": "CUSTOMER:CUS-1003",
            "con-quayside": "CUSTOMER:CUS-1004",
            "con-citypower": "VENDOR:VEN-2001",
            "con-apex": "VENDOR:VEN-2002",
        }
        left = {c.released_id for step in Step for c in unresolved(ob, step)}
        assert {"tax-exempt-dup", "acc-5200-old", "con-quayside-dup", "con-greenleaf"} <= left
        assert "con-former" not in left  # already archived in Re-Leased

    scenario(body)


def test_O4_a_one_to_one_conflict_is_refused_with_the_holders_name(scenario: Any) -> None:
    async def body(world: DemoPair) -> None:
        id = await dated(world)
        await value(world.flow.start_matching(id))
        cases = (
            (Step.TAX_TYPES, "tax-exempt-dup", "Exempt", "'Exempt'"),
            (Step.ACCOUNTS, "acc-5200-old", "5200", "'5200 Management Fees'"),
            (Step.CONTACTS, "con-quayside-dup", "CUSTOMER:CUS-1004", "'Quayside Books'"),
        )
        for step, released_id, key, holder in cases:
            refused = await refusal(
                world.flow.match(id, step, ReleasedId(released_id), IntacctKey(key))
            )
            assert refused.rule is Rule.O4
            assert f"Re-Leased {step.noun} {holder}" in refused.message

    scenario(body)


def test_C1_a_second_connection_of_the_same_company_is_refused(scenario: Any) -> None:
    async def body(world: DemoPair) -> None:
        await dated(world)
        again = await refusal(world.flow.connect(RL_DEMO, DEMO))
        assert again.rule is Rule.C1
        other = await value(world.flow.connect(ReleasedCompanyId("RL-OTHER"), DEMO))
        same_entity = await refusal(world.flow.choose_entity(other.connection.id, E100))
        assert same_entity.rule is Rule.C1
        assert "RL-DEMO" in same_entity.message
        await value(world.flow.choose_entity(other.connection.id, EntityId("E200")))
        third = await refusal(world.flow.connect(ReleasedCompanyId("RL-THIRD"), DEMO))
        assert third.rule is Rule.C1

    scenario(body)


def test_C5_account_labels_in_use_block_confirm_until_turned_off(scenario: Any) -> None:
    """An active account label is how the product sees labels in use (ARACCOUNTLABEL, a
    documented object); acknowledging the unknown check does not pass a known failure."""

    async def body(world: DemoPair) -> None:
        id = await dated(world)
        await value(world.flow.start_matching(id))
        await resolve(world, id)
        books = world.intacct.companies["DEMO"]
        label: dict[str, object] = {
            "ACCOUNTLABEL": "Rent",
            "GLACCOUNTNO": "4000",
            "STATUS": "active",
        }
        stored_label = books.insert("ARACCOUNTLABEL", label, now=T0, entity="")
        labels = blocking(await value(world.flow.prerequisites(id)))
        assert [error.rule for error in labels] == [Rule.C5]
        blocked = await refusal(world.flow.confirm(id))
        assert blocked.rule is Rule.C5
        assert "Account Labels" in blocked.message
        assert "turn Account Labels off" in blocked.fix
        stored = await value(world.store.connection(id))
        assert stored is not None
        assert stored.phase is Phase.ONBOARDING
        stored_label["STATUS"] = "inactive"
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED

    scenario(body)


def test_correction_5_C5_confirm_waits_for_every_unknown_prerequisite(scenario: Any) -> None:
    async def body(world: DemoPair) -> None:
        connected = await value(world.flow.connect(RL_DEMO, DEMO))
        id = connected.connection.id
        await value(world.flow.choose_entity(id, E100))
        await value(world.flow.set_sync_from(id, date(2024, 1, 1)))
        await value(world.flow.start_matching(id))
        await resolve(world, id)
        await value(world.flow.acknowledge(id, CHECKED_BY_HAND[:-1]))
        waiting = await refusal(world.flow.confirm(id))
        assert waiting.rule is Rule.C5
        assert "subtotal dimensions" in waiting.message
        assert "released-intacct acknowledge" in waiting.fix
        told = await value(world.flow.acknowledge(id, CHECKED_BY_HAND[-1:]))
        assert [a.prerequisite for a in told] == list(CHECKED_BY_HAND)
        assert (await value(world.flow.confirm(id))).phase is Phase.CONFIRMED
        late = await refusal(world.flow.acknowledge(id, CHECKED_BY_HAND[:1]))
        assert late.rule is Rule.C1

    scenario(body)


def test_O5_confirm_after_resolving_every_step_then_C1_no_disconnect(scenario: Any) -> None:
    async def body(world: DemoPair) -> None:
        id = await dated(world)
        await value(world.flow.start_matching(id))
        await resolve(world, id)
        confirmed = await value(world.flow.confirm(id))
        assert confirmed.phase is Phase.CONFIRMED
        await world.flow.background()
        notes = await value(world.store.notifications(id))
        assert [n.notification.title for n in notes] == ["Initial sync queued"]
        links: dict[str, str] = {
            link.released_id: link.intacct_key
            for link in await value(world.store.links(id, RecordType.CONTACT))
        }
        assert links["con-harbour"] == "CUSTOMER:CUS-1001"
        assert links["con-greenleaf"].startswith("CUSTOMER:")
        assert links["con-sparkle"].startswith("VENDOR:")
        demo_books = world.intacct.companies["DEMO"]
        assert demo_books.by_field("CUSTOMER", "NAME", "Greenleaf Florists") is not None
        assert demo_books.by_field("VENDOR", "NAME", "Sparkle Cleaning Services") is not None
        archived = world.released.companies["RL-DEMO"].tables["tax-types"]["tax-gst-imports"]
        assert archived["status"] == "Archived"
        for attempt in (world.flow.disconnect(id), world.flow.choose_entity(id, E100)):
            refused = await refusal(attempt)
            assert refused.rule is Rule.C1
            assert "can never be removed or changed" in refused.message
        held = await refusal(world.flow.connect(RL_DEMO, DEMO))
        assert held.rule is Rule.C1
        assert await value(world.store.connection(id)) == confirmed

    scenario(body)


def test_C2_credentials_never_reach_a_log_line_or_an_error(
    scenario: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The whole demo onboarding with every logger at DEBUG, then a wrong password."""
    caplog.set_level(logging.DEBUG)

    async def body(world: DemoPair) -> None:
        id = await dated(world)
        await value(world.flow.start_matching(id))
        await resolve(world, id)
        await value(world.flow.confirm(id))
        await world.flow.background()
        wrong = replace(DEMO, user_password=Secret("not-the-password-7"))
        refused = await refusal(world.flow.connect(ReleasedCompanyId("RL-OTHER"), wrong))
        shown = f"{refused} {refused!r} {refused.cause}"
        assert "not-the-password-7" not in shown
        assert "ws_pass" not in shown

    scenario(body)
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert caplog.records, "nothing was logged: the check would prove nothing"
    for secret in ("ws_pass", "demo-sender-pass", "not-the-password-7", released_seed.API_KEY):
        assert secret not in logged
