"""Flat memory (issue 19): ``Writer.write`` builds a batch's requests only as the governor nears
them (``writer.AHEAD`` per slot), so a batch of thousands of creates (a confirm's contacts) holds
a few request bodies, not one per 50 creates.

Measured with ``tracemalloc`` (Python's allocations: a request's body is a ``bytes``) at the point
where the gateway holds the governor's two requests and every other chunk waits: what a batch
five times larger holds more is the waiting chunks' own bookkeeping, far less than a body each."""

from __future__ import annotations

import asyncio
import tracemalloc

import httpx

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import ContactRole, RecordType
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.intacct import Party
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled
from released_intacct.fakes.gateway_stub import LOGIN_OK

CREDENTIALS = IntacctCredentials(
    sender_id="s",
    sender_password=Secret("sender-pass"),
    company_id="C",
    user_id="u",
    user_password=Secret("user-pass"),
)
SLOTS = 2


class Holding(httpx.AsyncBaseTransport):
    """Answers log-ins; holds every other request (never answered: the test cancels)."""

    def __init__(self) -> None:
        self.held: list[int] = []
        self._never = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        if b"getAPISession" in body:
            return httpx.Response(200, content=LOGIN_OK)
        self.held.append(len(body))
        await self._never.wait()
        raise AssertionError  # pragma: no cover - never answered


def _create(number: int) -> CreateInIntacct:
    return CreateInIntacct(
        key=IdempotencyKey(f"ri-{number:06d}"),
        record_type=RecordType.CONTACT,
        released_id=ReleasedId(f"rl-{number}"),
        record=Party(
            role=ContactRole.CUSTOMER, party_id=None, name=f"Harbour Cafe number {number:06d}"
        ),
        source_fingerprint="fp",
    )


async def _held_while_waiting(creates: int) -> tuple[int, int]:
    """Python memory held once the gateway holds the governor's requests, and a body's size."""
    transport = Holding()
    batch = [_create(n) for n in range(creates)]
    async with httpx.AsyncClient(transport=transport) as client:
        settings = ClientSettings(endpoint="http://gw/ia/xml/xmlgw.phtml", concurrency=SLOTS)
        adapter = IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            writing = asyncio.create_task(settled(adapter.write(batch)))
            while len(transport.held) < SLOTS:
                await asyncio.sleep(0.01)
            for _ in range(50):  # every other chunk reaches what it waits for
                await asyncio.sleep(0)
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        writing.cancel()
        await asyncio.gather(writing, return_exceptions=True)
    assert len(transport.held) == SLOTS
    return held, transport.held[0]


def test_a_large_batch_holds_a_few_request_bodies_not_one_per_chunk() -> None:
    small, body = asyncio.run(_held_while_waiting(2_000))  # 40 requests of 50
    large, _ = asyncio.run(_held_while_waiting(10_000))  # 200 requests of 50
    more_chunks = (10_000 - 2_000) // 50
    assert (large - small) / more_chunks < body / 2, (small, large, body)
