"""REST requests before they reach an object: the bearer token, the entity header, the
in-flight limit and the fault rules (the XML gateway's, matched by REST requests too)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from released_intacct.fakes.restsim import API, RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.faults import ConnectionDroppedError
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ACCOUNTS = "/objects/general-ledger/account"
CUSTOMERS = "/objects/accounts-receivable/customer"


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW, seed=1)
    load_company(sim, company(), now=NOW)
    return sim


@pytest.fixture
def api(sim: Simulator) -> RestSim:
    return signed_in(sim)


def _fault(api: RestSim, **rule: object) -> None:
    assert api.post("/_sim/faults", json=rule).status_code == 201


@pytest.mark.parametrize(
    ("authorization", "code"),
    [("", "GW-0034"), ("Basic abc", "GW-0034"), ("Bearer not-a-token", "GW-0031")],
)
def test_a_request_without_a_valid_bearer_token_is_401(
    api: RestSim, authorization: str, code: str
) -> None:
    response = api.get(ACCOUNTS, headers={"authorization": authorization})
    assert response.status_code == 401
    assert response.json() == {
        "ia::error": {"code": code, "message": response.json()["ia::error"]["message"]},
        "ia::meta": {"totalCount": 1, "totalSuccess": 0, "totalError": 1},
    }


@pytest.mark.parametrize("header", ["X-IA-API-Param-Entity", "X-IA-API-ParamEntity"])
def test_the_entity_header_in_either_spelling_narrows_what_is_seen(
    api: RestSim, header: str
) -> None:
    made = api.post(CUSTOMERS, json={"id": "E1", "name": "East only"}, headers={header: "E100"})
    assert made.status_code == 201
    key = made.json()["ia::result"]["key"]
    assert api.get(f"{CUSTOMERS}/{key}", headers={header: "E100"}).status_code == 200
    assert api.get(f"{CUSTOMERS}/{key}", headers={header: "E200"}).status_code == 404
    assert api.get(f"{CUSTOMERS}/{key}").status_code == 200  # the top level sees every entity


def test_an_unknown_entity_is_refused(api: RestSim) -> None:
    response = api.get(ACCOUNTS, headers={"X-IA-API-Param-Entity": "E999"})
    assert (response.status_code, response.json()["ia::error"]["code"]) == (400, "invalidRequest")
    assert "E999" in response.json()["ia::error"]["message"]


def test_both_spellings_naming_different_entities_are_refused(api: RestSim) -> None:
    both = {"X-IA-API-Param-Entity": "E100", "X-IA-API-ParamEntity": "E200"}
    assert api.get(ACCOUNTS, headers=both).status_code == 400
    same = {"X-IA-API-Param-Entity": "E100", "X-IA-API-ParamEntity": "E100"}
    assert api.get(ACCOUNTS, headers=same).status_code == 200


def test_correction_8_a_throttle_rule_answers_429_gw_0010_with_the_retry_after_header(
    api: RestSim,
) -> None:
    _fault(api, kind="throttle", object="GLACCOUNT", times=1, retry_after=7)
    response = api.get(ACCOUNTS)
    assert response.status_code == 429
    assert response.headers["x-ia-throttle-limit-retryafter"] == "7"
    assert response.json()["ia::error"] == {"code": "GW-0010", "message": "API rate limit exceeded"}
    assert api.get(ACCOUNTS).status_code == 200


def test_correction_8_a_service_unavailable_rule_answers_503_with_the_retry_after_header(
    api: RestSim,
) -> None:
    _fault(api, kind="service_unavailable", function="create", object="CUSTOMER", retry_after=3)
    assert api.get(CUSTOMERS).status_code == 200  # a read is not a create
    response = api.post(CUSTOMERS, json={"name": "Refused"})
    assert (response.status_code, response.headers["x-ia-throttle-limit-retryafter"]) == (503, "3")
    assert response.json()["ia::error"]["code"] == "GW-0001"
    query = {"object": "accounts-receivable/customer", "fields": ["name"]}
    names = [row["name"] for row in api.query(**query).json()["ia::result"]]
    assert "Refused" not in names


def test_correction_8_the_xml_gateway_answers_service_unavailable_too(api: RestSim) -> None:
    _fault(api, kind="service_unavailable", retry_after=2)
    response = api.request("POST", "/ia/xml/xmlgw.phtml", content=b"<request/>")
    assert (response.status_code, response.headers["retry-after"]) == (503, "2")


def test_timeout_after_commit_runs_the_write_then_answers_524(api: RestSim) -> None:
    _fault(api, kind="timeout_after_commit", object="CUSTOMER", times=1)
    response = api.post(CUSTOMERS, json={"id": "T1", "name": "Committed"})
    assert (response.status_code, response.content) == (524, b"")
    query = {"object": "accounts-receivable/customer", "fields": ["id"]}
    assert {"id": "T1"} in api.query(**query).json()["ia::result"]


def test_a_drop_rule_closes_the_connection_without_running(sim: Simulator, api: RestSim) -> None:
    _fault(api, kind="drop", object="CUSTOMER", times=1)
    with pytest.raises(ConnectionDroppedError):
        api.post(CUSTOMERS, json={"id": "D1", "name": "Dropped"})
    assert sim.companies["DEMO"].by_field("CUSTOMER", "CUSTOMERID", "D1") is None


def test_stale_session_and_session_expiry_end_the_token(api: RestSim) -> None:
    _fault(api, kind="stale_session", times=1)
    assert api.get(ACCOUNTS).status_code == 401
    assert api.get(ACCOUNTS).status_code == 401  # the token is gone for good
    api.token()
    _fault(api, kind="session_expiry", times=1)
    assert api.get(ACCOUNTS).json()["ia::error"]["code"] == "GW-0031"


def test_malformed_and_truncated_replies(api: RestSim) -> None:
    _fault(api, kind="malformed", times=1)
    with pytest.raises(ValueError, match="Expecting"):
        api.get(ACCOUNTS).json()
    _fault(api, kind="truncated", times=1)
    with pytest.raises(ValueError, match=r"Unterminated|Expecting"):
        api.get(ACCOUNTS).json()


def test_the_in_flight_limit_refuses_with_429_and_counts_it(sim: Simulator, api: RestSim) -> None:
    sim.company_concurrency["DEMO"] = 1
    sim.company_latency_ms["DEMO"] = 50

    async def both() -> list[int]:
        transport = httpx.ASGITransport(app=create_app(sim))
        headers = {"Authorization": f"Bearer {api.access_token}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            calls = [client.get(f"{API}{ACCOUNTS}", headers=headers) for _ in range(2)]
            return sorted(r.status_code for r in await asyncio.gather(*calls))

    assert asyncio.run(both()) == [200, 429]
    assert sim.refused["DEMO"] == 1
    assert sim.in_flight["DEMO"] == 0


def test_rest_requests_are_billed_like_gateway_requests(sim: Simulator, api: RestSim) -> None:
    api.post(CUSTOMERS, json=[{"name": "A"}, {"name": "B"}])
    usage = sim.usage["DEMO"]
    assert (usage.requests, usage.transactions) == (1, 2)


def test_the_token_is_checked_before_the_path_or_the_body(api: RestSim) -> None:
    bad = {"authorization": "Bearer nope"}
    assert api.get("/objects/general-ledger/nothing", headers=bad).status_code == 401
    assert api.post(CUSTOMERS, content=b"{not json", headers=bad).status_code == 401
    assert api.post(CUSTOMERS, content=b"{not json").status_code == 400
    assert api.get("/objects/general-ledger/nothing").status_code == 404


def test_a_rule_may_name_a_rest_object_by_its_path(api: RestSim) -> None:
    _fault(api, kind="server_error", object="accounts-receivable/customer", times=1)
    assert api.get("/_sim/faults").json()["faults"][0]["object"] == "CUSTOMER"
    assert api.get(ACCOUNTS).status_code == 200
    assert api.get(CUSTOMERS).status_code == 500
