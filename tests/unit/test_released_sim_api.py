"""The Re-Leased simulator's REST API: auth, get, create, idempotency, update, archive, lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from released_intacct.fakes.simulators.released.app import create_app
from released_intacct.fakes.simulators.released.client import SyncClient
from released_intacct.fakes.simulators.released.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer key-1", "X-Company-Id": "C1"}
BASE = {
    "accounts": [{"id": "acc-1", "code": "4000", "name": "Rental Income"}],
    "tax-types": [{"id": "tax-1", "name": "Standard 10%", "rate": "10"}],
    "contacts": [{"id": "con-1", "name": "Harbour Cafe Ltd", "role": "Customer"}],
}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Simulator:
    sim = Simulator(clock=clock)
    sim.load(sim.add_company("C1", "key-1"), BASE)
    sim.add_company("C2", "key-2")
    return sim


@pytest.fixture
def api(sim: Simulator) -> SyncClient:
    return SyncClient(create_app(sim), headers=AUTH)


def create(api: SyncClient, resource: str, body: object, key: str = "k-1") -> httpx.Response:
    return api.post(f"/api/{resource}", body, headers={"Idempotency-Key": key})


def error(reply: httpx.Response) -> dict[str, object]:
    found: dict[str, object] = reply.json()["error"]
    return found


def fields(reply: httpx.Response) -> list[str]:
    return [detail["field"] for detail in reply.json()["error"]["details"]]


# --- authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic key-1"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer x"},
    ],
)
def test_a_missing_or_unknown_bearer_key_is_401(sim: Simulator, headers: dict[str, str]) -> None:
    reply = SyncClient(create_app(sim)).request(
        "GET", "/api/contacts", headers={**headers, "X-Company-Id": "C1"}
    )
    assert reply.status_code == 401
    assert error(reply)["code"] == "unauthorized"
    assert reply.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("company", ["C2", "NOPE"])
def test_a_key_of_another_company_is_403(api: SyncClient, company: str) -> None:
    reply = api.request("GET", "/api/contacts", headers={"X-Company-Id": company})
    assert reply.status_code == 403
    assert error(reply)["code"] == "forbidden"


def test_a_missing_company_header_is_400_naming_it(sim: Simulator) -> None:
    reply = SyncClient(create_app(sim), headers={"Authorization": "Bearer key-1"}).get(
        "/api/contacts"
    )
    assert reply.status_code == 400
    assert fields(reply) == ["X-Company-Id"]


def test_each_company_sees_only_its_own_records(sim: Simulator) -> None:
    other = SyncClient(
        create_app(sim), headers={"Authorization": "Bearer key-2", "X-Company-Id": "C2"}
    )
    assert other.get("/api/contacts").json()["totalCount"] == 0
    assert other.get("/api/contacts/con-1").status_code == 404


# --- get one, unknown paths ----------------------------------------------------------------------


def test_get_one_returns_the_record_and_404_when_absent(api: SyncClient) -> None:
    reply = api.get("/api/contacts/con-1")
    assert reply.status_code == 200
    record = reply.json()
    assert (record["id"], record["name"], record["version"]) == ("con-1", "Harbour Cafe Ltd", 1)
    assert record["lastModified"] == "2026-05-01T12:00:00.000000Z"
    missing = api.get("/api/contacts/con-404")
    assert missing.status_code == 404
    assert error(missing)["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/widgets", 404),
        ("GET", "/api/contacts/con-1/archive", 405),
        ("POST", "/api/invoices/x/archive", 404),
        ("POST", "/api/contacts/con-1/approve", 404),
        ("DELETE", "/api/contacts/con-1", 405),
        ("GET", "/nowhere", 404),
    ],
)
def test_unknown_paths_and_methods_get_a_json_error(
    api: SyncClient, method: str, path: str, status: int
) -> None:
    reply = api.request(method, path)
    assert reply.status_code == status
    assert error(reply)["code"] in ("not_found", "method_not_allowed")


# --- create --------------------------------------------------------------------------------------


def test_create_returns_201_with_a_new_id_version_1_and_defaults(api: SyncClient) -> None:
    reply = create(api, "contacts", {"name": "Greenleaf Florists", "role": "Customer"})
    assert reply.status_code == 201
    record = reply.json()
    assert record["id"].startswith("con-")
    assert (record["version"], record["status"], record["email"]) == (1, "Active", "")
    assert record["postalAddress"]["townCity"] == ""
    assert api.get(f"/api/contacts/{record['id']}").json() == record


def test_create_keeps_a_proposed_id_when_free_and_refuses_a_taken_one(api: SyncClient) -> None:
    kept = create(api, "accounts", {"id": "ri-abc", "code": "4100", "name": "Service"}, "k-a")
    assert (kept.status_code, kept.json()["id"]) == (201, "ri-abc")
    taken = create(api, "accounts", {"id": "acc-1", "code": "4200", "name": "Other"}, "k-b")
    assert taken.status_code == 409
    assert error(taken)["code"] == "id_taken"


def test_create_without_an_idempotency_key_is_400(api: SyncClient) -> None:
    reply = api.post("/api/contacts", {"name": "No Key"})
    assert reply.status_code == 400
    assert fields(reply) == ["Idempotency-Key"]
    assert api.get("/api/contacts").json()["totalCount"] == 1


def test_validation_names_every_bad_field_with_its_json_path(api: SyncClient) -> None:
    body = {
        "name": "  ",
        "email": 7,
        "currency": "usd",
        "role": "Landlord",
        "postalAddress": {"city": "x"},
        "nickname": "Bob",
    }
    reply = create(api, "contacts", body)
    assert reply.status_code == 400
    assert error(reply)["code"] == "validation_failed"
    assert sorted(fields(reply)) == [
        "currency", "email", "name", "nickname", "postalAddress.city", "role",
    ]  # fmt: skip


def test_money_must_be_a_decimal_string_and_never_becomes_a_float(api: SyncClient) -> None:
    line = {"accountId": "acc-1", "unitPrice": 12.5}
    body = {"type": "Income", "contactId": "con-1", "issueDate": "2026-04-01", "currency": "USD"}
    refused = create(api, "invoices", {**body, "lines": [line]}, "k-f")
    assert refused.status_code == 400
    assert fields(refused) == ["lines[0].unitPrice"]
    line = {"accountId": "acc-1", "unitPrice": "0.10", "quantity": 3}
    made = create(api, "invoices", {**body, "lines": [line]}, "k-s").json()
    assert made["total"] == "0.30"
    assert made["lines"][0]["quantity"] == "3"
    for text in ("1e3", "1,200.00", " 5.00", "+5", "5."):
        line = {"accountId": "acc-1", "unitPrice": text}
        reply = create(api, "invoices", {**body, "lines": [line]}, "k-t")
        assert fields(reply) == ["lines[0].unitPrice"], text


def test_decimals_go_out_in_plain_notation(api: SyncClient) -> None:
    raw = (
        b'{"type": "Income", "contactId": "con-1", "issueDate": "2026-04-01", "currency": "USD",'
        b' "lines": [{"accountId": "acc-1", "unitPrice": "2.00", "quantity": 1E+2}]}'
    )
    reply = api.request("POST", "/api/invoices", headers={"Idempotency-Key": "k"}, content=raw)
    line = reply.json()["lines"][0]
    assert (line["quantity"], line["lineAmount"]) == ("100", "200.00")


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"{not json", "is not valid JSON"), (b"null", "must be a JSON object"),
     (b'{"name": NaN}', "is not valid JSON"), (b"[1]", "must be a JSON object")],
)  # fmt: skip
def test_a_body_that_is_not_a_json_object_is_400(
    api: SyncClient, content: bytes, message: str
) -> None:
    reply = api.request("POST", "/api/contacts", headers={"Idempotency-Key": "k"}, content=content)
    assert reply.status_code == 400
    assert fields(reply) == ["body"]
    assert message in reply.json()["error"]["details"][0]["message"]


# --- idempotency ---------------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_first_reply(api: SyncClient, sim: Simulator) -> None:
    body = {"name": "Greenleaf Florists"}
    first = create(api, "contacts", body, "k-same")
    again = create(api, "contacts", body, "k-same")
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert len(sim.companies["C1"].tables["contacts"]) == 2


def test_the_same_key_with_another_body_is_422(api: SyncClient) -> None:
    create(api, "contacts", {"name": "Greenleaf Florists"}, "k-reuse")
    reply = create(api, "contacts", {"name": "Someone Else"}, "k-reuse")
    assert reply.status_code == 422
    assert error(reply)["code"] == "idempotency_key_reused"
    other_resource = create(api, "accounts", {"code": "1", "name": "x"}, "k-reuse")
    assert error(other_resource)["code"] == "idempotency_key_reused"


def test_a_refused_create_is_not_kept_so_its_key_can_be_retried(api: SyncClient) -> None:
    assert create(api, "contacts", {"name": ""}, "k-fix").status_code == 400
    assert create(api, "contacts", {"name": "Fixed"}, "k-fix").status_code == 201


def test_a_replay_is_kept_for_24_hours(api: SyncClient, clock: Clock, sim: Simulator) -> None:
    body = {"name": "Greenleaf Florists"}
    first = create(api, "contacts", body, "k-day").json()
    clock.now = NOW + timedelta(hours=23, minutes=59)
    assert create(api, "contacts", body, "k-day").json() == first
    clock.now = NOW + timedelta(hours=24)
    later = create(api, "contacts", body, "k-day")
    assert later.status_code == 201
    assert "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first["id"]
    assert len(sim.companies["C1"].tables["contacts"]) == 3


def test_look_up_by_idempotency_key_finds_the_record_created_with_it(api: SyncClient) -> None:
    made = create(api, "contacts", {"name": "Greenleaf Florists"}, "k-look").json()
    found = api.get("/api/contacts", idempotencyKey="k-look").json()
    assert [item["id"] for item in found["items"]] == [made["id"]]
    assert api.get("/api/contacts", idempotencyKey="k-none").json()["items"] == []
    assert api.get("/api/accounts", idempotencyKey="k-look").json()["items"] == []


# --- update --------------------------------------------------------------------------------------


def test_update_with_the_current_version_bumps_it(api: SyncClient, clock: Clock) -> None:
    current = api.get("/api/accounts/acc-1").json()
    clock.now = NOW + timedelta(minutes=5)
    reply = api.put("/api/accounts/acc-1", {**current, "name": "Rent"})
    assert reply.status_code == 200
    record = reply.json()
    assert (record["name"], record["version"]) == ("Rent", 2)
    assert record["lastModified"] == "2026-05-01T12:05:00.000000Z"


def test_a_stale_version_is_409_with_the_current_version(api: SyncClient) -> None:
    current = api.get("/api/accounts/acc-1").json()
    api.put("/api/accounts/acc-1", {**current, "name": "Rent"})
    stale = api.put("/api/accounts/acc-1", {**current, "name": "Lost update"})
    assert stale.status_code == 409
    assert error(stale)["code"] == "version_conflict"
    assert error(stale)["currentVersion"] == 2
    assert api.get("/api/accounts/acc-1").json()["name"] == "Rent"


@pytest.mark.parametrize(
    ("change", "field"),
    [({"version": None}, "version"), ({"version": "1"}, "version"), ({"id": "acc-2"}, "id")],
)
def test_update_needs_a_whole_version_and_the_path_id(
    api: SyncClient, change: dict[str, object], field: str
) -> None:
    current = api.get("/api/accounts/acc-1").json()
    reply = api.put("/api/accounts/acc-1", {**current, **change})
    assert reply.status_code == 400
    assert fields(reply) == [field]


def test_update_of_a_missing_record_is_404(api: SyncClient) -> None:
    assert api.put("/api/accounts/nope", {"version": 1}).status_code == 404


# --- archive, tracking options -------------------------------------------------------------------


@pytest.mark.parametrize(("resource", "record_id"), [("contacts", "con-1"), ("accounts", "acc-1"),
                                                     ("tax-types", "tax-1")])  # fmt: skip
def test_archive_and_unarchive(api: SyncClient, resource: str, record_id: str) -> None:
    archived = api.post(f"/api/{resource}/{record_id}/archive").json()
    assert (archived["status"], archived["version"]) == ("Archived", 2)
    assert api.post(f"/api/{resource}/{record_id}/archive").json()["version"] == 2
    assert api.get(f"/api/{resource}").json()["totalCount"] == 0
    assert api.get(f"/api/{resource}", includeArchived="true").json()["totalCount"] == 1
    active = api.post(f"/api/{resource}/{record_id}/unarchive").json()
    assert (active["status"], active["version"]) == ("Active", 3)
    assert api.post(f"/api/{resource}/nope/archive").status_code == 404


def test_tracking_options_are_written_through_their_category(api: SyncClient) -> None:
    body = {"name": "Location", "kind": "LOCATION", "options": [{"name": "East Region"}]}
    category = create(api, "tracking-categories", body).json()
    (east,) = category["options"]
    assert east["id"].startswith("opt-")
    assert east["status"] == "Active"
    options = [{**east, "status": "Archived"}, {"id": "opt-west", "name": "West Region"}]
    reply = api.put(f"/api/tracking-categories/{category['id']}", {**category, "options": options})
    assert reply.status_code == 200
    assert [(o["id"], o["status"]) for o in reply.json()["options"]] == [
        (east["id"], "Archived"), ("opt-west", "Active"),
    ]  # fmt: skip
    thief = {"name": "Other", "options": [{"id": "opt-west", "name": "Stolen"}]}
    refused = create(api, "tracking-categories", thief, "k-2")
    assert fields(refused) == ["options[0].id"]
    archived = api.post(f"/api/tracking-categories/{category['id']}/archive").json()
    assert archived["status"] == "Archived"


def test_tax_rates_and_kinds_are_checked(api: SyncClient) -> None:
    assert fields(create(api, "tax-types", {"name": "x", "rate": "101"}, "a")) == ["rate"]
    assert fields(create(api, "tax-types", {"name": "x", "rate": "ten"}, "b")) == ["rate"]
    for huge in ("1E+999999", "1E-99", "Infinity", "NaN", True):
        assert fields(create(api, "tax-types", {"name": "x", "rate": huge}, "b")) == ["rate"]
    made = create(api, "tax-types", {"name": "Reduced", "rate": Decimal("5.5")}, "c").json()
    assert made["rate"] == "5.5"
    refused = create(api, "tracking-categories", {"name": "x", "kind": "REGION"}, "d")
    assert fields(refused) == ["kind"]
