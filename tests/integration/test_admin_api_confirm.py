"""Two confirms of one connection through the admin API at once (rules O5, C1; finding F4), over
the demo pair (both simulators, the real adapters) and the fake and SQLite state stores.

The product's creates are held on their way to the Intacct simulator while the first confirm is
under way: meanwhile the connection and its status show ``confirming`` (since when, held until
when), and a second confirm answers 409 naming rule O5. Then the first answers 202, confirmed,
and Intacct holds the "create as" customer once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from released_intacct.app.admin import create_admin_app
from released_intacct.app.ports import Ports, this_process
from released_intacct.app.service import Service
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import StateStore
from released_intacct.fakes.demo_pair import STORES, demo_pair, on_store, onboarded

TOKEN = "admin-confirm-token-0123456789abcdef"


class HeldCreates:
    """Holds every gateway request with a ``<create>`` until ``let_go``; counts those held."""

    def __init__(self) -> None:
        self.held = 0
        self._go = asyncio.Event()

    def let_go(self) -> None:
        self._go.set()

    async def until_held(self, count: int = 1) -> None:
        async def held() -> None:
            while self.held < count:
                await asyncio.sleep(0.001)

        await asyncio.wait_for(held(), timeout=60)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def gated(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            messages: list[Message] = [await receive()]
            while messages[-1].get("more_body", False):
                messages.append(await receive())
            if b"<create>" in b"".join(m.get("body", b"") for m in messages):
                self.held += 1
                await self._go.wait()
            replay = iter(messages)

            async def again() -> Message:
                return next(replay, {"type": "http.disconnect"})

            await app(scope, again, send)

        return gated


@dataclass
class Seen:
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    greenleafs: int = 0

    def json(self, name: str) -> Any:
        return self.answers[name].json()


async def _scenario(store: StateStore) -> Seen:
    seen, creates = Seen(), HeldCreates()
    async with demo_pair(store, before_intacct=creates.wrap) as pair:
        id = await onboarded(pair.flow)
        ports = Ports(store=store, intacct_for=pair.intacct_for,
                      released_for=pair.released_for, clock=pair.clock)  # fmt: skip
        service = Service(ports)
        transport = httpx.ASGITransport(app=create_admin_app(service, token=Secret(TOKEN)))
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://admin", headers=headers
        ) as client:
            c = f"/connections/{id}"
            first = asyncio.create_task(client.post(f"{c}/confirm"))
            await creates.until_held()  # the first confirm is sending its "create as" contacts
            seen.answers["shown"] = await client.get(c)
            seen.answers["status"] = await client.get(f"{c}/status")
            second = asyncio.create_task(client.post(f"{c}/confirm"))
            sending = asyncio.create_task(creates.until_held(2))  # were it not refused
            await asyncio.wait({second, sending}, return_when=asyncio.FIRST_COMPLETED)
            sending.cancel()
            creates.let_go()
            seen.answers["first"], seen.answers["second"] = await first, await second
            await service.drain()
            seen.answers["after"] = await client.get(c)
        customers = pair.intacct.companies["DEMO"].table("CUSTOMER").values()
        seen.greenleafs = sum(1 for r in customers if r.get("NAME") == "Greenleaf Florists")
    return seen


@pytest.fixture(scope="module", params=STORES)
def seen(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Seen:
    return on_store(request.param, lambda: tmp_path_factory.mktemp("confirm"), _scenario)


def test_F4_two_confirms_at_once_answer_202_and_409_and_create_the_customer_once(
    seen: Seen,
) -> None:
    assert (seen.answers["first"].status_code, seen.answers["second"].status_code) == (202, 409)
    assert seen.json("first")["phase"] == "confirmed"
    assert seen.json("first")["confirming"] is None
    error = seen.json("second")["error"]
    assert (error["kind"], error["rule"]) == ("rejected", "O5")
    assert "already under way (started 2026-05-01 12:00:00 UTC by process " in error["message"]
    assert seen.greenleafs == 1
    assert seen.json("after")["phase"] == "confirmed"


def test_F4_the_connection_and_its_status_show_the_confirm_under_way(seen: Seen) -> None:
    held = {
        "since": "2026-05-01T12:00:00Z",
        "holder": this_process(),
        "heldUntil": "2026-05-01T12:01:00Z",
    }
    shown, status = seen.json("shown"), seen.json("status")
    assert (shown["phase"], shown["confirming"]) == ("confirming", held)
    assert (status["phase"], status["confirming"]) == ("confirming", held)
    assert status["nextRun"] is None
