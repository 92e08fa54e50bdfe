"""The naive client: the bench company written the way production integrations write it today.

    python bench/_naive.py --intacct URL --released URL

The official Python SDK (``sageintacctsdk`` 1.28.1, unmodified but for its URL, which it has no
option for: pointed at the simulator as ``tests/e2e/test_sdk_conformance.py`` points it), one
function per request, one request at a time, as Fyle's Intacct integration exports (a ``post``
per record through the SDK, in a loop). It opens a session, reads the company's contacts,
invoices and payments from Re-Leased (pages of 500, one at a time), then creates in Intacct each
contact as a customer (``customers.post``: ``create`` CUSTOMER), each invoice
(``ar_invoices.post``: legacy ``create_invoice``) and each payment applied to its invoice
(``ar_payments.post``: ``create`` ARPYMT), the same three functions the engine sends for the
same records.

The naive client is given every advantage: its mappings (Re-Leased account, tax type and location
option to Intacct's) are known up front, as an integration's saved mappings are, so it reads no
Intacct master data, and it reads nothing back after a write (Fyle reads each bill back for its
URL, which would double its requests). It prints one JSON object: the wall time of the session
alone and of the whole run, its CPU time, the requests it sent by function, and the Intacct
simulator's own count of requests, functions and API transactions over the run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from typing import Any

import httpx
import sageintacctsdk  # type: ignore[import-untyped]
from sageintacctsdk.apis import ApiBase  # type: ignore[import-untyped]

from released_intacct.fakes.demo_pair import DEMO
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH
from released_intacct.fakes.simulators.released import seed as released_seed

Json = dict[str, Any]
ENTITY = "E100"
PAGE = 500
ACCOUNTS = {rid: code.strip() for rid, code, _name, _kind in released_seed.ACCOUNTS}
"""Re-Leased account id to Intacct ACCOUNTNO: the demo's accounts match by code."""
TAX_DETAILS = {"tax-exempt": "Exempt", "tax-standard": "Standard 10%", "tax-reduced": "Reduced 5%"}
LOCATIONS = {"opt-loc-east": "E100", "opt-loc-west": "E200"}
"""Re-Leased tax type and location option to Intacct tax detail and LOCATIONID (saved mappings)."""


