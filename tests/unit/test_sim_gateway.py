"""The Intacct simulator's gateway: envelopes, authentication, sessions, errors and writes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH, create_app
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
ENDPOINT = "http://127.0.0.1:8001/ia/xml/xmlgw.phtml"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Simulator:
    simulator = Simulator(clock=clock)
    load_company(
        simulator,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "entities": {"E100": "East", "E200": "West"},
            "records": {"CUSTOMER": [{"CUSTOMERID": "C9", "NAME": "Existing"}]},
        },
        now=clock(),
    )
    return simulator


def call(sim: Simulator, *functions: str, **options: object) -> bytes:
    return sim.handle(xmlgw.request(*functions, **options), endpoint=ENDPOINT).body  # type: ignore[arg-type]


def skeleton(element: xmlgw.Element, prefix: str = "") -> set[str]:
    """The element paths of a response, ignoring data rows' field values and repeats."""
    path = f"{prefix}/{element.tag}"
    found = {path}
    for child in element:
        found |= skeleton(child, path)
    return found


def fixture(name: str) -> xmlgw.Element:
    return xmlgw.parse((FIXTURES / name).read_bytes())


CREATE_CUSTOMER = "<create><CUSTOMER><NAME>Harbour Cafe</NAME></CUSTOMER></create>"


def test_bad_sender_is_a_control_failure_with_no_operation(sim: Simulator) -> None:
    body = call(sim, "<getAPISession/>", sender=("demo-sender", "wrong"))
    response = xmlgw.parse(body)
    assert response.findtext("control/status") == "failure"
    assert response.find("operation") is None
    assert xmlgw.errornos(response) == ["XL03000006"]
    expected = skeleton(fixture("response-control-failure.xml"))
    assert (
        skeleton(response) - {"/response/control/uniqueid", "/response/control/dtdversion"}
        <= expected
    )


def test_malformed_body_is_a_parse_error(sim: Simulator) -> None:
    response = xmlgw.parse(sim.handle(b"<request><control>", endpoint=ENDPOINT).body)
    assert xmlgw.errornos(response) == ["XL03000003"]


def test_auth_failure_has_no_result_and_matches_the_real_shape(sim: Simulator) -> None:
    login = xmlgw.Login(password="nope")
    response = xmlgw.parse(call(sim, "<getAPISession/>", auth=login))
    assert response.findtext("operation/authentication/status") == "failure"
    assert response.find("operation/result") is None
    assert xmlgw.errornos(response) == ["XL03000006"]
    assert skeleton(response) == skeleton(fixture("response-auth-failure.xml"))


def test_getapisession_returns_own_endpoint_and_locationid(sim: Simulator) -> None:
    response = xmlgw.parse(call(sim, "<getAPISession/>"))
    api = response.find("operation/result/data/api")
    assert api is not None
    assert api.findtext("endpoint") == ENDPOINT
    assert api.find("locationid") is not None
    assert skeleton(response) == skeleton(fixture("response-getapisession-success.xml"))


def test_correction_11_timestamps_are_the_company_s_wall_time_and_the_session_says_its_offset(
    sim: Simulator, clock: Clock
) -> None:
    sim.companies["DEMO"].settings.timezone = "America/Phoenix"
    response = xmlgw.parse(call(sim, "<getAPISession/>"))
    assert response.findtext("operation/authentication/sessiontimestamp") == (
        "2026-05-01T05:00:00-07:00"  # 12:00 UTC
    )
    call(sim, "<create><CUSTOMER><CUSTOMERID>TZ1</CUSTOMERID><NAME>Z</NAME></CUSTOMER></create>")
    made = sim.companies["DEMO"].by_field("CUSTOMER", "CUSTOMERID", "TZ1")
    assert made is not None
    assert made["WHENMODIFIED"] == "05/01/2026 05:00:00"  # no zone in the stamp itself


def _session(sim: Simulator, entity: str | None = None) -> str:
    inner = (
        "<getAPISession/>"
        if entity is None
        else f"<getAPISession><locationid>{entity}</locationid></getAPISession>"
    )
    response = xmlgw.parse(call(sim, inner))
    return response.findtext("operation/result/data/api/sessionid", "")


def test_session_ids_work_and_expire(sim: Simulator, clock: Clock) -> None:
    session = _session(sim)
    read = "<readByQuery><object>CUSTOMER</object><query/><pagesize>10</pagesize></readByQuery>"
    assert xmlgw.statuses(call(sim, read, auth=session)) == ["success"]
    clock.now += timedelta(minutes=59)
    assert xmlgw.statuses(call(sim, read, auth=session)) == ["success"]  # each call extends it
    clock.now += timedelta(minutes=61)
    expired = xmlgw.parse(call(sim, read, auth=session))
    assert expired.findtext("operation/authentication/status") == "failure"


