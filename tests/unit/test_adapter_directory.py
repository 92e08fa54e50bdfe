"""Log-in and set-up through the adapter against the simulator (rules C2, C3, C5).

Each set-up fact that Intacct documents a way to read is read from the simulator's company
settings and records (flipping a setting, or removing records, shows the change); the others are
unknown whatever the company holds (spec correction 5).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.setupcache import SetupCache
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import ContactRole, Prerequisite, RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import EntityId, IdempotencyKey, ReleasedId
from released_intacct.domain.intacct import Party
from released_intacct.domain.ports import Entity, IntacctCredentials, IntacctSetup
from released_intacct.domain.rules.prerequisites import Status, assess, check_prerequisites
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seed import load_demo
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T = TypeVar("T")
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
E100 = EntityId("E100")
USER_SECRET = "ws-pass-7c1e-never-shown"
SENDER_SECRET = "sender-pass-93ab-never-shown"
GOOD = IntacctCredentials(
    sender_id="demo-sender",
    sender_password=Secret("demo-sender-pass"),
    company_id="DEMO",
    user_id="ws_user",
    user_password=Secret("ws_pass"),
)


@pytest.fixture(scope="module")
def demo_tables() -> Company:
    """The demo company, seeded once; each test works on its own copy."""
    return load_demo(Simulator(clock=lambda: NOW), now=NOW)


def demo(demo_tables: Company) -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: NOW)
    company = demo_tables.snapshot()
    sim.add_sender("demo-sender", "demo-sender-pass")
    sim.add_company(company)
    return sim, company


def adapter(
    sim: Simulator, credentials: IntacctCredentials = GOOD, *, page_size: int = 1000
) -> IntacctAdapter:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(sim)), base_url="http://sim"
    )
    settings = ClientSettings(
        endpoint="http://sim/ia/xml/xmlgw.phtml", backoff=0.0, page_size=page_size
    )
    return IntacctAdapter(client, credentials, entity=None, settings=settings)


def run(future: Callable[[], FutureResult[T, SyncError]]) -> T:
    async def main() -> T:
        return await value(future())

    return asyncio.run(main())


def fails(future: Callable[[], FutureResult[Any, SyncError]]) -> SyncError:
    async def main() -> Result[Any, SyncError]:
        return await settled(future())

    outcome = asyncio.run(main())
    assert not is_successful(outcome), outcome
    return outcome.failure()


def shown(error: SyncError) -> str:
    return f"{error} {error.message} {error.fix} {error.cause} {error!r}"


# --- login -----------------------------------------------------------------------------------


def test_C2_C3_login_with_good_credentials_lists_the_entities(demo_tables: Company) -> None:
    sim, _ = demo(demo_tables)
    entities = run(lambda: adapter(sim).login(GOOD))
    assert entities == (
        Entity(id=EntityId("E100"), name="East Region", currency="USD"),
        Entity(id=EntityId("E200"), name="West Region", currency="USD"),
    )


def test_C3_a_company_without_entities_lists_none() -> None:
    sim = Simulator(clock=lambda: NOW)
    load_company(
        sim,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
        },
        now=NOW,
    )
    assert run(lambda: adapter(sim).login(GOOD)) == ()


def test_C3_inactive_entities_are_not_offered(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    (row,) = [r for r in company.table("LOCATIONENTITY").values() if r["LOCATIONID"] == "E200"]
    row["STATUS"] = "inactive"
    assert [e.id for e in run(lambda: adapter(sim).login(GOOD))] == ["E100"]


def test_C2_wrong_password_is_fatal_and_never_shown(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    company.users["ws_user"] = "the-real-one"
    wrong = replace(GOOD, user_password=Secret(USER_SECRET))
    error = fails(lambda: adapter(sim, wrong).login(wrong))
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
    assert USER_SECRET not in shown(error)
    assert "the-real-one" not in shown(error)


def test_C2_wrong_sender_is_fatal_and_never_shown(demo_tables: Company) -> None:
    sim, _ = demo(demo_tables)
    wrong = replace(GOOD, sender_password=Secret(SENDER_SECRET))
    error = fails(lambda: adapter(sim).login(wrong))
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
    assert SENDER_SECRET not in shown(error)
    unknown = replace(GOOD, sender_id="someone-else")
    error = fails(lambda: adapter(sim).login(unknown))
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)


def test_C2_login_checks_the_credentials_it_is_given_not_the_adapters(
    demo_tables: Company,
) -> None:
    sim, _ = demo(demo_tables)
    stale = replace(GOOD, user_password=Secret("old-password"))
    assert len(run(lambda: adapter(sim, stale).login(GOOD))) == 2


# --- setup -----------------------------------------------------------------------------------


UNKNOWN = frozenset(
    {
        Prerequisite.CUSTOMER_SEQUENCING,
        Prerequisite.VENDOR_SEQUENCING,
        Prerequisite.ACCOUNT_LABELS_OFF,
        Prerequisite.EXTERNAL_TAX,
        Prerequisite.SUBTOTAL_DEFAULTING,
    }
)


def _statuses(setup: IntacctSetup) -> dict[Prerequisite, Status]:
    return {a.prerequisite: a.status for a in assess(setup)}


def test_correction_5_C5_setup_reads_only_documented_facts_and_says_unknown(
    demo_tables: Company,
) -> None:
    sim, _ = demo(demo_tables)
    setup = run(lambda: adapter(sim).setup(E100))
    assert (
        setup.customer_sequencing,
        setup.vendor_sequencing,
        setup.account_labels,
        setup.order_entry,
        setup.purchasing,
        setup.tax_solution_external,
        setup.subtotal_dimension_defaulting,
        setup.base_currency,
    ) == (None, None, None, True, True, None, None, "USD")
    assert sorted((i.item_id, i.for_sales, i.gl_account_no) for i in setup.items) == [
        ("4000-S", True, "4000"),
        ("4100-S", True, "4100"),
        ("4200-S", True, "4200"),
        ("5000-P", False, "5000"),
        ("5100-P", False, "5100"),
        ("5200-P", False, "5200"),
    ]
    statuses = _statuses(setup)
    assert {p for p, s in statuses.items() if s is Status.UNKNOWN} == UNKNOWN
    assert {p for p, s in statuses.items() if s is Status.HOLDS} == {
        Prerequisite.ITEMS,
        Prerequisite.ITEM_CREATES,
        Prerequisite.BASE_CURRENCY,
    }
    assert len(check_prerequisites(setup)) == len(UNKNOWN)
    assert check_prerequisites(setup, UNKNOWN) == ()
    sources = dict(setup.sources)
    assert "ARACCOUNTLABEL: 0 active" in sources["account_labels_off"]
    assert sources["customer_sequencing"] == "no documented object or preference reports it"


def test_correction_5_C5_inferred_preference_names_are_never_relied_on(
    demo_tables: Company,
) -> None:
    """A company answering the preference names no source documents (the simulator's
    ``inferred`` mode) reads the same: on or off, those settings stay unknown."""
    sim, company = demo(demo_tables)
    documented = run(lambda: adapter(sim).setup(E100))
    company.settings.preferences = "inferred"
    for flags in ((False, True), (True, False)):
        company.settings.customer_sequencing, company.settings.subtotal_defaulting = flags
        assert run(lambda: adapter(sim).setup(E100)) == documented


def test_correction_5_C5_an_active_account_label_shows_labels_in_use(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    label: dict[str, object] = {"ACCOUNTLABEL": "Rent", "GLACCOUNTNO": "4000", "STATUS": "active"}
    company.insert("ARACCOUNTLABEL", label, now=NOW, entity="")
    setup = run(lambda: adapter(sim).setup(E100))
    assert setup.account_labels is True
    assert _statuses(setup)[Prerequisite.ACCOUNT_LABELS_OFF] is Status.FAILS
    assert "ARACCOUNTLABEL: 1 active" in dict(setup.sources)["account_labels_off"]
    company.table("ARACCOUNTLABEL").clear()
    company.insert("ARACCOUNTLABEL", {**label, "STATUS": "inactive"}, now=NOW, entity="")
    assert run(lambda: adapter(sim).setup(E100)).account_labels is None


@pytest.mark.parametrize(
    ("setting", "fact"), [("order_entry", "order_entry"), ("purchasing", "purchasing")]
)
def test_C5_each_module_switched_off_is_reflected(
    demo_tables: Company, setting: str, fact: str
) -> None:
    sim, company = demo(demo_tables)
    before = run(lambda: adapter(sim).setup(E100))
    setattr(company.settings, setting, False)
    after = run(lambda: adapter(sim).setup(E100))
    assert (getattr(before, fact), getattr(after, fact)) == (True, False)
    untouched = {f for f in IntacctSetup.__slots__ if f != fact}
    assert {f: getattr(after, f) for f in untouched} == {f: getattr(before, f) for f in untouched}


def test_C5_no_items_is_reflected_and_blocks_confirm(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    company.table("ITEM").clear()
    setup = run(lambda: adapter(sim).setup(E100))
    assert setup.items == ()
    assert [e.rule for e in check_prerequisites(setup, UNKNOWN)] == [Rule.C5]
    assert _statuses(setup)[Prerequisite.ITEMS] is Status.FAILS


def test_C5_without_order_modules_only_the_general_checks_apply(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    company.settings.order_entry = company.settings.purchasing = False
    company.table("ITEM").clear()
    setup = run(lambda: adapter(sim).setup(E100))
    assert (setup.order_entry, setup.purchasing) == (False, False)
    assert set(_statuses(setup)) == {
        Prerequisite.CUSTOMER_SEQUENCING,
        Prerequisite.VENDOR_SEQUENCING,
        Prerequisite.ACCOUNT_LABELS_OFF,
        Prerequisite.BASE_CURRENCY,
    }


def test_C5_an_order_module_without_definitions_is_not_used(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    company.table("PODOCUMENTPARAMS").clear()
    setup = run(lambda: adapter(sim).setup(E100))
    assert (setup.order_entry, setup.purchasing) == (True, False)


def test_correction_5_C5_base_currency_is_the_entitys_else_getfinancialsetup(
    demo_tables: Company,
) -> None:
    sim, company = demo(demo_tables)
    company.settings.base_currency = "GBP"
    for row in company.table("LOCATIONENTITY").values():
        row["CURRENCY"] = "CAD" if row["LOCATIONID"] == "E100" else ""
    at = adapter(sim)
    assert run(lambda: at.setup(E100)).base_currency == "CAD"
    assert run(lambda: at.setup(EntityId("E200"))).base_currency == "GBP"
    assert run(lambda: at.setup(EntityId(""))).base_currency == "GBP"
    company.settings.multi_base_currency = True
    top = run(lambda: at.setup(EntityId("")))
    assert top.base_currency is None
    assert _statuses(top)[Prerequisite.BASE_CURRENCY] is Status.FAILS
    assert run(lambda: at.setup(E100)).base_currency == "CAD"


def test_C5_every_item_is_read_across_pages(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    for n in range(2_345):
        record: dict[str, object] = {"ITEMID": f"X{n:05d}", "NAME": f"Item {n}"}
        record["INCOMEACCTKEY"] = "4000"
        company.insert("ITEM", record, now=NOW, entity="")
    before = sim.usage["DEMO"].requests
    at = adapter(sim, page_size=1000)
    setup = run(lambda: at.setup(E100))
    assert len(setup.items) == 2_345 + 6
    assert len({i.item_id for i in setup.items}) == len(setup.items)
    # log-in; one request for subscriptions, financial set-up, one row of SO and of PO
    # definitions, the AR and AP account labels, the entity's row and ITEM's first page; ITEM's
    # other ceil(2,351 / 1,000) - 1 = 2 pages
    assert sim.usage["DEMO"].requests - before == 1 + 1 + 2


def test_C3_setup_at_an_unknown_entity_needs_the_user(demo_tables: Company) -> None:
    sim, _ = demo(demo_tables)
    error = fails(lambda: adapter(sim).setup(EntityId("E999")))
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.C3)
    assert "E999" in error.message


def test_C2_setup_with_a_wrong_password_is_fatal(demo_tables: Company) -> None:
    sim, _ = demo(demo_tables)
    wrong = replace(GOOD, user_password=Secret(USER_SECRET))
    error = fails(lambda: adapter(sim, wrong).setup(E100))
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
    assert USER_SECRET not in shown(error)


def test_setup_reads_count_as_transactions(demo_tables: Company) -> None:
    sim, _ = demo(demo_tables)
    at = adapter(sim)
    run(lambda: at.setup(E100))
    assert at.transactions_spent() >= 6


# --- the set-up kept between runs (setupcache) ----------------------------------------------------


class Clock:
    """The injectable clock: moved by the test, never waited for."""

    def __init__(self) -> None:
        self.at = NOW

    def now(self) -> datetime:
        return self.at


def run_adapter(
    sim: Simulator, setups: SetupCache, *, lifetime: timedelta = timedelta(hours=1)
) -> IntacctAdapter:
    """A run's adapter: a new one each run, sharing the process's ``setups``."""
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(sim)), base_url="http://sim"
    )
    settings = ClientSettings(
        endpoint="http://sim/ia/xml/xmlgw.phtml", backoff=0.0, setup_lifetime=lifetime
    )
    return IntacctAdapter(client, GOOD, entity=None, settings=settings, setups=setups)


def _synced(sim: Simulator, setups: SetupCache, **kw: Any) -> tuple[IntacctSetup, int, int]:
    """A sync run's set-up: the facts, its requests (log-in included) and API transactions."""
    before = sim.usage["DEMO"].requests
    at = run_adapter(sim, setups, **kw)
    setup = run(lambda: at.setup(E100, reuse=True))
    return setup, sim.usage["DEMO"].requests - before, at.transactions_spent()


