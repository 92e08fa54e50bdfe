"""The admin API drives a whole onboarding and sync of the demo pair over HTTP only, over the fake
and the SQLite state store: connect, entity, date, prerequisites, matching, confirm, then status,
results, unlink / relink, the guard and a sync on demand. No credential is in any answer or log."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from released_intacct.app.admin import create_admin_app
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import StateStore
from released_intacct.fakes.demo_pair import DEMO, RL_DEMO, STORES, demo_pair, on_store

TOKEN = "admin-flow-token-b72e0d5a1c9f4e68"
PASSWORDS = ("demo-sender-pass", "ws_pass")
CREATE = {"con-greenleaf": "customer", "con-sparkle": "vendor"}


@dataclass
class Seen:
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    bodies: list[bytes] = field(default_factory=list)
    decisions: dict[str, int] = field(default_factory=dict)
    logs: list[str] = field(default_factory=list)

    def json(self, name: str) -> Any:
        return self.answers[name].json()

    def status(self, name: str) -> int:
        return self.answers[name].status_code


def _credentials() -> dict[str, str]:
    return {
        "senderId": DEMO.sender_id,
        "senderPassword": DEMO.sender_password.reveal(),
        "companyId": DEMO.company_id,
        "userId": DEMO.user_id,
        "userPassword": DEMO.user_password.reveal(),
    }


class Admin:
    """An HTTP client of the admin API that keeps every answer under a name."""

    def __init__(self, client: httpx.AsyncClient, seen: Seen) -> None:
        self.client, self.seen = client, seen

    async def __call__(
        self, name: str, method: str, path: str, body: object = None, **params: str
    ) -> Any:
        reply = await self.client.request(method, path, json=body, params=params or None)
        self.seen.answers[name] = reply
        self.seen.bodies.append(reply.content)
        return reply.json()


async def _onboard(admin: Admin, seen: Seen) -> str:
    body = {"releasedCompany": RL_DEMO, "credentials": _credentials()}
    id = str((await admin("connect", "POST", "/connections", body))["connection"]["id"])
    c = f"/connections/{id}"
    await admin("entities", "GET", f"{c}/entities")
    await admin("entity", "PUT", f"{c}/entity", {"entityId": "E100"})
    await admin("sync_from", "PUT", f"{c}/sync-from", {"syncFrom": "2024-01-01"})
    checks = (await admin("prerequisites", "GET", f"{c}/prerequisites"))["checks"]
    unknown = [check["prerequisite"] for check in checks if check["status"] == "unknown"]
    await admin("acknowledge_bad", "POST", f"{c}/acknowledgements", {"prerequisites": ["nope"]})
    await admin("acknowledge", "POST", f"{c}/acknowledgements", {"prerequisites": unknown})
    await admin("prerequisites_after", "GET", f"{c}/prerequisites")
    await admin("doctor", "GET", f"{c}/doctor")
    await admin("sync_unconfirmed", "POST", f"{c}/sync")
    await admin("start", "POST", f"{c}/matching")
    for step in ("tax_types", "accounts", "tracking_options", "contacts"):
        steps = (await admin("matching", "GET", f"{c}/matching"))["steps"]
        (state,) = [s for s in steps if s["step"] == step]
        for candidate in state["candidates"]:
            if candidate["decision"] is not None:
                continue
            released_id = candidate["releasedId"]
            name = "create" if released_id in CREATE else "archive"
            if released_id in CREATE:
                decided = {"releasedId": released_id, "role": CREATE[released_id]}
                await admin(name, "POST", f"{c}/matching/contacts/create", decided)
            else:
                decided = {"releasedId": released_id}
                await admin(name, "POST", f"{c}/matching/{step}/archive", decided)
            seen.decisions[released_id] = seen.status(name)
        await admin(f"continue_{step}", "POST", f"{c}/matching/{step}/continue")
    await admin("confirm", "POST", f"{c}/confirm")
    return id


async def _after_sync(admin: Admin, service: Service, id: str) -> None:
    c = f"/connections/{id}"
    await service.drain()
    await admin("status", "GET", f"{c}/status")
    await admin("invoices", "GET", f"{c}/results", type="invoice", limit="1000")
    await admin("outgoing", "GET", f"{c}/results", direction="outgoing", limit="1000")
    await admin("future", "GET", f"{c}/results", since="2100-01-01T00:00:00+00:00")
    link = f"{c}/links/invoice/inv-0002"
    await admin("unlink", "POST", f"{link}/unlink")
    await admin("unlink_twice", "POST", f"{link}/unlink")
    await admin("relink", "POST", f"{link}/relink")
    guard = {"recordType": "invoice", "action": "void", "releasedId": "inv-0002"}
    await admin("guard_synced", "POST", f"{c}/guard", guard)
    await admin("guard_new", "POST", f"{c}/guard", {**guard, "releasedId": "inv-new"})
    queued = await admin("sync", "POST", f"{c}/sync")
    await admin("sync_twice", "POST", f"{c}/sync")
    await service.drain()
    await admin("runs", "GET", f"{c}/runs", limit="5")
    await admin("run", "GET", f"{c}/runs/{queued['runId']}")
    await admin("disconnect", "DELETE", c)
    notes = await admin("notifications", "GET", f"{c}/notifications")
    first = notes["notifications"][0]["id"]
    await admin("read", "POST", f"{c}/notifications/{first}/read")
    await admin("unread", "GET", f"{c}/notifications", unread="true")


class _Kept(logging.Handler):
    def __init__(self, seen: Seen) -> None:
        super().__init__(logging.DEBUG)
        self.seen = seen

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.logs.append(self.format(record))


async def _scenario(store: StateStore) -> Seen:
    seen = Seen()
    kept, root = _Kept(seen), logging.getLogger()
    level = root.level
    root.addHandler(kept)
    root.setLevel(logging.DEBUG)
    try:
        async with demo_pair(store) as pair:
            ports = Ports(store=store, intacct_for=pair.intacct_for,
                          released_for=pair.released_for, clock=pair.clock)  # fmt: skip
            service = Service(ports)
            app = create_admin_app(service, token=Secret(TOKEN))
            transport = httpx.ASGITransport(app=app)
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://admin", headers=headers
            ) as client:
                admin = Admin(client, seen)
                id = await _onboard(admin, seen)
                await _after_sync(admin, service, id)
    finally:
        root.removeHandler(kept)
        root.setLevel(level)
    return seen


@pytest.fixture(scope="module", params=STORES)
def seen(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Seen:
    return on_store(request.param, lambda: tmp_path_factory.mktemp("admin"), _scenario)


def test_C2_connect_answers_201_with_the_connection_and_no_credentials(seen: Seen) -> None:
    assert seen.status("connect") == 201
    connected = seen.json("connect")
    assert connected["connection"]["releasedCompany"] == RL_DEMO
    assert connected["connection"]["phase"] == "connected"
    assert "credentials" not in connected["connection"]


def test_C3_C4_entity_and_date_are_chosen_through_the_api(seen: Seen) -> None:
    assert [e["id"] for e in seen.json("entities")["entities"]] == ["E100", "E200"]
    assert seen.json("entity")["entity"] == "E100"
    assert seen.json("sync_from")["syncFrom"] == "2024-01-01"
    assert seen.json("sync_from")["phase"] == "onboarding"


def test_C5_prerequisites_answer_ready_with_a_list_of_problems(seen: Seen) -> None:
    assert seen.status("prerequisites") == 200
    checked = seen.json("prerequisites")
    assert checked["ready"] is (checked["problems"] == [])


def test_correction_5_C5_unknown_prerequisites_are_acknowledged_through_the_api(
    seen: Seen,
) -> None:
    before = seen.json("prerequisites")
    unknown = [c for c in before["checks"] if c["status"] == "unknown"]
    assert {c["prerequisite"] for c in unknown} == {
        "customer_sequencing",
        "vendor_sequencing",
        "account_labels_off",
        "external_tax",
        "subtotal_defaulting",
    }
    assert before["ready"] is False
    assert len(before["problems"]) == len(unknown)
    assert all(c["fix"].startswith("Check it in Sage Intacct: ") for c in unknown)
    assert seen.status("acknowledge_bad") == 422
    assert seen.status("acknowledge") == 200
    told = seen.json("acknowledge")["acknowledged"]
    assert [a["prerequisite"] for a in told] == [c["prerequisite"] for c in unknown]
    after = seen.json("prerequisites_after")
    assert (after["ready"], after["problems"]) == (True, [])
    assert all(c["acknowledged"] for c in after["checks"] if c["status"] == "unknown")


def test_doctor_answers_the_read_only_report(seen: Seen) -> None:
    assert seen.status("doctor") == 200
    report = seen.json("doctor")
    assert report["healthy"] is True
    assert report["companyId"] == "DEMO"
    assert report["entity"] == "E100"
    verdicts = {f["check"]: f["verdict"] for f in report["findings"]}
    assert verdicts["audit.permission"] == "ok"
    assert verdicts["lines.read"] == "ok"
    assert all(p["acknowledged"] for p in report["prerequisites"] if p["status"] == "unknown")


def test_O1_O5_matching_decisions_and_confirm_through_the_routes(seen: Seen) -> None:
    assert seen.status("start") == 200
    assert [s["step"] for s in seen.json("start")["steps"]] == [
        "tax_types", "accounts", "tracking_options", "contacts"
    ]  # fmt: skip
    assert set(CREATE) <= set(seen.decisions)
    assert set(seen.decisions.values()) == {200}
    contacts = seen.json("continue_contacts")["steps"][-1]
    assert contacts["continued"] is True
    made = {c["releasedId"]: c["decision"] for c in contacts["candidates"]}
    assert made["con-greenleaf"] == {"kind": "create", "intacctKey": None, "role": "customer"}
    assert seen.status("confirm") == 202
    assert seen.json("confirm")["phase"] == "confirmed"


def test_E3_status_shows_the_red_initial_run_with_counts_and_cost(seen: Seen) -> None:
    status = seen.json("status")
    assert (status["runStatus"], status["colour"]) == ("failed", "red")
    assert status["counts"]["invoice"]["created"] + status["counts"]["invoice"]["failed"] > 0
    assert sum(p["done"] for p in status["progress"].values()) > 0
    assert status["transactionsSpent"] > 0
    assert status["lastRunFinished"] >= status["lastRunStarted"]
    assert status["nextRun"] > status["lastRunStarted"]


def test_E1_results_are_filtered_by_type_direction_and_time(seen: Seen) -> None:
    invoices = seen.json("invoices")["results"]
    assert invoices
    assert {r["recordType"] for r in invoices} == {"invoice"}
    assert any(r["rule"] == "D13" for r in invoices)
    assert {r["direction"] for r in seen.json("outgoing")["results"]} <= {"outgoing"}
    assert seen.json("future") == {"results": []}


def test_E2_unlink_and_relink_a_synced_invoice(seen: Seen) -> None:
    assert seen.status("unlink") == 200
    assert seen.json("unlink")["status"] == "unlinked"
    assert seen.status("unlink_twice") == 409
    assert seen.json("unlink_twice")["error"]["rule"] == "E2"
    assert seen.json("relink")["status"] == "linked"


def test_D7_the_guard_refuses_voiding_a_synced_invoice(seen: Seen) -> None:
    refused = seen.json("guard_synced")
    assert seen.status("guard_synced") == 200
    assert refused["allowed"] is False
    assert refused["error"]["rule"] == "D7"
    assert seen.json("guard_new") == {"allowed": True, "error": None}


def test_E4_sync_now_is_queued_and_refused_while_running(seen: Seen) -> None:
    assert seen.status("sync_unconfirmed") == 409
    assert seen.json("sync_unconfirmed")["error"]["rule"] == "O5"
    assert seen.status("sync") == 202
    queued = seen.json("sync")
    assert queued["status"] == "running"
    assert seen.status("sync_twice") == 409
    assert seen.json("sync_twice")["error"]["rule"] == "E4"
    assert f"run {queued['runId']}" in seen.json("sync_twice")["error"]["message"]
    assert len(seen.json("runs")["runs"]) == 2
    assert seen.json("runs")["runs"][0]["id"] == queued["runId"]
    assert seen.status("run") == 200
    assert seen.json("run") == seen.json("runs")["runs"][0]


def test_C1_a_confirmed_connection_cannot_be_disconnected(seen: Seen) -> None:
    assert seen.status("disconnect") == 409
    assert seen.json("disconnect")["error"]["rule"] == "C1"


def test_E3_notifications_are_listed_and_marked_read(seen: Seen) -> None:
    every = seen.json("notifications")["notifications"]
    first = every[0]["id"]
    assert seen.status("read") == 200
    assert first not in [n["id"] for n in seen.json("unread")["notifications"]]


def test_C2_no_password_in_any_answer_or_log_line(seen: Seen) -> None:
    assert len(seen.bodies) > 30
    assert len(seen.logs) > 0
    for secret in PASSWORDS:
        assert not any(secret.encode() in body for body in seen.bodies)
        assert not any(secret in line for line in seen.logs)