def test_entity_sessions_see_their_own_and_top_level_records(sim: Simulator) -> None:
    east = _session(sim, "E100")
    west = _session(sim, "E200")
    call(sim, CREATE_CUSTOMER, auth=east)
    query = "<readByQuery><object>CUSTOMER</object><query/><pagesize>100</pagesize></readByQuery>"

    def count(auth: xmlgw.Login | str) -> int:
        return len(xmlgw.results(call(sim, query, auth=auth))[0].findall("data/customer"))

    assert (count(east), count(west), count(xmlgw.Login())) == (2, 1, 2)


def test_create_without_id_under_document_sequencing(sim: Simulator) -> None:
    (result,) = xmlgw.results(call(sim, CREATE_CUSTOMER))
    assert result.findtext("data/customer/CUSTOMERID") == "C0001"
    assert result.find("data[@listtype='objects']") is not None


def test_create_without_id_refused_when_sequencing_is_off(sim: Simulator) -> None:
    sim.companies["DEMO"].settings.customer_sequencing = False
    (result,) = xmlgw.results(call(sim, CREATE_CUSTOMER))
    assert result.findtext("status") == "failure"
    assert xmlgw.errornos(result) == ["BL01001973"]


def test_duplicate_id_is_refused_like_the_real_gateway(sim: Simulator) -> None:
    duplicate = "<create><CUSTOMER><CUSTOMERID>C9</CUSTOMERID><NAME>X</NAME></CUSTOMER></create>"
    (result,) = xmlgw.results(call(sim, duplicate))
    assert xmlgw.errornos(result) == ["BL34000061", "BL01001973"]
    assert result.find("data[@count='0']") is not None


def test_update_and_update_of_missing_record(sim: Simulator) -> None:
    ok = "<update><CUSTOMER><CUSTOMERID>C9</CUSTOMERID><NAME>Renamed</NAME></CUSTOMER></update>"
    missing = "<update><CUSTOMER><CUSTOMERID>C404</CUSTOMERID><NAME>X</NAME></CUSTOMER></update>"
    first, second = xmlgw.results(call(sim, ok, missing))
    assert first.findtext("data/customer/CUSTOMERID") == "C9"
    assert xmlgw.errornos(second) == ["Cannot update non-existing CUSTOMER with CUSTOMERID=C404."]


def test_correction_4_deletion_is_visible_only_through_audithistory(sim: Simulator) -> None:
    record = sim.companies["DEMO"].by_field("CUSTOMER", "CUSTOMERID", "C9")
    assert record is not None
    recordno = str(record["RECORDNO"])
    assert xmlgw.statuses(
        call(sim, f"<delete><object>CUSTOMER</object><keys>{recordno}</keys></delete>")
    ) == ["success"]
    audit = (
        "<readByQuery><object>AUDITHISTORY</object>"
        "<query>OBJECTTYPE = 'customer' AND ACCESSMODE = 'Delete'</query>"
        "<pagesize>10</pagesize></readByQuery>"
    )
    (result,) = xmlgw.results(call(sim, audit))
    assert result.findtext("data/audithistory/OBJECTKEY") == "C9"  # the customer's unique name
    again = xmlgw.results(
        call(sim, f"<delete><object>CUSTOMER</object><keys>{recordno}</keys></delete>")
    )
    assert xmlgw.errornos(again[0]) == ["BL01001973"]


def test_transaction_rolls_back_everything_and_aborts_the_rest(sim: Simulator) -> None:
    duplicate = "<create><CUSTOMER><CUSTOMERID>C9</CUSTOMERID><NAME>X</NAME></CUSTOMER></create>"
    body = call(sim, CREATE_CUSTOMER, duplicate, transaction=True)
    first, second = xmlgw.results(body)
    assert first.findtext("status") == "aborted"
    assert xmlgw.errornos(first) == ["XL03000009"]
    assert second.findtext("status") == "failure"
    assert xmlgw.errornos(second)[-1] == "XL03000009"
    assert len(sim.companies["DEMO"].table("CUSTOMER")) == 1


def test_without_transaction_functions_succeed_or_fail_independently(sim: Simulator) -> None:
    duplicate = "<create><CUSTOMER><CUSTOMERID>C9</CUSTOMERID><NAME>X</NAME></CUSTOMER></create>"
    assert xmlgw.statuses(call(sim, CREATE_CUSTOMER, duplicate)) == ["success", "failure"]


def test_uniqueid_refuses_a_repeated_function_controlid(sim: Simulator) -> None:
    first = call(sim, CREATE_CUSTOMER, unique=True, controlids=("ri-key-1",))
    again = call(sim, CREATE_CUSTOMER, unique=True, controlids=("ri-key-1",))
    assert xmlgw.statuses(first) == ["success"]
    assert xmlgw.statuses(again) == ["failure"]
    assert len(sim.companies["DEMO"].table("CUSTOMER")) == 2
    not_unique = call(sim, CREATE_CUSTOMER, unique=False, controlids=("ri-key-1",))
    assert xmlgw.statuses(not_unique) == ["success"]


