"""The demo pair over HTTP: both simulators' demo seeds, the real adapters, and users of each side.

``demo_pair(store)`` serves the Intacct simulator (company ``DEMO``) and the Re-Leased simulator
(``RL-DEMO``) in process through ``httpx.ASGITransport``, and builds the connection workflow and
the sync service over the real adapters; ``confirmed(pair)`` onboards the demo pair and confirms
it (entity E100, sync from 2024-01-01; the two contacts with no Intacct match are created as a
customer and a vendor, everything else left unmatched is archived); ``onboarded(flow)`` does the
same up to confirm.

``api`` (``IntacctApi``) chooses what the product speaks to the Intacct simulator: the XML gateway
with ``DEMO`` (the demo company, seed ``demo``), or the REST API under ``/ia/api/v1`` with the
simulator's OAuth client ``DEMO_OAUTH``, over the demo company without Order Entry and Purchasing
(``demo_company``: the REST pages show no way to create the Items OE / PO lines need, D17). The
users act through the XML gateway either way: one company state answers both APIs.

Both simulators and the service read one ``Ticking`` clock, which a test moves between what the
users do and the next sync, so each change is stamped after the run that came before it.

``IntacctUser`` and ``ReleasedUser`` act as people do in each system, through the system's own
API only: XML functions posted to the Intacct gateway (written by ``xmlgw``, not the product's
adapter), and REST calls to Re-Leased.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from lxml import etree
from starlette.types import ASGIApp

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.released import ReleasedAdapter, ReleasedSettings
from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.app.bootstrap import intacct_adapter
from released_intacct.app.connection import ConnectionWorkflow
from released_intacct.app.ports import Ports
from released_intacct.app.sync.service import SyncService
from released_intacct.domain.enums import ContactRole, IntacctApi, Prerequisite
from released_intacct.domain.ids import ConnectionId, EntityId, ReleasedCompanyId
from released_intacct.domain.matching import Step
from released_intacct.domain.onboarding import unresolved
from released_intacct.domain.ports import (
    Credentials,
    IntacctPort,
    ReleasedPort,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import StateStore
from released_intacct.fakes import xmlgw
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.sim_actions import day
from released_intacct.fakes.sim_adapters import (
    DEMO,
    DEMO_OAUTH,
    SIM_URL,
    client,
    credentials_for,
    demo_company,
    settings,
    settings_for,
)
from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct.simulator import Simulator as IntacctSimulator
from released_intacct.fakes.simulators.released import app as released_app
from released_intacct.fakes.simulators.released import seed as released_seed
from released_intacct.fakes.simulators.released.jsonio import decode, encode
from released_intacct.fakes.simulators.released.simulator import Simulator as ReleasedSimulator
from released_intacct.fakes.state_store import FakeStateStore

__all__ = [
    "DEMO",
    "DEMO_OAUTH",
    "RL_DEMO",
    "STORES",
    "SYNC_FROM",
    "T0",
    "DemoPair",
    "IntacctUser",
    "ReleasedUser",
    "Ticking",
    "Wired",
    "confirmed",
    "credentials_for",
    "demo_company",
    "demo_pair",
    "on_store",
    "onboarded",
    "settings_for",
    "wired",
]

T = TypeVar("T")
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
"""When both demo seeds are loaded."""
RL_DEMO = ReleasedCompanyId(released_seed.COMPANY_ID)
SYNC_FROM = date(2024, 1, 1)
_GATEWAY = SIM_URL + intacct_app.GATEWAY_PATH
_RELEASED = "http://released.sim"


class Ticking:
    """A clock that stands still until moved."""

    def __init__(self, start: datetime = T0) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta = timedelta(minutes=5)) -> datetime:
        self._now += by
        return self._now


class IntacctUser:
    """Runs gateway functions as ``ws_user`` of ``DEMO`` (at ``entity``, else top level)."""

    def __init__(self, client: httpx.AsyncClient, *, entity: str | None = None) -> None:
        self._client, self._entity = client, entity

    async def run(self, function: str) -> etree._Element:
        """One function's ``<data>`` (or its ``<result>`` when it answers no data); a refusal
        is an ``AssertionError`` naming the gateway's error."""
        body = xmlgw.request(function, auth=xmlgw.Login(entity=self._entity))
        reply = await self._client.post(_GATEWAY, content=body)
        (result,) = xmlgw.results(reply.content)
        if result.findtext("status") != "success":
            raise AssertionError(etree.tostring(result, encoding="unicode"))
        data = result.find("data")
        return result if data is None else data

    async def key(self, function: str) -> str:
        """The ``<key>`` a legacy function answers."""
        return (await self.run(function)).findtext("key", "") or ""

    async def recordno(self, obj: str, query: str) -> str:
        """The RECORDNO of the one ``obj`` record ``query`` finds."""
        data = await self.run(
            f"<readByQuery><object>{obj}</object><fields>RECORDNO</fields>"
            f"<query>{query}</query><pagesize>10</pagesize></readByQuery>"
        )
        (found,) = [row.findtext("RECORDNO", "") for row in data]
        return found

    async def enter(self, obj: str, record: dict[str, str]) -> str:
        """A record the company enters in Intacct's UI or by CSV (what the XML API does not
        create, such as a customer refund), through the simulator's control API: its RECORDNO."""
        reply = await self._client.post(
            f"http://sim/_sim/companies/DEMO/records/{obj}", json={"records": [record]}
        )
        assert reply.status_code == 201, reply.text
        recordnos: list[str] = reply.json()["recordnos"]
        return recordnos[0]

    async def invoice(self, customer: str, amount: str, *, on: date, currency: str = "") -> str:
        """``create_invoice`` of one line on account 4000 at location E100: its RECORDNO."""
        money = f"<currency>{currency}</currency>" if currency else ""
        return await self.key(
            f"<create_invoice><customerid>{customer}</customerid>"
            f"{day(on, 'datecreated')}{money}<invoiceitems><lineitem>"
            f"<glaccountno>4000</glaccountno><amount>{amount}</amount>"
            "<locationid>E100</locationid></lineitem></invoiceitems></create_invoice>"
        )


