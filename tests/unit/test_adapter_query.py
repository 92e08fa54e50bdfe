"""The one Intacct query builder: conditions as query strings and as ``query`` filters, and the
read functions' elements checked against the SDKs' own request fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.envelope import element
from released_intacct.adapters.intacct.response import (
    NODES_PER_ANSWER,
    NODES_PER_DOCUMENT,
    NODES_PER_REPLY,
)

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"


def _fixture(name: str) -> etree._Element:
    """The function element of an SDK request fixture (they hold ``<function controlid>``)."""
    function = etree.fromstring((FIXTURES / name).read_bytes())
    return function[0]


def _canonical(element: etree._Element) -> list[tuple[str, str]]:
    return [(str(node.tag), (node.text or "").strip()) for node in element.iter()]


def test_conditions_render_as_a_query_string() -> None:
    where = q.And(
        (
            q.Or((q.IsNull("MODULEKEY"), q.NotIn("MODULEKEY", ("8.SO", "9.PO")))),
            q.In("RECORDKEY", ("1", "2")),
            q.AtLeast("WHENMODIFIED", "03/01/2024 01:30:00"),
            q.Eq("NAME", "Erik's \\ Deli"),
        )
    )
    assert q.text(where) == (
        "(MODULEKEY IS NULL OR MODULEKEY NOT IN ('8.SO', '9.PO')) AND RECORDKEY IN ('1', '2') "
        "AND WHENMODIFIED >= '03/01/2024 01:30:00' AND NAME = 'Erik\\'s \\\\ Deli'"
    )
    assert q.text(None) == ""
    assert q.both(None, None) is None
    assert q.both(q.Eq("A", "1"), None) == q.Eq("A", "1")


def test_conditions_render_as_a_query_filter() -> None:
    select = q.Select(
        object_name="ARINVOICEITEM",
        fields=("RECORDNO", "RECORDKEY"),
        where=q.And((q.In("RECORDKEY", ("7", "9")), q.AtLeast("WHENMODIFIED", "01/01/2024"))),
    )
    body = q.query(select, page_size=2000, offset=0)
    shown = etree.tostring(body).decode()
    assert "<select><field>RECORDNO</field><field>RECORDKEY</field></select>" in shown
    assert (
        "<filter><and><in><field>RECORDKEY</field><value>7</value><value>9</value></in>"
        "<greaterthanorequalto><field>WHENMODIFIED</field><value>01/01/2024</value>"
        "</greaterthanorequalto></and></filter>"
    ) in shown
    with pytest.raises(ValueError, match="fields it selects"):
        q.query(q.Select(object_name="ARINVOICE"), page_size=10)


def test_read_by_query_matches_the_sdk_fixture() -> None:
    fixture = _fixture("request-readbyquery.xml")
    select = q.Select(object_name=fixture.findtext("object") or "", where=None)
    built = q.read_by_query(select, page_size=int(fixture.findtext("pagesize") or "0"))
    assert built.findtext("object") == fixture.findtext("object")
    assert built.findtext("fields") == fixture.findtext("fields")
    assert built.findtext("pagesize") == fixture.findtext("pagesize")


def test_read_and_read_more_match_the_sdk_fixtures() -> None:
    fixture = _fixture("request-read.xml")
    keys = (fixture.findtext("keys") or "").split(",")
    built = q.read(fixture.findtext("object") or "", keys)
    assert built.findtext("keys") == fixture.findtext("keys")
    assert built.findtext("object") == fixture.findtext("object")
    more = _fixture("request-readmore.xml")
    assert _canonical(q.read_more(more.findtext("resultId") or "")) == _canonical(more)


def test_limits_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match="1-100 keys"):
        q.read("ARINVOICE", [str(n) for n in range(101)])
    with pytest.raises(ValueError, match="1-1000"):
        q.read_by_query(q.Select(object_name="ARINVOICE"), page_size=1001)
    with pytest.raises(ValueError, match="at least one value"):
        q.In("RECORDKEY", ())


def test_F6_a_reply_may_hold_the_nodes_of_what_its_functions_asked_for() -> None:
    """The node budget of a reply (``parse_response``'s ``max_nodes``): the envelope's share, a
    row's share per row a page asks for (readMore: readByQuery's largest page, which it does not
    repeat), a document's per key of a ``read``, one answer's for any other function."""
    accounts = q.Select(object_name="GLACCOUNT", fields=("RECORDNO",))
    row, document, reply = NODES_PER_ANSWER, NODES_PER_DOCUMENT, NODES_PER_REPLY
    assert q.reply_nodes([]) == reply
    assert q.reply_nodes([q.read_by_query(accounts, page_size=10)]) == reply + 10 * row
    assert q.reply_nodes([q.query(accounts, page_size=2000)]) == reply + 2000 * row
    assert q.reply_nodes([q.read_more("rid-1")]) == reply + 1000 * row
    assert q.reply_nodes([q.read("ARINVOICE", ["1", "2", "3"])]) == reply + 3 * document
    writes = [element("create"), element("getAPISession"), element("get_companyprefs")]
    assert q.reply_nodes(writes) == reply + 3 * row
    both = [q.read_by_query(accounts, page_size=2), q.read("ARINVOICE", ["1"])]
    assert q.reply_nodes(both) == reply + 2 * row + document
    assert q.reply_nodes([_fixture("request-readbyquery.xml")]) == reply + 1000 * row
    no_size = element("readByQuery")
    assert q.reply_nodes([no_size]) == reply + 100 * row, "Intacct's default page size"
