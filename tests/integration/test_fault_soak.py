"""Issue 9, part 3: the fault soak. Twenty syncs under every fault both simulators can inject end
exactly where the same story without faults ends, with nothing created twice.

Both simulators serve the demo pair on loopback (``fakes.soak``), the product's adapters reach
them over TCP, and the store is SQLite on ``tmp_path``. After onboarding, every fault kind each
simulator has gets one rule firing with probability 0.2 on any request (Intacct: throttle, a rate
limit in an HTTP 200, the service off-line, a stale session, timeout after commit, server error,
drop, delay, session expiry, malformed, truncated; Re-Leased throttle, server error, timeout after
commit, drop, delay, malformed, truncated), from seeded RNGs: about nine Intacct requests in ten
(four Re-Leased ones in five) meet a fault. Then 20 syncs run; before four of them users change
things on both sides (new customers, contacts, invoices and payments, an edit, a rename, a draft
edited then approved). The same changes, in the same order, run without faults in a reference
pair (in process, the in-memory store), which syncs after each round of changes: a fault-free
sync after one with nothing new in between writes nothing (rule D21), so the syncs it leaves out
change nothing.

After the 20 faulty syncs: both simulators' records, normalised (``fakes.soak_state``: no
generated ids, keys or time stamps), and the store's links equal the reference's; no record is
held twice on either side; no write intent is left open; every fault kind fired on both sides.
The counts (faults per kind per simulator, requests, syncs, records compared, duplicates) are
printed (``pytest -s``) and recorded as the test's ``soak`` property.

Both Intacct APIs (issue 20): ``xml`` connects the demo company through the XML gateway
(``DEMO``), ``rest`` through the REST API with the simulator's demo OAuth client (``DEMO_OAUTH``),
its fault rules armed through the same control API (the REST simulator answers each kind in its
REST form, ``rest.refusals``: 429 / 503 with ``X-IA-Throttle-Limit-RetryAfter``, 401 for a token
gone, ...). Over REST the Intacct company is the demo one without Order Entry and Purchasing
(``demo_pair.demo_company``: the REST pages show no way to create the Items OE / PO lines name,
D17); the users' changes, made through the XML gateway, touch neither, so the story is the same.
Each API's soak is compared with its own reference, and the assertions are the same.

Retry budget. With the products' defaults (6 attempts per Intacct request, 5 per Re-Leased one)
this cannot converge: a request meets a fault other than a delay with probability 1 - 0.8^10 =
0.89 at Intacct (0.74 at Re-Leased), so it fails after its last attempt with probability
0.89^6 = 0.50, and a run, which reads some 40 feeds before it writes anything, stops at the first
such failure (by design: nothing is sent or skipped past an unconfirmed step). The soak gives both
adapters 40 attempts, through their settings, and no back-off; the faults' own delay is 5 ms.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.domain.enums import IntacctApi, RecordType
from released_intacct.domain.ids import ConnectionId
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import RL_DEMO, DemoPair, confirmed, demo_pair
from released_intacct.fakes.soak import Retries, Tally, arm, calm, served_pair, tally
from released_intacct.fakes.soak_state import (
    Snapshot,
    duplicates,
    intacct_records,
    link_rows,
    released_records,
)
from released_intacct.fakes.state_store import FakeStateStore

SYNCS = 20
PROBABILITY = 0.2
DELAY_MS = 5
SEED = 20260901
RETRIES = Retries(intacct_attempts=40, released_attempts=40)
TODAY = "<year>2026</year><month>05</month><day>01</day>"
Round = Callable[[DemoPair, dict[str, str]], Awaitable[None]]


# --- the users ----------------------------------------------------------------------------------


def _ar_invoice(customer: str, number: str, amount: str) -> str:
    return (
        f"<create_invoice><customerid>{customer}</customerid><datecreated>{TODAY}</datecreated>"
        f"<invoiceno>{number}</invoiceno><invoiceitems><lineitem><glaccountno>4000</glaccountno>"
        f"<amount>{amount}</amount><locationid>E100</locationid></lineitem></invoiceitems>"
        "</create_invoice>"
    )


def _released_invoice(number: str, contact: str, price: str) -> dict[str, Any]:
    line: dict[str, Any] = {"description": "Rent", "accountId": "acc-4000", "quantity": "1"}
    line |= {"unitPrice": price, "taxTypeId": "tax-standard", "taxAmount": "0.00"}
    line["tracking"] = [{"categoryId": "trc-location", "optionId": "opt-loc-east"}]
    body: dict[str, Any] = {"type": "Income", "invoiceNumber": number, "contactId": contact}
    return (
        body
        | {"currency": "USD", "issueDate": "2026-05-01", "dueDate": "2026-05-31"}
        | {"lines": [line]}
    )


async def _round_a(pair: DemoPair, keys: dict[str, str]) -> None:
    intacct, released = pair.intacct_user, pair.released_user
    await intacct.run(
        "<create><CUSTOMER><CUSTOMERID>CUS-1101</CUSTOMERID><NAME>Lakeside Studio</NAME>"
        "<DISPLAYCONTACT><PRINTAS>Lakeside Studio</PRINTAS><EMAIL1>hello@lakeside.example"
        "</EMAIL1></DISPLAYCONTACT></CUSTOMER></create>"
    )
    keys["INV-0501"] = await intacct.key(_ar_invoice("CUS-1002", "INV-0501", "640.00"))
    body = {"name": "Orchard Bakery", "email": "hi@orchard.example", "role": "Customer"}
    await released.ok("POST", "contacts", body | {"currency": "USD"}, key="contact-orchard")
    keys["RL-0601"] = await released.approved(_released_invoice("RL-0601", "con-northwind", "900"))


async def _round_b(pair: DemoPair, keys: dict[str, str]) -> None:
    intacct, released = pair.intacct_user, pair.released_user
    await intacct.run(
        "<update><CUSTOMER><CUSTOMERID>CUS-1101</CUSTOMERID><DISPLAYCONTACT><PRINTAS>"
        "Lakeside Studio</PRINTAS><EMAIL1>accounts@lakeside.example</EMAIL1></DISPLAYCONTACT>"
        "</CUSTOMER></update>"
    )
    await intacct.key(
        f"<create_arpayment><customerid>CUS-1002</customerid><paymentamount>640.00"
        f"</paymentamount><datereceived>{TODAY}</datereceived><paymentmethod>EFT</paymentmethod>"
        f"<arpaymentitem><invoicekey>{keys['INV-0501']}</invoicekey><amount>640.00</amount>"
        "</arpaymentitem></create_arpayment>"
    )
    payment = {"invoiceId": "inv-0007", "date": "2026-05-01", "amount": "200.00"}
    await released.ok("POST", "payments", payment, key="payment-inv-0007")
    keys["RL-0602"] = await released.approved(_released_invoice("RL-0602", "con-harbour", "450"))


async def _round_c(pair: DemoPair, keys: dict[str, str]) -> None:
    intacct, released = pair.intacct_user, pair.released_user
    await intacct.run(
        "<update><CUSTOMER><CUSTOMERID>CUS-1005</CUSTOMERID><NAME>Riverside Gym and Spa</NAME>"
        "</CUSTOMER></update>"
    )
    await intacct.key(
        f"<create_bill><vendorid>VEN-2002</vendorid><datecreated>{TODAY}</datecreated>"
        "<billno>BILL-0501</billno><billitems><lineitem><glaccountno>5000</glaccountno>"
        "<amount>300.00</amount><locationid>E100</locationid></lineitem></billitems></create_bill>"
    )
    payment = {"invoiceId": keys["RL-0601"], "date": "2026-05-01", "amount": "400.00"}
    await released.ok("POST", "payments", payment, key="payment-rl-0601")
    draft = _released_invoice("RL-0603", "con-bluebell", "800")
    created = await released.ok("POST", "invoices", draft, key="raise-RL-0603")
    keys["RL-0603"] = str(created["id"])


async def _round_d(pair: DemoPair, keys: dict[str, str]) -> None:
    intacct, released = pair.intacct_user, pair.released_user
    path = f"invoices/{keys['RL-0603']}"
    draft = await released.get(path)
    await released.edit(path, lines=[{**draft["lines"][0], "unitPrice": "950.00"}])
    for action in ("submit", "approve"):
        await released.ok("POST", f"{path}/{action}")
    await intacct.key(_ar_invoice("CUS-1101", "INV-0502", "300.00"))


ROUNDS: dict[int, Round] = {2: _round_a, 5: _round_b, 8: _round_c, 11: _round_d}
"""Before which sync (0-based) each round of users' changes happens."""


