"""A host application with its own SQLite data, embedding the product: onboarded, then synced.

    .venv/bin/python examples/sqlite_host/run_example.py [--db host.sqlite3]

The host builds the product's service in code (``build_service``, as an embedding host does) over
its own Re-Leased port (``SqliteHost``) and a state store of the product's beside its tables.
Intacct is the simulator, in process, seeded with its ``demo`` company and reached through the
service's own Intacct adapter over ``httpx.ASGITransport`` (no socket).

The host starts with two contacts of its own. Onboarding connects the demo company at entity E100,
syncing from 2026-01-01, acknowledges what Intacct cannot report (C5), creates the host's two
contacts in Intacct as a customer and a vendor (O3) and confirms; the initial sync brings
Intacct's lists, customers, vendors, invoices and payments into the host's tables. The host's users
then raise a rent invoice (part paid) and record a plumber's bill, coded to the accounts the sync
created, and the next sync sends them to Intacct.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import httpx
from host import SqliteHost
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.app.bootstrap import Clients, build_service
from released_intacct.app.cli.summary import run_results, summary
from released_intacct.app.ports import settled
from released_intacct.app.service import Service
from released_intacct.app.settings import Settings
from released_intacct.domain.enums import (
    ContactRole,
    DocumentKind,
    InvoiceType,
    Prerequisite,
    RecordType,
    ReleasedInvoiceStatus,
    System,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ConnectionId, EntityId, ReleasedCompanyId, ReleasedId
from released_intacct.domain.links import Link
from released_intacct.domain.matching import Step
from released_intacct.domain.money import currency
from released_intacct.domain.onboarding import unresolved
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.released import Address, Contact, Invoice, InvoiceLine, Payment
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Run
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.seed import load_demo
from released_intacct.fakes.simulators.intacct.simulator import Simulator

USD = currency("USD")
COMPANY = ReleasedCompanyId("host")
SYNC_FROM = date(2026, 1, 1)
DEMO_LOGIN = IntacctCredentials(  # the demo seed's published test credentials
    sender_id="demo-sender",
    sender_password=Secret("demo-sender-pass"),
    company_id="DEMO",
    user_id="ws_user",
    user_password=Secret("ws_pass"),
)
ENDPOINT = "http://intacct.sim/ia/xml/xmlgw.phtml"
CHECKED = (
    Prerequisite.CUSTOMER_SEQUENCING,
    Prerequisite.VENDOR_SEQUENCING,
    Prerequisite.ACCOUNT_LABELS_OFF,
    Prerequisite.EXTERNAL_TAX,
    Prerequisite.SUBTOTAL_DEFAULTING,
)
"""What Intacct cannot report (rule C5), checked by hand in the demo company."""
ROLES = {"Lighthouse Florist": ContactRole.CUSTOMER, "Swift Plumbing": ContactRole.VENDOR}
"""The host's own contacts, created in Intacct: the florist is billed, the plumber bills."""


@dataclass(frozen=True)
class Example:
    intacct: Simulator
    db_path: Path
    runs: tuple[Run, Run]
    """The initial sync and the one after the host's users raised their invoices."""
    links: tuple[Link, ...]


class ExampleError(RuntimeError):
    """A step of the example was refused: the refusal's message and fix."""


T = TypeVar("T")


async def _ok(call: Awaitable[Result[T, SyncError]]) -> T:
    """The value of a service call; its failure as an ``ExampleError``."""
    outcome = await call
    if not is_successful(outcome):
        error = outcome.failure()
        raise ExampleError(f"{error.message} {error.fix}")
    return outcome.unwrap()


async def seed_contacts(host: SqliteHost) -> None:
    """What the host's own users entered before the company was connected."""
    await host.add(
        Contact(
            id=ReleasedId(""),
            name="Lighthouse Florist",
            email="accounts@lighthouse.example",
            street_address=Address(line1="4 Pier Road", city="Portland", country="US"),
        )
    )
    await host.add(Contact(id=ReleasedId(""), name="Swift Plumbing"))


async def onboard(service: Service) -> ConnectionId:
    """Connect the demo company at E100, decide what auto-match left, confirm (rules C2-O5)."""
    flow = service.workflow
    connected = await _ok(flow.connect(COMPANY, DEMO_LOGIN))
    id = connected.connection.id
    await _ok(flow.choose_entity(id, EntityId("E100")))
    await _ok(flow.set_sync_from(id, SYNC_FROM))
    await _ok(flow.acknowledge(id, CHECKED))
    onboarding = await _ok(flow.start_matching(id))
    for step in Step:
        for candidate in unresolved(onboarding, step):
            role = ROLES.get(candidate.label.strip())
            if step is Step.CONTACTS and role is not None:
                onboarding = await _ok(flow.create_as(id, candidate.released_id, role))
            else:
                onboarding = await _ok(flow.archive(id, step, candidate.released_id))
        onboarding = await _ok(flow.continue_step(id, step))
    await _ok(flow.confirm(id))  # starts the initial sync in the background
    return id


