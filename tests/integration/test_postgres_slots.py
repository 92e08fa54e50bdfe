"""Issue 17 (3): the governor holds across processes. A PostgreSQL store's request slots
(``adapters.state.pgslots``) let at most ``limit`` holders of one Intacct company in at once,
whoever holds them: many holders on several pools, two separate processes, and the Intacct
ports that ``bootstrap`` builds for two services on one database (a worker and the admin API).
A slot whose process died frees itself after its expiry; companies do not share slots; a wait
past its bound, and a database that fails, refuse the hold RETRIABLE and unsent, and a slot is
given back however its holder leaves (a cancelled waiter leaves nothing behind).
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import subprocess
import sys
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from returns.pipeline import is_successful
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.state import postgres
from released_intacct.adapters.state.pgdatabase import PgDatabase
from released_intacct.adapters.state.pgslots import PgSlots, expiry_for
from released_intacct.adapters.state.postgres import PostgresStateStore
from released_intacct.app.bootstrap import open_service
from released_intacct.app.settings import Settings
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes import slots_trial
from released_intacct.fakes.gateway_stub import EMPTY_READ
from released_intacct.fakes.postgres import url_of
from released_intacct.fakes.serving import serving

KEY = Secret(base64.urlsafe_b64encode(bytes(range(32))).decode())
TRIAL = [sys.executable, "-m", slots_trial.__name__]
MINUTE = timedelta(seconds=60)


async def _open(dsn: str, *, limit: int, wait: float = 10.0) -> tuple[PostgresStateStore, PgSlots]:
    store = await PostgresStateStore.open(dsn, key=KEY)
    return store, store.request_slots(limit=limit, expiry=MINUTE, wait=wait)


def _held(dsn: str) -> list[tuple[str, int]]:
    with psycopg.connect(dsn, autocommit=True) as db:
        found = db.execute("SELECT company, slot FROM intacct_slots ORDER BY 1, 2").fetchall()
    return [(company, slot) for company, slot in found]


def test_many_holders_on_three_pools_never_exceed_the_limit_and_reach_it(
    postgres_dsn: str,
) -> None:
    postgres.migrate_database(postgres_dsn)
    inside = peak = refused = 0

    async def holder(slots: PgSlots) -> None:
        nonlocal inside, peak, refused
        for _ in range(3):
            async with slots.hold("ACME") as refusal:
                if refusal is not None:
                    refused += 1
                    continue
                inside += 1
                peak = max(peak, inside)
                await asyncio.sleep(0.01)
                inside -= 1

    async def main() -> None:
        opened = [await _open(postgres_dsn, limit=3) for _ in range(3)]
        try:
            await asyncio.gather(*(holder(slots) for _, slots in opened for _ in range(8)))
        finally:
            for store, _ in opened:
                await store.close()

    asyncio.run(main())
    assert (peak, refused) == (3, 0)
    assert _held(postgres_dsn) == []  # every slot given back


def test_two_processes_never_have_more_than_the_limit_in_flight_and_reach_it(
    postgres_dsn: str,
) -> None:
    """Two separate processes, six holders each, hammer one company limited to three slots: laid
    on one clock, their holds never overlap more than three deep, and do reach three, with both
    processes in flight at once."""
    postgres.migrate_database(postgres_dsn)
    command = [*TRIAL, "hammer", postgres_dsn, "ACME", "3", "6", "6"]
    trials = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        for trial in trials:
            assert trial.stdout is not None
            assert trial.stdout.readline().strip() == "ready"
        for trial in trials:  # both told before either is waited for
            assert trial.stdin is not None
            trial.stdin.write("go\n")
            trial.stdin.flush()
        outputs = [trial.communicate(timeout=60)[0] for trial in trials]
    finally:
        for trial in trials:
            trial.kill()
    reports: list[dict[str, Any]] = [json.loads(out) for out in outputs]
    assert [(len(r["holds"]), r["refused"]) for r in reports] == [(36, 0), (36, 0)]
    events = sorted(
        (moment, step, process)
        for process, report in enumerate(reports)
        for entered, left in report["holds"]
        for moment, step in ((entered, 1), (left, -1))  # at one instant, leaving comes first
    )
    deepest, together, each = 0, False, [0, 0]
    for _, step, process in events:
        each[process] += step
        deepest = max(deepest, sum(each))
        together = together or all(each)
    assert deepest == 3
    assert together  # the two processes did hold slots at the same time
    assert _held(postgres_dsn) == []


def test_the_slot_of_a_process_that_died_frees_itself_after_its_expiry(postgres_dsn: str) -> None:
    postgres.migrate_database(postgres_dsn)
    dead = subprocess.Popen(
        [*TRIAL, "hold", postgres_dsn, "ACME", "2"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert dead.stdout is not None
        assert dead.stdout.readline().strip() == "held"
    finally:
        dead.kill()
        dead.communicate(timeout=30)

    async def main() -> tuple[SyncError | None, SyncError | None]:
        store = await PostgresStateStore.open(postgres_dsn, key=KEY)
        try:
            now = store.request_slots(limit=1, expiry=MINUTE, wait=0.0)
            async with now.hold("ACME") as refused:
                pass
            later = store.request_slots(limit=1, expiry=MINUTE, wait=10.0)
            async with later.hold("ACME") as granted:
                assert _held(postgres_dsn) == [("ACME", 0)]
            return refused, granted
        finally:
            await store.close()

    refused, granted = asyncio.run(main())
    assert refused is not None  # the dead process's slot is still taken...
    assert granted is None  # ...until it expires, without anyone giving it back
    assert _held(postgres_dsn) == []


def test_a_wait_past_its_bound_is_refused_unsent_naming_the_company_and_the_setting(
    postgres_dsn: str,
) -> None:
    """And companies do not share slots: BETA is granted at once while ACME is full."""
    postgres.migrate_database(postgres_dsn)

    async def main() -> tuple[SyncError | None, SyncError | None]:
        store, slots = await _open(postgres_dsn, limit=1, wait=0.2)
        try:
            async with slots.hold("ACME") as first:
                assert first is None
                async with slots.hold("ACME") as second, slots.hold("BETA") as other:
                    return second, other
        finally:
            await store.close()

    refused, other = asyncio.run(main())
    assert other is None
    assert refused is not None
    assert (refused.kind, refused.unsent) == (ErrorKind.RETRIABLE, True)
    assert "Sage Intacct company ACME" in refused.message
    assert "intacct.slot_wait" in refused.message
    assert "intacct.concurrency" in refused.message
    assert "intacct.slot_wait" in refused.fix
    assert _held(postgres_dsn) == []


def test_a_full_company_is_polled_with_pauses_up_to_the_bound_and_no_further(
    postgres_dsn: str,
) -> None:
    """Five minutes of waiting on a clock that only the pauses move: every poll that finds no slot
    is followed by a pause (20 ms doubling to 250 ms at most), and they add up to the bound. Over
    a thousand polls: the pause's doubling stops at the cap (2**1024 is no float)."""
    postgres.migrate_database(postgres_dsn)
    with psycopg.connect(postgres_dsn, autocommit=True) as db:
        db.execute(
            "INSERT INTO intacct_slots (company, slot, holder, expires_at)"
            " VALUES ('ACME', 0, 'elsewhere', now() + interval '1 hour')"
        )
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    async def main() -> SyncError | None:
        db = await PgDatabase.open(postgres_dsn)
        slots = PgSlots(
            db,
            limit=1,
            expiry=MINUTE,
            wait=300.0,
            sleep=sleep,
            jitter=lambda: 1.0,
            clock=lambda: sum(pauses),
        )
        try:
            async with slots.hold("ACME") as refusal:
                return refusal
        finally:
            await db.close()

    refusal = asyncio.run(main())
    assert refusal is not None
    assert refusal.unsent
    assert pauses[:5] == [0.02, 0.04, 0.08, 0.16, 0.25]
    assert all(0 < pause <= 0.25 for pause in pauses)
    assert sum(pauses) == pytest.approx(300.0)
    assert len(pauses) > 1100


