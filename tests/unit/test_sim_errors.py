"""The Intacct simulator's duplicate refusals per object, and ``showadditionalerrorinfo``
(spec correction 7)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SHOW = b"<dtdversion>3.0</dtdversion><showadditionalerrorinfo>true</showadditionalerrorinfo>"


@pytest.fixture
def sim() -> Simulator:
    simulator = Simulator(clock=lambda: NOW)
    load_company(
        simulator,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "records": {
                "GLACCOUNT": [{"ACCOUNTNO": "5000.11", "TITLE": "Rent"}],
                "CLASS": [{"CLASSID": "UT01", "NAME": "Unit test"}],
                "EMPLOYEE": [{"EMPLOYEEID": "E1", "NAME": "Ann"}],
                "CUSTOMER": [{"CUSTOMERID": "C9", "NAME": "Existing"}],
            },
        },
        now=NOW,
    )
    return simulator


def call(sim: Simulator, function: str, *, show: bool = False, **options: object) -> xmlgw.Element:
    body = xmlgw.request(function, **options)  # type: ignore[arg-type]
    if show:
        body = body.replace(b"<dtdversion>3.0</dtdversion>", SHOW)
    return xmlgw.parse(sim.handle(body, endpoint=ENDPOINT).body)


def errors(element: xmlgw.Element) -> list[tuple[str, ...]]:
    tags = ("errorno", "description", "description2", "correction")
    return [tuple(error.findtext(tag, "") for tag in tags) for error in element.iter("error")]


def create(object_name: str, id_field: str, value: str) -> str:
    fields = f"<{id_field}>{value}</{id_field}><NAME>N</NAME><TITLE>T</TITLE>"
    return f"<create><{object_name}>{fields}</{object_name}></create>"


def test_correction_7_a_duplicate_account_is_bl01001973_as_the_request_docs_show(
    sim: Simulator,
) -> None:
    response = call(sim, create("GLACCOUNT", "ACCOUNTNO", "5000.11"))
    result = response.find("operation/result")
    assert result is not None
    assert result.findtext("status") == "failure"
    data = result.find("data")
    assert data is not None
    assert (data.get("listtype"), data.get("count")) == ("objects", "0")
    assert errors(result) == [
        (
            "BL01001973",
            "Duplicate account number",
            "The account number '5000.11' already exists",
            "Enter unique account number",
        ),
        ("BL01001973", "", "Could not create GL Account record.", ""),
    ]
    assert response.find(".//additionalinfo") is None


def test_correction_7_a_duplicate_class_answers_as_the_php_sdk_sample(sim: Simulator) -> None:
    sample = xmlgw.parse((FIXTURES / "response-create-failure-duplicate.xml").read_bytes())
    result = call(sim, create("CLASS", "CLASSID", "UT01")).find("operation/result")
    assert result is not None
    assert errors(result) == errors(sample)
    assert [e[0] for e in errors(result)] == ["BL34000061", "BL01001973", "BL01001973"]


@pytest.mark.parametrize(
    ("object_name", "id_field", "value", "then"),
    [
        ("EMPLOYEE", "EMPLOYEEID", "E1", "Could not create employee record!"),
        ("CUSTOMER", "CUSTOMERID", "C9", "Could not create customer record!"),
    ],
)
def test_correction_7_employees_and_the_rest_are_bl34000061_then_bl01001973(
    sim: Simulator, object_name: str, id_field: str, value: str, then: str
) -> None:
    result = call(sim, create(object_name, id_field, value)).find("operation/result")
    assert result is not None
    noun = object_name.title()
    assert errors(result) == [
        (
            "BL34000061",
            "",
            f"Another {noun} with the given value(s) {value}  already exists",
            "Use a unique value instead.",
        ),
        ("BL01001973", "", then, ""),
    ]


def test_correction_7_showadditionalerrorinfo_adds_the_documented_block(sim: Simulator) -> None:
    response = call(sim, create("GLACCOUNT", "ACCOUNTNO", "5000.11"), show=True)
    first, second = response.iter("additionalinfo")
    assert (first.findtext("errorid"), first.findtext("category")) == (
        "GL-0493",
        "Duplication Prevention",
    )
    assert [
        first.findtext(f"{tag}/messageid") for tag in ("description", "cdescription", "correction")
    ] == [
        "IA.DUPLICATE_ACCOUNT_NUMBER",
        "IA.THE_ACCOUNT_NUMBER_ALREADY_EXISTS",
        "IA.ENTER_UNIQUE_ACCOUNT_NUMBER",
    ]
    placeholder = first.find("cdescription/placeholders/placeholder")
    assert placeholder is not None
    assert (placeholder.get("name"), placeholder.get("value")) == ("ACCOUNTNO", "5000.11")
    target = first.find("target")
    assert target is not None
    assert sorted(target.attrib) == ["businessinfo", "domain", "field", "object", "requestinfo"]
    assert (second.findtext("errorid"), second.findtext("category")) == (
        "GL-0504",
        "Unable to create record.",
    )
    assert second.findtext("cdescription/messageid") == "IA.COULD_NOT_CREATE_GL_ACCOUNT_RECORD"
    assert second.findtext("description/messageid") == ""


def test_correction_7_an_error_without_documented_info_gets_the_block_empty(
    sim: Simulator,
) -> None:
    """ "All optional elements will be returned with empty values if there is no information"."""
    refused = call(sim, "<getAPISession/>", auth=xmlgw.Login(password="nope"), show=True)
    (info,) = refused.iter("additionalinfo")
    assert (info.findtext("errorid"), info.findtext("category")) == ("", "")
    assert [child.tag for child in info] == [
        "errorid",
        "category",
        "target",
        "description",
        "cdescription",
        "correction",
    ]
    bad_sender = call(sim, "<getAPISession/>", sender=("demo-sender", "wrong"), show=True)
    assert len(list(bad_sender.iter("additionalinfo"))) == 1
    quiet = call(sim, "<getAPISession/>", sender=("demo-sender", "wrong"))
    assert list(quiet.iter("additionalinfo")) == []