async def raise_invoices(host: SqliteHost) -> None:
    """The host's users at work after the initial sync: a rent invoice, approved and part paid,
    and a plumber's bill, each coded to an account the sync created (Intacct owns the chart of
    accounts, rule D1), found by its code as the host's own screens would."""
    named = await _rows(host, "contacts", "name")  # "<Intacct id> - <name>" once synced (M1)
    contacts = {name.split(" - ", 1)[-1]: ReleasedId(id) for id, name in named}
    accounts = {code: ReleasedId(id) for id, code in await _rows(host, "accounts", "code")}
    rent = await host.add(
        _invoice(
            contacts["Lighthouse Florist"],
            "LF-2026-02",
            InvoiceType.INCOME,
            accounts["4000"],
            Decimal("1450.00"),
        )
    )
    await host.add(
        _invoice(
            contacts["Swift Plumbing"],
            "SP-778",
            InvoiceType.EXPENSE,
            accounts["5000"],
            Decimal("180.50"),
        )
    )
    await host.add(
        Payment(
            id=ReleasedId(""),
            invoice_id=rent.id,
            document_kind=DocumentKind.INVOICE,
            date=date(2026, 2, 10),
            amount=Decimal("450.00"),
            currency=USD,
            reference="Bank transfer 0210",
        )
    )


async def _rows(host: SqliteHost, table: str, column: str) -> list[tuple[str, str]]:
    rows = await host.db.execute_fetchall(f"SELECT id, {column} FROM {table}")  # noqa: S608
    return [(str(id), str(value).strip()) for id, value in rows]


def _invoice(
    contact: ReleasedId, number: str, kind: InvoiceType, account: ReleasedId, amount: Decimal
) -> Invoice:
    return Invoice(
        id=ReleasedId(""),
        kind=DocumentKind.INVOICE,
        type=kind,
        invoice_number=number,
        status=ReleasedInvoiceStatus.APPROVED,
        contact_id=contact,
        issue_date=date(2026, 2, 1),
        due_date=date(2026, 3, 1),
        currency=USD,
        lines=(
            InvoiceLine(
                description=f"{number} as entered in the host",
                account_id=account,
                unit_price=amount,
            ),
        ),
    )


async def run_example(db_path: Path, *, out: Callable[[str], None] = print) -> Example:
    """Seed the host at ``db_path``, onboard the demo Intacct company, sync twice, report."""
    sim = Simulator()
    load_demo(sim, now=sim.clock())
    settings = Settings(
        database=str(db_path.with_name(f"{db_path.stem}-product-state.sqlite3")),
        encryption_key=generate_key(),
        intacct=ClientSettings(endpoint=ENDPOINT),
    )
    host = await SqliteHost.open(db_path)
    store = await SqliteStateStore.open(Path(settings.database), key=settings.encryption_key)
    transport = httpx.ASGITransport(app=create_app(sim))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://intacct.sim") as http:
            clients = Clients(store=store, http=http, released_for=lambda _company: host)
            service = build_service(settings, clients)
            await seed_contacts(host)
            id = await onboard(service)
            await service.drain()  # the initial sync confirm started
            (initial,) = await _ok(service.runs(id, limit=1))
            await report(service, initial, "The initial sync", out)
            await raise_invoices(host)
            second = await _ok(service.run_now(id))
            await report(service, second, "The sync after the host's invoices", out)
            links = await _ok(settled(store.links(id, RecordType.INVOICE)))
            links += await _ok(settled(store.links(id, RecordType.CONTACT)))
            links += await _ok(settled(store.links(id, RecordType.PAYMENT)))
    finally:
        await store.close()
        await host.close()
    out("The host's own records, now in Intacct:")
    for link in links:
        if link.origin is System.RELEASED:
            out(f"  {link.record_type.value:8} {link.released_id} -> Intacct {link.intacct_key}")
    return Example(intacct=sim, db_path=db_path, runs=(initial, second), links=links)


async def report(service: Service, run: Run, title: str, out: Callable[[str], None]) -> None:
    """The run's colour, counts per record type and results by rule, as the CLI prints them."""
    out(f"{title}:")
    results = await _ok(run_results(service, run))
    for line in summary(run, results):
        out(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", type=Path, help="the host's SQLite file (default: a temp file)")
    args = parser.parse_args()
    try:
        if args.db is not None:
            asyncio.run(run_example(args.db))
            return
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(run_example(Path(folder) / "host.sqlite3"))
    except ExampleError as error:
        raise SystemExit(f"run_example: {error}") from None


if __name__ == "__main__":
    main()
