"""The demo seed: it loads, holds one instance of every edge case, reads back through the
gateway, and is deterministic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.seed import EDGE_CASES, OWN_NUMBERS, load_demo
from released_intacct.fakes.simulators.intacct.simulator import Simulator
from released_intacct.fakes.simulators.released import seed as released_seed
from released_intacct.fakes.simulators.released.simulator import Simulator as ReleasedSimulator

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: NOW)
    return sim, load_demo(sim, now=NOW)


def _rows(company: Company, name: str, **where: str) -> list[Record]:
    return [r for r in company.table(name).values() if all(r.get(k) == v for k, v in where.items())]


def _described(company: Company, name: str, rule: str) -> list[Record]:
    return [
        r
        for r in company.table(name).values()
        if str(r.get("DESCRIPTION", "")).startswith(f"{rule} ")
    ]


def test_demo_company_settings_and_credentials(demo: tuple[Simulator, Company]) -> None:
    sim, company = demo
    assert (company.company_id, company.users, set(company.entities)) == (
        "DEMO",
        {"ws_user": "ws_pass"},
        {"E100", "E200"},
    )
    assert sim.senders == {"demo-sender": "demo-sender-pass"}
    settings = company.settings
    assert (settings.base_currency, settings.account_labels, settings.customer_sequencing) == (
        "USD",
        False,
        True,
    )
    assert settings.vendor_sequencing


def test_transactions_span_2023_to_2026_and_stay_moderate(
    demo: tuple[Simulator, Company],
) -> None:
    _, company = demo
    years = {str(r["WHENCREATED"])[-4:] for r in company.table("ARINVOICE").values()}
    assert years == {"2023", "2024", "2025", "2026"}
    for name in ("APBILL", "ARADJUSTMENT", "APADJUSTMENT", "ARPYMT", "APPYMT", "SODOCUMENT"):
        assert company.table(name), name
    written = sum(len(t) for n, t in company.tables.items() if n != "AUDITHISTORY")
    assert 50 <= written <= 300
    states = {r["STATE"] for r in company.table("ARINVOICE").values()}
    assert {"Draft", "Posted", "Partially Paid", "Paid", "Reversed", "Reversal"} <= states


def test_every_edge_case_is_present_exactly_once(demo: tuple[Simulator, Company]) -> None:
    _, company = demo
    assert EDGE_CASES == ("D7", "D8", "D9", "D10", "D11", "D12", "D13", "D14", "D19")
    assert len(_rows(company, "ARINVOICE", STATE="Reversed")) == 1
    assert len(_rows(company, "ARINVOICE", STATE="Reversal")) == 1
    deleted = _rows(company, "AUDITHISTORY", OBJECTTYPE="arinvoice", ACCESSMODE="Delete")
    assert len(deleted) == 2  # D8, and the D19 record re-keyed
    assert len(_rows(company, "ARPYMT", STATE="Reversed")) == 1
    (journal,) = _described(company, "ARINVOICE", "D10")
    assert journal["STATE"] == "Posted"  # a journal entry is no payment: the invoice stays open
    (advance,) = _rows(company, "ARPYMT", RECORDTYPE="rr")
    assert advance["TOTALDUE"] == advance["TOTALENTERED"] == "1000.00"
    assert company.table("ARADVANCE") == {int(str(advance["RECORDNO"])): advance}
    (applied,) = _rows(company, "ARPYMT", RECORDTYPE="ro")
    details = applied["ARPYMTDETAILS"]
    assert isinstance(details, list)
    (detail,) = details
    overpayment = company.table("ARPYMT")[int(str(detail["OVERPAYMENTKEY"]))]
    assert (overpayment["RECORDTYPE"], overpayment["TOTALENTERED"]) == ("rp", "950.00")
    assert (overpayment["TOTALPAID"], overpayment["TOTALDUE"]) == ("950.00", "0.00")
    assert detail["TRX_POSTEDOVERPAYMENTAMOUNT"] == "250.00"
    (refund,) = company.table("CUSTOMERREFUND").values()
    assert refund["DESCRIPTION"] == "D12 refund of a credit"
    (group,) = _rows(company, "ARPYMT", DOCNUMBER="GROUP-1")
    assert (group["CUSTOMERID"], group["TOTALENTERED"]) == ("", "200.00")
    negative = [r for r in company.table("ARINVOICE").values() if str(r["TOTALENTERED"])[0] == "-"]
    assert [r["STATE"] for r in negative] == ["Reversal", "Posted"]
    assert [r["CUSTOMERID"] for r in _rows(company, "ARINVOICE", CURRENCY="EUR")] == ["CUS-1008"]
    assert _rows(company, "CUSTOMER", CURRENCY="EUR")[0]["CUSTOMERID"] == "CUS-1008"


def test_D8_the_deleted_invoice_is_seen_only_in_audithistory(
    demo: tuple[Simulator, Company],
) -> None:
    _, company = demo
    assert _described(company, "ARINVOICE", "D8") == []
    keys = {
        r["OBJECTKEY"]
        for r in _rows(company, "AUDITHISTORY", OBJECTTYPE="arinvoice", ACCESSMODE="Delete")
    }
    assert all(int(str(k)) not in company.table("ARINVOICE") for k in keys)


def test_D19_the_edited_oe_invoice_points_to_its_new_ar_record(
    demo: tuple[Simulator, Company],
) -> None:
    _, company = demo
    (document,) = [
        r for r in company.table("SODOCUMENT").values() if str(r.get("MESSAGE")).startswith("D19")
    ]
    ledger = company.table("ARINVOICE")[int(str(document["PRRECORDKEY"]))]
    assert ledger["RECORDID"] == document["DOCID"]
    edited_at = str(document["WHENMODIFIED"])
    at_edit = _rows(company, "AUDITHISTORY", OBJECTTYPE="arinvoice", ACCESSTIME=edited_at)
    modes = {str(r["ACCESSMODE"]): str(r["OBJECTKEY"]) for r in at_edit}
    assert modes["Create"] == ledger["RECORDNO"]
    assert int(modes["Delete"]) < int(str(ledger["RECORDNO"]))
    assert int(modes["Delete"]) not in company.table("ARINVOICE")
    assert document["TAXTOTAL"] != "0.00"


@pytest.mark.parametrize(
    "object_name", ["ARINVOICE", "APBILL", "ARPYMT", "APPYMT", "SODOCUMENT", "AUDITHISTORY"]
)
def test_records_read_back_through_readbyquery(
    demo: tuple[Simulator, Company], object_name: str
) -> None:
    sim, company = demo
    function = (
        f"<readByQuery><object>{object_name}</object><fields>*</fields><query/>"
        "<pagesize>1000</pagesize></readByQuery>"
    )
    body = sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body
    (result,) = xmlgw.results(body)
    data = result.find("data")
    assert data is not None
    assert data.get("totalcount") == str(len(company.table(object_name)))
    assert len(data.findall(object_name.lower())) == len(company.table(object_name))


def test_entity_sessions_see_their_own_invoices(demo: tuple[Simulator, Company]) -> None:
    sim, company = demo
    function = (
        "<readByQuery><object>ARINVOICE</object><query/><pagesize>1000</pagesize></readByQuery>"
    )
    body = sim.handle(xmlgw.request(function, auth=xmlgw.Login(entity="E100")), endpoint=ENDPOINT)
    (result,) = xmlgw.results(body.body)
    owners = {r.findtext("MEGAENTITYID") for r in result.findall("data/arinvoice")}
    assert owners == {"E100", ""}
    assert int(result.find("data").get("totalcount", "0")) < len(company.table("ARINVOICE"))  # type: ignore[union-attr]


def test_the_seed_is_deterministic() -> None:
    first, second = Simulator(clock=lambda: NOW), Simulator(clock=lambda: NOW)
    assert load_demo(first, now=NOW).tables == load_demo(second, now=NOW).tables


def test_new_customers_do_not_collide_with_seeded_ids() -> None:
    sim = Simulator(clock=lambda: NOW)
    load_demo(sim, now=NOW)
    function = "<create><CUSTOMER><NAME>New Tenant</NAME></CUSTOMER></create>"
    body = sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body
    (result,) = xmlgw.results(body)
    assert result.findtext("data/customer/CUSTOMERID") == "C0001"


def test_D13_D14_seed_demo_blue_leaves_out_only_the_records_that_are_sync_errors(
    demo: tuple[Simulator, Company],
) -> None:
    """``make run`` seeds ``demo-blue`` so its runs can end blue (E3): the demo seed less D13's
    negative invoice and D14's EUR customer and invoice; every other edge case is still there."""
    _, full = demo
    blue = load_demo(Simulator(clock=lambda: NOW), now=NOW, sync_errors=False)
    for rule in ("D13", "D14"):
        assert _described(full, "ARINVOICE", rule)
        assert not _described(blue, "ARINVOICE", rule)
    assert _rows(full, "CUSTOMER", CUSTOMERID="CUS-1008")
    assert not _rows(blue, "CUSTOMER", CUSTOMERID="CUS-1008")
    touched = ("ARINVOICE", "ARINVOICEITEM", "CUSTOMER", "AUDITHISTORY")
    assert {n: len(t) for n, t in full.tables.items() if n not in touched} == {
        n: len(t) for n, t in blue.tables.items() if n not in touched
    }
    assert len(blue.table("ARINVOICE")) == len(full.table("ARINVOICE")) - 2


def test_E1_the_rest_demo_company_numbers_its_documents_apart_from_released() -> None:
    """Seed ``demo-blue-rest`` (no Order Entry / Purchasing): Re-Leased's invoices and bills land
    in ARINVOICE / APBILL, where a number already taken is refused (BL34000061), so the
    company's own are numbered ``OWN_NUMBERS``; with the modules, as ever, ``INV-`` / ``BILL-``."""
    sim = Simulator(clock=lambda: NOW)
    company = load_demo(sim, now=NOW, sync_errors=False, order_modules=False)
    released = ReleasedSimulator(clock=lambda: NOW)
    numbers = {
        str(doc["invoiceNumber"])
        for doc in released_seed.load_demo(released, now=NOW).tables["invoices"].values()
    }
    assert {"INV-0002", "BILL-0001"} <= numbers
    own = {str(r["RECORDID"]) for name in OWN_NUMBERS for r in company.table(name).values()}
    assert not own & numbers
    assert {"AR-0001", "AP-0001"} <= own
    with_modules = load_demo(Simulator(clock=lambda: NOW), now=NOW, sync_errors=False)
    assert with_modules.by_field("ARINVOICE", "RECORDID", "INV-0001") is not None