def test_C5_a_sync_run_within_the_lifetime_takes_the_set_up_kept_and_reads_the_currency(
    demo_tables: Company,
) -> None:
    sim, company = demo(demo_tables)
    clock = Clock()
    setups = SetupCache(clock)
    first, _, spent = _synced(sim, setups)
    assert first.items
    assert (first.order_entry, first.purchasing) == (True, True)
    company.table("ITEM").clear()
    company.table("PODOCUMENTPARAMS").clear()
    for row in company.table("LOCATIONENTITY").values():
        row["CURRENCY"] = "CAD"
    clock.at = NOW + timedelta(minutes=59)
    kept, kept_requests, kept_spent = _synced(sim, setups)
    # the Items and definitions as kept; the base currency read again
    assert (kept.items, kept.purchasing, kept.base_currency) == (first.items, True, "CAD")
    # log-in and one request: getFinancialSetup and the entity's row, two transactions
    assert (kept_requests, kept_spent) == (2, 2)
    assert spent == 8  # subscriptions, financial set-up, 2 definitions, 2 labels, ITEM, entity
    clock.at = NOW + timedelta(hours=1)
    after, _, after_spent = _synced(sim, setups)
    assert (after.items, after.purchasing, after_spent) == ((), False, 8)


def test_C5_onboarding_and_confirm_read_afresh_whatever_is_kept(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    setups = SetupCache(Clock())
    _synced(sim, setups)
    company.table("ITEM").clear()
    at = run_adapter(sim, setups)
    assert run(lambda: at.setup(E100)).items == ()
    assert _synced(sim, setups)[0].items == ()  # and what it read is kept


def test_C5_a_changed_lifetime_takes_effect_at_the_next_run(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    clock = Clock()
    setups = SetupCache(clock)
    _synced(sim, setups, lifetime=timedelta(hours=6))
    company.table("ITEM").clear()
    clock.at = NOW + timedelta(hours=2)
    assert _synced(sim, setups, lifetime=timedelta(hours=6))[0].items != ()
    assert _synced(sim, setups, lifetime=timedelta(hours=1))[0].items == ()
    assert _synced(sim, setups, lifetime=timedelta(0))[2] == 8


def test_C5_a_module_not_subscribed_at_the_last_read_has_no_definitions_asked(
    demo_tables: Company,
) -> None:
    sim, company = demo(demo_tables)
    company.settings.order_entry = company.settings.purchasing = False
    clock = Clock()
    setups = SetupCache(clock)
    assert _synced(sim, setups)[2] == 8
    clock.at = NOW + timedelta(hours=2)
    setup, requests, spent = _synced(sim, setups)
    assert (setup.order_entry, setup.purchasing, requests, spent) == (False, False, 2, 6)
    company.settings.order_entry = True  # subscribed since: its definitions asked after
    clock.at = NOW + timedelta(hours=4)
    setup, requests, spent = _synced(sim, setups)
    assert (setup.order_entry, setup.purchasing, requests, spent) == (True, False, 3, 7)


def test_C5_a_refused_write_has_the_next_run_read_the_set_up_again(demo_tables: Company) -> None:
    sim, company = demo(demo_tables)
    setups = SetupCache(Clock())
    _synced(sim, setups)
    company.table("ITEM").clear()
    at = run_adapter(sim, setups)
    run(lambda: at.setup(E100, reuse=True))
    company.settings.customer_sequencing = False  # a customer without an id is refused
    unnumbered = CreateInIntacct(
        key=IdempotencyKey("ri-0001"),
        record_type=RecordType.CONTACT,
        released_id=ReleasedId("rl-1"),
        record=Party(role=ContactRole.CUSTOMER, party_id=None, name="Harbour Cafe"),
        source_fingerprint="fp",
    )
    (outcome,) = run(lambda: at.write([unnumbered]))
    assert not is_successful(outcome.result)
    assert outcome.result.failure().kind is ErrorKind.REJECTED
    assert _synced(sim, setups)[0].items == ()
