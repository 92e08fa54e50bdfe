"""Spec correction 4 in the simulator: AUDITHISTORY as Sage documents it. ACCESSMODE is a word for
readByQuery (``Create``, ``Modify``, ``Delete``) and a letter for ``query`` (``C``, ``M``, ``D``);
OBJECTTYPE is the lower-case object name; OBJECTKEY the object's unique name field (RECORDNO on a
transaction, CUSTOMERID / VENDORID / CONTACTNAME on master data); reading it needs the View
permission for custom reports."""

from __future__ import annotations

from datetime import UTC, datetime

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


INVOICE = (
    "<create_invoice><customerid>CUS-1001</customerid>"
    "<datecreated><year>2026</year><month>03</month><day>01</day></datecreated>"
    "<invoiceitems><lineitem><glaccountno>4000</glaccountno><amount>100.00</amount></lineitem>"
    "</invoiceitems></create_invoice>"
)


def _sim(**settings: object) -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: T0)
    config = demo_config()
    config["settings"] = {**config["settings"], **settings}  # type: ignore[dict-item]
    return sim, load_company(sim, config, now=T0)


def _call(sim: Simulator, *functions: str) -> list[xmlgw.Element]:
    return xmlgw.results(sim.handle(xmlgw.request(*functions), endpoint=ENDPOINT).body)


def _ok(sim: Simulator, function: str) -> xmlgw.Element:
    (result,) = _call(sim, function)
    assert result.findtext("status") == "success", xmlgw.errornos(result)
    return result


def _audit_rows(sim: Simulator, condition: str) -> list[tuple[str, str, str]]:
    read = (
        "<readByQuery><object>AUDITHISTORY</object><fields>*</fields>"
        f"<query>{condition}</query><pagesize>1000</pagesize></readByQuery>"
    )
    data = _ok(sim, read).find("data")
    assert data is not None
    return [
        (
            row.findtext("OBJECTTYPE", ""),
            row.findtext("OBJECTKEY", ""),
            row.findtext("ACCESSMODE", ""),
        )
        for row in data.findall("audithistory")
    ]


def test_correction_4_readbyquery_shows_words_and_query_shows_letters() -> None:
    sim, _ = _sim()
    key = _ok(sim, INVOICE).findtext("key", "")
    _ok(sim, f'<delete_invoice key="{key}"/>')
    words = _audit_rows(sim, f"OBJECTTYPE = 'arinvoice' AND OBJECTKEY = '{key}'")
    assert [mode for _, _, mode in words] == ["Create", "Delete"]
    assert _audit_rows(sim, f"OBJECTKEY = '{key}' AND ACCESSMODE = 'Deleted'") == []

    query = (
        "<query><object>AUDITHISTORY</object><select><field>OBJECTKEY</field>"
        "<field>ACCESSMODE</field></select><filter><and>"
        f"<equalto><field>OBJECTKEY</field><value>{key}</value></equalto>"
        "<equalto><field>ACCESSMODE</field><value>D</value></equalto>"
        "</and></filter></query>"
    )
    data = _ok(sim, query).find("data")
    assert data is not None
    assert [row.findtext("ACCESSMODE") for row in data.findall("AUDITHISTORY")] == ["D"]


def test_correction_4_objectkey_is_the_unique_name_field() -> None:
    sim, company = _sim()
    customer = (
        "<create><CUSTOMER><CUSTOMERID>AUD-1</CUSTOMERID><NAME>Audit</NAME></CUSTOMER></create>"
    )
    vendor = "<create><VENDOR><VENDORID>AUD-V</VENDORID><NAME>Audit</NAME></VENDOR></create>"
    contact = "<create><CONTACT><CONTACTNAME>Audit Contact</CONTACTNAME></CONTACT></create>"
    for function in (customer, vendor, contact):
        _ok(sim, function)
    key = _ok(sim, INVOICE).findtext("key", "")
    assert _audit_rows(sim, "ACCESSMODE = 'Create' AND OBJECTKEY IN ('AUD-1', 'AUD-V')") == [
        ("customer", "AUD-1", "Create"),
        ("vendor", "AUD-V", "Create"),
    ]
    assert _audit_rows(sim, "OBJECTTYPE = 'contact'")[-1] == ("contact", "Audit Contact", "Create")
    assert _audit_rows(sim, f"OBJECTTYPE = 'arinvoice' AND OBJECTKEY = '{key}'") == [
        ("arinvoice", key, "Create")
    ]
    assert company.by_field("ARINVOICE", "RECORDNO", key) is not None


def test_correction_4_reading_the_audit_trail_needs_the_custom_reports_permission() -> None:
    sim, _ = _sim(audit_trail_permission=False)
    read = "<readByQuery><object>AUDITHISTORY</object><query></query></readByQuery>"
    query = "<query><object>AUDITHISTORY</object><select><field>OBJECTKEY</field></select></query>"
    for function in (read, query):
        (result,) = _call(sim, function)
        assert result.findtext("status") == "failure"
        assert xmlgw.errornos(result) == ["PL04000005"]
        assert "You do not have permission for API operation" in result.findtext(
            "errormessage/error/description2", ""
        )
    (other,) = _call(sim, "<readByQuery><object>CUSTOMER</object><query></query></readByQuery>")
    assert other.findtext("status") == "success"
