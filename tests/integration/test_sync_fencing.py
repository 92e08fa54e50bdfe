"""Issue 16, F1 and F2, at the engine: fenced runs and honest intents, over the in-memory world.

A run holds its company under an epoch; a run that took over makes every store write of the old
one refused, and the old one stops at once, sending nothing more. Intents are recorded before
their send, marked SENT just before it, and a re-planned intent is reopened and held by the run
that plans it. The two-process version of the takeover (real processes, the simulators) is
``tests/e2e/test_takeover.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.result import Failure, Result

from released_intacct.app.holding import InFlight, in_flight_until
from released_intacct.app.ports import Sleep, settled
from released_intacct.app.sync import SyncService
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite
from released_intacct.domain.enums import (
    ContactRole,
    DocumentKind,
    InvoiceType,
    RecordType,
    ReleasedInvoiceStatus,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey
from released_intacct.domain.intacct import GlAccount, Party, TaxDetail, Transaction
from released_intacct.domain.ports import WriteOutcome
from released_intacct.domain.released import Invoice
from released_intacct.domain.results import RunStatus
from released_intacct.domain.state import IntentState, RunPolicy, lost
from released_intacct.fakes import user_actions as do
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.sync_world import BASE, CONNECTION, SYNC_FROM, SyncWorld

T = TypeVar("T")


def run(body: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(body)


@dataclass
class Held(FakeIntacct):
    """Intacct that counts every create it receives (by key); once ``hold`` is set, keeps the
    next write batch waiting (before it lands) until ``gate`` opens; refuses the creates of the
    documents numbered in ``refuse`` (as Intacct refuses a record it finds wrong)."""

    hold: bool = False
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    landed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set once the held batch has landed."""
    received: Counter[str] = field(default_factory=Counter)
    numbers: dict[str, str] = field(default_factory=dict)
    """The key each document number was created with."""
    refuse: set[str] = field(default_factory=set)

    def write(
        self, batch: Sequence[IntacctWrite]
    ) -> FutureResult[tuple[WriteOutcome, ...], SyncError]:
        return FutureResult(self._held(batch))

    async def _held(
        self, batch: Sequence[IntacctWrite]
    ) -> Result[tuple[WriteOutcome, ...], SyncError]:
        self.received.update(w.key for w in batch if isinstance(w, CreateInIntacct))
        self.numbers.update((n, w.key) for w in batch if (n := _numbered(w)) is not None)
        held = self.hold and not self.entered.is_set()
        if held:
            self.entered.set()
            await self.gate.wait()
        refused = [w for w in batch if _numbered(w) in self.refuse]
        landed = await settled(super().write([w for w in batch if w not in refused]))
        if held:
            self.landed.set()
        return landed.map(lambda done: (*done, *(_refused(w) for w in refused)))


def _numbered(write: IntacctWrite) -> str | None:
    return write.record.number if isinstance(write.record, Transaction) else None


def _refused(write: IntacctWrite) -> WriteOutcome:
    error = SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message="Intacct refused the document.",
        fix="Correct it in Re-Leased.",
    )
    return WriteOutcome(key=write.key, result=Failure(error))


async def _world(intacct: FakeIntacct) -> SyncWorld:
    """Accounts and a tax rate synced into Re-Leased, then a customer's invoice raised there:
    the next sync creates the customer, then the invoice, in Intacct."""
    world = SyncWorld(intacct=intacct)
    intacct.put(GlAccount(account_no=IntacctId("4000"), title="Rent Income"))
    intacct.put(TaxDetail(detail_id=IntacctId("Standard"), rate=Decimal(20)))
    await world.connect()
    await world.sync()
    account = next(
        link.released_id
        for link in await world.links(RecordType.ACCOUNT)
        if link.intacct_key == IntacctKey("4000")
    )
    tenant = do.create_contact(world.released, "Harbour Cafe", role=ContactRole.CUSTOMER)
    do.create_invoice(
        world.released,
        kind=DocumentKind.INVOICE,
        type=InvoiceType.INCOME,
        number="R-1",
        contact_id=tenant.id,
        status=ReleasedInvoiceStatus.APPROVED,
        on=SYNC_FROM + timedelta(days=5),
        lines=(do.released_line(Decimal(100), account),),
        currency=BASE,
    )
    return world


