"""The governor across processes (issue 17), at the gateway: each request holds one of its
company's shared slots (``adapters.slots``) for its HTTP exchange, after this process's own place
(so a process never asks for more slots than its ``concurrency``); a slot refused fails the request
unsent without sending or retrying it; and a slot is given back however the request ends.

The slots here are in memory (``fakes.slots.CountingSlots``); ``test_postgres_slots`` tests the
PostgreSQL ones, across two processes too."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from returns.pipeline import is_successful

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.transport import Gateway
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.gateway_stub import EMPTY_READ
from released_intacct.fakes.slots import CountingSlots

URL = "http://x/gw"
SETTINGS = ClientSettings(endpoint=URL, concurrency=2, attempts=3, backoff=0.0, backoff_cap=0.0)
REFUSED = SyncError(
    kind=ErrorKind.RETRIABLE, rule=None, message="no slot", fix="later", unsent=True
)


class Server:
    """Answers after a pause, counting the requests in flight at once."""

    def __init__(self, reply: httpx.Response | Exception | None = None) -> None:
        self.in_flight = 0
        self.peak = 0
        self.calls = 0
        self.reply = reply
        self.gate: asyncio.Event | None = None

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            await asyncio.sleep(0.005)
        finally:
            self.in_flight -= 1
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply or httpx.Response(200, content=EMPTY_READ)


def _gateway(server: Server, slots: CountingSlots, company: str = "ACME") -> Gateway:
    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    return Gateway(client, SETTINGS, slots=slots, company=company)


def test_two_processes_gateways_hold_the_company_to_its_shared_slots() -> None:
    server, slots = Server(), CountingSlots(limit=2)
    first, second = _gateway(server, slots), _gateway(server, slots)

    async def main() -> None:
        posts = [g.post(URL, b"<r/>", idempotent=True) for g in (first, second) for _ in range(8)]
        assert all(is_successful(r) for r in await asyncio.gather(*posts))

    asyncio.run(main())
    assert server.peak == 2  # each gateway alone lets 2 through: 4 without the shared slots
    assert (slots.peak_held["ACME"], slots.taken["ACME"], slots.given_back["ACME"]) == (2, 16, 16)
    assert slots.held["ACME"] == 0


def test_a_process_asks_for_no_more_slots_than_its_own_concurrency() -> None:
    server, slots = Server(), CountingSlots(limit=2)
    gateway = _gateway(server, slots)

    async def main() -> None:
        await asyncio.gather(*(gateway.post(URL, b"<r/>", idempotent=True) for _ in range(10)))

    asyncio.run(main())
    assert slots.peak_asking["ACME"] == 2  # the other 8 wait on the process's own semaphore
    assert server.peak == 2


def test_the_adapter_counts_its_requests_by_the_intacct_company_id() -> None:
    credentials = IntacctCredentials(
        sender_id="s",
        sender_password=Secret("sp"),
        company_id="Acme-Prod",
        user_id="u",
        user_password=Secret("up"),
    )
    server, slots = Server(), CountingSlots(limit=2)
    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    adapter = IntacctAdapter(client, credentials, entity=None, settings=SETTINGS, slots=slots)
    result = asyncio.run(adapter.gateway.post(URL, b"<r/>", idempotent=True))
    assert is_successful(result)
    assert dict(slots.taken) == {"Acme-Prod": 1}  # as given: Intacct's company ids are exact


def test_a_refused_slot_fails_the_request_unsent_without_sending_or_retrying_it() -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    server, slots = Server(), CountingSlots(limit=2, refuse=REFUSED)
    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    gateway = Gateway(client, SETTINGS, slots=slots, company="ACME", sleep=sleep)
    result = asyncio.run(gateway.post(URL, b"<r/>", idempotent=True))
    assert result.failure() == REFUSED
    assert (server.calls, sleeps, gateway.requests) == (0, [], 0)
    assert slots.asking["ACME"] == 0


@pytest.mark.parametrize(
    "reply",
    [httpx.Response(503), httpx.ReadTimeout("slow"), httpx.ConnectError("refused")],
    ids=["server-error", "timed-out", "not-connected"],
)
def test_a_slot_is_given_back_after_every_failed_try(reply: httpx.Response | Exception) -> None:
    server, slots = Server(reply), CountingSlots(limit=2)
    gateway = _gateway(server, slots)
    result = asyncio.run(gateway.post(URL, b"<r/>", idempotent=True))
    assert not is_successful(result)
    assert slots.taken["ACME"] == slots.given_back["ACME"] == server.calls == 3
    assert slots.held["ACME"] == 0


def test_a_slot_is_given_back_when_an_exception_escapes_the_exchange() -> None:
    server, slots = Server(RuntimeError("bug")), CountingSlots(limit=2)
    gateway = _gateway(server, slots)
    with pytest.raises(RuntimeError, match="bug"):
        asyncio.run(gateway.post(URL, b"<r/>", idempotent=True))
    assert (slots.taken["ACME"], slots.given_back["ACME"], slots.held["ACME"]) == (1, 1, 0)


def test_a_slot_is_given_back_when_the_request_is_cancelled_in_flight() -> None:
    server, slots = Server(), CountingSlots(limit=2)
    gateway = _gateway(server, slots)

    async def main() -> None:
        server.gate = asyncio.Event()
        posting = asyncio.create_task(gateway.post(URL, b"<r/>", idempotent=True))
        while server.in_flight == 0:
            await asyncio.sleep(0)
        assert slots.held["ACME"] == 1
        posting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await posting

    asyncio.run(main())
    assert (slots.taken["ACME"], slots.given_back["ACME"], slots.held["ACME"]) == (1, 1, 0)
