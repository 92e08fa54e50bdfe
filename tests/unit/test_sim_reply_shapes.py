"""Spec correction 9: ``query`` answers rows named as the object in upper case
(``<data listtype="VENDOR" totalcount offset count numremaining><VENDOR>``); ``readByQuery``
answers them in lower case (``<vendor>``, as the SDK fixture's ``<glaccount>``). The simulator
answers both so, and the adapter's rows parser reads either the same."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from released_intacct.adapters.intacct.response import page_info, rows
from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _data(function: str) -> etree._Element:
    sim = Simulator(clock=lambda: T0)
    load_company(sim, demo_config(), now=T0)
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    data = result.find("data")
    assert data is not None, etree.tostring(result)
    return data


def test_correction_9_query_rows_are_upper_case_named_as_the_object() -> None:
    data = _data(
        "<query><object>VENDOR</object><select><field>VENDORID</field><field>NAME</field>"
        "</select><pagesize>2</pagesize></query>"
    )
    assert data.get("listtype") == "VENDOR"
    assert {"totalcount", "offset", "count", "numremaining"} <= set(data.attrib)
    assert {child.tag for child in data} == {"VENDOR"}
    assert page_info(data).offset == 0
    assert [set(row) for row in rows(data)] == [{"VENDORID", "NAME"}] * 2


def test_correction_9_readbyquery_rows_are_lower_case_as_the_sdk_fixture() -> None:
    data = _data(
        "<readByQuery><object>GLACCOUNT</object><fields>RECORDNO,ACCOUNTNO,TITLE</fields>"
        "<query></query><pagesize>1</pagesize></readByQuery>"
    )
    fixture = etree.parse(str(FIXTURES / "response-readbyquery-first-page.xml"))
    expected = fixture.find("operation/result/data")
    assert expected is not None
    assert data.get("listtype") == expected.get("listtype") == "glaccount"
    assert set(data.attrib) == set(expected.attrib)
    assert [child.tag for child in data] == [child.tag for child in expected]
    assert [list(row) for row in rows(data)] == [list(row) for row in rows(expected)]


def test_correction_12_transactions_are_counted_as_the_release_notes_say() -> None:
    """2024-R1: each record created, updated or deleted counts one, a transaction with its lines
    in one call counts one, each read call and each readMore counts one."""
    sim = Simulator(clock=lambda: T0)
    load_company(sim, demo_config(), now=T0)
    invoice = (
        "<create_invoice><customerid>CUS-1001</customerid>"
        "<datecreated><year>2026</year><month>03</month><day>01</day></datecreated>"
        "<invoiceitems>"
        + "<lineitem><glaccountno>4000</glaccountno><amount>10.00</amount></lineitem>" * 3
        + "</invoiceitems></create_invoice>"
    )
    two = (
        "<create><CUSTOMER><CUSTOMERID>N1</CUSTOMERID><NAME>A</NAME></CUSTOMER>"
        "<CUSTOMER><CUSTOMERID>N2</CUSTOMERID><NAME>B</NAME></CUSTOMER></create>"
    )
    first = (
        "<readByQuery><object>GLACCOUNT</object><fields>RECORDNO</fields><query></query>"
        "<pagesize>1</pagesize></readByQuery>"
    )
    before = sim.usage["DEMO"].transactions
    for function in (invoice, two):
        assert xmlgw.statuses(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body) == [
            "success"
        ]
    assert sim.usage["DEMO"].transactions - before == 1 + 2
    (page,) = xmlgw.results(sim.handle(xmlgw.request(first), endpoint=ENDPOINT).body)
    result_id = page.find("data").get("resultId")  # type: ignore[union-attr]
    more = f"<readMore><resultId>{result_id}</resultId></readMore>"
    sim.handle(xmlgw.request(more), endpoint=ENDPOINT)
    assert sim.usage["DEMO"].transactions - before == 1 + 2 + 1 + 1
