"""Spec correction 10 in the simulator: a customer's CONTACTINFO / SHIPTO / BILLTO (a vendor's
CONTACTINFO / PAYTO / RETURNTO) are written as references to a CONTACT by CONTACTNAME and read
back resolved: dotted names (``SHIPTO.MAILADDRESS.ADDRESS1``, as the inspect fixture names them)
from the list functions, nested blocks from ``read``; a block never set shows DISPLAYCONTACT."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
WAREHOUSE = (
    "<create><CONTACT><CONTACTNAME>Harbour Warehouse</CONTACTNAME><PRINTAS>Warehouse</PRINTAS>"
    "<MAILADDRESS><ADDRESS1>9 Pier Road</ADDRESS1><CITY>Dover</CITY></MAILADDRESS>"
    "</CONTACT></create>"
)
CUSTOMER = (
    "<create><CUSTOMER><CUSTOMERID>REF-1</CUSTOMERID><NAME>Harbour Cafe</NAME>"
    "<DISPLAYCONTACT><PRINTAS>Harbour Cafe</PRINTAS><EMAIL1>hc@example.com</EMAIL1>"
    "<MAILADDRESS><ADDRESS1>1 Main St</ADDRESS1></MAILADDRESS></DISPLAYCONTACT>"
    "<SHIPTO><CONTACTNAME>Harbour Warehouse</CONTACTNAME></SHIPTO></CUSTOMER></create>"
)


def _sim() -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: T0)
    return sim, load_company(sim, demo_config(), now=T0)


def _ok(sim: Simulator, function: str) -> xmlgw.Element:
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    assert result.findtext("status") == "success", xmlgw.errornos(result)
    return result


def _inspected(block: str) -> set[str]:
    text = (FIXTURES / "response-inspect-customer.xml").read_text()
    return set(re.findall(rf"<Name>({block}\.[A-Z0-9.]+)</Name>", text))


def _listed_row(sim: Simulator, customer: str) -> xmlgw.Element:
    read = (
        "<readByQuery><object>CUSTOMER</object><fields>*</fields>"
        f"<query>CUSTOMERID = '{customer}'</query></readByQuery>"
    )
    row = _ok(sim, read).find("data/customer")
    assert row is not None
    return row


def test_correction_10_shipto_is_stored_as_a_reference_and_read_resolved() -> None:
    sim, company = _sim()
    _ok(sim, WAREHOUSE)
    _ok(sim, CUSTOMER)
    stored = company.by_field("CUSTOMER", "CUSTOMERID", "REF-1")
    contact = company.by_field("CONTACT", "CONTACTNAME", "Harbour Warehouse")
    assert stored is not None
    assert contact is not None
    assert "SHIPTO" not in stored
    assert stored["SHIPTOKEY"] == contact["RECORDNO"]

    row = _listed_row(sim, "REF-1")
    assert row.findtext("SHIPTO.CONTACTNAME") == "Harbour Warehouse"
    assert row.findtext("SHIPTO.MAILADDRESS.ADDRESS1") == "9 Pier Road"
    assert row.findtext("SHIPTOKEY") == contact["RECORDNO"]
    dotted = {child.tag for child in row if str(child.tag).startswith("SHIPTO.")}
    assert dotted <= _inspected("SHIPTO")  # every name is one the real inspect lists

    read = f"<read><object>CUSTOMER</object><keys>{stored['RECORDNO']}</keys></read>"
    nested = _ok(sim, read).find("data/CUSTOMER/SHIPTO")
    assert nested is not None
    assert nested.findtext("MAILADDRESS/CITY") == "Dover"


def test_correction_10_a_change_to_the_contact_shows_through_the_customer() -> None:
    sim, _ = _sim()
    _ok(sim, WAREHOUSE)
    _ok(sim, CUSTOMER)
    moved = (
        "<update><CONTACT><CONTACTNAME>Harbour Warehouse</CONTACTNAME>"
        "<MAILADDRESS><ADDRESS1>12 Quay Lane</ADDRESS1></MAILADDRESS></CONTACT></update>"
    )
    _ok(sim, moved)
    assert _listed_row(sim, "REF-1").findtext("SHIPTO.MAILADDRESS.ADDRESS1") == "12 Quay Lane"


def test_correction_10_a_block_never_set_shows_the_display_contact() -> None:
    sim, _ = _sim()
    _ok(sim, WAREHOUSE)
    _ok(sim, CUSTOMER)
    row = _listed_row(sim, "REF-1")
    for block in ("BILLTO", "CONTACTINFO"):
        assert row.findtext(f"{block}.EMAIL1") == "hc@example.com"
        assert row.findtext(f"{block}.MAILADDRESS.ADDRESS1") == "1 Main St"


def test_correction_10_naming_a_contact_that_does_not_exist_is_refused() -> None:
    sim, company = _sim()
    (result,) = xmlgw.results(sim.handle(xmlgw.request(CUSTOMER), endpoint=ENDPOINT).body)
    assert result.findtext("status") == "failure"
    assert "SHIPTO.CONTACTNAME 'Harbour Warehouse'" in result.findtext(
        "errormessage/error/description2", ""
    )
    assert company.by_field("CUSTOMER", "CUSTOMERID", "REF-1") is None


def test_correction_10_query_answers_a_selected_block_field_under_its_dotted_name() -> None:
    sim, _ = _sim()
    _ok(sim, WAREHOUSE)
    _ok(sim, CUSTOMER)
    query = (
        "<query><object>CUSTOMER</object><select><field>CUSTOMERID</field>"
        "<field>SHIPTO.CONTACTNAME</field></select><filter><equalto><field>CUSTOMERID</field>"
        "<value>REF-1</value></equalto></filter></query>"
    )
    row = _ok(sim, query).find("data/CUSTOMER")
    assert row is not None
    assert [child.tag for child in row] == ["CUSTOMERID", "SHIPTO.CONTACTNAME"]
    assert row.findtext("SHIPTO.CONTACTNAME") == "Harbour Warehouse"


def test_correction_10_the_demo_customer_ships_and_bills_to_contacts_of_its_own() -> None:
    sim, _ = _sim()
    row = _listed_row(sim, "CUS-1004")
    assert row.findtext("SHIPTO.MAILADDRESS.ADDRESS1") == "7 Dock Road"
    assert row.findtext("BILLTO.MAILADDRESS.ADDRESS1") == "PO Box 12"
    assert row.findtext("CONTACTINFO.MAILADDRESS.ADDRESS1") == "1 Demo Street"


def test_F3_a_display_contact_left_unnamed_is_named_as_intacct_documents_and_found_by_it() -> None:
    """[XMLDOC accounts-payable-vendors]: CONTACTNAME "If left blank, system will create the name
    as ``[NAME](V[VENDORID])``", sample ``SaaS Company Inc(VV1234)``; a name given is kept; both
    are queryable as DISPLAYCONTACT.CONTACTNAME (issue 16, F3: the key of a create lives there)."""
    sim, _ = _sim()
    _ok(
        sim,
        "<create><VENDOR><VENDORID>V1234</VENDORID><NAME>SaaS Company Inc</NAME>"
        "<DISPLAYCONTACT><PRINTAS>SaaS</PRINTAS></DISPLAYCONTACT></VENDOR></create>",
    )
    _ok(
        sim,
        "<create><CUSTOMER><CUSTOMERID>C77</CUSTOMERID><NAME>Named</NAME><DISPLAYCONTACT>"
        "<CONTACTNAME>Named (ri-1)</CONTACTNAME><PRINTAS>Named</PRINTAS></DISPLAYCONTACT>"
        "</CUSTOMER></create>",
    )
    for obj, name, found in (
        ("VENDOR", "SaaS Company Inc(VV1234)", "V1234"),
        ("CUSTOMER", "Named (ri-1)", "C77"),
    ):
        read = (
            f"<readByQuery><object>{obj}</object><fields>{obj}ID</fields>"
            f"<query>DISPLAYCONTACT.CONTACTNAME = '{name}'</query></readByQuery>"
        )
        assert _ok(sim, read).findtext(f"data/{obj.lower()}/{obj}ID") == found


def test_F3_an_update_leaves_the_display_contacts_name_as_created() -> None:
    """The generic update's DISPLAYCONTACT lists no CONTACTNAME ([XMLDOC] customers, vendors):
    a name sent there is ignored (inferred), the other display fields change."""
    sim, company = _sim()
    _ok(
        sim,
        "<create><CUSTOMER><CUSTOMERID>C78</CUSTOMERID><NAME>Kept</NAME><DISPLAYCONTACT>"
        "<CONTACTNAME>Kept (ri-2)</CONTACTNAME><PRINTAS>Kept</PRINTAS></DISPLAYCONTACT>"
        "</CUSTOMER></create>",
    )
    _ok(
        sim,
        "<update><CUSTOMER><CUSTOMERID>C78</CUSTOMERID><DISPLAYCONTACT>"
        "<CONTACTNAME>Renamed</CONTACTNAME><EMAIL1>kept@example.com</EMAIL1></DISPLAYCONTACT>"
        "</CUSTOMER></update>",
    )
    customer = company.by_field("CUSTOMER", "CUSTOMERID", "C78")
    assert customer is not None
    display = customer["DISPLAYCONTACT"]
    assert isinstance(display, dict)
    assert (display["CONTACTNAME"], display["EMAIL1"]) == ("Kept (ri-2)", "kept@example.com")
