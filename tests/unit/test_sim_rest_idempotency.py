"""``Idempotency-Key`` on REST writes: the same reply for the same body within 48 hours (with
the cached-date header), 409 for another body, 409 after 48 hours until 60 days, 409 while the
first request still runs, a key per company, and no key on queries."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from released_intacct.fakes.restsim import API, RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CUSTOMERS = "/objects/accounts-receivable/customer"
KEY = {"Idempotency-Key": "outbox-0001"}


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    load_company(sim, company(), now=NOW)
    return sim


@pytest.fixture
def api(sim: Simulator) -> RestSim:
    return signed_in(sim)


def _customers(sim: Simulator) -> int:
    return len(sim.companies["DEMO"].table("CUSTOMER"))


def test_a_repeated_request_gets_the_first_reply_and_writes_once(
    sim: Simulator, api: RestSim
) -> None:
    first = api.post(CUSTOMERS, json={"name": "Once", "status": "active"}, headers=KEY)
    assert (first.status_code, first.headers["idempotency-key"]) == (201, "outbox-0001")
    assert "x-ia-idempotency-cached-date" not in first.headers
    count = _customers(sim)
    again = api.post(CUSTOMERS, json={"name": "Once", "status": "active"}, headers=KEY)
    assert (again.status_code, again.content) == (201, first.content)
    assert again.headers["x-ia-idempotency-cached-date"] == "2026-05-01T12:00:00Z"
    assert _customers(sim) == count


def test_a_failed_request_is_remembered_too(api: RestSim) -> None:
    first = api.post("/objects/general-ledger/account", json={"id": "1000"}, headers=KEY)
    again = api.post("/objects/general-ledger/account", json={"id": "1000"}, headers=KEY)
    assert (first.status_code, again.status_code, again.content) == (409, 409, first.content)


def test_the_same_key_with_another_body_is_409(api: RestSim) -> None:
    api.post(CUSTOMERS, json={"name": "One"}, headers=KEY)
    response = api.post(CUSTOMERS, json={"name": "Two"}, headers=KEY)
    assert (response.status_code, response.json()["ia::error"]["code"]) == (
        409,
        "conflict",
    )


def test_after_48_hours_the_key_is_409_until_60_days_then_free(
    sim: Simulator, api: RestSim
) -> None:
    api.post(CUSTOMERS, json={"name": "One"}, headers=KEY)
    sim.advance(timedelta(hours=48))
    api.token()
    assert api.post(CUSTOMERS, json={"name": "One"}, headers=KEY).status_code == 201
    sim.advance(timedelta(seconds=1))
    api.token()
    assert api.post(CUSTOMERS, json={"name": "One"}, headers=KEY).status_code == 409
    sim.advance(timedelta(days=60))
    api.token()
    fresh = api.post(CUSTOMERS, json={"name": "One"}, headers=KEY)
    assert (fresh.status_code, "x-ia-idempotency-cached-date" in fresh.headers) == (201, False)


def test_keys_belong_to_their_company(sim: Simulator, api: RestSim) -> None:
    load_company(sim, company(company_id="OTHER", oauth_clients={}), now=NOW)
    api.post(CUSTOMERS, json={"name": "One"}, headers=KEY)
    other = RestSim(api.app)
    other.token(
        grant_type="client_credentials",
        client_id="demo-client",
        client_secret="demo-client-secret",
        username="ws_user@OTHER",
    )
    response = other.post(CUSTOMERS, json={"name": "Two"}, headers=KEY)
    assert "x-ia-idempotency-cached-date" not in response.headers
    assert response.status_code == 201


def test_a_concurrent_request_with_the_running_key_is_409(sim: Simulator, api: RestSim) -> None:
    sim.concurrency = 4
    sim.company_latency_ms["DEMO"] = 50

    async def both() -> list[tuple[int, str]]:
        transport = httpx.ASGITransport(app=api.app)
        headers = {"Authorization": f"Bearer {api.access_token}", **KEY}
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            first = asyncio.ensure_future(
                client.post(f"{API}{CUSTOMERS}", json={"name": "Race"}, headers=headers)
            )
            await asyncio.sleep(0.01)
            second = await client.post(f"{API}{CUSTOMERS}", json={"name": "Race"}, headers=headers)
            done = await first
        code = second.json().get("ia::error", {}).get("code", "")
        return [(done.status_code, ""), (second.status_code, code)]

    assert asyncio.run(both()) == [(201, ""), (409, "idempotencyLocked")]
    assert api.post(CUSTOMERS, json={"name": "Race"}, headers=KEY).status_code == 201


def test_a_request_refused_before_it_ran_does_not_take_the_key(
    sim: Simulator, api: RestSim
) -> None:
    assert api.post("/_sim/faults", json={"kind": "throttle", "times": 1}).status_code == 201
    assert api.post(CUSTOMERS, json={"name": "Late"}, headers=KEY).status_code == 429
    response = api.post(CUSTOMERS, json={"name": "Late"}, headers=KEY)
    assert (response.status_code, "x-ia-idempotency-cached-date" in response.headers) == (
        201,
        False,
    )


def test_a_timeout_after_commit_is_answered_from_the_key(sim: Simulator, api: RestSim) -> None:
    rule = {"kind": "timeout_after_commit", "times": 1}
    assert api.post("/_sim/faults", json=rule).status_code == 201
    assert api.post(CUSTOMERS, json={"name": "Uncertain"}, headers=KEY).status_code == 524
    count = _customers(sim)
    again = api.post(CUSTOMERS, json={"name": "Uncertain"}, headers=KEY)
    assert (again.status_code, _customers(sim)) == (201, count)


def test_a_key_over_256_characters_is_refused(api: RestSim) -> None:
    response = api.post(CUSTOMERS, json={"name": "X"}, headers={"Idempotency-Key": "k" * 257})
    assert (response.status_code, response.json()["ia::error"]["code"]) == (400, "invalidRequest")


def test_queries_ignore_the_key(api: RestSim) -> None:
    body = {"object": "accounts-receivable/customer", "fields": ["id"]}
    headers = {"Idempotency-Key": "q"}
    first = api.request("POST", "/services/core/query", json=body, headers=headers)
    api.post(CUSTOMERS, json={"name": "Between"})
    second = api.request("POST", "/services/core/query", json=body, headers=headers)
    assert len(second.json()["ia::result"]) == len(first.json()["ia::result"]) + 1
    assert "idempotency-key" not in second.headers
