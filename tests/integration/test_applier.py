"""The outbox applier (``app.applier``): each intent settled by what its write answered, and what
it applied handed back as a value (issue 19; rules E1 and F2)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from returns.pipeline import is_successful
from returns.result import Failure, Success

from released_intacct.app.applier import Answer, Applied, Applier
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctId, ReleasedId
from released_intacct.domain.planning.written import link_for_intacct_write
from released_intacct.domain.state import IntentState
from released_intacct.fakes import samples
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.state_store import FakeStateStore

ID = ConnectionId("conn-applier")


def _run(body: Coroutine[Any, Any, None]) -> None:
    asyncio.run(body)


async def _store() -> FakeStateStore:
    store = FakeStateStore()
    await value(store.add_connection(samples.confirmed_connection(ID), samples.credentials("pw")))
    return store


def _create(n: int) -> CreateInIntacct:
    return CreateInIntacct(
        key=IdempotencyKey(f"ri-{n}"),
        record_type=RecordType.CONTACT,
        released_id=ReleasedId(f"c-{n}"),
        record=samples.party(party_id=IntacctId(f"C{n}")),
        source_fingerprint=f"fp-{n}",
    )


def _error(kind: ErrorKind, *, unsent: bool = False) -> SyncError:
    return SyncError(kind=kind, rule=None, message=kind.value, fix="-", unsent=unsent)


async def _states(store: FakeStateStore) -> dict[str, IntentState]:
    return {str(i.key): i.state for i in await value(store.open_intents(ID))}


async def _settled(applier: Applier, answers: list[Answer]) -> Applied:
    settling = await applier.settle(answers)
    assert is_successful(settling)
    return settling.unwrap()


def test_E1_F2_written_confirmed_refused_failed_and_the_first_uncertain_write_stops() -> None:
    async def body() -> None:
        store = await _store()
        applier = Applier(store=store, connection=ID, sent_as=IntentState.PENDING)
        a, b, c, d = (_create(n) for n in range(4))
        assert await value(applier.record([a, b, c, d])) == {a.key, b.key, c.key, d.key}
        made = link_for_intacct_write(a, a.record, existing=None)
        refused, uncertain = _error(ErrorKind.REJECTED), _error(ErrorKind.RETRIABLE)
        answers: list[Answer] = [
            (a, Success(made)),
            (b, Failure(refused)),
            (c, Failure(uncertain)),
            (d, Failure(_error(ErrorKind.REJECTED))),
        ]
        applied = await _settled(applier, answers)
        assert applied == Applied(
            written=((a, made),), refused=((b, refused),), stopped=(c, uncertain)
        )
        assert await _states(store) == {"ri-2": IntentState.PENDING, "ri-3": IntentState.PENDING}
        assert await value(store.links(ID, RecordType.CONTACT)) == (made,)

    _run(body())


def test_F2_a_write_never_sent_is_pending_again_and_a_fatal_one_is_left_as_it_was() -> None:
    async def body() -> None:
        store = await _store()
        applier = Applier(store=store, connection=ID)
        a, b = _create(0), _create(1)
        await value(applier.record([a, b]))
        for write in (a, b):
            await value(store.settle(ID, write.key, state=IntentState.SENT))
        never = _error(ErrorKind.RETRIABLE, unsent=True)
        applied = await _settled(applier, [(a, Failure(never)), (b, Failure(never))])
        assert applied == Applied(stopped=(a, never))
        assert await _states(store) == {"ri-0": IntentState.PENDING, "ri-1": IntentState.SENT}
        fatal = _error(ErrorKind.FATAL)
        assert await _settled(applier, [(b, Failure(fatal))]) == Applied(stopped=(b, fatal))
        assert await _states(store) == {"ri-0": IntentState.PENDING, "ri-1": IntentState.SENT}

    _run(body())
