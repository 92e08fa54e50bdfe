"""The adapter against the simulator served for real: faults, paging cost and the governor."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import ContactRole, DimensionKind, RecordType
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.intacct import Party
from released_intacct.domain.ports import FeedQuery, IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.serving import serving
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH, create_app
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.faults import KINDS
from released_intacct.fakes.simulators.intacct.simulator import Simulator

CREDENTIALS = IntacctCredentials(
    sender_id="demo-sender",
    sender_password=Secret("demo-sender-pass"),
    company_id="DEMO",
    user_id="ws_user",
    user_password=Secret("ws_pass"),
)


def _simulator(records: dict[str, list[dict[str, str]]] | None = None) -> Simulator:
    sim = Simulator(seed=20261122)
    load_company(
        sim,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "records": records or {},
        },
        now=datetime.now(UTC),
    )
    return sim


def _adapter(
    base: str, client: httpx.AsyncClient, *, batch_size: int = 50, concurrency: int = 2
) -> IntacctAdapter:
    settings = ClientSettings(
        endpoint=f"{base}{GATEWAY_PATH}",
        backoff=0.001,
        backoff_cap=0.01,
        attempts=8,
        batch_size=batch_size,
        concurrency=concurrency,
    )
    return IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)


def _customer(n: int) -> CreateInIntacct:
    return CreateInIntacct(
        key=IdempotencyKey(f"ri-soak-{n:05d}"),
        record_type=RecordType.CONTACT,
        released_id=ReleasedId(f"rl-contact-{n}"),
        record=Party(role=ContactRole.CUSTOMER, party_id=None, name=f"Tenant {n}"),
        source_fingerprint="fp",
    )


async def _write_until_confirmed(adapter: IntacctAdapter, writes: list[CreateInIntacct]) -> int:
    """Like the outbox: what is not confirmed is sent again with the same key; returns rounds."""
    pending = writes
    rounds = 0
    while pending:
        rounds += 1
        assert rounds <= 20, f"{len(pending)} writes still unconfirmed after 20 rounds"
        outcomes = await value(adapter.write(pending))
        unconfirmed = {o.key for o in outcomes if not o.result.map(lambda _: True).value_or(False)}
        pending = [w for w in pending if w.key in unconfirmed]
    return rounds


def _written_key(customer: dict[str, Any]) -> str:
    """The key the adapter wrote into the display contact's name (``writing.contact_name``)."""
    display = customer.get("DISPLAYCONTACT")
    name = str(display.get("CONTACTNAME", "")) if isinstance(display, dict) else ""
    return name.rpartition(" (")[2].removesuffix(")")


def test_1000_creates_under_every_fault_kind_end_as_exactly_1000_records() -> None:
    sim = _simulator()
    app = create_app(sim)
    with serving(app) as base:
        for kind in KINDS:
            rule: dict[str, object] = {"kind": kind, "function": "create", "probability": 0.3}
            if kind == "throttle":
                rule["retry_after"] = 0
            if kind == "delay":
                rule["delay_ms"] = 2
            assert httpx.post(f"{base}/_sim/faults", json=rule).status_code == 201

        async def main() -> int:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client, batch_size=10)  # more requests: every kind fires
                return await _write_until_confirmed(adapter, [_customer(n) for n in range(1000)])

        rounds = asyncio.run(main())
        rules = httpx.get(f"{base}/_sim/faults").json()["faults"]
    customers = list(sim.companies["DEMO"].table("CUSTOMER").values())
    keys = Counter(_written_key(c) for c in customers)
    assert len(customers) == 1000, f"{len(customers)} customers after {rounds} rounds"
    assert set(keys) == {f"ri-soak-{n:05d}" for n in range(1000)}
    assert max(keys.values()) == 1
    assert {r["kind"]: r["fired"] > 0 for r in rules} == dict.fromkeys(KINDS, True)


@pytest.mark.parametrize("count", [0, 1, 1000, 1001, 2345])
def test_a_full_read_costs_ceil_n_over_page_size_requests(count: int) -> None:
    accounts = [{"ACCOUNTNO": str(10000 + n), "TITLE": f"Account {n}"} for n in range(count)]
    sim = _simulator({"GLACCOUNT": accounts})
    with serving(create_app(sim)) as base:

        async def main() -> int:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client)
                query = FeedQuery()
                read = 0
                while True:
                    page = await value(adapter.accounts(query))
                    read += len(page.items)
                    if page.next_token is None:
                        return read
                    query = FeedQuery(token=page.next_token)

        read = asyncio.run(main())
        stats = httpx.get(f"{base}/_sim/stats").json()["companies"]["DEMO"]
    assert read == count
    pages = max(1, math.ceil(count / 1000))
    assert stats["requests"] == pages + 1  # + the one login


def test_concurrent_reads_never_exceed_the_governor() -> None:
    sim = _simulator({"DEPARTMENT": [{"DEPARTMENTID": "D1", "TITLE": "Leasing"}]})
    with serving(create_app(sim)) as base:
        httpx.post(f"{base}/_sim/limits", json={"concurrency": 2}).raise_for_status()
        httpx.post(f"{base}/_sim/faults", json={"kind": "delay", "delay_ms": 50}).raise_for_status()

        async def main() -> int:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client, concurrency=2)
                await value(adapter.accounts(FeedQuery()))  # log in first
                reads = [adapter.dimension_values(kind, FeedQuery()) for kind in DimensionKind]
                await asyncio.gather(*(value(r) for r in reads))
                return adapter.gateway.peak_in_flight

        peak = asyncio.run(main())
        stats = httpx.get(f"{base}/_sim/stats").json()["companies"]["DEMO"]
    assert peak == 2
    assert stats["concurrency_refused"] == 0


