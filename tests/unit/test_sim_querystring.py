"""The Intacct simulator's readByQuery grammar: operators, precedence, types, NULLs and errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from released_intacct.fakes.simulators.intacct.querystring import (
    QueryError,
    Record,
    as_datetime,
    as_decimal,
    compare_values,
    field_names,
    get_path,
    like_match,
    parse_query,
)

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"

CUSTOMER: Record = {
    "RECORDNO": "10",
    "CUSTOMERID": "C-100",
    "NAME": "Erik's Deli",
    "STATUS": "active",
    "TOTALDUE": "1250.50",
    "WHENMODIFIED": "07/24/2017 15:19:46",
    "WHENCREATED": "01/05/2017",
    "ONHOLD": "false",
    "NOTES": "",
    "DISPLAYCONTACT": {"EMAIL1": "erik@deli.example", "MAILADDRESS": {"CITY": "Leeds"}},
    "LINES": [{"AMOUNT": "1"}],
}


def matches(query: str, record: Mapping[str, object] = CUSTOMER) -> bool:
    return parse_query(query)(lambda path: get_path(record, path))


def escape(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


# --- records and paths -------------------------------------------------------------------------


def test_get_path_walks_nested_blocks_and_treats_empty_or_non_text_as_absent() -> None:
    assert get_path(CUSTOMER, "NAME") == "Erik's Deli"
    assert get_path(CUSTOMER, "DISPLAYCONTACT.EMAIL1") == "erik@deli.example"
    assert get_path(CUSTOMER, "DISPLAYCONTACT.MAILADDRESS.CITY") == "Leeds"
    for absent in ("NOPE", "NOTES", "DISPLAYCONTACT", "LINES", "NAME.X", "DISPLAYCONTACT.NOPE"):
        assert get_path(CUSTOMER, absent) is None


# --- operators ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("CUSTOMERID = 'C-100'", True),
        ("CUSTOMERID = 'c-100'", False),
        ("CUSTOMERID != 'C-100'", False),
        ("CUSTOMERID <> 'C-999'", True),
        ("RECORDNO < 11", True),
        ("RECORDNO < 10", False),
        ("RECORDNO <= 10", True),
        ("RECORDNO > 9", True),
        ("RECORDNO > 10", False),
        ("RECORDNO >= 10", True),
        ("NAME like 'Erik%'", True),
        ("NAME like 'erik%'", False),
        ("NAME like 'Erik_s Deli'", True),
        ("NAME like 'Erik_Deli'", False),
        ("NAME like '%Deli'", True),
        ("NAME not like '%Deli'", False),
        ("NAME NOT LIKE 'Bob%'", True),
        ("STATUS in ('active', 'inactive')", True),
        ("STATUS IN ('inactive')", False),
        ("STATUS not in ('inactive')", True),
        ("STATUS NOT IN ('active')", False),
        ("RECORDNO in (9, 10, 11)", True),
        ("NOTES IS NULL", True),
        ("NOTES is not null", False),
        ("NAME IS NOT NULL", True),
        ("NAME is null", False),
        ("DISPLAYCONTACT.EMAIL1 = 'erik@deli.example'", True),
        ("DISPLAYCONTACT.MAILADDRESS.CITY like 'Lee%'", True),
    ],
)
def test_every_operator(query: str, expected: bool) -> None:
    assert matches(query) is expected


def test_keywords_and_field_names_are_case_insensitive() -> None:
    assert matches("status = 'active' and recordno Is Not Null oR name LIKE 'x'")
    assert field_names("status = 'active' and displaycontact.email1 Is Null") == {
        "STATUS",
        "DISPLAYCONTACT.EMAIL1",
    }


def test_backslash_escapes_a_quote_a_backslash_and_any_other_character() -> None:
    assert matches(r"NAME = 'Erik\'s Deli'")
    path = {"PATH": "C:\\temp", "PLAIN": "abc"}
    assert matches(r"PATH = 'C:\\temp'", path)
    assert matches(r"PLAIN = '\a\b\c'", path)


@given(st.text(min_size=1))
def test_any_text_round_trips_through_an_escaped_literal(text: str) -> None:
    assert matches(f"VALUE = {escape(text)}", {"VALUE": text})
    assert not matches(f"VALUE != {escape(text)}", {"VALUE": text})


def test_empty_or_blank_query_matches_everything_and_names_no_fields() -> None:
    for query in ("", "   ", "\n\t"):
        assert matches(query, {})
        assert field_names(query) == frozenset()


# --- precedence --------------------------------------------------------------------------------


def test_and_binds_tighter_than_or() -> None:
    record = {"A": "y", "B": "y", "C": "n"}
    assert matches("A = 'y' OR B = 'n' AND C = 'y'", record)
    assert not matches("(A = 'y' OR B = 'n') AND C = 'y'", record)
    assert matches("C = 'y' AND B = 'n' OR A = 'y'", record)


def test_not_applies_to_the_next_condition_and_nests() -> None:
    record = {"A": "y", "B": "n"}
    assert not matches("NOT A = 'y' OR B = 'y'", record)
    assert matches("NOT (A = 'n' OR B = 'y')", record)
    assert matches("NOT NOT A = 'y'", record)
    assert matches("((A = 'y')) AND (NOT (B = 'y'))", record)


@given(st.lists(st.booleans(), min_size=3, max_size=3), st.sampled_from(["AND", "OR"]))
def test_precedence_agrees_with_python_booleans(bits: list[bool], first: str) -> None:
    record = {name: "y" if bit else "n" for name, bit in zip("ABC", bits, strict=True)}
    a, b, c = bits
    query = f"A = 'y' {first} B = 'y' OR C = 'y' AND NOT A = 'n'"
    left = (a and b) if first == "AND" else (a or b)
    assert matches(query, record) is (left or (c and a))


# --- types -------------------------------------------------------------------------------------


def test_numbers_compare_numerically_not_as_text() -> None:
    assert matches("RECORDNO > 9")
    assert matches("RECORDNO > '9'")
    assert matches("TOTALDUE = 1250.5")
    assert matches("TOTALDUE < 1250.51")
    assert matches("RECORDNO = -10", {"RECORDNO": "-10.00"})


def test_dates_and_datetimes_compare_chronologically_a_date_being_midnight() -> None:
    assert matches("WHENMODIFIED >= '07/24/2017 15:19:46'")
    assert not matches("WHENMODIFIED > '07/24/2017 15:19:46'")
    assert matches("WHENMODIFIED > '12/31/2016 23:59:59'")
    assert matches("WHENMODIFIED < '01/01/2018'")
    assert matches("WHENCREATED = '01/05/2017 00:00:00'")
    assert matches("WHENCREATED < '1/5/2017 00:00:01'")
    assert matches("WHENCREATED >= '12/31/2016'")


def test_mixed_kinds_fall_back_to_case_sensitive_text() -> None:
    assert compare_values("10", "9") == 1
    assert compare_values("10", "9a") == -1
    assert compare_values("01/05/2017", "2017") == -1
    assert compare_values("B", "a") == -1
    assert compare_values("B", "a", fold_case=True) == 1
    assert compare_values("13/45/2017", "02/01/2017") == 1  # not a real date: compared as text


def test_type_parsers_refuse_what_intacct_would_not_write() -> None:
    for text in ("1e5", "NaN", "Infinity", "1,000", " 1", "", "\u0661\u0662"):
        assert as_decimal(text) is None
    for text in (
        "2017-01-05",
        "02/30/2017",
        "01/05/2017 24:00:00",
        "01/05/2017 1:2:3",
        "01/05/17",
        "01/05/\u0662017",
    ):
        assert as_datetime(text) is None
    assert as_decimal(".5") == Decimal("0.5")


AMOUNTS = st.decimals(min_value=-(10**12), max_value=10**12, places=4)


@given(AMOUNTS, AMOUNTS)
def test_compare_values_on_numbers_agrees_with_decimal(left: Decimal, right: Decimal) -> None:
    expected = (left > right) - (left < right)
    assert compare_values(f"{left:f}", f"{right:f}") == expected


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1)),
    st.times(),
    st.one_of(st.just(timedelta(0)), st.timedeltas(timedelta(days=-400), timedelta(days=400))),
)
def test_compare_values_on_timestamps_agrees_with_time(
    day: date, clock: time, step: timedelta
) -> None:
    when = datetime.combine(day, clock.replace(microsecond=0))
    other = (when + step).replace(microsecond=0)
    text = f"{when:%m/%d/%Y %H:%M:%S}"
    assert compare_values(text, f"{other:%m/%d/%Y %H:%M:%S}") == (when > other) - (when < other)
    day_text = f"{other.date():%m/%d/%Y}"
    midnight = datetime.combine(other.date(), datetime.min.time())
    assert compare_values(text, day_text) == (when > midnight) - (when < midnight)


@given(st.text(), st.text())
def test_compare_values_is_antisymmetric(left: str, right: str) -> None:
    assert compare_values(left, right) == -compare_values(right, left)


def test_like_wildcards_and_literal_characters() -> None:
    assert like_match("a.c", "a.c")
    assert not like_match("abc", "a.c")
    assert like_match("", "%")
    assert like_match("line\nbreak", "line%")
    assert not like_match("ab", "a")
    assert like_match("ABC", "a_c", fold_case=True)
    assert not like_match("ABC", "a_c")


@given(st.text(alphabet=st.characters(blacklist_characters="%_"), min_size=1))
def test_like_without_wildcards_is_equality(text: str) -> None:
    assert like_match(text, text)
    assert like_match(text, "%")
    assert not like_match(text + "x", text)


def test_in_lists_compare_by_type() -> None:
    assert matches("TOTALDUE IN ('1250.5', 7)")
    assert matches("WHENCREATED IN ('1/5/2017')")
    assert not matches("CUSTOMERID IN ('c-100')")


# --- NULL handling -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "MISSING = 'x'",
        "MISSING != 'x'",
        "MISSING < 5",
        "MISSING like '%'",
        "MISSING not like 'x'",
        "MISSING in ('x')",
        "MISSING not in ('x')",
        "NOT MISSING = 'x'",
        "NOT MISSING != 'x'",
        "NOT (MISSING = 'x' OR MISSING = 'y')",
        "NOTES = ''",
        "MISSING IS NOT NULL",
    ],
)
def test_an_absent_field_only_matches_is_null(query: str) -> None:
    assert not matches(query)


def test_unknown_is_settled_by_a_decisive_partner_as_in_sql() -> None:
    assert matches("MISSING = 'x' OR STATUS = 'active'")
    assert not matches("MISSING = 'x' AND STATUS = 'active'")
    assert matches("NOT (MISSING = 'x' AND STATUS = 'inactive')")
    assert matches("MISSING IS NULL AND NOT NOTES IS NOT NULL")


# --- field names -------------------------------------------------------------------------------


def test_field_names_lists_every_field_once() -> None:
    query = "(A = 1 OR b.c IS NULL) AND NOT A in ('x') AND D like 'y%'"
    assert field_names(query) == {"A", "B.C", "D"}


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("RECORDNO<2", "near '<' at position 8: operator '<' needs a space on each side"),
        ("RECORDNO =2", "near '=' at position 9: operator '=' needs a space on each side"),
        ("RECORDNO == 2", "near '==' at position 9: unknown operator '=='"),
        ("RECORDNO ! 2", "near '!' at position 9: unknown operator '!'"),
        ("RECORDNO => 2", "unknown operator '=>'"),
        ("NAME between 1 and 2", "near 'between' at position 5: unknown operator 'between'"),
        ("NAME NOT = 'x'", "near '=' at position 9: unknown operator '=', expected LIKE or IN"),
        ("NAME", "at the end (position 4): expected an operator after NAME"),
        ("NAME = 'Erik", "near ''Erik' at position 7: unterminated string"),
        ("NAME = 'Erik\\'", "unterminated string"),
        ("NAME = 'x\\", "unterminated string"),
        ("NAME =", "at the end (position 6): expected a quoted string or a number after '='"),
        ("NAME = AND", "near 'AND' at position 7: expected a quoted string or a number after '='"),
        ("NAME = active", "near 'active' at position 7: expected a quoted string or a number"),
        ("NAME like", "at the end (position 9): expected a quoted string or a number after 'like'"),
        ("(NAME = 'x'", "at the end (position 11): expected ')' to close the '(' at position 0"),
        ("NAME = 'x')", "near ')' at position 10: ')' without a matching '('"),
        ("((NAME = 'x')", "expected ')' to close the '(' at position 0"),
        ("()", "near ')' at position 1: expected a field name"),
        ("NAME = 'x' STATUS", "near 'STATUS' at position 11: expected AND, OR or the end"),
        ("NAME = 'x' 'y'", "near 'y' at position 11: expected AND, OR or the end"),
        ("NAME = 'x' AND", "at the end (position 14): expected a field name"),
        ("AND NAME = 'x'", "near 'AND' at position 0: expected a field name"),
        ("'NAME' = 'x'", "near 'NAME' at position 0: expected a field name"),
        ("1 = 1", "near '1' at position 0: expected a field name"),
        ("NAME IN 'x'", "near 'x' at position 8: expected '(' to open the IN list"),
        ("NAME IN ()", "near ')' at position 9: the IN list is empty"),
        ("NAME IN ('x' 'y')", "near 'y' at position 13: expected ',' or ')' in the IN list"),
        (
            "NAME IN ('x',)",
            "near ')' at position 13: expected a quoted string or a number after ','",
        ),
        ("NAME IN ('x'", "at the end (position 12): expected ',' or ')' in the IN list opened"),
        ("NAME IS 'x'", "near 'x' at position 8: expected NULL or NOT NULL after IS"),
        ("NAME IS NOT 1", "near '1' at position 12: expected NULL or NOT NULL after IS"),
        ("NAME = 2abc", "near '2abc' at position 7: not a field name, keyword or number"),
        ("NAME = 'x' ; DROP", "near '; DROP' at position 11: unexpected character ';'"),
        ('NAME = "x"', "near '\"x\"' at position 7: unexpected character '\"'"),
    ],
)
def test_bad_queries_are_refused_with_a_specific_message(query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.message.startswith("Syntax error in query ")
    assert message in caught.value.message
    assert str(caught.value) == caught.value.message
    with pytest.raises(QueryError):
        field_names(query)


# --- the SDK's wire sample ---------------------------------------------------------------------


def test_the_sdk_readbyquery_request_parses_after_xml_unescaping() -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.parse(str(FIXTURES / "request-readbyquery.xml"), parser).getroot()
    text = root.findtext("readByQuery/query")
    assert text == "RECORDNO < 2"
    assert field_names(text) == {"RECORDNO"}
    selected = [n for n in ("1", "2", "10", "1.5") if matches(text, {"RECORDNO": n})]
    assert selected == ["1", "1.5"]


def test_the_incremental_sync_query_of_spec_section_5() -> None:
    since = date(2017, 7, 24)
    query = f"WHENMODIFIED >= '{since:%m/%d/%Y} 15:19:46'"
    assert matches(query)
    assert not matches(query, {**CUSTOMER, "WHENMODIFIED": "07/24/2017 15:19:45"})
    assert matches(query, {**CUSTOMER, "WHENMODIFIED": "01/01/2018 00:00:00"})
