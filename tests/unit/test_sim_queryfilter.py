"""The Intacct simulator's ``query`` function: <filter>, <orderby> and <select> elements."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from released_intacct.fakes.simulators.intacct.queryfilter import (
    named_fields,
    parse_filter,
    parse_orderby,
    parse_select,
)
from released_intacct.fakes.simulators.intacct.querystring import (
    QueryError,
    Record,
    get_path,
    parse_query,
)

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"

INVOICE: Record = {
    "RECORDNO": "10",
    "RECORDID": "INV-0010",
    "STATE": "Posted",
    "TOTALDUE": "99.50",
    "WHENDUE": "02/28/2024",
    "WHENMODIFIED": "01/31/2024 09:30:00",
    "DESCRIPTION": "",
    "BILLTO": {"CONTACTNAME": "Erik's Deli"},
}


def xml(text: str) -> etree._Element:
    return etree.fromstring(text)


def condition(op: str, field: str, *values: str) -> str:
    shown = "".join(f"<value>{value}</value>" for value in values)
    return f"<{op}><field>{field}</field>{shown}</{op}>"


def selects(filter_xml: str, record: Record = INVOICE, *, case_insensitive: bool = False) -> bool:
    predicate = parse_filter(
        xml(f"<filter>{filter_xml}</filter>"), case_insensitive=case_insensitive
    )
    return predicate(lambda path: get_path(record, path))


# --- operators ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "field", "values", "expected"),
    [
        ("equalto", "STATE", ["Posted"], True),
        ("equalto", "STATE", ["posted"], False),
        ("notequalto", "STATE", ["Draft"], True),
        ("notequalto", "STATE", ["Posted"], False),
        ("lessthan", "RECORDNO", ["11"], True),
        ("lessthan", "RECORDNO", ["10"], False),
        ("lessthanorequalto", "RECORDNO", ["10"], True),
        ("greaterthan", "RECORDNO", ["9"], True),
        ("greaterthan", "RECORDNO", ["10.0"], False),
        ("greaterthanorequalto", "RECORDNO", ["10.0"], True),
        ("between", "TOTALDUE", ["99.5", "100"], True),
        ("between", "TOTALDUE", ["9", "99.49"], False),
        ("between", "WHENDUE", ["02/01/2024", "03/01/2024"], True),
        ("between", "WHENDUE", ["02/29/2024", "12/31/2024"], False),
        ("in", "STATE", ["Draft", "Posted"], True),
        ("in", "RECORDNO", ["9", "11"], False),
        ("notin", "STATE", ["Draft", "Paid"], True),
        ("notin", "STATE", ["Posted"], False),
        ("like", "RECORDID", ["INV-%"], True),
        ("like", "RECORDID", ["INV-001_"], True),
        ("like", "RECORDID", ["inv-%"], False),
        ("notlike", "RECORDID", ["BILL%"], True),
        ("notlike", "RECORDID", ["%10"], False),
        ("isnull", "DESCRIPTION", [], True),
        ("isnull", "STATE", [], False),
        ("isnotnull", "STATE", [], True),
        ("isnotnull", "MISSING", [], False),
        ("equalto", "billto.contactname", ["Erik's Deli"], True),
    ],
)
def test_every_operator(op: str, field: str, values: list[str], expected: bool) -> None:
    assert selects(condition(op, field, *values)) is expected


def test_dates_compare_chronologically_not_as_text() -> None:
    assert selects(condition("greaterthan", "WHENMODIFIED", "12/31/2023 23:59:59"))
    assert selects(condition("lessthan", "WHENDUE", "1/1/2025"))
    assert selects(condition("equalto", "WHENDUE", "02/28/2024 00:00:00"))


@pytest.mark.parametrize(
    "filter_xml",
    [
        condition("equalto", "MISSING", "x"),
        condition("notequalto", "MISSING", "x"),
        condition("lessthan", "MISSING", "5"),
        condition("between", "MISSING", "1", "9"),
        condition("in", "MISSING", "x"),
        condition("notin", "MISSING", "x"),
        condition("like", "MISSING", "%"),
        condition("notlike", "MISSING", "x"),
        condition("equalto", "DESCRIPTION", ""),
    ],
)
def test_an_absent_field_only_matches_isnull(filter_xml: str) -> None:
    assert not selects(filter_xml)


def test_caseinsensitive_option_folds_text_comparisons_and_like() -> None:
    assert selects(condition("equalto", "STATE", "POSTED"), case_insensitive=True)
    assert selects(condition("like", "RECORDID", "inv-%"), case_insensitive=True)
    assert selects(condition("in", "STATE", "draft", "posted"), case_insensitive=True)
    assert not selects(condition("notequalto", "STATE", "POSTED"), case_insensitive=True)


def test_values_are_taken_verbatim() -> None:
    assert not selects(condition("equalto", "STATE", " Posted"))
    assert selects("<equalto><field> state </field><value>Posted</value></equalto>")


def test_and_or_nest() -> None:
    posted = condition("equalto", "STATE", "Posted")
    draft = condition("equalto", "STATE", "Draft")
    big = condition("greaterthan", "TOTALDUE", "1000")
    assert selects(f"<or>{draft}<and>{posted}<or>{big}{posted}</or></and></or>")
    assert not selects(f"<and>{posted}{big}</and>")
    assert selects(f"<or>{draft}{big}{posted}</or>")
    assert not selects(f"<and>{posted}<!-- note -->{draft}</and>")


def test_no_filter_selects_everything() -> None:
    assert parse_filter(None)(lambda _path: None)


VALUES = st.one_of(
    st.sampled_from(["01/31/2024", "1/5/2024 10:00:00", "12/31/2023 23:59:59", "Posted", "posted"]),
    st.decimals(min_value=-1000, max_value=1000, places=2).map(lambda d: f"{d:f}"),
    st.text(alphabet="abAB019/. ", max_size=6),
)
PAIRS = {
    "equalto": "=",
    "notequalto": "!=",
    "lessthan": "<",
    "lessthanorequalto": "<=",
    "greaterthan": ">",
    "greaterthanorequalto": ">=",
}


@given(VALUES, VALUES, st.sampled_from(sorted(PAIRS)))
def test_both_grammars_compare_alike(stored: str, literal: str, op: str) -> None:
    record: Record = {"F": stored}
    escaped = literal.replace("\\", "\\\\").replace("'", "\\'")
    as_string = parse_query(f"F {PAIRS[op]} '{escaped}'")(lambda path: get_path(record, path))
    assert selects(condition(op, "F", literal), record) is as_string


# --- filter shapes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filter_xml", "message"),
    [
        ("", "<filter> must hold exactly one condition, found 0"),
        (condition("isnull", "A") * 2, "<filter> must hold exactly one condition, found 2"),
        (f"<and>{condition('isnull', 'A')}</and>", "<and> needs two or more conditions, found 1"),
        ("<or/>", "<or> needs two or more conditions, found 0"),
        (condition("equals", "A", "1"), "unknown filter operator <equals>"),
        (condition("not", "A", "1"), "unknown filter operator <not>"),
        ("<equalto><value>1</value></equalto>", "<equalto> needs exactly one <field>, found 0"),
        (
            "<equalto><field>A</field><field>B</field><value>1</value></equalto>",
            "<equalto> needs exactly one <field>, found 2",
        ),
        ("<equalto><field> </field><value>1</value></equalto>", "<equalto> has an empty <field>"),
        (condition("equalto", "A"), "<equalto> needs 1 <value>, found 0"),
        (condition("lessthan", "A", "1", "2"), "<lessthan> needs 1 <value>, found 2"),
        (condition("between", "A", "1"), "<between> needs 2 <value>, found 1"),
        (condition("between", "A", "1", "2", "3"), "<between> needs 2 <value>, found 3"),
        (condition("in", "A"), "<in> needs 1 or more <value>, found 0"),
        (condition("notin", "A"), "<notin> needs 1 or more <value>, found 0"),
        (condition("like", "A"), "<like> needs 1 <value>, found 0"),
        (condition("isnull", "A", "x"), "<isnull> needs 0 <value>, found 1"),
        (condition("isnotnull", "A", "x"), "<isnotnull> needs 0 <value>, found 1"),
        (
            "<equalto><field>A</field><values>1</values></equalto>",
            "<equalto> does not take <values>",
        ),
    ],
)
def test_bad_filter_shapes_are_refused_naming_the_element(filter_xml: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_filter(xml(f"<filter>{filter_xml}</filter>"))
    assert caught.value.message == message


def test_named_fields_lists_every_field_upper_cased() -> None:
    element = xml(
        f"<filter><or>{condition('isnull', 'a.b')}"
        f"<and>{condition('equalto', 'C', '1')}{condition('in', 'a.b', 'x')}</and></or></filter>"
    )
    assert named_fields(element) == {"A.B", "C"}
    assert named_fields(None) == frozenset()


# --- orderby -----------------------------------------------------------------------------------


def orderby(*orders: tuple[str, str]) -> etree._Element:
    shown = "".join(f"<order><field>{f}</field><{d}/></order>" for f, d in orders)
    return xml(f"<orderby>{shown}</orderby>")


def ids(records: list[Record]) -> list[str]:
    return [str(record["ID"]) for record in records]


ROWS: list[Record] = [
    {"ID": "a", "N": "10", "D": "01/01/2024", "T": "b", "G": "1"},
    {"ID": "b", "N": "9", "D": "12/31/2023 23:00:00", "T": "B", "G": "2"},
    {"ID": "c", "N": "9.00", "D": "02/01/2023", "T": "a", "G": "1"},
    {"ID": "d", "N": "", "T": "10", "G": "2"},
    {"ID": "e", "N": "-1", "D": "01/01/2024 00:00:00", "T": "9", "G": "1"},
]


@pytest.mark.parametrize(
    ("orders", "expected"),
    [
        ((("N", "ascending"),), ["e", "b", "c", "a", "d"]),
        ((("N", "descending"),), ["d", "a", "b", "c", "e"]),
        ((("D", "ascending"),), ["c", "b", "a", "e", "d"]),
        ((("T", "ascending"),), ["d", "e", "b", "c", "a"]),
        ((("G", "ascending"), ("N", "descending")), ["a", "c", "e", "d", "b"]),
        ((("G", "descending"), ("ID", "descending")), ["d", "b", "e", "c", "a"]),
    ],
)
def test_orderby_sorts_by_type_multi_key_and_stable(
    orders: tuple[tuple[str, str], ...], expected: list[str]
) -> None:
    assert ids(parse_orderby(orderby(*orders))(ROWS)) == expected


def test_no_orderby_keeps_the_order_in_a_new_list() -> None:
    rows = list(ROWS)
    ordered = parse_orderby(None)(rows)
    assert ordered == ROWS
    assert ordered is not rows


@given(st.lists(st.tuples(st.decimals(-100, 100, places=1), st.integers(0, 3)), max_size=30))
def test_orderby_on_numbers_is_a_stable_numeric_sort(pairs: list[tuple[Decimal, int]]) -> None:
    rows: list[Record] = [{"N": f"{n:f}", "I": str(i)} for i, (n, _) in enumerate(pairs)]
    for direction, reverse in (("ascending", False), ("descending", True)):
        got = parse_orderby(orderby(("N", direction)))(rows)
        assert got == sorted(rows, key=lambda row: Decimal(str(row["N"])), reverse=reverse)


@pytest.mark.parametrize(
    ("orderby_xml", "message"),
    [
        ("<orderby/>", "<orderby> needs at least one <order>"),
        ("<orderby><field>A</field></orderby>", "<orderby> takes <order> elements, found <field>"),
        (
            "<orderby><order><ascending/></order></orderby>",
            "<order> needs exactly one <field>, found 0",
        ),
        (
            "<orderby><order><field>A</field><field>B</field><ascending/></order></orderby>",
            "<order> needs exactly one <field>, found 2",
        ),
        (
            "<orderby><order><field>A</field></order></orderby>",
            "<order> needs one <ascending/> or <descending/>, found 0",
        ),
        (
            "<orderby><order><field>A</field><ascending/><descending/></order></orderby>",
            "<order> needs one <ascending/> or <descending/>, found 2",
        ),
        (
            "<orderby><order><field>A</field><asc/></order></orderby>",
            "<order> does not take <asc>",
        ),
        ("<orderby><order><field/><ascending/></order></orderby>", "<order> has an empty <field>"),
    ],
)
def test_bad_orderby_shapes_are_refused_naming_the_element(orderby_xml: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_orderby(xml(orderby_xml))
    assert caught.value.message == message


# --- select ------------------------------------------------------------------------------------


def test_select_lists_fields_upper_cased_in_order_without_repeats() -> None:
    element = xml(
        "<select><field>recordno</field><field> STATE </field><field>BILLTO.CONTACTNAME</field>"
        "<field>RECORDNO</field></select>"
    )
    assert parse_select(element) == ("RECORDNO", "STATE", "BILLTO.CONTACTNAME")


@pytest.mark.parametrize(
    ("select_xml", "message"),
    [
        (None, "query needs a <select> naming at least one <field>"),
        ("<select/>", "<select> needs at least one <field>"),
        ("<select><field>*</field></select>", "<select> does not accept '*': name each <field>"),
        ("<select><field/></select>", "<select> has an empty <field>"),
        ("<select><fields>A</fields></select>", "<select> takes <field> elements, found <fields>"),
        ("<select><count>RECORDNO</count></select>", "<select> aggregate <count> is not simulated"),
        ("<select><sum>TOTALDUE</sum></select>", "<select> aggregate <sum> is not simulated"),
        ("<select><avg>TOTALDUE</avg></select>", "<select> aggregate <avg> is not simulated"),
        ("<select><min>TOTALDUE</min></select>", "<select> aggregate <min> is not simulated"),
        ("<select><max>TOTALDUE</max></select>", "<select> aggregate <max> is not simulated"),
    ],
)
def test_bad_selects_are_refused(select_xml: str | None, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_select(None if select_xml is None else xml(select_xml))
    assert caught.value.message == message


# --- the SDK's wire sample ---------------------------------------------------------------------


def test_the_sdk_query_request_parses_in_place() -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    query = etree.parse(str(FIXTURES / "request-query-filter-orderby.xml"), parser).find("query")
    assert query is not None
    assert parse_select(query.find("select")) == ("BATCHNO", "RECORDNO", "STATE")
    assert named_fields(query.find("filter")) == {"JOURNAL", "STATE", "RECORDNO"}
    predicate = parse_filter(query.find("filter"))
    batches: list[Record] = [
        {"BATCHNO": "1", "RECORDNO": "5", "JOURNAL": "APJ", "STATE": "Posted", "TOTALDUE": "10"},
        {"BATCHNO": "2", "RECORDNO": "6", "JOURNAL": "APJ", "STATE": "Draft", "TOTALDUE": "1"},
        {"BATCHNO": "3", "RECORDNO": "132", "JOURNAL": "RCPT", "STATE": "Posted", "TOTALDUE": "9"},
        {"BATCHNO": "4", "RECORDNO": "168", "JOURNAL": "RCPT", "STATE": "Posted", "TOTALDUE": "9"},
        {"BATCHNO": "5", "RECORDNO": "200", "JOURNAL": "RCPT", "STATE": "Posted", "TOTALDUE": "1"},
        {"BATCHNO": "6", "RECORDNO": "7", "JOURNAL": "GJ", "STATE": "Posted", "TOTALDUE": "1"},
    ]
    chosen = [row for row in batches if predicate(partial(get_path, row))]
    ordered = parse_orderby(query.find("orderby"))(chosen)
    assert [row["BATCHNO"] for row in ordered] == ["4", "3", "1"]
