"""The Intacct simulator's control API under /_sim: every route, its validation and the stats."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH, create_app
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
DEMO = {
    "company_id": "DEMO",
    "senders": {"demo-sender": "demo-sender-pass"},
    "users": {"ws_user": "ws_pass"},
    "entities": {"E100": "East"},
    "records": {
        "CUSTOMER": [{"CUSTOMERID": f"C{n}", "NAME": f"Customer {n}"} for n in range(1, 6)]
    },
}
READ = "<read><object>CUSTOMER</object><keys>1</keys><fields>*</fields></read>"
CREATE = "<create><CUSTOMER><NAME>Harbour Cafe</NAME></CUSTOMER></create>"


@pytest.fixture
def sim() -> Simulator:
    return Simulator(clock=lambda: NOW, seed=3)


class Control:
    """A blocking client over ``httpx.ASGITransport`` (one event loop per call)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def request(self, method: str, path: str, **options: object) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
                return await client.request(method, path, **options)  # type: ignore[arg-type]

        return asyncio.run(send())

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)

    def post(self, path: str, **options: object) -> httpx.Response:
        return self.request("POST", path, **options)

    def delete(self, path: str) -> httpx.Response:
        return self.request("DELETE", path)


@pytest.fixture
def client(sim: Simulator) -> Control:
    client = Control(create_app(sim))
    assert client.post("/_sim/companies", json=DEMO).status_code == 201
    return client


def gateway(client: Control, *functions: str, **options: object) -> int:
    body = xmlgw.request(*functions, **options)  # type: ignore[arg-type]
    status: int = client.post(GATEWAY_PATH, content=body).status_code
    return status


def test_add_company_returns_201_and_the_company_answers(client: Control) -> None:
    assert gateway(client, READ) == 200
    response = client.post("/_sim/companies", json={**DEMO, "company_id": "SECOND"})
    assert (response.status_code, response.json()) == (201, {"company_id": "SECOND"})


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({**DEMO, "company_id": ""}, 422, "company_id"),
        ({**DEMO, "company_id": "X", "users": {"u": 1}}, 422, "users"),
        ({**DEMO, "company_id": "X", "settings": {"colour": "red"}}, 422, "colour"),
        ({**DEMO, "company_id": "X", "settings": {"multi_currency": "yes"}}, 422, "multi_currency"),
        ({**DEMO, "company_id": "X", "records": {"NOPE": []}}, 422, "NOPE"),
        ([1, 2], 422, "body"),
        (DEMO, 409, "DEMO"),
    ],
)
def test_add_company_refusals_name_the_field(
    client: Control, body: object, status: int, named: str
) -> None:
    response = client.post("/_sim/companies", json=body)
    assert response.status_code == status
    assert named in response.json()["error"]


def test_a_body_that_is_not_json_is_a_400(client: Control) -> None:
    response = client.post("/_sim/companies", content=b"{nope")
    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_records_lists_one_object_with_limit_and_offset(client: Control) -> None:
    everything = client.get("/_sim/companies/DEMO/records/customer").json()
    assert everything["total"] == 5
    assert [r["CUSTOMERID"] for r in everything["records"]] == ["C1", "C2", "C3", "C4", "C5"]
    page = client.get("/_sim/companies/DEMO/records/CUSTOMER?limit=2&offset=3").json()
    assert (page["object"], page["offset"], page["limit"]) == ("CUSTOMER", 3, 2)
    assert [r["CUSTOMERID"] for r in page["records"]] == ["C4", "C5"]
    assert client.get("/_sim/companies/DEMO/records/VENDOR").json()["records"] == []


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/_sim/companies/NOPE/records/CUSTOMER", 404, "company_id"),
        ("/_sim/companies/DEMO/records/NOPE", 404, "object"),
        ("/_sim/companies/DEMO/records/CUSTOMER?limit=0", 422, "limit"),
        ("/_sim/companies/DEMO/records/CUSTOMER?limit=abc", 422, "limit"),
        ("/_sim/companies/DEMO/records/CUSTOMER?offset=-1", 422, "offset"),
    ],
)
def test_records_refusals(client: Control, path: str, status: int, field: str) -> None:
    response = client.get(path)
    assert (response.status_code, response.json()["field"]) == (status, field)


def test_add_list_and_clear_faults(client: Control) -> None:
    created = client.post(
        "/_sim/faults",
        json={"kind": "server_error", "function": "read", "object": "customer", "times": 1},
    )
    assert created.status_code == 201
    rule = created.json()
    assert rule["object"] == "CUSTOMER"
    assert (rule["remaining"], rule["fired"], rule["probability"]) == (1, 0, 1.0)
    assert gateway(client, READ) == 500
    assert gateway(client, READ) == 200
    listed = client.get("/_sim/faults").json()["faults"]
    assert [(r["rule_id"], r["fired"], r["remaining"]) for r in listed] == [(rule["rule_id"], 1, 0)]
    assert client.delete("/_sim/faults").json() == {"cleared": 1}
    assert client.get("/_sim/faults").json() == {"faults": []}


