"""The Intacct simulator's faults: each kind, probability, next-N, concurrency and latency."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH, create_app
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.control import rule_from_json
from released_intacct.fakes.simulators.intacct.faults import (
    ConnectionDroppedError,
    FaultRule,
    summarize,
)
from released_intacct.fakes.simulators.intacct.gateway import Reply
from released_intacct.fakes.simulators.intacct.simulator import Simulator

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CREATE = "<create><CUSTOMER><NAME>Harbour Cafe</NAME></CUSTOMER></create>"
READ = "<read><object>CUSTOMER</object><keys>1</keys><fields>*</fields></read>"
QUERY = "<readByQuery><object>CUSTOMER</object><query/><pagesize>10</pagesize></readByQuery>"


def load_two(sim: Simulator) -> None:
    for company_id in ("DEMO", "OTHER"):
        load_company(
            sim,
            {
                "company_id": company_id,
                "senders": {"demo-sender": "demo-sender-pass"},
                "users": {"ws_user": "ws_pass"},
                "records": {"CUSTOMER": [{"CUSTOMERID": "C9", "NAME": "Existing"}]},
            },
            now=NOW,
        )


def make_sim(**options: object) -> Simulator:
    sim = Simulator(clock=lambda: NOW, **options)  # type: ignore[arg-type]
    load_two(sim)
    return sim


@pytest.fixture
def sim() -> Simulator:
    return make_sim(seed=7)


def add(sim: Simulator, **rule: object) -> FaultRule:
    return sim.faults.add(rule_from_json(sim, rule))


def call(sim: Simulator, *functions: str, **options: object) -> Reply:
    return sim.handle(xmlgw.request(*functions, **options), endpoint=ENDPOINT)  # type: ignore[arg-type]


def customers(sim: Simulator, company_id: str = "DEMO") -> int:
    return len(sim.companies[company_id].table("CUSTOMER"))


def test_correction_8_throttle_is_429_with_a_control_only_gw_0010_and_does_nothing(
    sim: Simulator,
) -> None:
    add(sim, kind="throttle", retry_after=7)
    reply = call(sim, CREATE)
    assert reply.status == 429
    assert reply.headers["retry-after"] == "7"
    assert reply.headers["content-type"] == "text/xml"
    assert_gateway_refusal(reply.body, "GW-0010", "API rate limit exceeded")
    assert customers(sim) == 1
    assert sim.usage["DEMO"].requests == 0


def assert_gateway_refusal(body: bytes, errorno: str, description: str) -> None:
    """The error-handling page's shape for gateway errors: a status-only control, no operation."""
    response = xmlgw.parse(body)
    assert [child.tag for child in response] == ["control", "errormessage"]
    control = response.find("control")
    assert control is not None
    assert [(child.tag, child.text) for child in control] == [("status", "failure")]
    (error,) = response.iter("error")
    assert [(child.tag, child.text) for child in error] == [
        ("errorno", errorno),
        ("description", description),
    ]


def test_correction_8_rate_limited_200_is_the_same_body_in_a_200_and_does_nothing(
    sim: Simulator,
) -> None:
    add(sim, kind="rate_limited_200", times=1)
    reply = call(sim, CREATE)
    assert (reply.status, reply.headers) == (200, {"content-type": "text/xml"})
    assert_gateway_refusal(reply.body, "GW-0010", "API rate limit exceeded")
    assert customers(sim) == 1
    assert sim.usage["DEMO"].requests == 0
    assert xmlgw.statuses(call(sim, CREATE).body) == ["success"]


