"""The initial sync end to end on both simulators' demo seeds over HTTP (issue 7, acceptance 2-3).

The demo pair (``fakes.demo_pair``) is onboarded and confirmed (Intacct ``DEMO`` at
entity E100, sync from 2024-01-01; Re-Leased ``RL-DEMO``), then ``SyncService.run`` runs three
times through the real adapters over ``httpx.ASGITransport``: the initial sync, a second run and a
third. The scenario runs once per state store (the in-memory fake and aiosqlite on ``tmp_path``);
the tests read what it left: the runs, the sync results after the initial sync and both
simulators' record tables after each run.

Fixed by what this scenario found: payments of OE/PO documents are applied to the AR/AP record
the document posted (PRRECORDKEY), credit notes go out as AR/AP adjustments (D13), the Reversal
entry of a reversed payment is skipped (D9), and the OE/PO documents written are read back in the
same run (D17: Intacct's number and tax), so the second run writes nothing (D21).
"""

from __future__ import annotations

import asyncio
import copy
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from released_intacct.domain.enums import DimensionKind, RecordType
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import (
    IntacctId,
    ReleasedId,
)
from released_intacct.domain.intacct import option_key
from released_intacct.domain.links import Link
from released_intacct.domain.released import TrackingCategory
from released_intacct.domain.results import RunStatus, SyncResult, is_failure
from released_intacct.domain.state import ResultFilter, Run, StateStore
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import (
    RL_DEMO,
    STORES,
    SYNC_FROM,
    DemoPair,
    confirmed,
    demo_pair,
    on_store,
)
from released_intacct.fakes.state_store import FakeStateStore

Tables = dict[str, dict[Any, dict[str, Any]]]


@dataclass(frozen=True)
class Synced:
    """What the scenario left: three runs, the results of the first, and the tables after each."""

    runs: tuple[Run, Run, Run]
    results: tuple[SyncResult, ...]
    links: dict[RecordType, tuple[Link, ...]]
    intacct: tuple[Tables, Tables, Tables]
    released: tuple[Tables, Tables, Tables]


def _tables(world: DemoPair) -> tuple[Tables, Tables]:
    intacct = world.intacct.companies["DEMO"].tables
    released = world.released.companies[RL_DEMO].tables
    return copy.deepcopy(dict(intacct)), copy.deepcopy(dict(released))


async def _scenario(store: StateStore) -> Synced:
    async with demo_pair(store) as world:
        id = await confirmed(world)
        runs, intacct, released = [], [], []
        for _ in range(3):
            runs.append(await value(world.sync.run(id)))
            tables = _tables(world)
            intacct.append(tables[0])
            released.append(tables[1])
            if len(runs) == 1:
                results = await value(store.results(id, ResultFilter(limit=1000)))
                links = {rt: await value(store.links(id, rt)) for rt in RecordType}
        return Synced(
            runs=(runs[0], runs[1], runs[2]),
            results=results,
            links=links,
            intacct=(intacct[0], intacct[1], intacct[2]),
            released=(released[0], released[1], released[2]),
        )


