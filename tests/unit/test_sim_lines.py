"""Spec correction 1 in the simulator: list functions answer transaction headers only; ``read``
nests the lines; the line objects are queryable on their own.

Sources (docs/intacct-fidelity.md, "Lines"): fylein/sageintacct-sdk-py PR #103 ("invoice queries
will not return any line item data"; the raw ``read`` sample nests ``ARINVOICEITEMS/arinvoiceitem``
with RECORDKEY = the header's RECORDNO); the developer pages of APBILLITEM, ARADJUSTMENTITEM,
APADJUSTMENTITEM, SODOCUMENTENTRY (``SODOCUMENTENTRIES/sodocumententry``, LINE_NO from 0),
PODOCUMENTENTRY and APPYMTDETAIL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct import seed
from released_intacct.fakes.simulators.intacct.simulator import Simulator

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
DOCUMENTS = ("ARINVOICE", "APBILL", "ARADJUSTMENT", "APADJUSTMENT", "SODOCUMENT", "PODOCUMENT")


def _demo() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)
    return sim


def _data(sim: Simulator, function: str) -> etree._Element:
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    assert result.findtext("status") == "success", etree.tostring(result)
    data = result.find("data")
    assert data is not None
    return data


def _by_query(object_name: str, query: str = "", *, fields: str = "*") -> str:
    return (
        f"<readByQuery><object>{object_name}</object><fields>{fields}</fields>"
        f"<query>{query}</query><pagesize>1000</pagesize></readByQuery>"
    )


def _first_with_lines(sim: Simulator, object_name: str) -> dict[str, object]:
    table = sim.companies["DEMO"].table(object_name)
    holder = {"SODOCUMENT": "SODOCUMENTENTRIES", "PODOCUMENT": "PODOCUMENTENTRIES"}.get(
        object_name, f"{object_name}ITEMS"
    )
    return next(row for row in table.values() if row.get(holder))


def test_correction_1_readbyquery_and_query_answer_headers_only() -> None:
    sim = _demo()
    for object_name in DOCUMENTS:
        rows = list(_data(sim, _by_query(object_name)))
        assert rows, object_name
        assert all(row.find(f"{object_name}ITEMS") is None for row in rows), object_name
        assert all(row.find(f"{object_name}ENTRIES") is None for row in rows), object_name
        assert rows[0].tag == object_name.lower()
    query = (
        "<query><object>ARINVOICE</object><select><field>RECORDNO</field>"
        "<field>RECORDID</field></select><pagesize>10</pagesize></query>"
    )
    assert [child.tag for child in _data(sim, query)[0]] == ["RECORDNO", "RECORDID"]


def test_correction_1_read_nests_the_lines_under_an_uppercase_holder() -> None:
    sim = _demo()
    invoice = _first_with_lines(sim, "ARINVOICE")
    data = _data(sim, f"<read><object>ARINVOICE</object><keys>{invoice['RECORDNO']}</keys></read>")
    (record,) = list(data)
    assert record.tag == "ARINVOICE"
    lines = record.find("ARINVOICEITEMS")
    assert lines is not None
    assert [line.tag for line in lines] == ["arinvoiceitem"] * len(lines)
    assert {line.findtext("RECORDKEY") for line in lines} == {str(invoice["RECORDNO"])}
    assert [line.findtext("LINE_NO") for line in lines] == [str(n + 1) for n in range(len(lines))]
    assert all(line.findtext("RECORDNO") for line in lines)


def test_correction_1_order_entry_lines_number_from_zero_and_name_their_document() -> None:
    sim = _demo()
    document = _first_with_lines(sim, "SODOCUMENT")
    key = document["RECORDNO"]
    data = _data(sim, f"<read><object>SODOCUMENT</object><keys>{key}</keys></read>")
    entries = data[0].find("SODOCUMENTENTRIES")
    assert entries is not None
    assert entries[0].tag == "sodocumententry"
    assert entries[0].findtext("LINE_NO") == "0"
    assert entries[0].findtext("DOCHDRNO") == str(key)
    assert entries[0].findtext("DOCHDRID") == document["DOCID"]


def test_correction_1_line_objects_are_queryable_by_header_key_and_when_modified() -> None:
    sim = _demo()
    invoice = _first_with_lines(sim, "ARINVOICE")
    lines = _data(sim, _by_query("ARINVOICEITEM", f"RECORDKEY = '{invoice['RECORDNO']}'"))
    assert [line.tag for line in lines] == ["arinvoiceitem"] * len(lines)
    nested = invoice["ARINVOICEITEMS"]
    assert isinstance(nested, list)
    assert len(lines) == len(nested)
    assert all(line.findtext("WHENMODIFIED") == invoice["WHENMODIFIED"] for line in lines)
    since = _data(sim, _by_query("ARINVOICEITEM", "WHENMODIFIED >= '01/01/2026 00:00:00'"))
    assert 0 < len(since) < len(_data(sim, _by_query("ARINVOICEITEM")))
    for line_object in ("APBILLITEM", "SODOCUMENTENTRY", "ARPYMTDETAIL", "APPYMTDETAIL"):
        assert len(_data(sim, _by_query(line_object))), line_object


def test_correction_1_naming_the_lines_in_a_list_function_is_refused() -> None:
    sim = _demo()
    function = _by_query("ARINVOICE", fields="RECORDNO,ARINVOICEITEMS")
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    assert result.findtext("status") == "failure"
    assert result.findtext("errormessage/error/errorno") == "XL03000006"
    assert "cannot be queried" in (result.findtext("errormessage/error/description2") or "")


def test_a_line_keeps_its_record_number_when_its_document_is_paid() -> None:
    sim = _demo()
    company = sim.companies["DEMO"]
    paid = next(r for r in company.table("ARINVOICE").values() if r.get("STATE") == "Paid")
    lines = paid["ARINVOICEITEMS"]
    assert isinstance(lines, list)
    numbers = [line["RECORDNO"] for line in lines]
    held = [row["RECORDNO"] for row in company.table("ARINVOICEITEM").values()]
    assert set(numbers) <= set(held)
    assert all(
        company.table("ARINVOICEITEM")[int(str(n))]["RECORDKEY"] == paid["RECORDNO"]
        for n in numbers
    )