class ReleasedUser:
    """Calls the Re-Leased REST API of ``RL-DEMO`` as its UI would (no ``X-Sync-Source``)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self._headers = {
            "Authorization": f"Bearer {released_seed.API_KEY}",
            "X-Company-Id": released_seed.COMPANY_ID,
            "Content-Type": "application/json",
        }

    async def call(
        self, method: str, path: str, body: object = None, *, key: str | None = None
    ) -> tuple[int, Any]:
        """The status and decoded body of ``METHOD /api/<path>``."""
        headers = dict(self._headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        content = None if body is None else encode(body)
        reply = await self._client.request(
            method, f"{_RELEASED}/api/{path}", content=content, headers=headers
        )
        return reply.status_code, decode(reply.content) if reply.content else None

    async def get(self, path: str) -> Any:
        return await self.ok("GET", path)

    async def ok(
        self, method: str, path: str, body: object = None, *, key: str | None = None
    ) -> Any:
        """The body of a call that must succeed; a refusal is an ``AssertionError`` naming it."""
        status, found = await self.call(method, path, body, key=key)
        if status not in (200, 201):
            raise AssertionError((method, path, status, found))
        return found

    async def edit(self, path: str, **changes: Any) -> Any:
        """Read the record at ``path`` and put it back with ``changes``."""
        record = await self.get(path)
        return await self.ok("PUT", path, {**record, **changes})

    async def approved(self, body: dict[str, Any]) -> str:
        """Create an invoice (``body`` holds its writable fields), submit and approve it: its id."""
        created = await self.ok("POST", "invoices", body, key=f"raise-{body['invoiceNumber']}")
        for action in ("submit", "approve"):
            await self.ok("POST", f"invoices/{created['id']}/{action}")
        return str(created["id"])


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoPair:
    flow: ConnectionWorkflow
    sync: SyncService
    store: StateStore
    clock: Ticking
    intacct: IntacctSimulator
    released: ReleasedSimulator
    intacct_for: Callable[[Credentials, EntityId | None], IntacctPort]
    released_for: Callable[[ReleasedCompanyId], ReleasedPort]
    intacct_user: IntacctUser
    released_user: ReleasedUser
    credentials: Credentials = DEMO
    """What the product connects the demo company with (``credentials_for``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Wired:
    """The product over the real adapters, as ``demo_pair`` (and the fault soak) build it."""

    flow: ConnectionWorkflow
    sync: SyncService
    intacct_for: Callable[[Credentials, EntityId | None], IntacctPort]
    released_for: Callable[[ReleasedCompanyId], ReleasedPort]


def wired(
    store: StateStore,
    clock: Ticking,
    *,
    to_intacct: tuple[httpx.AsyncClient, ClientSettings],
    to_released: tuple[httpx.AsyncClient, str, ReleasedSettings],
) -> Wired:
    """The workflow and the sync service over the adapters: Intacct through its client with its
    settings (the endpoint among them), Re-Leased through its client at its base URL."""
    intacct_client, intacct_settings = to_intacct
    released_client, released_url, released_settings = to_released

    def intacct_for(credentials: Credentials, entity: EntityId | None) -> IntacctPort:
        return intacct_adapter(intacct_client, credentials, entity, settings=intacct_settings)

    def released_for(company: ReleasedCompanyId) -> ReleasedPort:
        return ReleasedAdapter(
            released_client,
            base_url=released_url,
            api_key=Secret(released_seed.API_KEY),
            company_id=company,
            settings=released_settings,
        )

    ports = Ports(store=store, intacct_for=intacct_for, released_for=released_for, clock=clock)
    flow = ConnectionWorkflow(
        store, intacct_for=intacct_for, released_for=released_for, clock=clock
    )
    return Wired(
        flow=flow, sync=SyncService(ports), intacct_for=intacct_for, released_for=released_for
    )


@asynccontextmanager
async def demo_pair(
    store: StateStore,
    clock: Ticking | None = None,
    *,
    before_intacct: Callable[[ASGIApp], ASGIApp] | None = None,
    intacct_settings: ClientSettings | None = None,
    released_settings: ReleasedSettings | None = None,
    sync_errors: bool = True,
    api: IntacctApi = IntacctApi.XML,
) -> AsyncIterator[DemoPair]:
    """Both demo seeds loaded at the clock's time, served in process, with the service over them.
    ``before_intacct`` wraps the Intacct simulator's app (to hold or watch the product's requests:
    the simulator itself knows nothing of the product). The adapters' settings (page sizes,
    concurrency) are the defaults unless given; the endpoints are always the simulator's (its XML
    gateway and its REST API). ``api``: what the product speaks to Intacct (``demo_company``,
    ``credentials_for``); ``sync_errors=False``: the company without D13's and D14's records
    (seed ``demo-blue``; over REST ``demo-blue-rest``)."""
    clock = clock or Ticking()
    isim = IntacctSimulator(clock=clock.now)
    demo_company(isim, api, now=clock.now(), sync_errors=sync_errors)
    rsim = ReleasedSimulator(clock=clock.now)
    released_seed.load_demo(rsim, now=clock.now())
    served: ASGIApp = intacct_app.create_app(isim)
    if before_intacct is not None:
        served = before_intacct(served)
    to_intacct = client(served)
    to_released = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=released_app.create_app(rsim)), base_url=_RELEASED
    )
    service = wired(
        store,
        clock,
        to_intacct=(
            to_intacct,
            settings_for(intacct_settings or settings(), SIM_URL),
        ),
        to_released=(to_released, _RELEASED, released_settings or ReleasedSettings(backoff=0.0)),
    )
    try:
        yield DemoPair(
            flow=service.flow,
            sync=service.sync,
            store=store,
            clock=clock,
            intacct=isim,
            released=rsim,
            intacct_for=service.intacct_for,
            released_for=service.released_for,
            intacct_user=IntacctUser(to_intacct),
            released_user=ReleasedUser(to_released),
            credentials=credentials_for(api),
        )
    finally:
        await to_intacct.aclose()
        await to_released.aclose()


