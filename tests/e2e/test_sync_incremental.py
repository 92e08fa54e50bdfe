"""Incremental sync end to end over HTTP on both simulators' demo seeds (issue 7, acceptance 2).

The demo pair is onboarded and confirmed and synced once (``fakes.demo_pair``). Then users act
on both sides, each through the system's own API only (XML functions posted to the Intacct
gateway, REST calls to Re-Leased), and the service syncs from the cursors the runs left:

- round 1 (run 2): Intacct renames a customer, inactivates a vendor, adds a customer, deletes the
  customer the initial sync created, reverses a synced invoice, deletes a synced draft invoice,
  reverses a synced payment, enters a journal-entry payment and a refund, raises an invoice and
  allocates the demo's advance to it, enters a negative and a EUR invoice, edits the demo's Order
  Entry invoice again and edits an unposted one; Re-Leased edits a synced contact, voids a synced
  invoice, deletes a synced payment and edits the same unposted invoice.
- round 2 (run 3): Intacct makes the vendor active again; Re-Leased edits the contact whose
  customer was deleted, raises an invoice for it and one for a healthy contact, and approves the
  unposted invoice.
- run 4: nobody did anything.

The scenario runs once per state store (the in-memory fake and aiosqlite on ``tmp_path``); the
tests read what it left: the runs, the results each run reported, and both simulators' tables.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.links import Link
from released_intacct.domain.results import SyncResult
from released_intacct.domain.state import ResultFilter, Run, StateStore
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import (
    RL_DEMO,
    STORES,
    DemoPair,
    confirmed,
    demo_pair,
    on_store,
)

Tables = dict[str, dict[Any, dict[str, Any]]]
ON = date(2026, 5, 1)
TODAY = "<year>2026</year><month>05</month><day>01</day>"


@dataclass(frozen=True)
class Synced:
    runs: tuple[Run, ...]
    results: tuple[tuple[SyncResult, ...], ...]
    """What each run reported (seen at or after its start)."""
    links: dict[RecordType, tuple[Link, ...]]
    """After the last run."""
    intacct: tuple[Tables, ...]
    released: tuple[Tables, ...]
    keys: dict[str, str]
    """RECORDNOs and ids the users' actions made or touched, by name."""


# --- the users ------------------------------------------------------------------------------------


def _so_line(key: str, line: int, price: str) -> str:
    return (
        f'<update_sotransaction key="{key}"><updatesotransitems>'
        f'<updatesotransitem line_num="{line}"><price>{price}</price></updatesotransitem>'
        "</updatesotransitems></update_sotransaction>"
    )


def _status(vendor: str, status: str) -> str:
    return (
        f"<update><VENDOR><VENDORID>{vendor}</VENDORID><STATUS>{status}</STATUS></VENDOR></update>"
    )


async def _intacct_contacts(pair: DemoPair, keys: dict[str, str]) -> None:
    user = pair.intacct_user
    await user.run(
        "<update><CUSTOMER><CUSTOMERID>CUS-1005</CUSTOMERID><NAME>Riverside Gym and Spa</NAME>"
        "</CUSTOMER></update>"
    )
    await user.run(_status("VEN-2004", "inactive"))
    created = await user.run(
        "<create><CUSTOMER><NAME>Lakeside Studio</NAME><DISPLAYCONTACT><PRINTAS>Lakeside Studio"
        "</PRINTAS><EMAIL1>hello@lakeside.example</EMAIL1></DISPLAYCONTACT></CUSTOMER></create>"
    )
    keys["new customer"] = created.findtext("*/CUSTOMERID", "")
    greenleaf = await user.recordno("CUSTOMER", "CUSTOMERID = 'C0001'")
    await user.run(f"<delete><object>CUSTOMER</object><keys>{greenleaf}</keys></delete>")


