"""The Re-Leased simulator's faults: each kind, matching, probability, next N, delay."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from released_intacct.fakes.simulators.released.app import create_app
from released_intacct.fakes.simulators.released.client import SyncClient
from released_intacct.fakes.simulators.released.faults import ConnectionDroppedError
from released_intacct.fakes.simulators.released.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
AUTH = {"Authorization": "Bearer key-1", "X-Company-Id": "C1"}
CONTACT = {"name": "Greenleaf Florists"}


def make(seed: int | None = 7) -> tuple[Simulator, SyncClient]:
    sim = Simulator(clock=lambda: NOW, fault_seed=seed)
    sim.load(sim.add_company("C1", "key-1"), {"contacts": [{"id": "con-1", "name": "Harbour"}]})
    sim.add_company("C2", "key-2")
    return sim, SyncClient(create_app(sim), headers=AUTH)


@pytest.fixture
def sim_api() -> tuple[Simulator, SyncClient]:
    return make()


def fault(api: SyncClient, **rule: object) -> dict[str, object]:
    reply = api.post("/_sim/faults", rule)
    assert reply.status_code == 201, reply.text
    found: dict[str, object] = reply.json()
    return found


def create(api: SyncClient, key: str = "k-1") -> httpx.Response:
    return api.post("/api/contacts", CONTACT, headers={"Idempotency-Key": key})


def count(sim: Simulator) -> int:
    return len(sim.companies["C1"].tables["contacts"])


def test_throttle_is_429_with_retry_after_and_does_nothing(
    sim_api: tuple[Simulator, SyncClient],
) -> None:
    sim, api = sim_api
    fault(api, kind="throttle", retryAfter=7, times=1)
    reply = create(api)
    assert reply.status_code == 429
    assert reply.headers["retry-after"] == "7"
    assert reply.json()["error"]["code"] == "rate_limited"
    assert count(sim) == 1
    assert create(api).status_code == 201


def test_server_error_is_500_and_does_nothing(sim_api: tuple[Simulator, SyncClient]) -> None:
    sim, api = sim_api
    fault(api, kind="server_error", times=1)
    reply = create(api)
    assert (reply.status_code, reply.json()["error"]["code"]) == (500, "server_error")
    assert count(sim) == 1


def test_timeout_after_commit_is_524_after_the_work_and_a_retry_replays(
    sim_api: tuple[Simulator, SyncClient],
) -> None:
    sim, api = sim_api
    fault(api, kind="timeout_after_commit", times=1)
    reply = create(api)
    assert (reply.status_code, reply.content) == (524, b"")
    assert count(sim) == 2
    retry = create(api)
    assert (retry.status_code, retry.headers["idempotent-replayed"]) == (201, "true")
    assert count(sim) == 2


def test_drop_breaks_the_connection_without_doing_the_work(
    sim_api: tuple[Simulator, SyncClient],
) -> None:
    sim, api = sim_api
    fault(api, kind="drop", times=1)
    with pytest.raises(ConnectionDroppedError):
        create(api)
    assert count(sim) == 1
    assert create(api).status_code == 201


def test_malformed_runs_the_request_and_answers_something_that_is_not_json(
    sim_api: tuple[Simulator, SyncClient],
) -> None:
    sim, api = sim_api
    fault(api, kind="malformed", method="POST", times=1)
    reply = create(api)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.content)
    assert count(sim) == 2


def test_truncated_keeps_the_status_and_half_the_body(
    sim_api: tuple[Simulator, SyncClient],
) -> None:
    _, api = sim_api
    whole = api.get("/api/contacts").content
    fault(api, kind="truncated", times=1)
    reply = api.get("/api/contacts")
    assert reply.status_code == 200
    assert reply.content == whole[: len(whole) // 2]


def test_delay_adds_up_and_does_not_decide(sim_api: tuple[Simulator, SyncClient]) -> None:
    _, api = sim_api
    fault(api, kind="delay", delayMs=60, times=1)
    fault(api, kind="delay", delayMs=60, times=1)
    started = time.monotonic()
    assert api.get("/api/contacts").status_code == 200
    assert time.monotonic() - started >= 0.12
    rules = api.get("/_sim/faults").json()["faults"]
    assert [rule["remaining"] for rule in rules] == [0, 0]


OTHER = {"Authorization": "Bearer key-2", "X-Company-Id": "C2"}
Request = tuple[str, str, dict[str, str]]
POST: Request = ("POST", "/api/contacts", {})
GET: Request = ("GET", "/api/contacts", {})


@pytest.mark.parametrize(
    ("rule", "hit", "miss"),
    [
        ({"method": "POST"}, POST, GET),
        ({"resource": "invoices"}, ("GET", "/api/invoices", {}), GET),
        ({"company": "C1"}, GET, ("GET", "/api/contacts", OTHER)),
    ],
)
def test_rules_match_by_method_resource_and_company(
    rule: dict[str, str],
    hit: Request,
    miss: Request,
) -> None:
    _, api = make()
    fault(api, kind="server_error", **rule)
    for (method, path, headers), faulted in ((miss, False), (hit, True)):
        sent = {**headers, "Idempotency-Key": f"k-{faulted}"}
        if method == "POST":
            reply = api.request(method, path, headers=sent, body=CONTACT)
        else:
            reply = api.request(method, path, headers=sent)
        assert (reply.status_code == 500) is faulted
        assert reply.status_code in (200, 201, 500)


def test_control_routes_are_never_faulted(sim_api: tuple[Simulator, SyncClient]) -> None:
    _, api = sim_api
    fault(api, kind="server_error")
    assert api.get("/_sim/stats").status_code == 200
    assert api.get("/_sim/faults").status_code == 200


def outcomes(seed: int) -> list[int]:
    _, api = make(seed)
    fault(api, kind="server_error", probability=0.5)
    return [api.get("/api/contacts").status_code for _ in range(40)]


def test_probability_draws_from_the_seeded_rng() -> None:
    first = outcomes(11)
    assert first == outcomes(11)
    assert 5 < first.count(500) < 35
    assert set(first) == {200, 500}


def test_next_n_fires_exactly_n_times_then_stays_listed(
    sim_api: tuple[Simulator, SyncClient],
) -> None:
    sim, api = sim_api
    fault(api, kind="throttle", times=2)
    codes = [api.get("/api/contacts").status_code for _ in range(3)]
    assert codes == [429, 429, 200]
    (rule,) = api.get("/_sim/faults").json()["faults"]
    assert (rule["remaining"], rule["fired"]) == (0, 2)
    assert sim.faults.by_company["C1"] == 2


def test_the_first_deciding_rule_wins(sim_api: tuple[Simulator, SyncClient]) -> None:
    _, api = sim_api
    fault(api, kind="throttle", times=1)
    fault(api, kind="server_error", times=1)
    assert api.get("/api/contacts").status_code == 429
    assert api.get("/api/contacts").status_code == 500
    assert api.get("/api/contacts").status_code == 200