def _point_at(gateway: str) -> None:
    """Every SDK API object sends to ``gateway`` (the SDK's constructor has no endpoint option)."""
    original: Callable[..., None] = ApiBase.__init__

    def pointed(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self._ApiBase__api_url = gateway

    ApiBase.__init__ = pointed


def _mapped(table: dict[str, str], kind: str, key: str) -> str:
    if key not in table:
        msg = f"the naive client has no saved mapping for {kind} {key!r}: add it to bench/_naive.py"
        raise SystemExit(msg)
    return table[key]


def _released(http: httpx.Client, resource: str) -> Iterator[Json]:
    """Every record of ``resource``, a page at a time."""
    page = 1
    while True:
        reply = http.get(f"/api/{resource}", params={"page": page, "pageSize": PAGE})
        reply.raise_for_status()
        body = reply.json()
        yield from body["items"]
        if not body["hasMore"]:
            return
        page += 1


def _day(iso: str) -> dict[str, str]:
    day = date.fromisoformat(iso)
    return {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}


def _customer(contact: Json) -> Json:
    return {
        "NAME": contact["name"],
        "STATUS": "active",
        "CURRENCY": contact["currency"],
        "DISPLAYCONTACT": {
            "CONTACTNAME": contact["name"],
            "PRINTAS": contact["name"],
            "EMAIL1": contact["email"],
        },
    }


def _line(line: Json) -> Json:
    location = next(t["optionId"] for t in line["tracking"] if t["categoryId"] == "trc-location")
    return {
        "glaccountno": _mapped(ACCOUNTS, "account", line["accountId"]),
        "amount": line["unitPrice"],
        "memo": line["description"],
        "locationid": _mapped(LOCATIONS, "location option", location),
        "taxentries": {
            "taxentry": {"detailid": _mapped(TAX_DETAILS, "tax type", line["taxTypeId"])}
        },
    }


def _invoice(invoice: Json, customer_id: str) -> Json:
    return {
        "customerid": customer_id,
        "datecreated": _day(invoice["issueDate"]),
        "dateposted": _day(invoice["issueDate"]),
        "datedue": _day(invoice["dueDate"]),
        "action": "Submit",
        "invoiceno": invoice["invoiceNumber"],
        "ponumber": invoice["reference"],
        "currency": invoice["currency"],
        "invoiceitems": {"lineitem": [_line(line) for line in invoice["lines"]]},
    }


def _payment(payment: Json, customer_id: str, invoice_key: str) -> Json:
    paid = date.fromisoformat(payment["date"])
    return {
        "PAYMENTMETHOD": "EFT",
        "CUSTOMERID": customer_id,
        "RECEIPTDATE": paid.strftime("%m/%d/%Y"),
        "CURRENCY": "USD",
        "ARPYMTDETAILS": {
            "ARPYMTDETAIL": {"RECORDKEY": invoice_key, "TRX_PAYMENTAMOUNT": payment["amount"]}
        },
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _usage(intacct: str) -> dict[str, int]:
    stats = httpx.get(f"{intacct}/_sim/stats").json()["companies"][DEMO.company_id]
    return {k: int(stats[k]) for k in ("requests", "functions", "transactions")}


def _export(
    sdk: Any, sent: Counter[str], contacts: list[Json], invoices: list[Json], payments: list[Json]
) -> None:
    """Each record created in Intacct by its own SDK call, in turn; ``sent`` counts the calls."""
    customers: dict[str, str] = {}
    for contact in contacts:
        made = sdk.customers.post(_customer(contact))
        sent["create CUSTOMER"] += 1
        customers[contact["id"]] = made["data"]["customer"]["CUSTOMERID"]
    keys: dict[str, str] = {}
    for invoice in invoices:
        made = sdk.ar_invoices.post(_invoice(invoice, customers[invoice["contactId"]]))
        sent["create_invoice"] += 1
        keys[invoice["id"]] = made["key"]
    billed = {invoice["id"]: customers[invoice["contactId"]] for invoice in invoices}
    for payment in payments:
        owner = payment["invoiceId"]
        sdk.ar_payments.post(_payment(payment, billed[owner], keys[owner]))
        sent["create ARPYMT"] += 1


def run(intacct: str, released: str) -> Json:
    """The naive export of the whole company, timed."""
    _point_at(f"{intacct}{GATEWAY_PATH}")
    before = _usage(intacct)
    sent: Counter[str] = Counter()
    headers = {
        "Authorization": f"Bearer {released_seed.API_KEY}",
        "X-Company-Id": released_seed.COMPANY_ID,
    }
    wall, cpu = time.perf_counter(), _cpu()
    sdk = sageintacctsdk.SageIntacctSDK(
        sender_id=DEMO.sender_id,
        sender_password=DEMO.sender_password.reveal(),
        user_id=DEMO.user_id,
        company_id=DEMO.company_id,
        user_password=DEMO.user_password.reveal(),
        entity_id=ENTITY,
    )
    sent["getAPISession"] += 1
    session_s = time.perf_counter() - wall
    with httpx.Client(base_url=released, headers=headers, timeout=120) as http:
        contacts = list(_released(http, "contacts"))
        invoices = list(_released(http, "invoices"))
        payments = list(_released(http, "payments"))
    _export(sdk, sent, contacts, invoices, payments)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    after = _usage(intacct)
    return {
        "wall_s": wall,
        "session_s": session_s,
        "cpu_s": cpu,
        "records": {
            "contacts": len(contacts),
            "invoices": len(invoices),
            "payments": len(payments),
        },
        "functions": dict(sent),
        "requests": sum(sent.values()),
        "simulator": {k: after[k] - before[k] for k in after},
    }


def parse(argv: Sequence[str]) -> argparse.Namespace:
    cli = argparse.ArgumentParser(prog="bench/_naive.py")
    cli.add_argument("--intacct", required=True)
    cli.add_argument("--released", required=True)
    return cli.parse_args(argv)


if __name__ == "__main__":
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"  # requests would send loopback to a proxy
    args = parse(sys.argv[1:])
    print(json.dumps(run(args.intacct, args.released)), flush=True)