def _service(world: SyncWorld, policy: RunPolicy, sleep: Sleep = asyncio.sleep) -> SyncService:
    ports = world.service()._ports
    return SyncService(replace(ports, policy=policy, sleep=sleep))


def _dead_holder() -> str:
    """The holder of a process of this host that has ended."""
    ended = subprocess.Popen(["true"])
    ended.wait()
    return f"{socket.gethostname()}/{ended.pid}"


ATTEMPT = timedelta(seconds=30)
"""The longest one request may run at the other end, for the run that takes over."""


async def _held_by_a_dead_process(intacct: Held) -> tuple[SyncWorld, asyncio.Task[Any]]:
    """A run whose process is provably dead (its holder names an ended process) with its create
    of the customer held on its way to Intacct (its intent SENT)."""
    world = await _world(intacct)
    intacct.hold = True
    dead = RunPolicy(holder=_dead_holder())
    a = asyncio.create_task(_service(world, dead).run(CONNECTION))
    await asyncio.wait_for(intacct.entered.wait(), timeout=10)
    return world, a


def _taking_over(world: SyncWorld, sleep: Sleep) -> SyncService:
    """A process that treats runs as stale after a second, waiting through ``sleep``."""
    return _service(world, RunPolicy(stale_after=timedelta(seconds=1), attempt=ATTEMPT), sleep)


def test_F1_a_run_taken_over_while_its_create_is_held_stops_and_intacct_gets_it_once() -> None:
    """F1's reproduction: A's Intacct create is held; B, which treats runs as stale after a
    second, takes the company over. B does not send A's unconfirmed create (A may still be
    sending it); A, once its create lands, is refused every store write, stops at once with a
    notification and sends nothing more. Intacct receives each create once."""

    async def body() -> None:
        intacct = Held()
        world = await _world(intacct)
        intacct.hold = True
        a = asyncio.create_task(world.service().run(CONNECTION))
        await asyncio.wait_for(intacct.entered.wait(), timeout=10)
        (a_run,) = [r for r in await value(world.store.runs(CONNECTION)) if not r.status.finished]
        quick = RunPolicy(stale_after=timedelta(seconds=1), holder=a_run.holder)
        waits: list[float] = []
        b = await value(_service(world, quick, _recorded(waits)).run(CONNECTION))
        assert b.status is RunStatus.FAILED  # stopped at A's create, which may be in flight
        assert waits == []  # A may live: not waited for, the run stops
        waiting = [r for r in await world.results() if "may still be on its way" in r.message]
        assert waiting, await world.results()
        intacct.gate.set()
        outcome = await asyncio.wait_for(a, timeout=10)
        released = await value(world.store.run(CONNECTION, a_run.id))
        assert released is not None
        assert outcome == Failure(lost(released.fence))
        titles = [n.notification.title for n in await value(world.store.notifications(CONNECTION))]
        assert "Sync stopped: taken over" in titles
        assert set(intacct.received.values()) == {1}  # each create reached Intacct once
        c = await world.sync()  # A's create is found by its key, the rest goes on
        assert c.status is RunStatus.SUCCEEDED, await world.results()
        assert set(intacct.received.values()) == {1}
        (invoice,) = [t for t in intacct.records if isinstance(t, Transaction)]
        assert invoice.number == "R-1"
        assert len([p for p in intacct.records if isinstance(p, Party)]) == 1
        assert await world.open_intents() == ()

    run(body())


def _recorded(waits: list[float]) -> Sleep:
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return sleep