async def _intacct_invoices(pair: DemoPair, keys: dict[str, str]) -> None:
    user = pair.intacct_user
    keys["reversed"] = await user.recordno("ARINVOICE", "RECORDID = 'INV-0015'")
    await user.run(
        f'<reverse_invoice key="{keys["reversed"]}"><datereversed>{TODAY}</datereversed>'
        "</reverse_invoice>"
    )
    keys["deleted"] = await user.recordno("ARINVOICE", "RECORDID = 'INV-0025'")
    await user.run(f"<delete><object>ARINVOICE</object><keys>{keys['deleted']}</keys></delete>")
    keys["negative"] = await user.invoice("CUS-1002", "-80.00", on=ON)
    keys["euro"] = await user.invoice("CUS-1002", "900.00", on=ON, currency="EUR")
    keys["D19 before"] = await user.recordno("ARINVOICE", "RECORDID = 'Sales Invoice-SI0003'")
    await user.run(_so_line("Sales Invoice-SI0003", 2, "120.00"))
    await user.run(_so_line("Sales Invoice-INV-0002", 1, "1300.00"))


async def _intacct_payments(pair: DemoPair, keys: dict[str, str]) -> None:
    user = pair.intacct_user
    paid = "CUSTOMERID = 'CUS-1006' AND RECEIPTDATE = '01/20/2026'"
    keys["reversed payment"] = await user.recordno("ARPYMT", paid)
    await user.run(
        f'<reverse_arpayment key="{keys["reversed payment"]}"><datereversed>{TODAY}'
        "</datereversed></reverse_arpayment>"
    )
    # D10: INV-0019 settled by a journal entry in the GL: nothing changes in AR, no payment
    keys["journal"] = await user.recordno("ARINVOICE", "RECORDID = 'INV-0019'")
    refund = {
        "RECORDTYPE": "rf", "STATE": "Complete", "CUSTOMERID": "CUS-1004", "PAYMENTMETHOD": "EFT",
        "REFUNDDATE": "05/01/2026", "TOTALENTERED": "50.00", "DESCRIPTION": "Refund of a credit",
    }  # fmt: skip
    keys["refund"] = await user.enter("CUSTOMERREFUND", refund)
    keys["advance"] = await user.recordno("ARPYMT", "RECORDTYPE = 'rr'")
    keys["allocated"] = await user.invoice("CUS-1006", "400.00", on=ON)
    await user.run(
        f"<apply_arpayment><arpaymentkey>{keys['advance']}</arpaymentkey>"
        f"<paymentdate>{TODAY}</paymentdate><arpaymentitems><arpaymentitem>"
        f"<invoicekey>{keys['allocated']}</invoicekey><amount>400.00</amount></arpaymentitem>"
        "</arpaymentitems></apply_arpayment>"
    )
    applying = f"RECEIPTDATE = '{ON:%m/%d/%Y}' AND TOTALENTERED = '0.00'"
    keys["allocation"] = await user.recordno("ARPYMT", applying)


async def _round_1(pair: DemoPair, keys: dict[str, str]) -> None:
    await _intacct_contacts(pair, keys)
    await _intacct_invoices(pair, keys)
    await _intacct_payments(pair, keys)
    user = pair.released_user
    await user.edit("contacts/con-harbour", email="billing@harbourcafe.example")
    await user.ok("POST", "invoices/inv-0003/void")
    await user.ok("POST", "payments/pay-0005/delete")
    invoice = await user.get("invoices/inv-0002")
    await user.edit("invoices/inv-0002", lines=[{**invoice["lines"][0], "unitPrice": "1250.00"}])


def _invoice(number: str, contact: str) -> dict[str, Any]:
    """900.00 of rent, its tax left at 0.00 by the Re-Leased user (Intacct calculates it)."""
    line: dict[str, Any] = {"description": "Rent", "accountId": "acc-4000", "quantity": "1"}
    line |= {"unitPrice": "900.00", "taxTypeId": "tax-standard", "taxAmount": "0.00"}
    line["tracking"] = [{"categoryId": "trc-location", "optionId": "opt-loc-east"}]
    body: dict[str, Any] = {
        "type": "Income",
        "invoiceNumber": number,
        "contactId": contact,
        "currency": "USD",
    }
    return body | {"issueDate": "2026-05-01", "dueDate": "2026-05-31", "lines": [line]}