def test_correction_8_temporarily_offline_fails_every_function_and_runs_nothing(
    sim: Simulator,
) -> None:
    add(sim, kind="temporarily_offline", function="create", times=1)
    reply = call(sim, CREATE, READ, controlids=("w1", "r1"))
    assert reply.status == 200
    response = xmlgw.parse(reply.body)
    assert response.findtext("control/status") == "success"
    assert response.findtext("operation/authentication/status") == "success"
    results = response.findall("operation/result")
    assert [(r.findtext("status"), r.findtext("controlid")) for r in results] == [
        ("failure", "w1"),
        ("failure", "r1"),
    ]
    for result in results:
        (error,) = result.iter("error")
        assert error.findtext("description2") == "The Service is Temporarily Off-line"
    assert customers(sim) == 1
    assert sim.usage["DEMO"].requests == 0
    assert xmlgw.statuses(call(sim, CREATE).body) == ["success"]


def test_correction_4_processing_error_fails_an_audit_trail_read_the_way_real_clients_meet_it(
    sim: Simulator,
) -> None:
    audit = (
        "<query><object>AUDITHISTORY</object><select><field>OBJECTKEY</field></select>"
        "<pagesize>10</pagesize></query>"
    )
    add(sim, kind="processing_error", object="AUDITHISTORY", times=1)
    (failed,) = xmlgw.results(call(sim, audit).body)
    assert failed.findtext("status") == "failure"
    (error,) = failed.iter("error")
    assert (error.findtext("errorno"), error.findtext("description2")) == (
        "DL02000001",
        "There was an error processing the request.",
    )
    assert xmlgw.statuses(call(sim, QUERY).body) == ["success"]  # other objects: untouched
    assert xmlgw.statuses(call(sim, audit).body) == ["success"]  # the rule fired once


def test_correction_8_stale_session_is_a_401_xmlgw_jpp0002_and_the_session_is_gone(
    sim: Simulator,
) -> None:
    rule = add(sim, kind="stale_session")
    login = xmlgw.parse(call(sim, "<getAPISession/>").body)
    session_id = login.findtext("operation/result/data/api/sessionid", "")
    assert rule.fired == 0, "a request signed with a login is not matched"
    reply = call(sim, CREATE, auth=session_id)
    assert (reply.status, reply.headers["content-type"]) == (401, "text/xml")
    assert_gateway_refusal(
        reply.body, "XMLGW_JPP0002", "Sign-in information is incorrect. Please check your request."
    )
    sample = (FIXTURES / "response-http401-xmlgw-jpp0002.xml").read_bytes()
    assert_gateway_refusal(
        sample, "XMLGW_JPP0002", "Sign-in information is incorrect. Please check your request."
    )
    assert session_id not in sim.sessions
    assert customers(sim) == 1
    sim.faults.clear()
    after = xmlgw.parse(call(sim, CREATE, auth=session_id).body)
    assert after.findtext("operation/authentication/status") == "failure"


def test_timeout_after_commit_is_524_with_no_xml_but_the_record_exists(sim: Simulator) -> None:
    add(sim, kind="timeout_after_commit")
    reply = call(sim, CREATE)
    assert (reply.status, reply.body) == (524, b"")
    names = [r["NAME"] for r in sim.companies["DEMO"].table("CUSTOMER").values()]
    assert names == ["Existing", "Harbour Cafe"]
    assert sim.usage["DEMO"].transactions == 1


def test_server_error_is_500_with_an_empty_body_and_nothing_done(sim: Simulator) -> None:
    add(sim, kind="server_error")
    reply = call(sim, CREATE)
    assert (reply.status, reply.body) == (500, b"")
    assert customers(sim) == 1


def test_drop_raises_in_process_and_runs_nothing(sim: Simulator) -> None:
    add(sim, kind="drop")
    with pytest.raises(ConnectionDroppedError):
        call(sim, CREATE)
    assert customers(sim) == 1


def test_drop_over_asgi_raises_in_the_client(sim: Simulator) -> None:
    add(sim, kind="drop")

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(sim))
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            return await client.post(GATEWAY_PATH, content=xmlgw.request(CREATE))

    with pytest.raises(ConnectionDroppedError):
        asyncio.run(post())
    assert customers(sim) == 1
    assert sim.in_flight["DEMO"] == 0