@pytest.fixture(scope="module", params=STORES)
def synced(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Synced:
    return on_store(request.param, lambda: tmp_path_factory.mktemp("sync-demo"), _scenario)


def _failures(synced: Synced) -> set[tuple[RecordType, str]]:
    return {
        (r.record_type, r.released_id or r.intacct_key or "")
        for r in synced.results
        if is_failure(r.kind)
    }


def _about(synced: Synced, key: str, rule: Rule | None) -> SyncResult:
    (found,) = [
        r for r in synced.results if key in (r.released_id, r.intacct_key) and r.rule is rule
    ]
    return found


def _record(tables: Tables, table: str, **fields: str) -> dict[str, Any]:
    (found,) = [r for r in tables[table].values() if all(r.get(k) == v for k, v in fields.items())]
    return found


def _active(record: dict[str, Any]) -> bool:
    return bool(record.get("status", "Active") == "Active")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


# --- the run (E3) ---------------------------------------------------------------------------


def test_E3_D2_the_initial_sync_is_red_only_for_the_d13_d14_refusals(synced: Synced) -> None:
    first = synced.runs[0]
    assert first.status is RunStatus.FAILED
    by_type = first.counts.by_type
    assert by_type[RecordType.ACCOUNT].created + by_type[RecordType.ACCOUNT].updated == 10
    assert by_type[RecordType.TAX_TYPE].updated == 3
    assert by_type[RecordType.TRACKING_OPTION].created >= 20
    assert by_type[RecordType.CONTACT].created >= 5  # 3 Intacct-only customers, 2 vendors
    assert by_type[RecordType.INVOICE].created >= 30
    assert by_type[RecordType.PAYMENT].created >= 15
    # Every payment is entered where its invoice is (E100 or E200): none seen at E100 applies an
    # invoice the connection cannot see, so no D2 error nobody could fix.
    assert not [r for r in synced.results if r.rule is Rule.D2]
    named = {
        (RecordType.CONTACT, "CUSTOMER:CUS-1008"),  # D14
        (RecordType.INVOICE, _edge(synced, "D13 ")),
        (RecordType.INVOICE, _edge(synced, "D14 ")),
    }
    assert _failures(synced) == named
    assert first.errors == len(named)


def _edge(synced: Synced, description: str) -> str:
    """The RECORDNO of the demo's AR invoice whose DESCRIPTION starts so (the edge case's id)."""
    (found,) = [
        key
        for key, record in synced.intacct[0]["ARINVOICE"].items()
        if str(record.get("DESCRIPTION", "")).startswith(description)
        and record.get("STATE") != "Reversal"
    ]
    return str(found)


# --- Intacct-owned lists into Re-Leased (D1, O2) ------------------------------------------------


def _linked_once(synced: Synced, record_type: RecordType, keys: set[str]) -> dict[str, str]:
    """Each Intacct key linked exactly once, to a distinct Re-Leased record: key → its id."""
    links = [link for link in synced.links[record_type] if link.intacct_key in keys]
    assert sorted(link.intacct_key for link in links) == sorted(keys)
    assert len({link.released_id for link in links}) == len(links)
    return {link.intacct_key: link.released_id for link in links}


def test_O2_every_intacct_account_and_tax_detail_is_in_released_once(synced: Synced) -> None:
    intacct, released = synced.intacct[0], synced.released[0]
    numbers = {r["ACCOUNTNO"] for r in intacct["GLACCOUNT"].values()}
    linked = _linked_once(synced, RecordType.ACCOUNT, numbers)
    assert linked["4000"] == "acc-4000"  # matched in onboarding, not created again
    assert linked["5100"] == "acc-util"
    accounts = released["accounts"]
    codes = Counter(a["code"].strip() for a in accounts.values() if _active(a))
    for number, released_id in linked.items():
        assert _active(accounts[released_id])
        assert codes[number] == 1, number
    details = {r["DETAILID"] for r in intacct["TAXDETAIL"].values()}
    taxes = _linked_once(synced, RecordType.TAX_TYPE, details)
    assert taxes["Exempt"] == "tax-exempt"
    names = Counter(_norm(t["name"]) for t in released["tax-types"].values() if _active(t))
    for detail, released_id in taxes.items():
        assert _active(released["tax-types"][released_id])
        assert names[_norm(detail)] == 1, detail


def test_O2_every_dimension_value_is_an_option_of_its_category_once(synced: Synced) -> None:
    intacct, released = synced.intacct[0], synced.released[0]
    categories = released["tracking-categories"]
    kinds = [kind for kind in DimensionKind if intacct.get(kind.value)]
    assert len(kinds) == 8  # the demo has no contracts, tasks or warehouses
    held = _linked_once(synced, RecordType.TRACKING_CATEGORY, {kind.value for kind in kinds})
    assert held["LOCATION"] == "trc-location"
    for kind in kinds:
        ids = {str(r[f"{kind.value}ID"]) for r in intacct[kind.value].values()}
        options = _linked_once(
            synced, RecordType.TRACKING_OPTION, {option_key(kind, IntacctId(i)) for i in ids}
        )
        category = categories[held[kind.value]]
        active = [o for o in category["options"] if _active(o)]
        assert len({_norm(o["name"]) for o in active}) == len(active), category["name"]
        assert set(options.values()) <= {o["id"] for o in active}
    assert _linked_once(synced, RecordType.TRACKING_OPTION, {"LOCATION:E100"}) == {
        "LOCATION:E100": "opt-loc-east"
    }


# --- Re-Leased contacts and documents into Intacct (D3, D4, D6, C4) ----------------------------


def test_D4_every_active_released_contact_is_one_intacct_party(synced: Synced) -> None:
    """By its name, or (one made from Intacct, rule M1) by ``<party id> - <name>``."""
    intacct, released = synced.intacct[0], synced.released[0]
    for contact in released["contacts"].values():
        if not _active(contact):
            continue
        table = {"Customer": "CUSTOMER", "Vendor": "VENDOR"}[contact["role"]]
        wanted = _norm(contact["name"])
        same = [
            party
            for party in intacct[table].values()
            if wanted in (_norm(party["NAME"]), _norm(f"{party[table + 'ID']} - {party['NAME']}"))
        ]
        assert len(same) == 1, contact["name"]


def test_correction_10_M1_a_customer_s_ship_to_and_bill_to_contacts_give_its_addresses(
    synced: Synced,
) -> None:
    """CUS-1004 ships to and bills to contacts of its own (SHIPTO / BILLTO reference them): the
    postal address comes from the Ship-To contact, the street address from the Bill-To contact,
    the rest from the primary contact (seed 004)."""
    contact = _record(synced.released[0], "contacts", name="CUS-1004 - Quayside Books")
    postal, street = contact["postalAddress"], contact["streetAddress"]
    assert (postal["address"], postal["townCity"], postal["postZipCode"]) == (
        "7 Dock Road",
        "Portsmouth",
        "03801",
    )
    assert (street["address"], street["postZipCode"]) == ("PO Box 12", "03802")
    assert contact["email"] == "accounts@quaysidebooks.example"


def test_D6_approved_and_awaiting_invoices_are_in_intacct_once_drafts_not(
    synced: Synced,
) -> None:
    intacct, released = synced.intacct[0], synced.released[0]
    documents = [*intacct["SODOCUMENT"].values(), *intacct["PODOCUMENT"].values()]
    books = [*intacct["ARINVOICE"].values(), *intacct["APBILL"].values()]
    sent = set()
    for invoice in released["invoices"].values():
        if str(invoice["id"]).startswith("ri-"):
            continue  # came from Intacct
        number = invoice["invoiceNumber"]
        there = [d for d in documents if number in (d["DOCNO"], d["DOCID"])]
        if invoice["status"] in ("Draft", "Voided"):
            assert there == [], number
            assert not [b for b in books if str(b.get("RECORDID", "")).endswith(f"-{number}")]
        else:
            assert invoice["issueDate"] >= SYNC_FROM
            assert len(there) == 1, number
            sent.add(invoice["id"])
    assert sent == {"inv-0002", "inv-0003", "inv-0004", "inv-0005", "inv-0007", "bill-0001"}
    assert _about(synced, "inv-0001", Rule.D6).kind is ErrorKind.SKIPPED
    assert _about(synced, "inv-0006", Rule.D7).kind is ErrorKind.SKIPPED


def test_D13_an_approved_credit_note_is_an_ar_adjustment_even_with_order_entry_on(
    synced: Synced,
) -> None:
    (link,) = [
        link for link in synced.links[RecordType.CREDIT_NOTE] if link.released_id == "cn-0001"
    ]
    adjustment = synced.intacct[0]["ARADJUSTMENT"][int(link.intacct_key)]
    assert adjustment["STATE"] == "Posted"
    assert not [d for d in synced.intacct[0]["SODOCUMENT"].values() if d["DOCNO"] == "CN-0001"]


def test_D2_released_payments_of_oe_po_documents_pay_the_record_the_document_posted(
    synced: Synced,
) -> None:
    """The payment names the AR invoice / AP bill the document posted (its PRRECORDKEY)."""
    intacct = synced.intacct[0]
    payments = {str(k.released_id): str(k.intacct_key) for k in synced.links[RecordType.PAYMENT]}
    for payment, table, docid in (
        ("pay-0004", "SODOCUMENT", "Sales Invoice-INV-0004"),
        ("pay-0005", "SODOCUMENT", "Sales Invoice-INV-0005"),
        ("pay-bill", "PODOCUMENT", "Vendor Invoice-BILL-0001"),
    ):
        record_no, document = payments[payment].split("/")
        assert document == docid  # the domain names the document by its DOCID
        posted = _record(intacct, table, DOCID=docid)["PRRECORDKEY"]
        paid = intacct["ARPYMT" if table == "SODOCUMENT" else "APPYMT"][int(record_no)]
        details = paid.get("ARPYMTDETAILS") or paid.get("APPYMTDETAILS") or []
        assert [str(d["RECORDKEY"]) for d in details] == [str(posted)]


# --- the Intacct demo's edge cases (intacct seed EDGE_CASES) ------------------------------------


def _payment(synced: Synced, **fields: str) -> str:
    return str(_record(synced.intacct[0], "ARPYMT", **fields)["RECORDNO"])


def _deleted(synced: Synced) -> list[str]:
    audit = synced.intacct[0]["AUDITHISTORY"].values()
    return [a["OBJECTKEY"] for a in audit if a["ACCESSMODE"] == "Delete"]


def _skipped(synced: Synced, key: str, rule: Rule, *words: str) -> None:
    found = _about(synced, key, rule)
    assert found.kind is ErrorKind.SKIPPED
    for word in words:
        assert word in found.message


def _nothing_in_released(synced: Synced, key: str, record_type: RecordType) -> None:
    assert not [link for link in synced.links[record_type] if link.intacct_key == key]


def test_D7_D8_a_reversed_and_a_deleted_invoice_are_skipped(synced: Synced) -> None:
    reversed_ = _edge(synced, "D7 ")
    reversal = _record(synced.intacct[0], "ARINVOICE", STATE="Reversal")["RECORDNO"]
    _skipped(synced, reversed_, Rule.D7, "was reversed before it was synced")
    _skipped(synced, str(reversal), Rule.D7, "is the entry Sage Intacct adds when reversing one")
    for key in (reversed_, str(reversal)):
        _nothing_in_released(synced, key, RecordType.INVOICE)
    doomed, rekeyed = _deleted(synced)  # D8, then D19's first AR record
    for key in (doomed, rekeyed):
        _skipped(synced, key, Rule.D8, "was deleted in Sage Intacct", "never synced")


def _paid(synced: Synced, *payments: str) -> dict[str, Decimal]:
    """What the Re-Leased payments synced from the Intacct ``payments`` pay, by Intacct document."""
    invoices = {
        str(link.intacct_key): link.released_id for link in synced.links[RecordType.INVOICE]
    }
    released = synced.released[0]["payments"]
    paid: dict[str, Decimal] = {}
    for link in synced.links[RecordType.PAYMENT]:
        payment, _, document = link.intacct_key.partition("/")
        if payment in payments:
            assert released[link.released_id]["invoiceId"] == invoices[document]
            paid[document] = released[link.released_id]["amount"]
    return paid


def test_D9_to_D12_payments_by_their_rules(synced: Synced) -> None:
    reversed_ = _payment(synced, STATE="Reversed")
    _skipped(synced, reversed_, Rule.D9, "was reversed", "never synced")
    entry = _payment(synced, STATE="Reversal")
    assert not [
        k for k in synced.links[RecordType.PAYMENT] if k.intacct_key.startswith(f"{entry}/")
    ]
    # correction 3: the Reversal entry is paired with the payment it reverses: one result for both
    assert not [r for r in synced.results if r.intacct_key == entry]
    # correction 2: a journal entry is no payment record; the invoice it settled stays open
    everything = [str(key) for key in synced.intacct[0]["ARPYMT"]]
    assert _edge(synced, "D10 ") not in _paid(synced, *everything)
    _skipped(synced, _payment(synced, RECORDTYPE="rr"), Rule.D11, "not yet allocated")
    over = _payment(synced, RECORDTYPE="rp", TOTALENTERED="950.00")
    applied = _payment(synced, RECORDTYPE="ro")
    assert _paid(synced, over, applied) == {
        _edge(synced, "D11 overpaid"): Decimal("700.00"),
        _edge(synced, "D11 allocated"): Decimal("250.00"),
    }
    # correction 2: a refund is its own object (CUSTOMERREFUND), never read as a payment
    assert len(synced.intacct[0]["CUSTOMERREFUND"]) == 1
    group = _payment(synced, DOCNUMBER="GROUP-1")
    assert sorted(_paid(synced, group).values()) == [Decimal("80.00"), Decimal("120.00")]


def test_D13_D14_a_negative_and_a_foreign_currency_invoice_are_refused(synced: Synced) -> None:
    negative = _about(synced, _edge(synced, "D13 "), Rule.D13)
    assert negative.kind is ErrorKind.REJECTED
    assert "negative total (-120.00)" in negative.message
    assert "AR adjustment" in negative.fix
    euro = _about(synced, _edge(synced, "D14 "), Rule.D14)
    assert "in EUR, not the company's base currency USD" in euro.message
    customer = _about(synced, "CUSTOMER:CUS-1008", Rule.D14)
    assert "Rheinland Immobilien GmbH is in EUR" in customer.message
    for key, record_type in (
        (_edge(synced, "D13 "), RecordType.INVOICE),
        (_edge(synced, "D14 "), RecordType.INVOICE),
        ("CUSTOMER:CUS-1008", RecordType.CONTACT),
    ):
        _nothing_in_released(synced, key, record_type)


def test_D19_the_edited_oe_invoice_is_one_released_invoice_by_its_docid(synced: Synced) -> None:
    document = _record(synced.intacct[0], "SODOCUMENT", DOCNO="SI0003")
    assert str(document.get("MESSAGE", "")).startswith("D19 ")
    docid = document["DOCID"]
    (link,) = [link for link in synced.links[RecordType.INVOICE] if link.intacct_key == docid]
    for tables in synced.released:
        same = [i for i in tables["invoices"].values() if i["invoiceNumber"] == docid]
        assert [i["id"] for i in same] == [link.released_id]
    total = synced.released[0]["invoices"][link.released_id]["total"]
    assert total == Decimal("698.50")  # 3 x 180.00 + 95.00 as edited, and Intacct's 10% tax


# --- a second sync changes nothing (D21) --------------------------------------------------------


def _changed(before: Tables, after: Tables) -> set[tuple[str, Any]]:
    return {
        (table, key)
        for table in set(before) | set(after)
        for key in set(before.get(table, {})) | set(after.get(table, {}))
        if before.get(table, {}).get(key) != after.get(table, {}).get(key)
    }


def test_D21_a_second_and_a_third_sync_write_nothing(synced: Synced) -> None:
    for before, after in ((0, 1), (1, 2)):
        assert _changed(synced.intacct[before], synced.intacct[after]) == set()
        assert _changed(synced.released[before], synced.released[after]) == set()
        counts = synced.runs[after].counts.by_type
        assert sum(c.created + c.updated for c in counts.values()) == 0


def test_D17_M1_an_invoice_sent_as_an_oe_document_takes_intacct_number_and_tax_at_once(
    synced: Synced,
) -> None:
    """Read back in the same run: '<definition>-<number>' (M1) and the tax Intacct calculated."""
    invoice = synced.released[0]["invoices"]["inv-0002"]
    assert invoice["invoiceNumber"] == "Sales Invoice-INV-0002"
    document = _record(synced.intacct[0], "SODOCUMENT", DOCID="Sales Invoice-INV-0002")
    assert invoice["total"] == Decimal(str(document["TOTAL"]))


# --- the fix this scenario found ------------------------------------------------------------------


def test_a_category_updated_without_options_keeps_its_options() -> None:
    """The sync renames a matched category to its dimension's label (``class`` → ``Class``); the
    ``PUT`` replaces the whole options list, so the update must keep the options it holds."""

    async def main() -> None:
        async with demo_pair(FakeStateStore()) as world:
            port = world.released_for(RL_DEMO)
            renamed = TrackingCategory(
                id=ReleasedId("trc-class"), name="Class", kind=DimensionKind.CLASS
            )
            written = await value(port.update(renamed))
            assert isinstance(written, TrackingCategory)
            assert written.name == "Class"
            held = world.released.companies[RL_DEMO].tables["tracking-categories"]["trc-class"]
            assert [o["id"] for o in held["options"]] == ["opt-class-res", "opt-class-com"]

    asyncio.run(main())