def test_a_waiter_cancelled_leaves_no_slot_behind(postgres_dsn: str) -> None:
    postgres.migrate_database(postgres_dsn)

    async def main() -> list[tuple[str, int]]:
        store, slots = await _open(postgres_dsn, limit=1)
        try:
            async with slots.hold("ACME"):

                async def wait() -> None:
                    async with slots.hold("ACME"):
                        raise AssertionError("granted while the only slot is held")

                waiter = asyncio.create_task(wait())
                await asyncio.sleep(0.3)  # it polls meanwhile
                waiter.cancel()
                await asyncio.gather(waiter, return_exceptions=True)
                return _held(postgres_dsn)
        finally:
            await store.close()

    assert asyncio.run(main()) == [("ACME", 0)]  # the holder's only
    assert _held(postgres_dsn) == []


def test_a_database_that_fails_refuses_the_slot_retriable_and_unsent(postgres_dsn: str) -> None:
    postgres.migrate_database(postgres_dsn)

    async def main() -> SyncError | None:
        store, slots = await _open(postgres_dsn, limit=2)
        await store.close()  # the pool is gone: every statement fails
        async with slots.hold("ACME") as refusal:
            return refusal

    refusal = asyncio.run(main())
    assert refusal is not None
    assert (refusal.kind, refusal.unsent) == (ErrorKind.RETRIABLE, True)
    assert "Sage Intacct company ACME" in refusal.message
    assert "PostgreSQL" in refusal.fix