def test_delay_is_recorded_in_process_and_slept_over_http(sim: Simulator) -> None:
    add(sim, kind="delay", delay_ms=150)
    add(sim, kind="delay", delay_ms=50, function="create")
    reply = call(sim, CREATE)
    assert reply.status == 200
    assert [(f.kind, f.delay_ms) for f in sim.faults.log] == [("delay", 150), ("delay", 50)]
    started = time.monotonic()
    status, _ = asyncio.run(post_many(sim, [xmlgw.request(READ)]))[0]
    assert status == 200
    assert time.monotonic() - started >= 0.14


def test_session_expiry_makes_a_session_request_fail_authentication(sim: Simulator) -> None:
    login = xmlgw.parse(call(sim, "<getAPISession/>").body)
    session_id = login.findtext("operation/result/data/api/sessionid", "")
    assert xmlgw.statuses(call(sim, READ, auth=session_id).body) == ["success"]
    add(sim, kind="session_expiry", times=1)
    response = xmlgw.parse(call(sim, READ, auth=session_id).body)
    assert response.findtext("operation/authentication/status") == "failure"
    assert xmlgw.errornos(response) == ["XL03000006"]
    assert sim.sessions == {}


def test_malformed_is_a_200_body_that_is_not_xml_after_the_work_ran(sim: Simulator) -> None:
    add(sim, kind="malformed")
    reply = call(sim, CREATE)
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/xml"
    with pytest.raises(etree.XMLSyntaxError):
        xmlgw.parse(reply.body)
    assert customers(sim) == 2


