"""The Intacct adapter's request envelopes (spec §1), checked against the SDKs' wire samples."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree

from released_intacct.adapters.intacct import envelope
from released_intacct.adapters.intacct.envelope import (
    Function,
    child,
    element,
    login_request,
    redacted,
    session_request,
)
from released_intacct.adapters.intacct.response import api_session, parse_response, rows
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
ENDPOINT = "http://127.0.0.1:8001/ia/xml/xmlgw.phtml"
_READ = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)


def credentials(
    sender: str = "demo-sender",
    sender_password: str = "demo-sender-pass",
    *,
    company: str = "DEMO",
    user: str = "ws_user",
    password: str = "ws_pass",
) -> IntacctCredentials:
    return IntacctCredentials(
        sender_id=sender,
        sender_password=Secret(sender_password),
        company_id=company,
        user_id=user,
        user_password=Secret(password),
    )


def tree(body: bytes) -> etree._Element:
    return etree.fromstring(body, parser=_READ)


def walk(root: etree._Element) -> list[tuple[str, str]]:
    """Every element as (path, text) in document order."""
    found: list[tuple[str, str]] = []

    def visit(node: etree._Element, prefix: str) -> None:
        path = f"{prefix}/{node.tag}"
        found.append((path, (node.text or "").strip()))
        for kid in node:
            visit(kid, path)

    visit(root, "")
    return found


def test_C2_login_envelope_has_the_sdk_structure_and_values() -> None:
    fixture = tree((FIXTURES / "request-envelope-login.xml").read_bytes())
    body = login_request(
        credentials(
            "sensitiveSenderId",
            "sender_password",
            company="companyId",
            user="sensitiveUserId",
            password="user_password",
        ),
        entity=None,
        controlid="timestamp",
    )
    ours = tree(body)
    ours.find("operation/content/function").set("controlid", "9209530295623")  # type: ignore[union-attr]
    assert walk(ours) == walk(fixture)
    assert ours.find("operation").get("transaction") == "false"  # type: ignore[union-attr]
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_session_envelope_equals_the_sdk_sample_canonically() -> None:
    fixture = tree((FIXTURES / "request-envelope-session.xml").read_bytes())
    body = session_request(
        credentials("testsenderid", "pass123!"),
        "testsession..",
        [],
        controlid="unittest",
        unique=False,
    )
    ours = tree(body)
    ours.find("operation/content").text = None  # type: ignore[union-attr]
    assert etree.tostring(ours, method="c14n") == etree.tostring(fixture, method="c14n")


@pytest.mark.parametrize(
    ("entity", "login_location", "session_location"),
    [(None, None, None), (EntityId(""), None, ""), (EntityId("E100"), "E100", "E100")],
)
def test_C3_login_opens_the_session_at_the_chosen_entity(
    entity: EntityId | None, login_location: str | None, session_location: str | None
) -> None:
    root = tree(login_request(credentials(), entity=entity, controlid="login-1"))
    login = root.find("operation/authentication/login")
    assert login is not None
    assert login.findtext("locationid") == login_location
    function = root.find("operation/content/function")
    assert function is not None
    assert function.get("controlid") == "login-1"
    assert function.findtext("getAPISession/locationid") == (
        None if session_location is None else session_location
    )
    if session_location == "":
        assert function.find("getAPISession/locationid") is not None


def test_session_request_carries_functions_uniqueid_and_transaction() -> None:
    query = element("readByQuery")
    child(query, "object", "CUSTOMER")
    child(query, "query", "NAME = 'A & B' AND X < 3")
    create = element("create")
    child(child(create, "CUSTOMER"), "NAME", "Acme")
    body = session_request(
        credentials(),
        "sess-1",
        [Function("ri-aaa", query), Function("ri-bbb", create)],
        controlid="batch-1",
        unique=True,
        transaction=True,
    )
    root = tree(body)
    assert root.findtext("control/uniqueid") == "true"
    assert root.findtext("control/controlid") == "batch-1"
    assert root.find("operation").get("transaction") == "true"  # type: ignore[union-attr]
    assert root.findtext("operation/authentication/sessionid") == "sess-1"
    functions = root.findall("operation/content/function")
    assert [f.get("controlid") for f in functions] == ["ri-aaa", "ri-bbb"]
    assert [f[0].tag for f in functions] == ["readByQuery", "create"]
    assert functions[0].findtext("readByQuery/query") == "NAME = 'A & B' AND X < 3"
    assert b"&lt; 3" in body
    assert b"A &amp; B" in body
    assert query.getparent() is None, "the caller's element is given back, not kept"


def test_a_function_body_is_lent_to_the_request_and_given_back_as_it_was() -> None:
    """A body of its own is moved in without a copy and taken out once serialized; one sent
    twice in a request, or inside another tree, is copied; a refused request gives all back."""
    query = element("readByQuery")
    child(query, "object", "CUSTOMER")
    holder = element("holder")
    inner = child(holder, "read")
    before = etree.tostring(query)
    functions = [Function("a", query), Function("b", query), Function("c", inner)]
    body = session_request(credentials(), "s", functions, controlid="r", unique=False)
    again = session_request(credentials(), "s", functions, controlid="r", unique=False)
    assert body == again
    found = tree(body).findall("operation/content/function")
    assert [f[0].tag for f in found] == ["readByQuery", "readByQuery", "read"]
    assert [f.findtext("readByQuery/object") for f in found[:2]] == ["CUSTOMER", "CUSTOMER"]
    assert query.getparent() is None
    assert etree.tostring(query) == before
    assert inner.getparent() is holder
    with pytest.raises(ValueError, match="1-256"):
        session_request(
            credentials(),
            "s",
            [Function("a", query), Function("", query)],
            controlid="r",
            unique=False,
        )
    assert query.getparent() is None


def test_correction_6_every_envelope_says_uniqueid_explicitly() -> None:
    """A missing ``<uniqueid>`` means true (correction 6): reads and log-ins must say false."""
    query = element("readByQuery")
    child(query, "object", "CUSTOMER")
    login = tree(login_request(credentials(), entity=None, controlid="login"))
    read = tree(
        session_request(credentials(), "s", [Function("q", query)], controlid="r", unique=False)
    )
    write = tree(
        session_request(credentials(), "s", [Function("w", query)], controlid="w", unique=True)
    )
    assert [root.findtext("control/uniqueid") for root in (login, read, write)] == [
        "false",
        "false",
        "true",
    ]


def test_C2_markup_in_a_credential_is_text_not_structure() -> None:
    nasty = "p</password><sessionid>x</sessionid><password>"
    root = tree(login_request(credentials(password=nasty), entity=None, controlid="c"))
    assert root.findtext("operation/authentication/login/password") == nasty
    assert root.find("operation/authentication/sessionid") is None


def test_element_helper_sets_text_and_attributes() -> None:
    made = element("reverse_invoice", key="42")
    child(made, "datereversed")
    assert etree.tostring(made) == b'<reverse_invoice key="42"><datereversed/></reverse_invoice>'
    assert element("keys", "5,6").text == "5,6"


@pytest.mark.parametrize("controlid", ["", "x" * 257])
def test_a_control_id_outside_1_to_256_characters_is_a_programmer_error(controlid: str) -> None:
    with pytest.raises(ValueError, match="1-256"):
        session_request(credentials(), "s", [], controlid=controlid, unique=False)
    with pytest.raises(ValueError, match="1-256"):
        session_request(
            credentials(), "s", [Function(controlid, element("x"))], controlid="c", unique=False
        )


def test_C2_redacted_hides_both_passwords_and_the_session_id() -> None:
    login = login_request(
        credentials(sender_password="SENDER-SECRET", password="USER-SECRET"),
        entity=EntityId("E100"),
        controlid="c",
    )
    session = session_request(credentials(), "SESSION-SECRET", [], controlid="c", unique=False)
    for body, secrets in (
        (login, (b"SENDER-SECRET", b"USER-SECRET")),
        (session, (b"SESSION-SECRET",)),
    ):
        shown = redacted(body)
        for secret in secrets:
            assert secret in body
            assert secret not in shown
        root = tree(shown)
        assert {node.text for node in root.iter("password", "sessionid")} == {"***"}
        assert root.findtext("control/senderid") == "demo-sender"
    assert redacted(b"<request><password>x") == b"<!-- unreadable body withheld -->"


def test_redacted_leaves_a_fixture_readable_apart_from_the_secrets() -> None:
    shown = redacted((FIXTURES / "request-envelope-login.xml").read_bytes())
    assert b"sender_password" not in shown
    assert b"user_password" not in shown
    assert tree(shown).findtext("operation/authentication/login/userid") == "sensitiveUserId"


def test_the_simulator_accepts_our_login_and_session_envelopes() -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    sim = Simulator(clock=lambda: now)
    config = {
        "company_id": "DEMO",
        "senders": {"demo-sender": "demo-sender-pass"},
        "users": {"ws_user": "ws_pass"},
        "entities": {"E100": "East"},
        "records": {"CUSTOMER": [{"CUSTOMERID": "C9", "NAME": "Existing"}]},
    }
    load_company(sim, config, now=now)
    login = sim.handle(
        login_request(credentials(), entity=EntityId("E100"), controlid="l"), endpoint=ENDPOINT
    )
    opened = api_session(parse_response(login.body, status=login.status).unwrap().results[0])
    assert opened is not None
    session_id, endpoint, location = opened
    assert (endpoint, location) == (ENDPOINT, "E100")
    query = element("readByQuery")
    for tag, text in (("object", "CUSTOMER"), ("query", ""), ("fields", "*"), ("pagesize", "10")):
        child(query, tag, text)
    reply = sim.handle(
        session_request(
            credentials(), session_id, [Function("q1", query)], controlid="r", unique=False
        ),
        endpoint=endpoint,
    )
    result = parse_response(reply.body, status=reply.status).unwrap().results[0]
    assert result.ok
    assert result.controlid == "q1"
    assert result.data is not None
    assert [row["CUSTOMERID"] for row in rows(result.data)] == ["C9"]


def test_envelope_exports_are_sorted() -> None:
    assert envelope.__all__ == sorted(envelope.__all__)