def test_a_slot_expires_after_twice_the_request_time_out() -> None:
    assert expiry_for(60.0) == timedelta(seconds=120)
    assert expiry_for(2.5) == timedelta(seconds=5)


# --- bootstrap: the Intacct ports of two services on one database -------------------------------


class Counting:
    """An Intacct gateway that answers after a pause, counting the requests in flight."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.app = Starlette(routes=[Route("/{path:path}", self._answer, methods=["POST"])])

    async def _answer(self, request: Request) -> Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(0.02)
        finally:
            self.in_flight -= 1
        return Response(EMPTY_READ, media_type="application/xml")


def test_the_intacct_ports_of_two_services_on_one_database_share_the_company_s_slots(
    postgres_dsn: str,
) -> None:
    """A worker and the admin API are two processes; here, two services in one, each with its
    own store (its own pool) and its own Intacct port of the company, as ``bootstrap`` builds
    them: each lets 2 of its requests through, 4 in all without the shared slots."""
    server = Counting()
    secret = Secret("pw")
    credentials = IntacctCredentials(
        sender_id="s", sender_password=secret, company_id="ACME", user_id="u", user_password=secret
    )

    async def main(gateway: str) -> None:
        settings = Settings(
            database=url_of(postgres_dsn),
            encryption_key=KEY,
            released_url="http://127.0.0.1:9",
            released_api_key=Secret("unused"),
            intacct=ClientSettings(endpoint=gateway, concurrency=2, attempts=1, timeout=20),
        )
        async with open_service(settings) as worker, open_service(settings) as api:
            ports = [s.ports.intacct_for(credentials, None) for s in (worker, api)]
            assert all(isinstance(port, IntacctAdapter) for port in ports)
            posts = [
                port.gateway.post(gateway, b"<r/>", idempotent=True)
                for port in ports
                if isinstance(port, IntacctAdapter)
                for _ in range(6)
            ]
            assert all(is_successful(r) for r in await asyncio.gather(*posts))

    with serving(server.app) as url:
        asyncio.run(main(f"{url}/ia/xml/xmlgw.phtml"))
    assert server.peak == 2
    assert _held(postgres_dsn) == []


def test_holders_cancelled_at_any_moment_leave_no_slot_behind(postgres_dsn: str) -> None:
    """Cancelled while taking (its slot perhaps committed already), holding or giving back."""
    postgres.migrate_database(postgres_dsn)
    moments = random.Random(17)

    async def main() -> None:
        store, slots = await _open(postgres_dsn, limit=2)

        async def hold() -> None:
            async with slots.hold("ACME"):
                await asyncio.sleep(0.002)

        try:
            for _ in range(80):
                holding = asyncio.create_task(hold())
                await asyncio.sleep(moments.uniform(0, 0.006))
                holding.cancel()
                await asyncio.gather(holding, return_exceptions=True)
            for _ in range(100):  # a holder cancelled while giving back leaves it running
                if not _held(postgres_dsn):
                    break
                await asyncio.sleep(0.05)
        finally:
            await store.close()

    asyncio.run(main())
    assert _held(postgres_dsn) == []