def test_an_expired_session_is_replaced_transparently_mid_run() -> None:
    sim = _simulator({"GLACCOUNT": [{"ACCOUNTNO": "4000", "TITLE": "Rent"}]})
    with serving(create_app(sim)) as base:

        async def main() -> tuple[int, int]:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client)
                await value(adapter.accounts(FeedQuery()))
                httpx.post(f"{base}/_sim/sessions/expire", json={}).raise_for_status()
                outcomes = await value(adapter.write([_customer(n) for n in range(3)]))
                assert all(o.result.map(lambda _: True).value_or(False) for o in outcomes)
                accounts = await value(adapter.accounts(FeedQuery()))
                return adapter.sessions.logins, len(accounts.items)

        logins, accounts = asyncio.run(main())
    assert (logins, accounts) == (2, 1)
    assert len(sim.companies["DEMO"].table("CUSTOMER")) == 3


def test_overlap_rereads_are_dropped_but_changes_and_full_reads_are_not() -> None:
    class Clock:
        now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

        def __call__(self) -> datetime:
            return self.now

    clock = Clock()
    sim = Simulator(clock=clock)
    load_company(
        sim,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "records": {"GLACCOUNT": [{"ACCOUNTNO": "4000", "TITLE": "Rent"}]},
        },
        now=clock(),
    )
    cursor = clock.now + timedelta(minutes=2)  # inside the 5-minute overlap window
    with serving(create_app(sim)) as base:

        async def main() -> tuple[int, int, int]:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client)
                first = await value(adapter.accounts(FeedQuery(since=cursor)))
                again = await value(adapter.accounts(FeedQuery(since=cursor)))
                full = await value(adapter.accounts(FeedQuery()))
                return len(first.items), len(again.items), len(full.items)

        counts = asyncio.run(main())
    assert counts == (1, 0, 1)


def test_a_session_that_expires_again_and_again_is_replaced_within_the_attempts() -> None:
    sim = _simulator({"GLACCOUNT": [{"ACCOUNTNO": "4000", "TITLE": "Rent"}]})
    with serving(create_app(sim)) as base:
        rule = {"kind": "session_expiry", "function": "readByQuery", "times": 3}
        httpx.post(f"{base}/_sim/faults", json=rule).raise_for_status()

        async def main() -> tuple[int, int]:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client)  # 8 attempts
                accounts = await value(adapter.accounts(FeedQuery()))
                return adapter.sessions.logins, len(accounts.items)

        assert asyncio.run(main()) == (4, 1)  # the first session and three more


def test_a_version_in_the_overlap_is_handed_to_each_feed_of_its_object_once() -> None:
    """Customers are read as a dimension and as parties (one object, two feeds, one reader):
    a customer changed inside the overlap window reaches both feeds once, not only the first
    (a late-committed change would otherwise never reach the contacts)."""

    class Clock:
        now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

        def __call__(self) -> datetime:
            return self.now

    clock = Clock()
    sim = Simulator(clock=clock)
    customer = {"CUSTOMERID": "C-1", "NAME": "Harbour Cafe", "STATUS": "active"}
    load_company(
        sim,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "records": {"CUSTOMER": [customer]},
        },
        now=clock(),
    )
    cursor = clock.now + timedelta(minutes=2)  # inside the 5-minute overlap window
    with serving(create_app(sim)) as base:

        async def main() -> list[int]:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client)
                since = FeedQuery(since=cursor)
                counts = []
                for _ in range(2):
                    values = await value(adapter.dimension_values(DimensionKind.CUSTOMER, since))
                    parties = await value(adapter.parties(ContactRole.CUSTOMER, since))
                    counts += [len(values.items), len(parties.items)]
                return counts

        counts = asyncio.run(main())
    assert counts == [1, 1, 0, 0]


def test_a_feed_forgets_the_versions_its_reads_can_no_longer_return() -> None:
    """The overlap's seen-set holds the window, not every version ever read: once a feed's
    cursor has moved past a version (less the overlap), it is forgotten."""
    clock_now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    sim = Simulator(clock=lambda: clock_now)
    load_company(
        sim,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "records": {"GLACCOUNT": [{"ACCOUNTNO": "4000", "TITLE": "Rent"}]},
        },
        now=clock_now,
    )
    with serving(create_app(sim)) as base:

        async def main() -> tuple[int, int]:
            async with httpx.AsyncClient(timeout=10) as client:
                adapter = _adapter(base, client)
                near = FeedQuery(since=clock_now + timedelta(minutes=2))
                await value(adapter.accounts(near))
                held = adapter._reader._seen.held()
                later = FeedQuery(since=clock_now + timedelta(hours=2))
                await value(adapter.accounts(later))
                return held, adapter._reader._seen.held()

        assert asyncio.run(main()) == (1, 0)