def test_truncated_is_the_first_half_of_the_real_reply(sim: Simulator) -> None:
    add(sim, kind="truncated", times=1)
    cut = call(sim, READ)
    whole = call(sim, READ)
    assert len(whole.body) > 100
    assert cut.body == whole.body[: len(whole.body) // 2]
    with pytest.raises(etree.XMLSyntaxError):
        xmlgw.parse(cut.body)


def fire_pattern(seed: int) -> list[bool]:
    sim = make_sim(seed=seed)
    add(sim, kind="server_error", probability=0.5)
    return [call(sim, READ).status == 500 for _ in range(40)]


def test_probability_draws_from_the_seeded_rng() -> None:
    expected = random.Random(11)
    assert fire_pattern(11) == [expected.random() < 0.5 for _ in range(40)]
    assert fire_pattern(11) == fire_pattern(11)
    assert fire_pattern(11) != fire_pattern(12)
    assert 5 < sum(fire_pattern(11)) < 35


def test_next_n_counts_only_matching_calls(sim: Simulator) -> None:
    rule = add(sim, kind="server_error", function="create", object="customer", times=2)
    assert call(sim, CREATE).status == 500
    assert call(sim, READ).status == 200
    assert call(sim, "<create><VENDOR><NAME>V</NAME></VENDOR></create>").status == 200
    assert call(sim, CREATE).status == 500
    assert call(sim, CREATE).status == 200
    assert (rule.fired, rule.remaining) == (2, 0)
    assert sim.faults.by_company["DEMO"] == 2


def test_a_rule_for_one_company_spares_the_others(sim: Simulator) -> None:
    add(sim, kind="server_error", company="OTHER")
    assert call(sim, READ).status == 200
    other = xmlgw.Login(company_id="OTHER")
    assert call(sim, READ, auth=other).status == 500


def test_only_the_first_deciding_rule_fires(sim: Simulator) -> None:
    first = add(sim, kind="server_error", times=1)
    second = add(sim, kind="throttle", times=1)
    assert call(sim, READ).status == 500
    assert (first.fired, second.fired) == (1, 0)
    assert call(sim, READ).status == 429


def test_summarize_lists_functions_and_objects_without_running_them(sim: Simulator) -> None:
    body = xmlgw.request(
        "<create><CUSTOMER><NAME>A</NAME></CUSTOMER><vendor><NAME>B</NAME></vendor></create>",
        QUERY,
        "<create_invoice><customerid>C9</customerid></create_invoice>",
        "<getAPISession/>",
    )
    info = summarize(sim, body)
    assert info.company == "DEMO"
    assert info.calls == (
        ("create", "CUSTOMER"),
        ("create", "VENDOR"),
        ("readByQuery", "CUSTOMER"),
        ("create_invoice", "ARINVOICE"),
        ("getAPISession", None),
    )
    assert customers(sim) == 1
    assert summarize(sim, b"not xml").calls == ()
    assert summarize(sim, xmlgw.request(READ, auth="no-such-session")).company is None


def test_readmore_matches_the_object_of_its_result_set(sim: Simulator) -> None:
    rows = [{"CUSTOMERID": f"X{n}", "NAME": f"N{n}"} for n in range(3)]
    load_company(
        sim, {"company_id": "BIG", "users": {"u": "p"}, "records": {"CUSTOMER": rows}}, now=NOW
    )
    sim.companies["BIG"].senders.add("demo-sender")
    login = xmlgw.Login(user_id="u", company_id="BIG", password="p")
    first = xmlgw.parse(call(sim, QUERY.replace("10", "1"), auth=login).body)
    data = first.find("operation/result/data")
    assert data is not None
    result_id = data.get("resultId")
    assert result_id
    more = f"<readMore><resultId>{result_id}</resultId></readMore>"
    info = summarize(sim, xmlgw.request(more, auth=login))
    assert info.calls == (("readMore", "CUSTOMER"),)


async def post_many(sim: Simulator, bodies: list[bytes]) -> list[tuple[int, bytes]]:
    transport = httpx.ASGITransport(app=create_app(sim))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        responses = await asyncio.gather(
            *(client.post(GATEWAY_PATH, content=body) for body in bodies)
        )
    return [(r.status_code, r.content) for r in responses]


def test_two_requests_in_flight_are_allowed_and_the_third_gets_429(sim: Simulator) -> None:
    add(sim, kind="delay", delay_ms=200)
    replies = asyncio.run(post_many(sim, [xmlgw.request(READ)] * 3))
    assert sorted(status for status, _ in replies) == [200, 200, 429]
    refused = next(body for status, body in replies if status == 429)
    assert xmlgw.errornos(xmlgw.parse(refused)) == ["GW-0010"]
    assert sim.refused == {"DEMO": 1}
    assert sim.in_flight == {"DEMO": 0}
    assert asyncio.run(post_many(sim, [xmlgw.request(READ)]))[0][0] == 200


def test_the_limit_is_per_company_and_configurable(sim: Simulator) -> None:
    add(sim, kind="delay", delay_ms=200)
    sim.company_concurrency["OTHER"] = 1
    other = xmlgw.request(READ, auth=xmlgw.Login(company_id="OTHER"))
    replies = asyncio.run(post_many(sim, [xmlgw.request(READ), xmlgw.request(READ), other, other]))
    assert [status for status, _ in replies[:2]] == [200, 200]
    assert sorted(status for status, _ in replies[2:]) == [200, 429]
    assert sim.refused == {"OTHER": 1}


def test_fixed_latency_per_company_holds_the_reply() -> None:
    sim = make_sim(latency_ms=0)
    sim.company_latency_ms["DEMO"] = 150
    started = time.monotonic()
    assert asyncio.run(post_many(sim, [xmlgw.request(READ)]))[0][0] == 200
    assert time.monotonic() - started >= 0.14
    assert (sim.latency_for("DEMO"), sim.latency_for("OTHER")) == (150, 0)


def test_reset_clears_rules_and_restarts_the_rng(sim: Simulator) -> None:
    add(sim, kind="server_error", probability=0.5)
    before = [call(sim, READ).status for _ in range(10)]
    sim.reset()
    assert sim.faults.rules == []
    assert sim.faults.total == 0
    load_two(sim)
    add(sim, kind="server_error", probability=0.5)
    assert [call(sim, READ).status for _ in range(10)] == before