async def _round_2(pair: DemoPair, keys: dict[str, str]) -> None:
    await pair.intacct_user.run(_status("VEN-2004", "active"))
    user = pair.released_user
    await user.edit("contacts/con-greenleaf", email="new@greenleaf.example")
    keys["for deleted"] = await user.approved(_invoice("INV-0100", "con-greenleaf"))
    keys["for healthy"] = await user.approved(_invoice("INV-0101", "con-northwind"))
    await user.ok("POST", "invoices/inv-0002/approve")


# --- the scenario ---------------------------------------------------------------------------------


def _tables(pair: DemoPair) -> tuple[Tables, Tables]:
    intacct = pair.intacct.companies["DEMO"].tables
    released = pair.released.companies[RL_DEMO].tables
    return copy.deepcopy(dict(intacct)), copy.deepcopy(dict(released))


async def _scenario(store: StateStore) -> Synced:
    async with demo_pair(store) as pair:
        id = await confirmed(pair)
        keys: dict[str, str] = {}
        runs: list[Run] = []
        results: list[tuple[SyncResult, ...]] = []
        intacct: list[Tables] = []
        released: list[Tables] = []
        acts = (None, _round_1, _round_2, None)
        for act in acts:
            pair.clock.advance()
            if act is not None:
                await act(pair, keys)
                pair.clock.advance()
            runs.append(await value(pair.sync.run(id)))
            everything = await value(store.results(id, ResultFilter(limit=1000)))
            results.append(tuple(r for r in everything if r.last_seen >= runs[-1].started_at))
            tables = _tables(pair)
            intacct.append(tables[0])
            released.append(tables[1])
        links = {rt: await value(store.links(id, rt)) for rt in RecordType}
        return Synced(tuple(runs), tuple(results), links, tuple(intacct), tuple(released), keys)