async def _taken_over_after_a_wait(intacct: Held, *, lands: bool) -> asyncio.Task[Any]:
    """A's create held by a dead process; B takes over, waits once (at most ``ATTEMPT``; nothing
    sent again before), meanwhile A's create lands if ``lands``, and B finishes blue. A's run."""
    world, a = await _held_by_a_dead_process(intacct)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        assert set(intacct.received.values()) == {1}  # nothing sent again before the wait
        if lands:  # the dead process's create lands at last
            intacct.gate.set()
            await asyncio.wait_for(intacct.landed.wait(), timeout=10)

    b = await value(_taking_over(world, sleep).run(CONNECTION))
    assert b.status is RunStatus.SUCCEEDED, await world.results()
    assert len(waits) == 1
    assert 0 < waits[0] <= ATTEMPT.total_seconds()
    assert len([p for p in intacct.records if isinstance(p, Party)]) == 1
    (invoice,) = [t for t in intacct.records if isinstance(t, Transaction)]
    assert invoice.number == "R-1"
    assert await world.open_intents() == ()
    return a


def test_F1_a_dead_process_s_create_landing_late_is_found_after_the_wait_not_sent_again() -> None:
    """A's process is dead (SIGKILLed) while Intacct is still executing its create of the
    customer: B takes the company over and does not find the create by its key yet. B waits for
    the longest a request may run (``RunPolicy.attempt``), meanwhile the create lands, and B's
    second look-up finds it: Intacct receives each create once."""

    async def body() -> None:
        intacct = Held()
        a = await _taken_over_after_a_wait(intacct, lands=True)
        assert set(intacct.received.values()) == {1}  # each create reached Intacct once
        outcome = await asyncio.wait_for(a, timeout=10)
        assert not is_successful(outcome)  # A's writes after the takeover are refused

    run(body())


def test_F1_a_dead_process_s_create_that_never_lands_is_sent_once_after_the_wait() -> None:
    """A's process died and its create of the customer never reaches Intacct: B waits for the
    longest a request may run, looks it up again, does not find it, and sends it once."""

    async def body() -> None:
        intacct = Held()
        a = await _taken_over_after_a_wait(intacct, lands=False)
        a.cancel()  # A's create never lands
        with contextlib.suppress(asyncio.CancelledError):
            await a
        # A's create (never landed) and B's, after the wait; the invoice's by B alone
        assert sorted(intacct.received.values()) == [1, 2]

    run(body())


def test_F1_a_dead_process_s_write_may_run_for_attempt_from_now_never_past_in_flight() -> None:
    """``in_flight_until`` for a run released whose process is provably dead: ``attempt`` from
    when it is asked (the process was seen dead then), capped by ``sent_at + in_flight``."""

    async def body() -> None:
        world, a = await _held_by_a_dead_process(Held())
        sent = next(i for i in await world.open_intents() if i.state is IntentState.SENT)
        sent_at, sender = sent.sent_at, sent.run
        assert sent_at is not None
        assert sender is not None
        held = await value(world.store.run(CONNECTION, sender))
        assert held is not None
        await value(world.store.release(held.fence, at=world.clock.now()))
        policy = RunPolicy(in_flight=timedelta(minutes=15), attempt=ATTEMPT)

        async def until(after: timedelta) -> InFlight | None:
            now = sent_at + after
            return (await in_flight_until(world.store, sent, now=now, policy=policy)).unwrap()

        soon, end = sent_at + timedelta(minutes=1), sent_at + policy.in_flight
        assert await until(timedelta(minutes=1)) == InFlight(soon + ATTEMPT, sender_dead=True)
        assert await until(timedelta(minutes=14, seconds=50)) == InFlight(end, sender_dead=True)
        assert await until(policy.in_flight) is None
        a.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await a

    run(body())


def test_F1_the_heartbeat_beats_on_a_timer_while_a_send_is_held() -> None:
    """The heartbeat is independent of pages: a send held for many beats keeps the run alive,
    so a process with the same setting never takes it over."""

    async def body() -> None:
        intacct = Held()
        world = await _world(intacct)
        intacct.hold = True
        policy = RunPolicy(stale_after=timedelta(seconds=0.3))
        a = asyncio.create_task(_service(world, policy).run(CONNECTION))
        await asyncio.wait_for(intacct.entered.wait(), timeout=10)
        (before,) = [r for r in await value(world.store.runs(CONNECTION)) if not r.status.finished]
        beats = 0
        for _ in range(200):  # a beat every 0.1 s: two are awaited for at most 20 s
            await asyncio.sleep(0.1)
            now = await value(world.store.run(CONNECTION, before.id))
            assert now is not None
            if now.heartbeat_at != before.heartbeat_at:
                beats, before = beats + 1, now
            if beats == 2:
                break
        else:
            raise AssertionError("the run did not beat while its send was held")
        intacct.gate.set()
        done = await asyncio.wait_for(a, timeout=10)
        assert is_successful(done)
        assert done.unwrap().status is RunStatus.SUCCEEDED

    run(body())


