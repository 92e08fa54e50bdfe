"""A host application with its own SQLite data, connected to Intacct, and one sync pass.

    .venv/bin/python examples/sqlite_host/run_example.py [--db host.sqlite3]

Intacct is the simulator, in process, seeded with its ``demo`` company and reached through the
product's real ``IntacctAdapter`` over ``httpx.ASGITransport`` (no socket). The host starts with
two contacts of its own, an approved rent invoice (part paid) and a plumber's bill; one pass brings
Intacct's lists, customers, vendors, invoices and payments into the host and sends the host's
contacts, invoices and payment to Intacct.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
from host import SqliteHost
from sync_once import SyncPass

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.enums import (
    DocumentKind,
    InvoiceType,
    RecordType,
    ReleasedInvoiceStatus,
    System,
)
from released_intacct.domain.ids import ConnectionId, IntacctKey, ReleasedId
from released_intacct.domain.money import currency
from released_intacct.domain.planning.common import key_for_released
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.released import Address, Contact, Invoice, InvoiceLine, Payment
from released_intacct.domain.secret import Secret
from released_intacct.domain.settings import SyncSettings
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.seed import load_demo
from released_intacct.fakes.simulators.intacct.simulator import Simulator

USD = currency("USD")
SETTINGS = SyncSettings(
    connection=ConnectionId("example"), sync_from=date(2026, 1, 1), base_currency=USD
)
DEMO_LOGIN = IntacctCredentials(  # the demo seed's published test credentials
    sender_id="demo-sender",
    sender_password=Secret("demo-sender-pass"),
    company_id="DEMO",
    user_id="ws_user",
    user_password=Secret("ws_pass"),
)
ENDPOINT = "http://intacct.sim/ia/xml/xmlgw.phtml"


@dataclass(frozen=True)
class Example:
    sync: SyncPass
    intacct: Simulator
    db_path: Path


def intacct_account(account_no: str) -> ReleasedId:
    """The host's id for Intacct's GL account ``account_no``.

    Intacct owns the chart of accounts (rule D1): the host's account rows are the copies the sync
    creates, and each keeps the id the sync proposes (the deterministic key of that create). So
    the host can code an invoice to Intacct's account 4000 before its first sync.
    """
    return ReleasedId(key_for_released(SETTINGS, RecordType.ACCOUNT, IntacctKey(account_no)))


async def seed_host(host: SqliteHost) -> None:
    """What the host's own users entered before the company was connected."""
    florist = await host.add(
        Contact(
            id=ReleasedId(""),
            name="Lighthouse Florist",
            email="accounts@lighthouse.example",
            street_address=Address(line1="4 Pier Road", city="Portland", country="US"),
        )
    )
    plumber = await host.add(Contact(id=ReleasedId(""), name="Swift Plumbing"))
    rent = await host.add(
        _invoice(florist.id, "LF-2026-02", InvoiceType.INCOME, "4000", Decimal("1450.00"))
    )
    await host.add(_invoice(plumber.id, "SP-778", InvoiceType.EXPENSE, "5000", Decimal("180.50")))
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


def _invoice(
    contact: ReleasedId, number: str, kind: InvoiceType, account_no: str, amount: Decimal
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
                account_id=intacct_account(account_no),
                unit_price=amount,
            ),
        ),
    )


async def run_example(db_path: Path, *, out: Callable[[str], None] = print) -> Example:
    """Seed the host at ``db_path``, connect the demo Intacct, run one pass, report."""
    sim = Simulator()
    load_demo(sim, now=sim.clock())
    transport = httpx.ASGITransport(app=create_app(sim))
    host = await SqliteHost.open(db_path)
    async with httpx.AsyncClient(transport=transport, base_url="http://intacct.sim") as client:
        intacct = IntacctAdapter(
            client, DEMO_LOGIN, entity=None, settings=ClientSettings(endpoint=ENDPOINT)
        )
        try:
            await seed_host(host)
            sync = SyncPass(host=host, intacct=intacct, settings=SETTINGS)
            await sync.run()
        finally:
            await host.close()
    report(sync, out)
    return Example(sync=sync, intacct=sim, db_path=db_path)


def report(sync: SyncPass, out: Callable[[str], None]) -> None:
    out("Writes confirmed:")
    for what, count in sorted(sync.done.items()):
        out(f"  {count:4d}  {what}")
    out("Not synced, by rule and kind (each is a sync result a bookkeeper sees):")
    kinds = Counter(f"{e.rule.value if e.rule else '-'} {e.kind.value}" for e in sync.results)
    for what, count in sorted(kinds.items()):
        out(f"  {count:4d}  {what}")
    out(f"Links kept: {len(sync.links)}; the host's own records, now in Intacct:")
    for link in sync.links.values():
        if link.origin is System.RELEASED:
            out(f"  {link.record_type.value:8} {link.released_id} -> Intacct {link.intacct_key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", type=Path, help="the host's SQLite file (default: a temp file)")
    args = parser.parse_args()
    if args.db is not None:
        asyncio.run(run_example(args.db))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run_example(Path(folder) / "host.sqlite3"))


if __name__ == "__main__":
    main()