# --- the two runs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ending:
    intacct: Snapshot
    released: Snapshot
    links: list[str]
    duplicates: list[str]
    open_intents: int
    failed_syncs: int


async def _ending(pair: DemoPair, id: ConnectionId, failed: int) -> Ending:
    intacct = pair.intacct.companies["DEMO"]
    released = pair.released.companies[RL_DEMO]
    links = [link for rt in RecordType for link in await value(pair.store.links(id, rt))]
    return Ending(
        intacct=intacct_records(intacct),
        released=released_records(released),
        links=link_rows(links, intacct, released),
        duplicates=duplicates(intacct, released),
        open_intents=len(await value(pair.store.open_intents(id))),
        failed_syncs=failed,
    )


async def _story(pair: DemoPair, syncs: list[int], *, faulty: bool) -> tuple[ConnectionId, int]:
    """Onboard, then sync at ``syncs`` with the rounds of changes before their syncs."""
    id = await confirmed(pair)
    if faulty:
        arm(pair, probability=PROBABILITY, delay_ms=DELAY_MS)
    keys: dict[str, str] = {}
    failed = 0
    for index in syncs:
        pair.clock.advance()
        act = ROUNDS.get(index)
        if act is not None:
            with calm(pair):
                await act(pair, keys)
            pair.clock.advance()
        run = await value(pair.sync.run(id))
        failed += run.status.value != "succeeded"
    return id, failed


