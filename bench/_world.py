"""The benchmark's companies, and each simulator served in a process of its own with them loaded.

A company of ``n`` invoices: Intacct ``DEMO`` holds the demo's master data (accounts, tax details,
dimensions, entities E100 / E200, a few customers and vendors, the OAuth client ``demo-client``
for its REST API) and no transactions, without Order Entry and Purchasing (the subscriptions off,
no transaction definitions: the same company over both APIs, as the REST pages show no way to
create the Items Order Entry needs, D17); Re-Leased
``RL-DEMO`` holds the demo's lists (which auto-match, or are archived), ``n / 10`` customer contacts
Intacct does not know, ``n`` approved income invoices of three lines each (dated after the sync-from
date, every tenth contact billed ten times) and ``n / 2`` payments (every other invoice, in full).
The initial sync creates all of them in Intacct.

    python bench/_world.py intacct  --port P [--latency-ms 150 --concurrency 2]
    python bench/_world.py released --port P --invoices N

Each process prints ``ready`` on its standard output once its data is loaded and it listens.
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

import uvicorn

from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator as IntacctSimulator
from released_intacct.fakes.simulators.released import app as released_app
from released_intacct.fakes.simulators.released import seed as released_seed
from released_intacct.fakes.simulators.released.simulator import Simulator as ReleasedSimulator

Json = dict[str, object]
FIRST_DAY = date(2025, 1, 6)
LINES = (("acc-4000", "1200.00"), ("acc-4100", "75.50"), ("acc-4200", "40.00"))
INVOICE_TOTAL = "1315.50"  # the three lines (exempt from tax)


def contact_id(index: int) -> str:
    return f"con-{index:06d}"


def contacts(n: int) -> Iterator[Json]:
    for index in range(max(1, n // 10)):
        yield {
            "id": contact_id(index),
            "name": f"Tenant {index:06d} Ltd",
            "email": f"accounts@tenant{index:06d}.example",
            "role": "Customer",
            "currency": "USD",
            "status": "Active",
        }


def invoice_id(index: int) -> str:
    return f"inv-{index:06d}"


def invoices(n: int, *, start: int = 0, tenants: int | None = None) -> Iterator[Json]:
    """Invoices ``start`` to ``n - 1``, billing ``tenants`` contacts in turn (one per 10)."""
    tenants = tenants or max(1, n // 10)
    for index in range(start, n):
        issued = FIRST_DAY + timedelta(days=index % 400)
        yield {
            "id": invoice_id(index),
            "type": "Income",
            "invoiceNumber": invoice_id(index).upper(),
            "status": "Approved",
            "contactId": contact_id(index % tenants),
            "issueDate": issued.isoformat(),
            "dueDate": (issued + timedelta(days=30)).isoformat(),
            "reference": f"unit {index % 97}",
            "currency": "USD",
            "lines": [
                {
                    "description": f"Line {line}",
                    "accountId": account,
                    "unitPrice": price,
                    "quantity": "1",
                    "taxTypeId": "tax-exempt",
                    "taxAmount": "0.00",
                    "tracking": [{"categoryId": "trc-location", "optionId": "opt-loc-east"}],
                }
                for line, (account, price) in enumerate(LINES, start=1)
            ],
        }


def payments(n: int) -> Iterator[Json]:
    for index in range(0, n, 2):
        paid = FIRST_DAY + timedelta(days=index % 400 + 14)
        yield {
            "id": f"pay-{index:06d}",
            "invoiceId": invoice_id(index),
            "date": paid.isoformat(),
            "amount": INVOICE_TOTAL,
        }


def released_lists() -> Json:
    """The demo's lists, without its contacts."""
    return {
        "tax-types": [{"id": i, "name": n, "rate": r} for i, n, r in released_seed.TAX_TYPES],
        "accounts": [
            {"id": i, "code": c, "name": n, "type": t} for i, c, n, t in released_seed.ACCOUNTS
        ],
        "tracking-categories": [
            {"id": i, "name": n, "kind": k, "options": [{"id": o, "name": m} for o, m in opts]}
            for i, n, k, opts in released_seed.CATEGORIES
        ],
    }


def released_app_with(n: int) -> object:
    sim = ReleasedSimulator()
    company = sim.add_company(released_seed.COMPANY_ID, released_seed.API_KEY)
    sim.load(company, {**released_lists(), "contacts": list(contacts(n))})  # type: ignore[dict-item]
    sim.load(company, {"invoices": list(invoices(n))})
    sim.load(company, {"payments": list(payments(n))})
    return released_app.create_app(sim)


def intacct_app_with(*, latency_ms: int, concurrency: int, order_entry: bool) -> object:
    sim = IntacctSimulator(latency_ms=latency_ms, concurrency=concurrency)
    config = demo_config(order_modules=order_entry)  # off: no subscriptions, no definitions
    load_company(sim, config, now=datetime(2023, 1, 2, 9, tzinfo=UTC))
    return intacct_app.create_app(sim)


def main(argv: Sequence[str] | None = None) -> None:
    cli = argparse.ArgumentParser(prog="bench/_world.py")
    cli.add_argument("side", choices=("intacct", "released"))
    cli.add_argument("--port", type=int, required=True)
    cli.add_argument("--invoices", type=int, default=0)
    cli.add_argument("--latency-ms", type=int, default=0)
    cli.add_argument("--concurrency", type=int, default=2)
    cli.add_argument("--order-entry", action="store_true", help="invoices as OE documents")
    args = cli.parse_args(argv)
    if args.side == "released":
        app = released_app_with(args.invoices)
    else:
        app = intacct_app_with(
            latency_ms=args.latency_ms, concurrency=args.concurrency, order_entry=args.order_entry
        )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # see serving
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    print("ready", flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main(sys.argv[1:])
