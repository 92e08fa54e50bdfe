"""One contract for the Intacct directory, feeds and writer ports, over every implementation.

``fake``: the in-memory FakeIntacct. ``real``: the adapter against the Intacct simulator (through
httpx's ASGI transport). ``sandbox``: the adapter against a real Intacct company, only when the
INTACCT_SANDBOX_* variables are set (sender id/password, company id, user id/password, entity);
the tests that must seed Intacct-owned data are skipped there. ``rest``: the REST adapter against
the REST mode of the same simulator app (``/ia/api/v1``, over the same company state);
``rest-sandbox``: the REST adapter against a real company, only when the INTACCT_REST_SANDBOX_*
variables are set (OAuth client id/secret, company id, Web Services user, entity).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import httpx
import pytest
from returns.future import FutureResult
from returns.pipeline import is_successful

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct_rest.adapter import IntacctRestAdapter
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.diagnosis import Diagnosis, Verdict
from released_intacct.domain.enums import (
    ContactRole,
    DocumentKind,
    IntacctState,
    Origin,
    PaymentKind,
    RecordType,
)
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import EntityId, IdempotencyKey, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import (
    ContactBlock,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Party,
    PaymentApplication,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.money import currency
from released_intacct.domain.ports import (
    Credentials,
    Entity,
    FeedQuery,
    IntacctCredentials,
    IntacctSetup,
    OAuthCredentials,
    Page,
)
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.intacct_port import FakeIntacct, ready_setup
from released_intacct.fakes.sim_adapters import DEMO, DEMO_OAUTH, Adapters, At, adapters, settings
from released_intacct.fakes.sim_adapters import client as sim_client
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T = TypeVar("T")
USD = currency("USD")
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SANDBOX_VARS = ("SENDER_ID", "SENDER_PASSWORD", "COMPANY_ID", "USER_ID", "USER_PASSWORD")
REST_SANDBOX_VARS = ("CLIENT_ID", "CLIENT_SECRET", "COMPANY_ID", "USER_ID")


class Port(Protocol):
    def accounts(self, query: FeedQuery) -> FutureResult[Page[GlAccount], SyncError]: ...
    def parties(
        self, role: ContactRole, query: FeedQuery
    ) -> FutureResult[Page[Party], SyncError]: ...
    def transactions(
        self, origin: Origin, kind: DocumentKind, query: FeedQuery
    ) -> FutureResult[Page[Transaction], SyncError]: ...
    def payments(
        self, origin: Origin, query: FeedQuery
    ) -> FutureResult[Page[IntacctPayment], SyncError]: ...
    def deletions(
        self, record_type: RecordType, query: FeedQuery
    ) -> FutureResult[Page[Any], SyncError]: ...
    def write(self, batch: Any) -> FutureResult[Any, SyncError]: ...
    def find_written(self, write: CreateInIntacct) -> FutureResult[Any, SyncError]: ...
    def candidates(self, write: CreateInIntacct) -> FutureResult[tuple[Any, ...], SyncError]: ...
    def parties_held(
        self, role: ContactRole, ids: Sequence[IntacctId]
    ) -> FutureResult[frozenset[IntacctId], SyncError]: ...
    def transaction_held(
        self, origin: Origin, kind: DocumentKind, key: IntacctKey
    ) -> FutureResult[Transaction | None, SyncError]: ...
    def transactions_spent(self) -> int: ...
    def login(self, credentials: Credentials) -> FutureResult[tuple[Entity, ...], SyncError]: ...
    def setup(
        self, entity: EntityId, *, reuse: bool = False
    ) -> FutureResult[IntacctSetup, SyncError]: ...
    def diagnose(self, entity: EntityId) -> FutureResult[Diagnosis, SyncError]: ...


@dataclass
class Harness:
    port: Port
    clock: At
    seed_accounts: Callable[[int], None]
    delete: Callable[[RecordType, str], None]
    credentials: Credentials | None = None
    """Who logs in (None: ``CREDENTIALS``)."""
    entities: tuple[Entity, ...] | None = None
    """The entities the company has; None where the suite cannot know them (sandbox)."""
    setup: IntacctSetup | None = None
    """The set-up at the first entity; None where the suite cannot know it (sandbox)."""


ok = value


ENTITIES = (
    Entity(id=EntityId("E100"), name="East", currency="USD"),
    Entity(id=EntityId("E200"), name="West", currency="GBP"),
)
SETUP = replace(
    ready_setup(),
    customer_sequencing=None,
    vendor_sequencing=None,
    account_labels=None,
    tax_solution_external=None,
    subtotal_dimension_defaulting=None,
)
"""The simulator's default settings, with no transaction definitions, items or tax solutions, as
the documented sources show them: what Intacct cannot report is unknown (spec correction 5)."""
WRONG = "wrong-password-5d2a-never-shown"


def _fake() -> Harness:
    clock = At(T0)
    fake = FakeIntacct(
        clock=clock, page_size=100, entities=ENTITIES, company_setup=SETUP, credentials=CREDENTIALS
    )

    def seed(count: int) -> None:
        for n in range(count):
            fake.put(GlAccount(account_no=IntacctId(str(10000 + n)), title=f"Account {n}"))

    return Harness(
        fake,
        clock,
        seed,
        lambda kind, key: fake.delete(kind, IntacctKey(key)),
        entities=ENTITIES,
        setup=SETUP,
    )


CREDENTIALS = DEMO
OAUTH = DEMO_OAUTH


@dataclass
class Simulated:
    """The simulator app of the ``real`` and ``rest`` harnesses: the XML gateway and the REST API
    over one company."""

    clock: At
    sim: Simulator
    client: httpx.AsyncClient

    @property
    def company(self) -> Any:
        return self.sim.companies["DEMO"]

    def seed(self, count: int) -> None:
        for n in range(count):
            self.company.insert(
                "GLACCOUNT",
                {"ACCOUNTNO": str(10000 + n), "TITLE": f"Account {n}"},
                now=self.clock(),
                entity="",
            )

    def delete(self, kind: RecordType, key: str) -> None:
        self.company.delete({RecordType.INVOICE: "ARINVOICE"}[kind], int(key), now=self.clock())

    def xml(self) -> IntacctAdapter:
        return self._adapters().xml

    def rest(self) -> IntacctRestAdapter:
        return self._adapters().rest

    def _adapters(self) -> Adapters:
        chosen = settings(rest_page_size=1000)
        return adapters(self.client, self.clock, with_settings=chosen)


def simulated() -> Simulated:
    clock = At(T0)
    sim = Simulator(clock=clock)
    load_company(
        sim,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "oauth_clients": {
                OAUTH.client_id: {
                    "secret": OAUTH.client_secret.reveal(),
                    "sender": "demo-sender",
                    "login": "ws_user",
                }
            },
            "entities": {e.id: e.name for e in ENTITIES},
            "records": {
                "GLACCOUNT": [{"ACCOUNTNO": "4000", "TITLE": "Rent income"}],
                "LOCATIONENTITY": [
                    {"LOCATIONID": e.id, "NAME": e.name, "CURRENCY": e.currency} for e in ENTITIES
                ],
            },
        },
        now=clock(),
    )
    client = sim_client(sim)
    return Simulated(clock, sim, client)


def _real() -> Harness:
    s = simulated()
    return Harness(s.xml(), s.clock, s.seed, s.delete, entities=ENTITIES, setup=SETUP)


def _rest() -> Harness:
    s = simulated()
    port = s.rest()
    return Harness(
        port,
        s.clock,
        s.seed,
        s.delete,
        credentials=OAUTH,
        entities=ENTITIES,
        setup=replace(SETUP, item_creates=False),
    )


def _sandbox() -> Harness:
    env = {name: os.environ.get(f"INTACCT_SANDBOX_{name}") for name in SANDBOX_VARS}
    if not all(env.values()):
        pytest.skip(
            "set INTACCT_SANDBOX_{SENDER_ID,SENDER_PASSWORD,COMPANY_ID,USER_ID,USER_PASSWORD}"
        )
    credentials = IntacctCredentials(
        sender_id=str(env["SENDER_ID"]),
        sender_password=Secret(str(env["SENDER_PASSWORD"])),
        company_id=str(env["COMPANY_ID"]),
        user_id=str(env["USER_ID"]),
        user_password=Secret(str(env["USER_PASSWORD"])),
    )
    entity = os.environ.get("INTACCT_SANDBOX_ENTITY")
    adapter = IntacctAdapter(
        httpx.AsyncClient(), credentials, entity=EntityId(entity) if entity else None
    )

    def cannot(*_: object) -> None:
        pytest.skip("seeding Intacct-owned data is not done against a real company")

    return Harness(adapter, At(T0), cannot, cannot, credentials=credentials)


def _rest_sandbox() -> Harness:
    env = {name: os.environ.get(f"INTACCT_REST_SANDBOX_{name}") for name in REST_SANDBOX_VARS}
    if not all(env.values()):
        pytest.skip("set INTACCT_REST_SANDBOX_{CLIENT_ID,CLIENT_SECRET,COMPANY_ID,USER_ID}")
    credentials = OAuthCredentials(
        client_id=str(env["CLIENT_ID"]),
        client_secret=Secret(str(env["CLIENT_SECRET"])),
        company_id=str(env["COMPANY_ID"]),
        user_id=str(env["USER_ID"]),
    )
    entity = os.environ.get("INTACCT_REST_SANDBOX_ENTITY")
    adapter = IntacctRestAdapter(
        httpx.AsyncClient(), credentials, entity=EntityId(entity) if entity else None
    )

    def cannot(*_: object) -> None:
        pytest.skip("seeding Intacct-owned data is not done against a real company")

    return Harness(adapter, At(T0), cannot, cannot, credentials=credentials)


MAKERS = {
    "fake": _fake,
    "real": _real,
    "sandbox": _sandbox,
    "rest": _rest,
    "rest-sandbox": _rest_sandbox,
}
OPT_IN = {
    "sandbox": "INTACCT_SANDBOX_SENDER_ID",
    "rest-sandbox": "INTACCT_REST_SANDBOX_CLIENT_ID",
}


@pytest.fixture(params=sorted(MAKERS))
def make(request: pytest.FixtureRequest) -> Callable[[], Harness]:
    leg = str(request.param)
    if leg in OPT_IN and not os.environ.get(OPT_IN[leg]):
        pytest.skip(f"no {OPT_IN[leg]}: the {leg} leg is opt-in")
    return MAKERS[leg]


def scenario(
    make: Callable[[], Harness], body: Callable[[Harness], Coroutine[Any, Any, None]]
) -> None:
    async def main() -> None:
        await body(make())

    asyncio.run(main())


async def read_all(
    fetch: Callable[[FeedQuery], FutureResult[Page[T], SyncError]], since: datetime | None = None
) -> tuple[list[T], int]:
    """Every page of a feed; each page's token must be new, as the sync's reader requires (it
    stops at a token offered twice, taking it for a feed going round in circles)."""
    items: list[T] = []
    pages = 0
    tokens: set[str] = set()
    query = FeedQuery(since=since)
    while True:
        page = await ok(fetch(query))
        pages += 1
        items.extend(page.items)
        if page.next_token is None:
            return items, pages
        assert page.next_token not in tokens, f"page {pages} offered a token seen before"
        tokens.add(page.next_token)
        query = FeedQuery(since=since, token=page.next_token)


def _create(
    key: str, record_type: RecordType, released_id: str, record: IntacctRecord
) -> CreateInIntacct:
    return CreateInIntacct(
        key=IdempotencyKey(f"ri-contract-{key}"),
        record_type=record_type,
        released_id=ReleasedId(released_id),
        record=record,
        source_fingerprint="fp",
    )


def customer(name: str) -> CreateInIntacct:
    party = Party(
        role=ContactRole.CUSTOMER,
        party_id=None,
        name=name,
        primary=ContactBlock(
            first_name="Ana", email=f"{name.lower().replace(' ', '.')}@example.com"
        ),
    )
    return _create(name.lower().replace(" ", "-"), RecordType.CONTACT, f"rl-{name}", party)


def invoice(party_id: IntacctId, number: str) -> CreateInIntacct:
    tx = Transaction(
        origin=Origin.AR,
        kind=DocumentKind.INVOICE,
        number=number,
        state=IntacctState.POSTED,
        party_id=party_id,
        invoice_date=date(2026, 3, 1),
        gl_date=date(2026, 3, 1),
        due_date=date(2026, 3, 31),
        currency=USD,
        lines=(
            TransactionLine(
                memo="March rent", account_no=IntacctId("4000"), amount=Decimal("1200.00")
            ),
        ),
        reference="PO-77",
    )
    return _create(number.lower(), RecordType.INVOICE, f"rl-{number}", tx)


def payment(
    party_id: IntacctId, document: IntacctKey, amount: str, *, on: date, reference: str = ""
) -> CreateInIntacct:
    """An AR payment of ``amount`` applied to ``document`` whole."""
    money = Decimal(amount)
    pay = IntacctPayment(
        origin=Origin.AR,
        kind=PaymentKind.ORDINARY,
        party_id=party_id,
        date=on,
        currency=USD,
        amount=money,
        applications=(PaymentApplication(document_key=document, amount=money),),
        reference=reference,
    )
    return _create(f"pay-{amount}-{on.isoformat()}", RecordType.PAYMENT, f"rl-pay-{amount}", pay)


def test_reads_every_record_across_pages(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        h.seed_accounts(2_345)
        accounts, pages = await read_all(h.port.accounts)
        numbers = {a.account_no for a in accounts}
        assert len(numbers) == len(accounts) >= 2_345
        assert pages >= 3  # two readMore of one result set

    scenario(make, body)


def test_since_leaves_out_older_changes(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        h.seed_accounts(3)
        h.clock.at += timedelta(hours=2)
        cursor = h.clock.at
        h.clock.at += timedelta(minutes=30)
        (await ok(h.port.write([customer("Late Cafe")])))
        parties, _ = await read_all(lambda q: h.port.parties(ContactRole.CUSTOMER, q), since=cursor)
        assert [p.name for p in parties] == ["Late Cafe"]
        accounts, _ = await read_all(h.port.accounts, since=cursor)
        assert accounts == []

    scenario(make, body)


def test_D4_customer_created_without_an_id_gets_one_and_reads_back(
    make: Callable[[], Harness],
) -> None:
    async def body(h: Harness) -> None:
        (outcome,) = await ok(h.port.write([customer("Harbour Cafe")]))
        created = outcome.result.unwrap()
        assert isinstance(created, Party)
        assert created.party_id
        parties, _ = await read_all(lambda q: h.port.parties(ContactRole.CUSTOMER, q))
        found = [p for p in parties if p.party_id == created.party_id]
        assert [(p.name, p.primary.email) for p in found] == [
            ("Harbour Cafe", "harbour.cafe@example.com")
        ]

    scenario(make, body)


def test_the_same_create_twice_makes_one_record(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        (first,) = await ok(h.port.write([customer("Twice Ltd")]))
        (second,) = await ok(h.port.write([customer("Twice Ltd")]))
        assert first.result.unwrap().party_id == second.result.unwrap().party_id
        parties, _ = await read_all(lambda q: h.port.parties(ContactRole.CUSTOMER, q))
        assert [p.name for p in parties].count("Twice Ltd") == 1

    scenario(make, body)


def test_find_written_by_key(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        (outcome,) = await ok(h.port.write([customer("Findable Co")]))
        found = await ok(h.port.find_written(customer("Findable Co")))
        assert found is not None
        assert found.party_id == outcome.result.unwrap().party_id
        assert await ok(h.port.find_written(customer("Never Written"))) is None

    scenario(make, body)


def test_F3_candidates_are_what_a_create_may_have_made_when_its_key_is_gone(
    make: Callable[[], Harness],
) -> None:
    """A record like the one a create writes, but without its key (a user changed the field it
    is written in): a customer of its name; an invoice of its party with its number; a payment of
    its party on its date for its amount. Nothing alike: none."""

    async def body(h: Harness) -> None:
        h.seed_accounts(0)
        (made,) = await ok(h.port.write([customer("Look Alike Co")]))
        party = made.result.unwrap()
        (found,) = await ok(h.port.candidates(_rekeyed(customer("Look Alike Co"))))
        assert (found.party_id, found.name) == (party.party_id, "Look Alike Co")
        assert await ok(h.port.candidates(customer("Nothing Like It"))) == ()
        (sent,) = await ok(h.port.write([invoice(party.party_id, "INV-904")]))
        tx = sent.result.unwrap()
        (alike,) = await ok(h.port.candidates(_rekeyed(invoice(party.party_id, "INV-904"))))
        assert (alike.link_key, alike.number, alike.total) == (tx.link_key, "INV-904", tx.total)
        stranger = await ok(h.port.write([customer("Stranger Ltd")]))
        other = invoice(stranger[0].result.unwrap().party_id, "INV-905")
        assert await ok(h.port.candidates(other)) == ()
        paid = payment(party.party_id, tx.link_key, "300.00", on=date(2026, 3, 12))
        (written,) = await ok(h.port.write([paid]))
        (like,) = await ok(h.port.candidates(_rekeyed(paid)))
        assert like.record_no == written.result.unwrap().record_no
        other = payment(party.party_id, tx.link_key, "301.00", on=date(2026, 3, 12))
        assert await ok(h.port.candidates(_rekeyed(other))) == ()

    scenario(make, body)


def _rekeyed(write: CreateInIntacct) -> CreateInIntacct:
    """The same record under another key: what a create is when its key is no longer found."""
    return replace(write, key=IdempotencyKey(f"{write.key}-elsewhere"))


def test_D5_parties_held_names_the_customers_and_vendors_that_exist(
    make: Callable[[], Harness],
) -> None:
    async def body(h: Harness) -> None:
        (outcome,) = await ok(h.port.write([customer("Held Co")]))
        created = outcome.result.unwrap()
        assert isinstance(created, Party)
        assert created.party_id is not None
        asked = [created.party_id, IntacctId("NO-SUCH-1")]
        held = await ok(h.port.parties_held(ContactRole.CUSTOMER, asked))
        assert held == frozenset({created.party_id})
        assert await ok(h.port.parties_held(ContactRole.VENDOR, asked)) == frozenset()
        assert await ok(h.port.parties_held(ContactRole.CUSTOMER, [])) == frozenset()

    scenario(make, body)


def test_D20_transaction_held_reads_a_document_as_intacct_holds_it_now(
    make: Callable[[], Harness],
) -> None:
    async def body(h: Harness) -> None:
        h.seed_accounts(0)
        (made,) = await ok(h.port.write([customer("Held Payer")]))
        (sent,) = await ok(h.port.write([invoice(made.result.unwrap().party_id, "INV-901")]))
        key = sent.result.unwrap().link_key
        held = await ok(h.port.transaction_held(Origin.AR, DocumentKind.INVOICE, key))
        assert held is not None
        assert (held.link_key, held.number, held.reference) == (key, "INV-901", "PO-77")
        gone = IntacctKey("987654")
        assert await ok(h.port.transaction_held(Origin.AR, DocumentKind.INVOICE, gone)) is None

    scenario(make, body)


def test_invoice_and_payment_round_trip(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        h.seed_accounts(0)
        (made,) = await ok(h.port.write([customer("Rent Payer")]))
        party_id = made.result.unwrap().party_id
        (sent,) = await ok(h.port.write([invoice(party_id, "INV-900")]))
        tx = sent.result.unwrap()
        txs, _ = await read_all(lambda q: h.port.transactions(Origin.AR, DocumentKind.INVOICE, q))
        (read,) = [t for t in txs if t.number == "INV-900"]
        assert (read.party_id, read.reference, read.total) == (
            party_id,
            "PO-77",
            Decimal("1200.00"),
        )
        assert [(line.memo, line.account_no) for line in read.lines] == [("March rent", "4000")]
        write = payment(party_id, tx.link_key, "200.00", on=date(2026, 3, 10), reference="CHQ-1")
        (paid,) = await ok(h.port.write([write]))
        assert paid.result.unwrap().record_no
        payments, _ = await read_all(lambda q: h.port.payments(Origin.AR, q))
        (found,) = [p for p in payments if p.reference == "CHQ-1"]
        assert [(a.document_key, a.amount) for a in found.applications] == [
            (tx.link_key, Decimal("200.00"))
        ]

    scenario(make, body)


def test_correction_1_an_invoice_of_three_lines_reads_back_with_every_line(
    make: Callable[[], Harness],
) -> None:
    """List functions answer headers only; the feed, the look-up before an edit (D20) and the
    look-up by key must each bring every line, in order."""

    async def body(h: Harness) -> None:
        h.seed_accounts(0)
        (made,) = await ok(h.port.write([customer("Three Lines Ltd")]))
        write = invoice(made.result.unwrap().party_id, "INV-903")
        assert isinstance(write.record, Transaction)
        lines = tuple(
            TransactionLine(memo=f"Line {n}", account_no=IntacctId("4000"), amount=Decimal(n))
            for n in (30, 10, 20)
        )
        write = replace(write, record=replace(write.record, lines=lines))
        (sent,) = await ok(h.port.write([write]))
        key = sent.result.unwrap().link_key
        expected = [("Line 30", Decimal(30)), ("Line 10", Decimal(10)), ("Line 20", Decimal(20))]
        txs, _ = await read_all(lambda q: h.port.transactions(Origin.AR, DocumentKind.INVOICE, q))
        (read,) = [t for t in txs if t.number == "INV-903"]
        assert [(line.memo, line.amount) for line in read.lines] == expected
        held = await ok(h.port.transaction_held(Origin.AR, DocumentKind.INVOICE, key))
        assert held is not None
        assert [(line.memo, line.amount) for line in held.lines] == expected
        found = await ok(h.port.find_written(write))
        assert isinstance(found, Transaction)
        assert [(line.memo, line.amount) for line in found.lines] == expected

    scenario(make, body)


def test_D8_deleted_invoice_is_reported_as_a_deletion(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        (made,) = await ok(h.port.write([customer("Deleted Co")]))
        (sent,) = await ok(h.port.write([invoice(made.result.unwrap().party_id, "INV-901")]))
        key = sent.result.unwrap().link_key
        h.delete(RecordType.INVOICE, key)
        found, _ = await read_all(lambda q: h.port.deletions(RecordType.INVOICE, q))
        assert key in [d.key for d in found]

    scenario(make, body)


def test_transactions_are_counted(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        before = h.port.transactions_spent()
        await ok(h.port.write([customer("Counted Co")]))
        await read_all(h.port.accounts)
        assert h.port.transactions_spent() >= before + 2

    scenario(make, body)


async def refused(future: FutureResult[Any, SyncError]) -> SyncError:
    outcome = await settled(future)
    assert not is_successful(outcome), outcome
    return outcome.failure()


def test_C2_C3_login_lists_the_entities(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        entities = await ok(h.port.login(h.credentials or CREDENTIALS))
        if h.entities is not None:
            assert entities == h.entities
        assert len({e.id for e in entities}) == len(entities)

    scenario(make, body)


def _wrong(credentials: Credentials) -> Credentials:
    """``credentials`` with a wrong password (the XML user's, or the OAuth client's secret)."""
    if isinstance(credentials, OAuthCredentials):
        return replace(credentials, client_secret=Secret(WRONG))
    return replace(credentials, user_password=Secret(WRONG))


def test_C2_a_wrong_password_is_fatal_and_never_shown(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        wrong = _wrong(h.credentials or CREDENTIALS)
        error = await refused(h.port.login(wrong))
        assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
        assert WRONG not in f"{error} {error.message} {error.fix} {error.cause} {error!r}"

    scenario(make, body)


def test_C5_setup_is_read_at_an_entity(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        entities = await ok(h.port.login(h.credentials or CREDENTIALS))
        at = entities[0].id if entities else EntityId("")
        setup = await ok(h.port.setup(at))
        if h.setup is not None:
            assert replace(setup, sources=()) == h.setup
        assert setup.base_currency is not None
        assert len(setup.base_currency) == 3

    scenario(make, body)


def test_doctor_checks_the_company_by_reading_and_finds_nothing_failed(
    make: Callable[[], Harness],
) -> None:
    """The checks ``doctor`` makes (the fidelity ledger's readable rows) run against each
    implementation, the opt-in sandbox included: a real company must not fail any of them."""

    async def body(h: Harness) -> None:
        entities = await ok(h.port.login(h.credentials or CREDENTIALS))
        at = entities[0].id if entities else EntityId("")
        diagnosis = await ok(h.port.diagnose(at))
        assert {"time.zone", "lines.read", "audit.permission", "payments.kinds"} <= {
            f.check for f in diagnosis.findings
        }
        failed = [f for f in diagnosis.findings if f.verdict is Verdict.FAILED]
        assert failed == [], failed
        assert diagnosis.session_timestamp
        assert diagnosis.company_id == (h.credentials or CREDENTIALS).company_id

    scenario(make, body)


def test_C3_setup_at_an_unknown_entity_needs_the_user(make: Callable[[], Harness]) -> None:
    async def body(h: Harness) -> None:
        error = await refused(h.port.setup(EntityId("NO-SUCH-ENTITY")))
        assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.C3)

    scenario(make, body)