def test_F2_a_refused_record_fixed_and_planned_again_is_sent_recorded_and_found_after_a_crash() -> (
    None
):
    """F2: the intent of a refused create stayed FAILED when the fixed record was planned again,
    so the create was sent unrecorded, and after a crash between its send and its settle it was
    sent again blindly. Now the intent is reopened, marked SENT before it goes, and found by its
    key after the crash: Intacct gets the fixed create once, and holds one copy."""

    async def body() -> None:
        intacct = Held(refuse={"R-1"})
        world = await _world(intacct)
        first = await world.sync()
        assert first.status is RunStatus.FAILED  # R-1 refused: a result, its intent FAILED
        assert await world.open_intents() == ()
        key = intacct.numbers["R-1"]
        assert intacct.received[key] == 1
        intacct.refuse.clear()
        (invoice,) = [r for r in world.released.records.values() if isinstance(r, Invoice)]
        do.released_edit(world.released, invoice, reference="fixed")  # the user's fix
        crashing = _CrashAfterSend(intacct)
        ports = world.service()._ports
        service = SyncService(replace(ports, intacct_for=lambda _, __: crashing))
        try:
            await service.run(CONNECTION)
        except _CrashError:
            pass
        else:
            raise AssertionError("the sync should have died after its first send")
        (sent,) = await world.open_intents()
        assert (sent.key, sent.state) == (key, IntentState.SENT)
        assert sent.sent_at is not None
        again = await world.sync()
        assert again.status is RunStatus.SUCCEEDED, await world.results()
        assert await world.open_intents() == ()
        assert intacct.received[key] == 2  # refused once, sent fixed once; then found by key
        documents = [t.number for t in intacct.records if isinstance(t, Transaction)]
        assert documents == ["R-1"]

    run(body())


class _CrashError(Exception):
    """The process dies (a programmer error, or the machine)."""


@dataclass
class _CrashAfterSend:
    """The Intacct port of a process that dies right after its next write batch lands."""

    inner: FakeIntacct

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def write(
        self, batch: Sequence[IntacctWrite]
    ) -> FutureResult[tuple[WriteOutcome, ...], SyncError]:
        async def landed_then_died() -> Result[tuple[WriteOutcome, ...], SyncError]:
            await settled(self.inner.write(batch))
            raise _CrashError

        return FutureResult(landed_then_died())


def test_F7_a_run_interrupted_mid_send_finishes_red_and_frees_its_company() -> None:
    """Ctrl-C, SIGTERM (through the CLI) or a cancelled task: the run is finished red on the
    way out, so the next sync starts at once instead of waiting for it to go stale (E4)."""

    async def body() -> None:
        intacct = Held()
        world = await _world(intacct)
        intacct.hold = True
        a = asyncio.create_task(world.service().run(CONNECTION))
        await asyncio.wait_for(intacct.entered.wait(), timeout=10)
        a.cancel()
        try:
            await a
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the interrupted run should pass the cancellation on")
        (interrupted, *_) = await value(world.store.runs(CONNECTION))
        assert interrupted.status is RunStatus.FAILED
        assert interrupted.released_at is None  # finished by its own process
        notes = await value(world.store.notifications(CONNECTION))
        assert "interrupted" in notes[0].notification.body
        intacct.hold = False
        again = await world.sync()  # at once: the company is free
        assert again.status is RunStatus.SUCCEEDED, await world.results()
        documents = [t.number for t in intacct.records if isinstance(t, Transaction)]
        assert documents == ["R-1"]  # the interrupted send never landed: sent again, once
        assert len([p for p in intacct.records if isinstance(p, Party)]) == 1
        assert await world.open_intents() == ()

    run(body())