CHECKED_BY_HAND = (
    Prerequisite.CUSTOMER_SEQUENCING,
    Prerequisite.VENDOR_SEQUENCING,
    Prerequisite.ACCOUNT_LABELS_OFF,
    Prerequisite.EXTERNAL_TAX,
    Prerequisite.SUBTOTAL_DEFAULTING,
)
"""What Intacct cannot report about the demo company (rule C5), acknowledged as the user would
after checking it there (the demo's settings meet every one)."""


async def confirmed(pair: DemoPair) -> ConnectionId:
    """Onboard and confirm the demo pair; its id."""
    id = await onboarded(pair.flow, pair.credentials)
    await value(pair.flow.confirm(id))
    await pair.flow.background()
    return id


async def onboarded(flow: ConnectionWorkflow, credentials: Credentials = DEMO) -> ConnectionId:
    """Onboard the demo pair up to confirm (every step continued), connecting Intacct with
    ``credentials``; its id."""
    connected = await value(flow.connect(RL_DEMO, credentials))
    id = connected.connection.id
    await value(flow.choose_entity(id, EntityId("E100")))
    await value(flow.set_sync_from(id, SYNC_FROM))
    await value(flow.acknowledge(id, CHECKED_BY_HAND))
    await value(flow.start_matching(id))
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
    return id


STORES = ("fake", "sqlite")
"""The state stores a scenario runs over: the in-memory fake and aiosqlite in a temporary folder."""


def on_store(
    kind: str, folder: Callable[[], Path], scenario: Callable[[StateStore], Awaitable[T]]
) -> T:
    """Run ``scenario`` over a fresh store of ``kind`` (one of ``STORES``); ``folder`` makes the
    SQLite file's folder."""

    async def main() -> T:
        if kind == "fake":
            return await scenario(FakeStateStore())
        store = await SqliteStateStore.open(folder() / "state.sqlite3", key=generate_key())
        try:
            return await scenario(store)
        finally:
            await store.close()

    return asyncio.run(main())