def test_correction_6_a_control_without_uniqueid_refuses_a_repeated_controlid(
    sim: Simulator,
) -> None:
    first = call(sim, CREATE_CUSTOMER, unique=None, controlids=("ri-key-1",))
    again = xmlgw.parse(call(sim, CREATE_CUSTOMER, unique=None, controlids=("ri-key-1",)))
    assert xmlgw.statuses(first) == ["success"]
    assert xmlgw.parse(first).findtext("control/uniqueid") == "true"
    assert [r.findtext("status") for r in again.iter("result")] == ["failure"]
    assert xmlgw.errornos(again) == ["XL03000014"]
    assert again.findtext("control/uniqueid") == "true"
    assert len(sim.companies["DEMO"].table("CUSTOMER")) == 2


@pytest.mark.parametrize(
    ("given", "repeat"), [("", "failure"), ("TRUE", "failure"), ("False", "success")]
)
def test_correction_6_only_false_turns_the_uniqueid_check_off(
    sim: Simulator, given: str, repeat: str
) -> None:
    def body() -> bytes:
        request = xmlgw.request(CREATE_CUSTOMER, unique=True, controlids=("ri-key-2",))
        return request.replace(
            b"<uniqueid>true</uniqueid>", f"<uniqueid>{given}</uniqueid>".encode()
        )

    assert xmlgw.statuses(sim.handle(body(), endpoint=ENDPOINT).body) == ["success"]
    again = sim.handle(body(), endpoint=ENDPOINT).body
    assert xmlgw.statuses(again) == [repeat]
    assert xmlgw.parse(again).findtext("control/uniqueid") == (
        "false" if repeat == "success" else "true"
    )


def test_correction_6_the_official_sdks_envelope_says_false_and_may_repeat(sim: Simulator) -> None:
    """The JS SDK's envelope (fixture ``request-envelope-session.xml``) sends ``false``."""
    session = _session(sim)
    sdk = (FIXTURES / "request-envelope-session.xml").read_bytes()
    assert b"<uniqueid>false</uniqueid>" in sdk
    function = (
        b'<content><function controlid="unittest">'
        + CREATE_CUSTOMER.encode()
        + b"</function></content>"
    )
    body = (
        sdk.replace(b"testsenderid", b"demo-sender")
        .replace(b"pass123!", b"demo-sender-pass")
        .replace(b"testsession..", session.encode())
        .replace(b"<content />", function)
    )
    replies = [sim.handle(body, endpoint=ENDPOINT).body for _ in range(2)]
    assert [xmlgw.statuses(reply) for reply in replies] == [["success"], ["success"]]
    assert xmlgw.parse(replies[1]).findtext("control/uniqueid") == "false"


def test_usage_counts_one_transaction_per_record_written_and_per_query(sim: Simulator) -> None:
    call(sim, CREATE_CUSTOMER, "<readByQuery><object>CUSTOMER</object><query/></readByQuery>")
    usage = sim.usage["DEMO"]
    assert (usage.requests, usage.functions, usage.transactions) == (1, 2, 2)


def test_http_app_replies_text_xml(sim: Simulator) -> None:
    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(sim))
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            return await client.post(GATEWAY_PATH, content=xmlgw.request("<getAPISession/>"))

    response = asyncio.run(post())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    endpoint = xmlgw.parse(response.content).findtext("operation/result/data/api/endpoint")
    assert endpoint == "http://sim/ia/xml/xmlgw.phtml"


def test_generic_bill_without_number_and_no_sequence_is_bl03002128(sim: Simulator) -> None:
    sim.companies["DEMO"].settings.vendor_sequencing = False
    bill = (
        "<create><APBILL><VENDORID>V1</VENDORID><APBILLITEMS><APBILLITEM><ACCOUNTNO>6100"
        "</ACCOUNTNO><TRX_AMOUNT>10</TRX_AMOUNT></APBILLITEM></APBILLITEMS></APBILL></create>"
    )
    (result,) = xmlgw.results(call(sim, bill))
    assert xmlgw.errornos(result) == ["BL03002128"]


def test_query_caseinsensitive_option_folds_text_comparisons(sim: Simulator) -> None:
    def names(option: str) -> list[str]:
        function = (
            "<query><object>CUSTOMER</object><select><field>NAME</field></select>"
            "<filter><equalto><field>NAME</field><value>EXISTING</value></equalto></filter>"
            f"<options><caseinsensitive>{option}</caseinsensitive></options></query>"
        )
        (result,) = xmlgw.results(call(sim, function))
        return [row.findtext("NAME", "") for row in result.findall("data/CUSTOMER")]

    assert (names("false"), names("true")) == ([], ["Existing"])
