"""The REST adapter's directory, master-data feeds and party writes against the REST mode of the
simulator, over the same company as the XML gateway (issue 20): what the contract suite does not
pin (tax details, dimensions, deletions of parties, items refused, C5 from the typed objects,
counting) and records crossing between the two APIs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct_rest.adapter import IntacctRestAdapter
from released_intacct.adapters.intacct_rest.oauth import Spend, TokenClient
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.diagnosis import Verdict
from released_intacct.domain.enums import ContactRole, DimensionKind, RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IdempotencyKey,
    IntacctId,
    ReleasedId,
)
from released_intacct.domain.intacct import ContactBlock, Item, Party, party_key
from released_intacct.domain.ports import FeedQuery
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.sim_adapters import DEMO, DEMO_OAUTH, At, adapters, settings
from released_intacct.fakes.sim_adapters import client as sim_client
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.faults import FaultRule
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CALLBACK = "http://127.0.0.1/oauth/callback"
T = TypeVar("T")
XML = DEMO
OAUTH = DEMO_OAUTH
RECORDS = {
    "GLACCOUNT": [{"ACCOUNTNO": "4000", "TITLE": "Rent"}],
    "LOCATIONENTITY": [
        {"LOCATIONID": "E100", "NAME": "East", "CURRENCY": "USD"},
        {"LOCATIONID": "E200", "NAME": "West", "CURRENCY": "GBP"},
    ],
    "TAXDETAIL": [{"DETAILID": "GST 10", "VALUE": "10", "TAXTYPE": "Sale"}],
    "DEPARTMENT": [
        {"DEPARTMENTID": "D1", "TITLE": "Leasing", "STATUS": "active non-posting"},
        {"DEPARTMENTID": "D2", "TITLE": "Old", "STATUS": "inactive"},
    ],
    "TASK": [{"TASKID": "T1", "NAME": "Survey", "PROJECTID": "P1"}],
    "PROJECT": [{"PROJECTID": "P1", "NAME": "Roof"}],
    "ITEM": [{"ITEMID": "RENT", "NAME": "Rent", "INCOMEACCTKEY": "4000"}],
    "ARACCOUNTLABEL": [{"ACCOUNTLABEL": "Rent", "GLACCOUNTNO": "4000", "STATUS": "active"}],
    "SODOCUMENTPARAMS": [{"DOCID": "Sales Invoice", "DOCCLASS": "Invoice"}],
}


class World:
    """One simulated company, its XML adapter and its REST adapter."""

    def __init__(self) -> None:
        self.clock = At(T0)
        sim = Simulator(clock=self.clock)
        config: dict[str, object] = {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "oauth_clients": {
                "demo-client": {
                    "secret": "demo-client-secret",
                    "sender": "demo-sender",
                    "login": "ws_user",
                    "redirect_uris": [CALLBACK],
                }
            },
            "entities": {"E100": "East", "E200": "West"},
            "records": RECORDS,
        }
        self.sim = sim
        self.company: Company = load_company(sim, config, now=self.clock())
        self.client = sim_client(sim)
        self.settings = settings()
        both = adapters(self.client, self.clock, with_settings=self.settings)
        self.xml, self.rest = both.xml, both.rest


def run(body: Callable[[World], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(body(World()))


def customer(name: str, key: str) -> CreateInIntacct:
    party = Party(
        role=ContactRole.CUSTOMER,
        party_id=None,
        name=name,
        primary=ContactBlock(first_name="Ana", email=f"{key}@example.com"),
    )
    return CreateInIntacct(
        key=IdempotencyKey(f"ri-{key}"),
        record_type=RecordType.CONTACT,
        released_id=ReleasedId(f"rl-{key}"),
        record=party,
        source_fingerprint="fp",
    )


def test_D21_a_customer_created_over_xml_is_read_and_found_over_rest() -> None:
    async def body(w: World) -> None:
        write = customer("Harbour Cafe", "harbour")
        (made,) = await value(w.xml.write([write]))
        created = made.result.unwrap()
        assert isinstance(created, Party)
        page = await value(w.rest.parties(ContactRole.CUSTOMER, FeedQuery()))
        (read,) = [p for p in page.items if p.name == "Harbour Cafe"]
        assert (read.party_id, read.primary.email) == (created.party_id, "harbour@example.com")
        assert read.modified_at == T0
        found = await value(w.rest.find_written(write))
        assert isinstance(found, Party)
        assert found.party_id == created.party_id

    run(body)


def test_D21_a_customer_created_over_rest_is_read_and_found_over_xml() -> None:
    async def body(w: World) -> None:
        write = customer("Riverside Deli", "riverside")
        (made,) = await value(w.rest.write([write]))
        created = made.result.unwrap()
        assert isinstance(created, Party)
        page = await value(w.xml.parties(ContactRole.CUSTOMER, FeedQuery()))
        (read,) = [p for p in page.items if p.name == "Riverside Deli"]
        assert (read.party_id, read.primary.email) == (created.party_id, "riverside@example.com")
        found = await value(w.xml.find_written(write))
        assert isinstance(found, Party)
        assert found.party_id == created.party_id

    run(body)


def test_tax_details_are_read_whole_whatever_the_cursor() -> None:
    """docs/intacct-rest.md 4.2: tax details cannot be filtered on audit.modifiedDateTime."""

    async def body(w: World) -> None:
        later = FeedQuery(since=T0 + timedelta(days=30))
        (detail,) = (await value(w.rest.tax_details(later))).items
        assert (detail.detail_id, str(detail.rate), detail.tax_type) == ("GST 10", "10", "Sale")

    run(body)


def test_M2_dimension_values_read_their_status_and_a_task_is_active() -> None:
    async def body(w: World) -> None:
        departments = await value(w.rest.dimension_values(DimensionKind.DEPARTMENT, FeedQuery()))
        assert [(d.value_id, d.name, d.status.value) for d in departments.items] == [
            ("D1", "Leasing", "active"),
            ("D2", "Old", "inactive"),
        ]
        (task,) = (await value(w.rest.dimension_values(DimensionKind.TASK, FeedQuery()))).items
        assert (task.value_id, task.name, task.status.value) == ("T1", "Survey", "active")
        xml = await value(w.xml.dimension_values(DimensionKind.DEPARTMENT, FeedQuery()))
        assert [d.value_id for d in xml.items] == [d.value_id for d in departments.items]

    run(body)


def test_D5_a_customer_deleted_in_intacct_is_a_deletion_by_its_party_key() -> None:
    async def body(w: World) -> None:
        (made,) = await value(w.rest.write([customer("Gone Ltd", "gone")]))
        created = made.result.unwrap()
        assert isinstance(created, Party)
        assert created.party_id is not None
        w.clock.at += timedelta(hours=1)
        w.company.delete("CUSTOMER", int(str(created.record_no)), now=w.clock())
        page = await value(w.rest.deletions(RecordType.CONTACT, FeedQuery(since=T0)))
        assert [(d.key, d.deleted_at) for d in page.items] == [
            (party_key(ContactRole.CUSTOMER, created.party_id), w.clock())
        ]
        held = await value(w.rest.parties_held(ContactRole.CUSTOMER, [created.party_id]))
        assert held == frozenset()

    run(body)


def test_D17_an_item_is_refused_before_anything_is_sent() -> None:
    async def body(w: World) -> None:
        item = Item(
            item_id=IntacctId("FEES"), name="Fees", gl_account_no=IntacctId("4000"), for_sales=True
        )
        write = CreateInIntacct(
            key=IdempotencyKey("ri-item-fees"),
            record_type=RecordType.ITEM,
            released_id=ReleasedId("rl-fees"),
            record=item,
            source_fingerprint="fp",
        )
        before = w.rest.transactions_spent()
        (outcome,) = await value(w.rest.write([write]))
        error = outcome.result.failure()
        assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.D17)
        assert "FEES" in error.fix
        assert w.rest.transactions_spent() == before
        assert await value(w.rest.find_written(write)) is None

    run(body)


def test_C5_setup_reads_labels_definitions_and_items_from_the_typed_objects() -> None:
    async def body(w: World) -> None:
        setup = await value(w.rest.setup(EntityId("E200")))
        assert (setup.account_labels, setup.order_entry, setup.purchasing) == (True, True, False)
        assert [i.item_id for i in setup.items] == ["RENT"]
        assert setup.base_currency == "GBP"
        assert setup.customer_sequencing is None
        assert dict(setup.sources)["base_currency"] == "company-config/entity baseCurrency GBP"

    run(body)


def test_C5_setup_reuses_what_it_read_within_the_lifetime() -> None:
    async def body(w: World) -> None:
        await value(w.rest.setup(EntityId("E100")))
        spent = w.rest.transactions_spent()
        again = await value(w.rest.setup(EntityId("E100"), reuse=True))
        assert [i.item_id for i in again.items] == ["RENT"]
        assert w.rest.transactions_spent() == spent + 1  # the entities only

    run(body)


def test_C2_xml_credentials_are_refused_by_the_rest_adapter() -> None:
    async def body(w: World) -> None:
        outcome = await settled(w.rest.login(XML))
        assert not is_successful(outcome)
        assert outcome.failure().kind is ErrorKind.FATAL
        assert "OAuth" in outcome.failure().message

    run(body)


def test_transactions_are_counted_one_per_record_and_one_per_read() -> None:
    async def body(w: World) -> None:
        await value(w.rest.accounts(FeedQuery()))
        reads = w.rest.transactions_spent()
        writes = [customer(f"Counted {n}", f"counted-{n}") for n in range(3)]
        await value(w.rest.write(writes))
        # one batch of three records, then all three read back by one query
        assert w.rest.transactions_spent() == reads + 3 + 1

    run(body)


class Store:
    """A connection's refresh token, spent under a lock (the state store's part)."""

    def __init__(self, token: Secret) -> None:
        self.token = token
        self.spent: list[str] = []
        self._lock = asyncio.Lock()

    def spend_refresh_token(self, id: ConnectionId, spend: Spend[T]) -> FutureResult[T, SyncError]:
        async def spent() -> Result[T, SyncError]:
            async with self._lock:
                got = await spend(self.token)
                if isinstance(got, Failure):
                    return Failure(got.failure())
                self.spent.append(self.token.reveal())
                self.token, kept = got.unwrap()
                return Success(kept)

        return FutureResult(spent())


def test_C2_an_authorized_connection_spends_its_stored_refresh_token_and_keeps_the_new_one() -> (
    None
):
    """The authorization-code grant (``user_id`` None): the adapter is built with the state
    store, renews through ``spend_refresh_token`` and the rotated token is what is kept."""

    async def body(w: World) -> None:
        asked = {
            "response_type": "code",
            "client_id": OAUTH.client_id,
            "redirect_uri": CALLBACK,
            "state": "s1",
            "scope": "offline_access",
        }
        redirect = await w.client.get("/ia/api/v1/oauth2/authorize", params=asked)
        code = parse_qs(urlsplit(redirect.headers["location"]).query)["code"][0]
        client = TokenClient(w.client, w.settings, OAUTH, w.clock)
        grant = await value(client.exchange_code(Secret(code), CALLBACK))
        assert grant.refresh_token is not None
        store = Store(grant.refresh_token)
        authorized = replace(OAUTH, user_id=None)
        adapter = IntacctRestAdapter(
            w.client,
            authorized,
            entity=None,
            settings=w.settings,
            tokens=store,
            connection=ConnectionId("conn-1"),
            clock=w.clock,
        )
        page = await value(adapter.accounts(FeedQuery()))
        assert [a.account_no for a in page.items] == ["4000"]
        assert store.spent == [grant.refresh_token.reveal()]
        assert store.token != grant.refresh_token

    run(body)


def test_doctor_over_rest_fails_the_audit_trail_without_its_permission() -> None:
    async def body(w: World) -> None:
        w.company.settings.audit_trail_permission = False
        diagnosis = await value(w.rest.diagnose(EntityId("")))
        found = {f.check: f for f in diagnosis.findings}
        assert found["audit.permission"].verdict is Verdict.FAILED
        assert "permission" in found["audit.permission"].fix
        assert found["contacts.key"].verdict is Verdict.OK
        assert found["time.zone"].verdict is Verdict.OK
        assert diagnosis.zone.startswith("UTC")
        assert found["feeds.cursor"].verdict is Verdict.OK
        assert "company-config/department" in found["feeds.cursor"].seen

    run(body)


def test_doctor_over_rest_reports_the_deletion_spelling_once_the_trail_shows_one() -> None:
    async def body(w: World) -> None:
        before = await value(w.rest.diagnose(EntityId("")))
        modes = {f.check: f for f in before.findings}["audit.modes"]
        assert modes.verdict is Verdict.UNKNOWN
        old = w.company.by_field("DEPARTMENT", "DEPARTMENTID", "D2")
        assert old is not None
        w.company.delete("DEPARTMENT", int(str(old["RECORDNO"])), now=w.clock())
        after = await value(w.rest.diagnose(EntityId("")))
        modes = {f.check: f for f in after.findings}["audit.modes"]
        assert (modes.verdict, "delete" in modes.seen) == (Verdict.OK, True)

    run(body)


def test_requests_at_every_entity_share_the_companys_governor() -> None:
    """A set-up at another entity than the adapter's sends its requests under the same limit
    of requests in flight (one governor per company), and repeated set-ups keep one transport."""

    async def body(w: World) -> None:
        governor = w.rest.rest.transport.governor
        await value(w.rest.setup(EntityId("E200")))
        first = governor.requests
        assert first > 0
        await value(w.rest.setup(EntityId("E200")))
        assert governor.requests == 2 * first

    run(body)


def test_D5_parties_held_asks_in_chunks_of_ids() -> None:
    async def body(w: World) -> None:
        (made,) = await value(w.rest.write([customer("Held Ltd", "held")]))
        created = made.result.unwrap()
        assert isinstance(created, Party)
        assert created.party_id is not None
        asked = [created.party_id, *(IntacctId(f"NOPE-{n}") for n in range(150))]
        before = w.rest.rest.transport.governor.requests
        held = await value(w.rest.parties_held(ContactRole.CUSTOMER, asked))
        assert held == frozenset({created.party_id})
        assert w.rest.rest.transport.governor.requests == before + 2  # 100 ids a query

    run(body)


def test_creates_of_one_object_go_in_one_batch_read_back_together_vendor_read_over_xml() -> None:
    async def body(w: World) -> None:
        vendor = customer("Roof Repairs Co", "roof")
        assert isinstance(vendor.record, Party)
        vendor = replace(vendor, record=replace(vendor.record, role=ContactRole.VENDOR))
        writes = [customer("One Co", "one"), customer("Two Co", "two"), vendor]
        before = w.rest.rest.transport.governor.requests
        outcomes = await value(w.rest.write(writes))
        made = [o.result.unwrap() for o in outcomes]
        assert [p.name for p in made if isinstance(p, Party)] == [
            "One Co",
            "Two Co",
            "Roof Repairs Co",
        ]
        # one POST of the two customers, one of the vendor, then one read-back query of each
        # batch's keys (key $in), not one a record
        assert w.rest.rest.transport.governor.requests == before + 2 + 2
        assert len({p.party_id for p in made if isinstance(p, Party)}) == 3
        page = await value(w.xml.parties(ContactRole.VENDOR, FeedQuery()))
        assert [p.name for p in page.items] == ["Roof Repairs Co"]

    run(body)


def test_doctor_over_rest_fails_a_feed_whose_object_refuses_the_cursor_filter() -> None:
    async def body(w: World) -> None:
        rule = FaultRule(rule_id="r1", kind="processing_error", function="query", object="CLASS")
        w.sim.faults.add(rule)
        diagnosis = await value(w.rest.diagnose(EntityId("")))
        cursor = {f.check: f for f in diagnosis.findings}["feeds.cursor"]
        assert cursor.verdict is Verdict.FAILED
        assert cursor.seen.startswith("refused: company-config/class")

    run(body)


def test_customers_are_asked_once_for_the_dimension_feed_and_the_parties_feed() -> None:
    """As over XML (``intacct.feedreader``): the customer dimension feed and the customer
    feed ask the same query, so a whole first page read for one is handed to the other (one
    request, each feed its own records); a new run (``setup``) lets a held page go, and a feed
    asking from another cursor is not handed it."""

    async def body(w: World) -> None:
        await value(w.xml.write([customer("Harbour Cafe", "harbour")]))
        since = FeedQuery(since=T0 - timedelta(days=1))
        before = w.rest.transactions_spent()
        dimension = await value(w.rest.dimension_values(DimensionKind.CUSTOMER, since))
        parties = await value(w.rest.parties(ContactRole.CUSTOMER, since))
        assert w.rest.transactions_spent() - before == 1
        assert [d.name for d in dimension.items] == [p.name for p in parties.items]
        assert [d.name for d in dimension.items] == ["Harbour Cafe"]
        assert [d.value_id for d in dimension.items] == [p.party_id for p in parties.items]

        await value(w.rest.dimension_values(DimensionKind.CUSTOMER, since))
        await value(w.rest.setup(EntityId(""), reuse=True))
        before = w.rest.transactions_spent()
        again = await value(w.rest.parties(ContactRole.CUSTOMER, since))
        assert w.rest.transactions_spent() - before == 1
        assert [p.name for p in again.items] == ["Harbour Cafe"]

        await value(w.rest.dimension_values(DimensionKind.CUSTOMER, since))
        before = w.rest.transactions_spent()
        await value(w.rest.parties(ContactRole.CUSTOMER, FeedQuery(since=T0)))
        assert w.rest.transactions_spent() - before == 1

    run(body)
