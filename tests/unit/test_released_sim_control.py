"""The Re-Leased simulator's control API under /_sim: reset, companies, records, faults, stats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes.simulators.released.app import create_app
from released_intacct.fakes.simulators.released.client import SyncClient
from released_intacct.fakes.simulators.released.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
COMPANY = {
    "companyId": "C9",
    "apiKey": "key-9",
    "records": {
        "accounts": [{"id": "acc-1", "code": "4000", "name": "Rent"}],
        "contacts": [{"id": "con-1", "name": "Harbour"}, {"name": "Northwind"}],
    },
}


@pytest.fixture
def sim() -> Simulator:
    return Simulator(clock=lambda: NOW, fault_seed=3)


@pytest.fixture
def control(sim: Simulator) -> SyncClient:
    return SyncClient(create_app(sim))


def fields(reply: object) -> list[str]:
    return [d["field"] for d in reply.json()["error"]["details"]]  # type: ignore[attr-defined]


def test_reset_with_the_demo_seed_then_empty(control: SyncClient, sim: Simulator) -> None:
    seeded = control.post("/_sim/reset", {"seed": "demo"})
    assert seeded.json() == {"reset": True, "companies": ["RL-DEMO"]}
    control.post("/_sim/faults", {"kind": "throttle"})
    assert control.post("/_sim/reset").json()["companies"] == []
    assert (sim.companies, sim.faults.rules) == ({}, [])
    assert control.post("/_sim/reset", {"seed": "none"}).json()["companies"] == []


@pytest.mark.parametrize(
    ("body", "field"), [({"seed": "big"}, "seed"), ({"sed": "demo"}, "sed"), ([1], "body")]
)
def test_reset_refuses_an_unknown_seed_or_field(
    control: SyncClient, body: object, field: str
) -> None:
    reply = control.post("/_sim/reset", body)
    assert reply.status_code == 400
    assert fields(reply) == [field]


def test_a_company_is_created_with_its_records_and_is_usable(control: SyncClient) -> None:
    reply = control.post("/_sim/companies", COMPANY)
    assert reply.status_code == 201
    assert reply.json() == {"companyId": "C9", "records": 3}
    api_headers = {"Authorization": "Bearer key-9", "X-Company-Id": "C9"}
    listed = control.request("GET", "/api/contacts", headers=api_headers).json()
    assert [item["name"] for item in listed["items"]] == ["Harbour", "Northwind"]
    again = control.post("/_sim/companies", COMPANY)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "company_exists")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"companyId": ""}, "companyId"),
        ({"apiKey": None}, "apiKey"),
        ({"records": {"widgets": []}}, "records"),
        ({"records": {"contacts": {}}}, "records"),
        ({"secret": 1}, "secret"),
    ],
)
def test_a_bad_company_body_is_400(
    control: SyncClient, change: dict[str, object], field: str
) -> None:
    reply = control.post("/_sim/companies", {**COMPANY, **change})
    assert reply.status_code == 400
    assert fields(reply) == [field]


def test_a_record_that_cannot_load_is_422_and_the_company_is_not_kept(
    control: SyncClient, sim: Simulator
) -> None:
    records = {"contacts": [{"name": "ok"}, {"name": "bad", "role": "Landlord"}]}
    reply = control.post("/_sim/companies", {**COMPANY, "records": records})
    assert reply.status_code == 422
    assert fields(reply) == ["records.contacts[1].role"]
    assert sim.companies == {}


def test_records_of_a_resource_in_feed_order(control: SyncClient) -> None:
    control.post("/_sim/companies", COMPANY)
    reply = control.get("/_sim/companies/C9/records/contacts").json()
    assert (reply["companyId"], reply["resource"], reply["total"]) == ("C9", "contacts", 2)
    assert [r["name"] for r in reply["records"]] == ["Harbour", "Northwind"]
    assert control.get("/_sim/companies/NOPE/records/contacts").status_code == 404
    assert control.get("/_sim/companies/C9/records/widgets").status_code == 404


def test_faults_are_added_listed_removed_and_cleared(control: SyncClient) -> None:
    added = control.post("/_sim/faults", {"kind": "delay", "delayMs": 5, "resource": "invoices"})
    assert added.status_code == 201
    rule = added.json()
    assert (rule["id"], rule["kind"], rule["delayMs"], rule["resource"]) == (
        "fault-1", "delay", 5, "invoices",
    )  # fmt: skip
    control.post("/_sim/faults", {"kind": "throttle", "probability": 0.25, "times": 3})
    assert [r["id"] for r in control.get("/_sim/faults").json()["faults"]] == ["fault-1", "fault-2"]
    assert control.delete("/_sim/faults/fault-1").json() == {"cleared": 1}
    assert control.delete("/_sim/faults/fault-1").status_code == 404
    assert control.delete("/_sim/faults").json() == {"cleared": 1}
    assert control.get("/_sim/faults").json() == {"faults": []}


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({}, "kind"),
        ({"kind": "explode"}, "kind"),
        ({"kind": "throttle", "method": "PATCH"}, "method"),
        ({"kind": "throttle", "resource": "widgets"}, "resource"),
        ({"kind": "throttle", "probability": 0}, "probability"),
        ({"kind": "throttle", "probability": "1"}, "probability"),
        ({"kind": "throttle", "times": 0}, "times"),
        ({"kind": "throttle", "delayMs": 5}, "delayMs"),
        ({"kind": "delay"}, "delayMs"),
        ({"kind": "drop", "retryAfter": 2}, "retryAfter"),
        ({"kind": "drop", "when": "now"}, "when"),
    ],
)
def test_a_bad_fault_rule_is_400_naming_the_field(
    control: SyncClient, rule: dict[str, object], field: str
) -> None:
    reply = control.post("/_sim/faults", rule)
    assert reply.status_code == 400
    assert fields(reply) == [field]


def test_stats_count_requests_per_company_and_resource(control: SyncClient) -> None:
    control.post("/_sim/companies", COMPANY)
    headers = {"Authorization": "Bearer key-9", "X-Company-Id": "C9"}
    for path in ("/api/contacts", "/api/contacts", "/api/invoices"):
        control.request("GET", path, headers=headers)
    control.request("GET", "/api/contacts", headers={"X-Company-Id": "UNKNOWN"})
    control.post("/_sim/faults", {"kind": "throttle", "times": 1})
    control.request("GET", "/api/accounts", headers=headers)
    assert control.get("/_sim/stats").json() == {
        "companies": {
            "C9": {
                "requests": 4,
                "resources": {"accounts": 1, "contacts": 2, "invoices": 1},
                "faultsFired": 1,
            }
        },
        "resources": {"accounts": 1, "contacts": 3, "invoices": 1},
        "faultsFired": 1,
    }


def test_advancing_the_clock_stamps_later_writes_and_modified_since_sees_them(
    control: SyncClient, sim: Simulator
) -> None:
    control.post("/_sim/companies", COMPANY)
    reply = control.post("/_sim/clock/advance", {"seconds": 7200})
    assert reply.json() == {"now": "2026-05-01T14:00:00+00:00", "shiftedS": 7200.0}
    headers = {"Authorization": "Bearer key-9", "X-Company-Id": "C9"}
    made = control.post(
        "/api/contacts", {"name": "Later"}, headers={**headers, "Idempotency-Key": "k1"}
    )
    assert made.status_code == 201
    assert made.json()["lastModified"] == "2026-05-01T14:00:00.000000Z"
    assert sim.clock() == datetime(2026, 5, 1, 14, 0, tzinfo=UTC)
    since = {"modifiedSince": "2026-05-01T13:00:00Z"}
    listed = control.request("GET", "/api/contacts", headers=headers, params=since).json()
    assert [item["name"] for item in listed["items"]] == ["Later"]
    everything = control.request("GET", "/api/contacts", headers=headers).json()["items"]
    assert [item["lastModified"] for item in everything] == sorted(
        item["lastModified"] for item in everything
    )


@pytest.mark.parametrize(("body", "field"), [({"seconds": -1}, "seconds"), ({}, "seconds")])
def test_the_clock_never_moves_back(control: SyncClient, body: object, field: str) -> None:
    reply = control.post("/_sim/clock/advance", body)
    assert (reply.status_code, fields(reply)) == (400, [field])
    assert control.post("/_sim/clock/advance", {"seconds": 0}).json()["shiftedS"] == 0
