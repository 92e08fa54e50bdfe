"""Simulator reads: readByQuery + readMore paging edges, query offset paging, read, inspect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _sim(count: int, clock: Clock | None = None) -> Simulator:
    sim = Simulator(clock=clock or Clock())
    accounts = [{"ACCOUNTNO": str(1000 + n), "TITLE": f"Account {n}"} for n in range(count)]
    load_company(
        sim,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "records": {"GLACCOUNT": accounts},
        },
        now=T0,
    )
    return sim


def _call(sim: Simulator, *functions: str) -> list[xmlgw.Element]:
    return xmlgw.results(sim.handle(xmlgw.request(*functions), endpoint=ENDPOINT).body)


def _by_query(pagesize: int, query: str = "") -> str:
    return (
        f"<readByQuery><object>GLACCOUNT</object><fields>ACCOUNTNO</fields>"
        f"<query>{query}</query><pagesize>{pagesize}</pagesize></readByQuery>"
    )


def _attrs(element: xmlgw.Element) -> dict[str, str]:
    return {str(k): str(v) for k, v in element.attrib.items()}


def _pages(sim: Simulator, pagesize: int) -> list[dict[str, str]]:
    (first,) = _call(sim, _by_query(pagesize))
    data = first.find("data")
    assert data is not None
    pages = [_attrs(data)]
    while data.get("numremaining") != "0":
        (more,) = _call(sim, f"<readMore><resultId>{data.get('resultId')}</resultId></readMore>")
        data = more.find("data")
        assert data is not None
        pages.append(_attrs(data))
    return pages


@pytest.mark.parametrize(
    ("records", "counts"),
    [(0, ["0"]), (1, ["1"]), (3, ["3"]), (4, ["3", "1"]), (7, ["3", "3", "1"])],
    ids=["zero", "one", "exactly-a-page", "page-plus-one", "several"],
)
def test_readbyquery_and_readmore_pagination_edges(records: int, counts: list[str]) -> None:
    pages = _pages(_sim(records), pagesize=3)
    assert [p["count"] for p in pages] == counts
    assert {p["totalcount"] for p in pages} == {str(records)}
    assert pages[-1]["numremaining"] == "0"
    if len(pages) == 1:
        assert pages[0]["resultId"] == ""


def test_readbyquery_page_matches_the_real_shape() -> None:
    (result,) = _call(_sim(2), _by_query(1))
    data = result.find("data")
    assert data is not None
    real = xmlgw.parse((FIXTURES / "response-readbyquery-first-page.xml").read_bytes())
    real_data = real.find("operation/result/data")
    assert real_data is not None
    assert set(data.attrib) == set(real_data.attrib)
    assert data.get("listtype") == "glaccount"
    assert [row.tag for row in data] == ["glaccount"]


def test_readmore_after_the_last_page_and_after_expiry_fail() -> None:
    clock = Clock()
    sim = _sim(5, clock)
    (first,) = _call(sim, _by_query(2))
    token = first.find("data").get("resultId")  # type: ignore[union-attr]
    clock.now += timedelta(minutes=16)
    (expired,) = _call(sim, f"<readMore><resultId>{token}</resultId></readMore>")
    assert xmlgw.errornos(expired) == ["readMore failed"]
    (unknown,) = _call(sim, "<readMore><resultId>nope</resultId></readMore>")
    assert unknown.findtext("status") == "failure"


@pytest.mark.parametrize("pagesize", ["0", "1001", "ten"])
def test_readbyquery_pagesize_outside_1_to_1000_fails(pagesize: str) -> None:
    function = (
        f"<readByQuery><object>GLACCOUNT</object><query/><pagesize>{pagesize}</pagesize>"
        "</readByQuery>"
    )
    (result,) = _call(_sim(1), function)
    assert xmlgw.errornos(result) == ["Query Failed"]


def test_readbyquery_filters_and_child_order_is_free() -> None:
    function = (
        "<readByQuery><query>ACCOUNTNO &gt;= '1002' AND ACCOUNTNO IN ('1002','1004')</query>"
        "<pagesize>10</pagesize><object>GLACCOUNT</object><fields>*</fields></readByQuery>"
    )
    (result,) = _call(_sim(5), function)
    rows = result.findall("data/glaccount")
    assert [r.findtext("ACCOUNTNO") for r in rows] == ["1002", "1004"]
    assert rows[0].findtext("TITLE") == "Account 2"


def test_query_syntax_error_fails_the_function() -> None:
    (result,) = _call(_sim(1), _by_query(10, "ACCOUNTNO == '1'"))
    assert xmlgw.errornos(result) == ["Query Failed"]


def test_unknown_object_fails() -> None:
    (result,) = _call(_sim(1), "<readByQuery><object>BADOBJECT</object><query/></readByQuery>")
    assert (
        result.findtext("errormessage/error/description2")
        == "Object definition BADOBJECT not found"
    )


def _query(offset: int, pagesize: int = 2) -> str:
    return (
        "<query><object>GLACCOUNT</object><select><field>ACCOUNTNO</field></select>"
        "<orderby><order><field>ACCOUNTNO</field><descending/></order></orderby>"
        f"<pagesize>{pagesize}</pagesize><offset>{offset}</offset></query>"
    )


def test_query_offset_paging_with_orderby() -> None:
    sim = _sim(5)
    seen: list[str] = []
    offset = 0
    while True:
        (result,) = _call(sim, _query(offset))
        data = result.find("data")
        assert data is not None
        assert data.get("listtype") == "GLACCOUNT"
        seen += [row.findtext("ACCOUNTNO", "") for row in data.findall("GLACCOUNT")]
        if data.get("numremaining") == "0":
            break
        offset += int(data.get("count", "0"))
    assert seen == ["1004", "1003", "1002", "1001", "1000"]


def test_query_pagesize_above_2000_fails() -> None:
    (result,) = _call(_sim(1), _query(0, pagesize=2001))
    assert xmlgw.errornos(result) == ["Query Failed"]


def test_read_by_recordno_uses_uppercase_rows() -> None:
    (result,) = _call(
        _sim(3), "<read><object>GLACCOUNT</object><keys>1,3</keys><fields>*</fields></read>"
    )
    data = result.find("data")
    assert data is not None
    assert (data.get("listtype"), data.get("count")) == ("GLACCOUNT", "2")
    assert [r.tag for r in data] == ["GLACCOUNT", "GLACCOUNT"]


def test_read_by_name_finds_by_id() -> None:
    (result,) = _call(
        _sim(3), "<readByName><object>GLACCOUNT</object><keys>1001</keys></readByName>"
    )
    assert result.findtext("data/GLACCOUNT/TITLE") == "Account 1"


def test_inspect_lists_fields() -> None:
    (result,) = _call(_sim(1), '<inspect detail="1"><object>CUSTOMER</object></inspect>')
    names = [f.findtext("Name") for f in result.iter("Field")]
    assert {"RECORDNO", "CUSTOMERID", "NAME", "WHENMODIFIED"} <= set(names)