def test_delete_one_fault(client: Control) -> None:
    first = client.post("/_sim/faults", json={"kind": "throttle"}).json()["rule_id"]
    second = client.post("/_sim/faults", json={"kind": "delay", "delay_ms": 5}).json()["rule_id"]
    assert client.delete(f"/_sim/faults/{first}").status_code == 200
    assert [r["rule_id"] for r in client.get("/_sim/faults").json()["faults"]] == [second]
    missing = client.delete(f"/_sim/faults/{first}")
    assert (missing.status_code, missing.json()["field"]) == (404, "rule_id")


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({}, "kind"),
        ({"kind": "explode"}, "kind"),
        ({"kind": "throttle", "function": "readEverything"}, "function"),
        ({"kind": "throttle", "function": ""}, "function"),
        ({"kind": "throttle", "object": "NOPE"}, "object"),
        ({"kind": "throttle", "company": 5}, "company"),
        ({"kind": "throttle", "probability": 0}, "probability"),
        ({"kind": "throttle", "probability": 1.5}, "probability"),
        ({"kind": "throttle", "probability": "half"}, "probability"),
        ({"kind": "throttle", "probability": True}, "probability"),
        ({"kind": "throttle", "times": 0}, "times"),
        ({"kind": "throttle", "times": 1.5}, "times"),
        ({"kind": "throttle", "retry_after": -1}, "retry_after"),
        ({"kind": "server_error", "retry_after": 3}, "retry_after"),
        ({"kind": "rate_limited_200", "retry_after": 3}, "retry_after"),
        ({"kind": "stale_session", "delay_ms": 3}, "delay_ms"),
        ({"kind": "temporarily_offline", "object": "NOPE"}, "object"),
        ({"kind": "delay"}, "delay_ms"),
        ({"kind": "delay", "delay_ms": 0}, "delay_ms"),
        ({"kind": "throttle", "delay_ms": 10}, "delay_ms"),
        ({"kind": "throttle", "colour": "red"}, "colour"),
    ],
)
def test_fault_rule_validation_names_the_field(
    client: Control, rule: dict[str, object], field: str
) -> None:
    response = client.post("/_sim/faults", json=rule)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["error"].startswith(f"{field}: ")
    assert client.get("/_sim/faults").json() == {"faults": []}


def test_correction_8_fault_kinds_are_armed_over_the_control_api(client: Control) -> None:
    for kind in ("rate_limited_200", "temporarily_offline", "stale_session"):
        created = client.post("/_sim/faults", json={"kind": kind, "times": 1, "function": "read"})
        assert created.status_code == 201, created.json()
        assert created.json()["kind"] == kind
    assert gateway(client, READ) == 200  # rate_limited_200: HTTP 200, a GW-0010 body
    session_id = session(client)  # a login: stale_session does not match it
    assert gateway(client, READ, auth=session_id) == 200  # temporarily_offline: a failed result
    assert gateway(client, READ, auth=session_id) == 401  # stale_session
    fired = {r["kind"]: r["fired"] for r in client.get("/_sim/faults").json()["faults"]}
    assert fired == {"rate_limited_200": 1, "temporarily_offline": 1, "stale_session": 1}


def test_fault_body_must_be_an_object(client: Control) -> None:
    response = client.post("/_sim/faults", json=["throttle"])
    assert (response.status_code, response.json()["field"]) == (422, "body")


def session(client: Control, **options: object) -> str:
    body = xmlgw.request("<getAPISession/>", **options)  # type: ignore[arg-type]
    reply = xmlgw.parse(client.post(GATEWAY_PATH, content=body).content)
    return reply.findtext("operation/result/data/api/sessionid", "")


def test_expire_sessions_of_one_company_or_all(client: Control, sim: Simulator) -> None:
    client.post("/_sim/companies", json={**DEMO, "company_id": "SECOND"})
    session(client)
    session(client, auth=xmlgw.Login(company_id="SECOND"))
    assert client.post("/_sim/sessions/expire", json={"company_id": "SECOND"}).json() == {
        "expired": 1
    }
    assert [s.company_id for s in sim.sessions.values()] == ["DEMO"]
    assert client.post("/_sim/sessions/expire").json() == {"expired": 1}
    assert sim.sessions == {}
    unknown = client.post("/_sim/sessions/expire", json={"company_id": "NOPE"})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "company_id")


def test_limits_global_and_per_company(client: Control, sim: Simulator) -> None:
    response = client.post("/_sim/limits", json={"concurrency": 5, "latency_ms": 10})
    assert response.json() == {"company_id": None, "concurrency": 5, "latency_ms": 10}
    response = client.post("/_sim/limits", json={"company_id": "DEMO", "concurrency": 1})
    assert response.json() == {"company_id": "DEMO", "concurrency": 1, "latency_ms": 10}
    assert (sim.concurrency, sim.concurrency_for("DEMO"), sim.latency_for("DEMO")) == (5, 1, 10)
    for body, field in (
        ({"concurrency": 0}, "concurrency"),
        ({"latency_ms": -5}, "latency_ms"),
        ({"company_id": "NOPE"}, "company_id"),
        ({"speed": 1}, "speed"),
    ):
        refused = client.post("/_sim/limits", json=body)
        assert (refused.status_code, refused.json()["field"]) == (422, field)