async def _reference(api: IntacctApi) -> Ending:
    async with demo_pair(FakeStateStore(), api=api) as pair:
        id, failed = await _story(pair, [0, *ROUNDS, SYNCS - 1], faulty=False)
        return await _ending(pair, id, failed)


async def _soak(folder: Path, api: IntacctApi) -> tuple[Ending, Tally]:
    store = await SqliteStateStore.open(folder / "state.sqlite3", key=generate_key())
    try:
        async with served_pair(store, seed=SEED, retries=RETRIES, api=api) as served:
            id, failed = await _story(served.pair, list(range(SYNCS)), faulty=True)
            return await _ending(served.pair, id, failed), await tally(served)
    finally:
        await store.close()


def _differences(name: str, soaked: list[str], reference: list[str]) -> list[str]:
    extra = sorted(set(soaked) - set(reference))
    missing = sorted(set(reference) - set(soaked))
    return [f"{name}: only after the soak: {r}" for r in extra] + [
        f"{name}: only in the reference: {r}" for r in missing
    ]


# --- the test -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("api", list(IntacctApi), ids=[api.value for api in IntacctApi])
def test_E1_D21_twenty_syncs_under_every_fault_end_as_the_fault_free_run(
    api: IntacctApi, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    started = time.monotonic()
    reference = asyncio.run(_reference(api))
    soaked, counts = asyncio.run(_soak(tmp_path, api))
    compared = {
        "intacct records": sum(len(rows) for rows in soaked.intacct.values()),
        "released records": sum(len(rows) for rows in soaked.released.values()),
        "links": len(soaked.links),
    }
    report = {
        "intacct api": api.value,
        "syncs under faults": SYNCS,
        "syncs that stopped or failed": soaked.failed_syncs,
        "reference syncs that failed (named refusals)": reference.failed_syncs,
        **asdict(counts),
        "compared": compared,
        "duplicates": len(soaked.duplicates),
        "open intents": soaked.open_intents,
        "seconds": round(time.monotonic() - started, 1),
    }
    record_property("soak", json.dumps(report))
    # the counts for the closing note
    print(f"\nfault soak ({api.value}):", json.dumps(report, indent=1))

    assert all(counts.intacct_faults.values()), counts.intacct_faults
    assert all(counts.released_faults.values()), counts.released_faults
    assert soaked.duplicates == [], soaked.duplicates
    assert reference.duplicates == [], reference.duplicates
    assert soaked.open_intents == 0
    problems = [
        *(
            d
            for table in sorted(set(soaked.intacct) | set(reference.intacct))
            for d in _differences(
                f"Intacct {table}",
                soaked.intacct.get(table, []),
                reference.intacct.get(table, []),
            )
        ),
        *(
            d
            for resource in sorted(set(soaked.released) | set(reference.released))
            for d in _differences(
                f"Re-Leased {resource}",
                soaked.released.get(resource, []),
                reference.released.get(resource, []),
            )
        ),
        *_differences("link", soaked.links, reference.links),
    ]
    assert not problems, "\n".join(problems)
    assert soaked.intacct == reference.intacct  # the same multisets, counts included
    assert soaked.released == reference.released
    assert soaked.links == reference.links
