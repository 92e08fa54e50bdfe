"""The REST simulator's asynchronous requests (``Prefer: respond-async``): the 202 ACK with its
job, the result delivered to the request's webhook with the documented headers and a signature
the client secret verifies, and the job status read by the application that sent it."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from released_intacct.fakes.restsim import CLIENT, RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.rest import asyncreq
from released_intacct.fakes.simulators.intacct.rest.state import OAuthClient
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CUSTOMERS = "/objects/accounts-receivable/customer"
HOOK = "https://hooks.example/intacct"
ASYNC = {"Prefer": "respond-async", "X-IA-Webhook-EndpointURL": HOOK}
Delivered = list[tuple[str, dict[str, str], bytes]]


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    load_company(sim, company(), now=NOW)
    return sim


def _webhook(sim: Simulator, answer: int = 200) -> Delivered:
    """What the simulator delivers, kept in order; the webhook answers ``answer``."""
    delivered: Delivered = []

    async def deliver(url: str, headers: dict[str, str], body: bytes) -> int:
        delivered.append((url, headers, body))
        return answer

    sim.rest.deliver = deliver
    return delivered


def _claims(token: str, secret: str) -> dict[str, object]:
    """The JWT's claims once its HS256 signature checks (the webhooks page's first step)."""
    head, claims, mac = token.split(".")
    expected = hmac.new(secret.encode(), f"{head}.{claims}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4)) == expected
    found: dict[str, object] = json.loads(
        base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4))
    )
    return found


def test_an_async_create_is_acknowledged_and_its_result_delivered_signed(sim: Simulator) -> None:
    delivered = _webhook(sim)
    api = signed_in(sim)
    headers = {**ASYNC, "Idempotency-Key": "k-1"}
    ack = api.post(CUSTOMERS, json={"id": "C-A", "name": "Alpha"}, headers=headers)
    assert (ack.status_code, ack.headers["retry-after"]) == (202, "120")
    job = ack.json()["ia::result"]
    assert (job["state"], job["queuedDateTime"]) == ("queued", "2026-05-01T12:00:00Z")
    assert job["href"] == f"/services/core/async/job-status?jobId={job['jobId']}"
    ((url, sent, body),) = delivered
    result = json.loads(body)["ia::result"]
    assert (url, sent["x-ia-respond-code"], sent["idempotency-key"]) == (HOOK, "201", "k-1")
    assert api.get(f"{CUSTOMERS}/{result['key']}").json()["ia::result"]["id"] == "C-A"
    claims = _claims(sent["x-ia-sage-signature"], CLIENT[1])
    assert claims["payload_signature"] == hashlib.sha256(body).hexdigest()
    assert (claims["iss"], claims["tenant_id"]) == ("Sage Intacct", CLIENT[0])
    status = api.get("/services/core/async/job-status", params={"jobId": job["jobId"]}).json()
    assert status["ia::result"]["state"] == "delivered"
    assert status["ia::result"]["deliveryStatus"] == [
        {"status": "200", "deliveryDateTime": "2026-05-01T12:00:00Z"}
    ]


def test_a_failed_delivery_leaves_the_job_dead_and_a_refusal_is_delivered_too(
    sim: Simulator,
) -> None:
    delivered = _webhook(sim, answer=500)
    api = signed_in(sim)
    ack = api.post(CUSTOMERS, json={"id": "C1", "name": "Taken"}, headers=ASYNC)
    assert ack.status_code == 202
    ((_, sent, body),) = delivered
    assert (sent["x-ia-respond-code"], json.loads(body)["ia::error"]["code"]) == (
        "409", "operationFailed")  # fmt: skip
    job_id = ack.json()["ia::result"]["jobId"]
    status = api.get("/services/core/async/job-status", params={"jobId": job_id}).json()
    assert status["ia::result"]["state"] == "dead"


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"Prefer": "respond-async"}, "X-IA-Webhook-EndpointURL"),
        ({**ASYNC, "X-IA-Webhook-Id": "7"}, "X-IA-Webhook-Id"),
    ],
)
def test_an_async_request_without_a_webhook_is_refused_before_it_runs(
    sim: Simulator, headers: dict[str, str], named: str
) -> None:
    delivered = _webhook(sim)
    api = signed_in(sim)
    refused = api.post(CUSTOMERS, json={"id": "C-A", "name": "Alpha"}, headers=headers)
    assert (refused.status_code, named in refused.text) == (400, True)
    assert api.get(CUSTOMERS).json()["ia::meta"]["totalCount"] == 1
    assert delivered == []


def test_a_job_is_read_only_by_the_application_that_sent_it(sim: Simulator) -> None:
    _webhook(sim)
    api = signed_in(sim)
    job_id = api.get(CUSTOMERS, headers=ASYNC).json()["ia::result"]["jobId"]
    sim.rest.add_client(OAuthClient("other-app", "other-secret", "demo-sender"))
    other = RestSim(api.app)
    granted = other.token(grant_type="client_credentials", client_id="other-app",
                          client_secret="other-secret", username="ws_user@DEMO")  # fmt: skip
    assert granted.status_code == 200
    assert other.get("/services/core/async/job-status", params={"jobId": job_id}).status_code == 404
    assert api.get("/services/core/async/job-status").status_code == 400


def test_a_composites_sub_requests_are_answered_at_once(sim: Simulator) -> None:
    delivered = _webhook(sim)
    api = signed_in(sim)
    subs = [{"method": "GET", "path": CUSTOMERS, "headers": ASYNC},
            {"method": "GET", "path": CUSTOMERS}]  # fmt: skip
    reply = api.post("/services/core/composite", json=subs)
    assert [r["ia::status"] for r in reply.json()["ia::result"]] == [200, 200]
    assert delivered == []


def test_the_simulators_own_delivery_reports_a_webhook_it_cannot_reach() -> None:
    assert asyncio.run(asyncreq.post("http://127.0.0.1:9/hook", {}, b"{}")) == 0