def test_stats_count_requests_functions_transactions_and_faults(client: Control) -> None:
    client.post("/_sim/companies", json={**DEMO, "company_id": "QUIET"})
    gateway(client, READ, CREATE)
    gateway(client, READ)
    client.post("/_sim/faults", json={"kind": "server_error", "times": 1})
    gateway(client, READ)
    gateway(client, READ, sender=("demo-sender", "wrong"))
    # the faulted request and the refused sender ran nothing, so they are not counted
    stats = client.get("/_sim/stats").json()
    assert stats["faults_fired"] == 1
    assert stats["companies"]["DEMO"] == {
        "requests": 2,
        "functions": 3,
        "transactions": 3,
        "faults_fired": 1,
        "concurrency_refused": 0,
        "in_flight": 0,
    }
    assert stats["companies"]["QUIET"]["requests"] == 0


def test_reset_empties_the_simulator(client: Control, sim: Simulator) -> None:
    client.post("/_sim/faults", json={"kind": "throttle"})
    response = client.post("/_sim/reset")
    assert response.json() == {"reset": True, "companies": []}
    assert (sim.companies, sim.faults.rules) == ({}, [])
    assert client.post("/_sim/reset", json={"seed": "none"}).status_code == 200
    assert client.get("/_sim/stats").json() == {"companies": {}, "faults_fired": 0}


@pytest.mark.parametrize(
    ("body", "status"),
    [({"seed": "bogus"}, 422), ({"seed": 1}, 422), ({"colour": "red"}, 422)],
)
def test_reset_refusals_leave_the_state_alone(
    client: Control, sim: Simulator, body: object, status: int
) -> None:
    response = client.post("/_sim/reset", json=body)
    assert response.status_code == status
    assert list(sim.companies) == ["DEMO"]


def test_reset_with_the_demo_seed(client: Control, sim: Simulator) -> None:
    before = sim.companies["DEMO"]
    response = client.post("/_sim/reset", json={"seed": "demo"})
    assert response.status_code == 200
    assert response.json()["companies"] == ["DEMO"]
    demo = sim.companies["DEMO"]
    assert demo is not before
    assert demo.entities.keys() >= {"E100", "E200"}
    assert demo.table("ARINVOICE")
    assert sim.senders == {"demo-sender": "demo-sender-pass"}


def _customers_since(client: Control, since: str) -> list[str]:
    query = (
        "<readByQuery><object>CUSTOMER</object><fields>CUSTOMERID</fields>"
        f"<query>WHENMODIFIED &gt;= '{since}'</query><pagesize>100</pagesize></readByQuery>"
    )
    reply = client.post(GATEWAY_PATH, content=xmlgw.request(query))
    (result,) = xmlgw.results(reply.content)
    return [row.findtext("CUSTOMERID", "") for row in result.iter("customer")]


def test_advancing_the_clock_stamps_later_writes_and_reads_since_a_cursor_see_them(
    client: Control, sim: Simulator
) -> None:
    assert gateway(client, CREATE) == 200
    reply = client.post("/_sim/clock/advance", json={"seconds": 7200})
    assert reply.json() == {"now": "2026-05-01T14:00:00+00:00", "shifted_s": 7200.0}
    assert gateway(client, CREATE.replace("Harbour Cafe", "Later Cafe")) == 200
    records = client.get("/_sim/companies/DEMO/records/CUSTOMER").json()["records"]
    stamps = {row["NAME"]: row["WHENMODIFIED"] for row in records}
    assert stamps["Harbour Cafe"] == "05/01/2026 12:00:00"
    assert stamps["Later Cafe"] == "05/01/2026 14:00:00"
    audit = client.get("/_sim/companies/DEMO/records/AUDITHISTORY").json()["records"]
    assert [row["ACCESSTIME"] for row in audit][-2:] == [
        "05/01/2026 12:00:00",
        "05/01/2026 14:00:00",
    ]
    later = {row["NAME"]: row["CUSTOMERID"] for row in records}["Later Cafe"]
    assert _customers_since(client, "05/01/2026 13:00:00") == [later]
    assert len(_customers_since(client, "05/01/2026 12:00:00")) == 7
    assert sim.clock() == datetime(2026, 5, 1, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "named"), [({"seconds": -1}, "seconds"), ({}, "seconds"), ({"hours": 2}, "hours")]
)
def test_the_clock_never_moves_back(client: Control, body: object, named: str) -> None:
    reply = client.post("/_sim/clock/advance", json=body)
    assert (reply.status_code, reply.json()["field"]) == (422, named)
    assert client.post("/_sim/clock/advance", json={"seconds": 0}).json()["shifted_s"] == 0