@pytest.fixture(scope="module", params=STORES)
def synced(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Synced:
    return on_store(request.param, lambda: tmp_path_factory.mktemp("sync-incremental"), _scenario)


# --- reading what it left ---------------------------------------------------------------------


def _about(synced: Synced, run: int, key: str, rule: Rule) -> SyncResult:
    """The one result of ``rule`` run ``run`` (1 = the initial sync) reported about ``key``."""
    found = [
        r
        for r in synced.results[run - 1]
        if key in (r.released_id, r.intacct_key) and r.rule is rule
    ]
    assert len(found) == 1, (key, rule, [(r.rule, r.message) for r in synced.results[run - 1]])
    return found[0]


def _says(result: SyncResult, kind: ErrorKind, *words: str) -> None:
    assert result.kind is kind, result
    text = f"{result.message} {result.fix}"
    for word in words:
        assert word in text, (word, text)


def _linked(synced: Synced, record_type: RecordType, key: str) -> str:
    (found,) = [link for link in synced.links[record_type] if link.intacct_key == key]
    return str(found.released_id)


def _released_of(synced: Synced, record_type: RecordType, released_id: str) -> str:
    (found,) = [link for link in synced.links[record_type] if link.released_id == released_id]
    return str(found.intacct_key)


def _one(tables: Tables, table: str, **fields: str) -> dict[str, Any]:
    (found,) = [r for r in tables[table].values() if all(r.get(k) == v for k, v in fields.items())]
    return found


def _changed(before: Tables, after: Tables) -> set[tuple[str, Any]]:
    return {
        (table, key)
        for table in set(before) | set(after)
        for key in set(before.get(table, {})) | set(after.get(table, {}))
        if before.get(table, {}).get(key) != after.get(table, {}).get(key)
    }


def _after(synced: Synced, run: int) -> tuple[Tables, Tables]:
    return synced.intacct[run - 1], synced.released[run - 1]


# --- contacts (D3, D5) ------------------------------------------------------------------------


def test_D3_an_intacct_rename_renames_the_released_contact(synced: Synced) -> None:
    contact = _linked(synced, RecordType.CONTACT, "CUSTOMER:CUS-1005")
    before, after = synced.released[0]["contacts"], synced.released[1]["contacts"]
    assert before[contact]["name"] == "CUS-1005 - Riverside Gym"
    assert after[contact]["name"] == "CUS-1005 - Riverside Gym and Spa"
    assert after[contact]["correspondenceName"] == "Riverside Gym and Spa"


def test_D3_inactive_in_intacct_archives_and_active_again_unarchives(synced: Synced) -> None:
    contact = _linked(synced, RecordType.CONTACT, "VENDOR:VEN-2004")
    statuses = [tables["contacts"][contact]["status"] for tables in synced.released]
    assert statuses == ["Active", "Archived", "Active", "Active"]


def test_D3_a_customer_created_in_intacct_is_created_in_released(synced: Synced) -> None:
    party = synced.keys["new customer"]
    assert party.startswith("C")  # document sequencing gave the id
    contact = _linked(synced, RecordType.CONTACT, f"CUSTOMER:{party}")
    record = synced.released[1]["contacts"][contact]
    assert record["name"] == f"{party} - Lakeside Studio"
    assert record["email"] == "hello@lakeside.example"
    assert record["role"] == "Customer"


def test_D3_a_released_edit_of_a_synced_contact_stays_in_released(synced: Synced) -> None:
    result = _about(synced, 2, "con-harbour", Rule.D3)
    _says(result, ErrorKind.SKIPPED, "not sent to Sage Intacct", "Intacct")
    intacct, released = _after(synced, 2)
    assert released["contacts"]["con-harbour"]["email"] == "billing@harbourcafe.example"
    assert _one(intacct, "CUSTOMER", CUSTOMERID="CUS-1001") == _one(
        synced.intacct[0], "CUSTOMER", CUSTOMERID="CUS-1001"
    )


def test_D5_a_deleted_customer_keeps_its_contact_and_is_never_called_unsynced(
    synced: Synced,
) -> None:
    """The rule asks for nothing when the deletion happens; whatever the sync says then must
    be true of the contact: it was synced, and it is kept."""
    assert synced.released[1]["contacts"]["con-greenleaf"]["status"] == "Active"
    said = [r for r in synced.results[1] if r.rule is Rule.D5]
    for result in said:
        assert result.released_id == "con-greenleaf", result
        assert "never synced" not in result.message, result


def test_D5_an_edit_of_the_contact_of_a_deleted_customer_fails(synced: Synced) -> None:
    result = _about(synced, 3, "con-greenleaf", Rule.D5)
    _says(result, ErrorKind.REJECTED, "no longer exists")
    assert not [c for c in synced.intacct[2]["CUSTOMER"].values() if c["CUSTOMERID"] == "C0001"]


def test_D5_an_invoice_raised_for_the_contact_of_a_deleted_customer_fails(
    synced: Synced,
) -> None:
    raised = synced.released[2]["invoices"][synced.keys["for deleted"]]
    result = _about(synced, 3, raised["id"], Rule.D5)
    _says(result, ErrorKind.REJECTED, "no longer exists")
    assert not [
        link for link in synced.links[RecordType.INVOICE] if link.released_id == raised["id"]
    ]
    documents = synced.intacct[2]["SODOCUMENT"].values()
    assert not [d for d in documents if "INV-0100" in str(d.get("DOCID"))]


def test_D6_D17_an_invoice_raised_for_a_healthy_contact_is_posted_with_intacct_tax(
    synced: Synced,
) -> None:
    """The control of the case above: the same invoice for another contact goes through, and
    takes the tax Intacct calculated (10% of 900.00) and Intacct's number (M1)."""
    raised = synced.released[2]["invoices"][synced.keys["for healthy"]]
    key = _released_of(synced, RecordType.INVOICE, raised["id"])
    document = _one(synced.intacct[2], "SODOCUMENT", DOCID=key)
    assert document["CUSTVENDID"] == "CUS-1002"
    assert document["STATE"] != "Draft"
    assert raised["invoiceNumber"] == key
    assert raised["total"] == Decimal(str(document["TOTAL"])) == Decimal("990.00")


# --- invoices (D7, D8, D13, D14, D17, D19, D20) ------------------------------------------------


def test_D7_an_invoice_reversed_in_intacct_is_voided_in_released(synced: Synced) -> None:
    key = synced.keys["reversed"]
    invoice = _linked(synced, RecordType.INVOICE, key)
    assert synced.released[0]["invoices"][invoice]["status"] == "Approved"
    assert synced.released[1]["invoices"][invoice]["status"] == "Voided"
    result = _about(synced, 2, key, Rule.D7)
    _says(result, ErrorKind.NEEDS_USER, "was reversed", "voided in Re-Leased", "Unlink")
    number = synced.intacct[1]["ARINVOICE"][int(key)]["RECORDID"]
    reversal = _one(
        synced.intacct[1], "ARINVOICE", STATE="Reversal", RECORDID=f"Reversed - {number}"
    )
    assert not [
        link for link in synced.links[RecordType.INVOICE]
        if link.intacct_key == str(reversal["RECORDNO"])
    ]  # fmt: skip


def test_D7_a_void_in_released_is_refused(synced: Synced) -> None:
    result = _about(synced, 2, "inv-0003", Rule.D7)
    _says(result, ErrorKind.REJECTED, "voided in Re-Leased", "Reverse it in Sage Intacct")
    docid = _released_of(synced, RecordType.INVOICE, "inv-0003")
    for run in (1, 2):
        document = _one(synced.intacct[run - 1], "SODOCUMENT", DOCID=docid)
        posted = synced.intacct[run - 1]["ARINVOICE"][int(document["PRRECORDKEY"])]
        assert posted["STATE"] == "Posted"


def test_D8_a_synced_invoice_deleted_in_intacct_is_reported_not_voided(synced: Synced) -> None:
    key = synced.keys["deleted"]
    invoice = _linked(synced, RecordType.INVOICE, key)
    result = _about(synced, 2, key, Rule.D8)
    _says(result, ErrorKind.NEEDS_USER, "deleted in Sage Intacct", "Void the Re-Leased", "unlink")
    assert synced.released[1]["invoices"][invoice]["status"] == "AwaitingApproval"


def test_D13_D14_new_negative_and_euro_invoices_are_refused(synced: Synced) -> None:
    negative = _about(synced, 2, synced.keys["negative"], Rule.D13)
    _says(negative, ErrorKind.REJECTED, "negative total (-80.00)", "AR adjustment")
    euro = _about(synced, 2, synced.keys["euro"], Rule.D14)
    _says(euro, ErrorKind.REJECTED, "in EUR, not the company's base currency USD")
    for key in (synced.keys["negative"], synced.keys["euro"]):
        assert not [link for link in synced.links[RecordType.INVOICE] if link.intacct_key == key]


def test_D19_D17_the_oe_invoice_edited_again_updates_the_same_released_invoice(
    synced: Synced,
) -> None:
    docid = "Sales Invoice-SI0003"
    invoice = _linked(synced, RecordType.INVOICE, docid)
    document = _one(synced.intacct[1], "SODOCUMENT", DOCID=docid)
    assert str(document["PRRECORDKEY"]) != synced.keys["D19 before"]  # re-keyed
    same = [i for i in synced.released[1]["invoices"].values() if i["invoiceNumber"] == docid]
    assert [i["id"] for i in same] == [invoice]
    assert same[0]["total"] == Decimal("726.00")  # 3 x 180.00 + 120.00, and Intacct's 10% tax
    assert same[0]["total"] == Decimal(str(document["TOTAL"]))


def test_D20_an_unposted_invoice_edited_on_both_sides_keeps_intacct(synced: Synced) -> None:
    result = _about(synced, 2, "Sales Invoice-INV-0002", Rule.D20)
    _says(result, ErrorKind.REJECTED, "changed in both", "Intacct version was kept")
    invoice = synced.released[1]["invoices"]["inv-0002"]
    assert [line["unitPrice"] for line in invoice["lines"]] == [Decimal("1300.00")]
    document = _one(synced.intacct[1], "SODOCUMENT", DOCID="Sales Invoice-INV-0002")
    assert [line["PRICE"] for line in document["SODOCUMENTENTRIES"]] == ["1300.00"]
    assert invoice["total"] == Decimal(str(document["TOTAL"]))


def test_D20_approving_in_released_posts_it_in_intacct(synced: Synced) -> None:
    before = _one(synced.intacct[1], "SODOCUMENT", DOCID="Sales Invoice-INV-0002")
    after = _one(synced.intacct[2], "SODOCUMENT", DOCID="Sales Invoice-INV-0002")
    assert (before["STATE"], before["PRRECORDKEY"]) == ("Draft", "")
    assert after["STATE"] != "Draft"
    posted = synced.intacct[2]["ARINVOICE"][int(after["PRRECORDKEY"])]
    assert posted["STATE"] == "Posted"
    assert synced.released[2]["invoices"]["inv-0002"]["status"] == "Approved"


# --- payments (D9-D12) ------------------------------------------------------------------------


def test_D9_a_payment_reversed_in_intacct_is_kept_in_released(synced: Synced) -> None:
    key = synced.keys["reversed payment"]
    (link,) = [k for k in synced.links[RecordType.PAYMENT] if k.intacct_key.startswith(f"{key}/")]
    result = _about(synced, 2, str(link.released_id), Rule.D9)
    _says(result, ErrorKind.NEEDS_USER, "was reversed in Sage Intacct", "was kept")
    assert synced.released[1]["payments"][link.released_id]["status"] != "Deleted"


def test_D9_a_synced_payment_deleted_in_released_is_refused(synced: Synced) -> None:
    result = _about(synced, 2, "pay-0005", Rule.D9)
    _says(result, ErrorKind.REJECTED, "removed in Re-Leased", "Sage Intacct")
    record_no, paid = _released_of(synced, RecordType.PAYMENT, "pay-0005").split("/")
    assert synced.intacct[1]["ARPYMT"][int(record_no)]["STATE"] == "Complete"
    assert paid == "Sales Invoice-INV-0005"


def test_D10_D12_a_journal_entry_and_a_refund_are_no_payments(synced: Synced) -> None:
    """Correction 2: a payment entered as a journal entry is a GL entry and a refund is its own
    object: neither is a payment record, so nothing of them is synced (and there is nothing to
    read to leave a result about)."""
    journal = _linked(synced, RecordType.INVOICE, synced.keys["journal"])
    assert synced.released[1]["invoices"][journal]["status"] == "Approved"  # still open
    assert synced.keys["refund"] in {str(n) for n in synced.intacct[1]["CUSTOMERREFUND"]}
    paid = {p["invoiceId"] for p in synced.released[1]["payments"].values()}
    new = set(synced.released[1]["payments"]) - set(synced.released[0]["payments"])
    assert journal not in {synced.released[1]["payments"][p]["invoiceId"] for p in new}
    assert paid  # payments did sync in the same runs


def test_D11_the_advance_once_allocated_syncs_as_a_payment_of_the_invoice(
    synced: Synced,
) -> None:
    """Correction 2: the advance itself (RECORDTYPE rr) is never a payment of an invoice;
    applying it makes a new payment whose detail names the advance, and that syncs."""
    allocation = f"{synced.keys['allocation']}/{synced.keys['allocated']}"
    payment = synced.released[1]["payments"][_linked(synced, RecordType.PAYMENT, allocation)]
    invoice = _linked(synced, RecordType.INVOICE, synced.keys["allocated"])
    assert payment["invoiceId"] == invoice
    assert payment["amount"] == Decimal("400.00")
    assert synced.released[1]["invoices"][invoice]["status"] == "Paid"
    assert not [
        link for link in synced.links[RecordType.PAYMENT]
        if link.intacct_key.startswith(f"{synced.keys['advance']}/")
    ]  # fmt: skip


# --- the runs (E1) and no echoes (D21) ---------------------------------------------------------


def test_E1_every_failure_of_the_incremental_runs_is_one_this_file_expects(
    synced: Synced,
) -> None:
    expected = {
        2: {Rule.D3, Rule.D5, Rule.D7, Rule.D8, Rule.D9, Rule.D13, Rule.D14, Rule.D20},
        3: {Rule.D5},
    }
    for run, rules in expected.items():
        new = {
            r.rule
            for r in synced.results[run - 1]
            if r.first_seen >= synced.runs[run - 1].started_at and r.kind is not ErrorKind.SKIPPED
        }
        assert new <= rules, (run, new - rules)


def test_D21_a_sync_after_the_incremental_ones_writes_nothing(synced: Synced) -> None:
    assert _changed(synced.intacct[2], synced.intacct[3]) == set()
    assert _changed(synced.released[2], synced.released[3]) == set()
    counts = synced.runs[3].counts.by_type
    assert sum(c.created + c.updated for c in counts.values()) == 0
