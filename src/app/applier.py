"""The outbox applier: the one way a write that must happen once is recorded and settled.

Every such write goes through it, a sync's (``app.sync.apply``, and its recovery of the intents an
earlier run left open, ``app.sync.recovery`` and ``uncertain``) and confirm's creates
(``app.confirm_creates``):

1. ``record``: the intents are stored PENDING before anything is sent; only the keys the store
   answers held may be sent (one SENT by an earlier run, its outcome unknown, is not);
2. the caller sends (a sync marks the intents SENT just before, ``StateStore.hold``; confirm does
   not) and hands back what each write answered: an ``Answer``, the link the write leaves
   (``planning.written``) or why it failed;
3. ``settle``: each intent is settled by its answer, and what became of the writes is returned as
   a value (``Applied``), which the caller reports as it reports things (a sync's results and
   counts, confirm's list of refusals):

   - a link: CONFIRMED with it;
   - the refusal of one record (REJECTED, NEEDS_USER, SKIPPED): FAILED, in the order answered;
   - the failure of the call itself stops the caller there (``Applied.stopped``), the failures
     answered after it left as they are (the successes are CONFIRMED all the same): a write
     known never to have left (``SyncError.unsent``) goes back to PENDING; one whose outcome is
     unknown (RETRIABLE) stays open as it was sent (``sent_as``: SENT for a sync, PENDING for
     confirm), to be looked up first next time; a FATAL one is not touched.

   All of it in one store transaction (``StateStore.settle_many``); should the store refuse one,
   each on its own.

Decided, who looks up a write whose outcome is unknown (issue 19): the adapter that sent it, while
it still tries (the Intacct writer looks every create of an uncertain request up by its key before
it sends anything again, and reads Intacct's refusal of a control id already run, which has no
errorno; Re-Leased replays a create sent again with the same idempotency key), and the sync's
recovery, for an intent left open by an earlier run, a crash or a confirm. The applier never looks
up: what the adapter could not confirm, it had just looked up; asking again at once would cost a
request and learn nothing new. The intent stays open and the next run's recovery looks it up.

The store's ``settle`` and ``settle_many`` are called from here only.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import partial

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app.ports import settled
from released_intacct.domain.actions import (
    CreateInIntacct,
    CreateInReleased,
    UpdateInIntacct,
    WriteAction,
)
from released_intacct.domain.enums import Prerequisite, System
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, idempotency_key
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.planning.written import link_for_intacct_write
from released_intacct.domain.ports import WriteOutcome
from released_intacct.domain.rules.prerequisites import explain
from released_intacct.domain.state import Fence, Intent, IntentState, Settlement, StateStore

__all__ = ["Answer", "Applied", "Applier", "intacct_answers", "intent_key", "no_answer"]

Answer = tuple[WriteAction, Result[Link, SyncError]]
"""A write sent, and what it answered: the link it leaves, or why it failed."""


@dataclass(frozen=True, slots=True)
class Applied:
    """What became of the writes answered, their intents settled."""

    written: tuple[tuple[WriteAction, Link], ...] = ()
    """CONFIRMED, with their links."""
    refused: tuple[tuple[WriteAction, SyncError], ...] = ()
    """FAILED: the refusal of one record each, in the order answered."""
    stopped: tuple[WriteAction, SyncError] | None = None
    """The write whose failure stops the caller (its intent open, see the module docstring),
    and why; the failures answered after it are left as they are."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Applier:
    """The outbox of one connection; ``fence``: a run's, every store call fenced by it (issue
    16, F1), None for confirm; ``sent_as``: the state a sent write's intent is in."""

    store: StateStore
    connection: ConnectionId
    fence: Fence | None = None
    sent_as: IntentState = IntentState.SENT

    async def record(
        self, writes: Sequence[WriteAction]
    ) -> Result[frozenset[IdempotencyKey], SyncError]:
        """Store the intents of ``writes`` PENDING (``StateStore.record_intents``); the keys held,
        the only writes of these that may be sent."""
        intents = [
            Intent(connection=self.connection, key=intent_key(self.connection, w), action=w)
            for w in writes
        ]
        return await settled(self.store.record_intents(intents, fence=self.fence))

    async def settle(self, answers: Sequence[Answer]) -> Result[Applied, SyncError]:
        """Settle each intent by its write's answer (see the module docstring), all in one store
        transaction; a Failure only when the store refused."""
        written: list[tuple[WriteAction, Link]] = []
        refused: list[tuple[WriteAction, SyncError]] = []
        stopped: tuple[WriteAction, SyncError] | None = None
        moves: list[Settlement] = []
        for write, answer in answers:
            key = intent_key(self.connection, write)
            if is_successful(answer):
                written.append((write, answer.unwrap()))
                moves.append(Settlement(key, IntentState.CONFIRMED, answer.unwrap()))
            elif stopped is None:
                state = self._left_as(answer.failure())
                moves += [] if state is None else [Settlement(key, state)]
                if state is IntentState.FAILED:
                    refused.append((write, answer.failure()))
                else:
                    stopped = (write, answer.failure())
        done = await self._settle_all(moves)
        return done.map(lambda _: Applied(tuple(written), tuple(refused), stopped))

    async def reopen(self, write: WriteAction) -> Result[None, SyncError]:
        """An open intent back to PENDING, to be recorded and sent again."""
        return await self._move(write, IntentState.PENDING)

    async def abandon(self, write: WriteAction) -> Result[None, SyncError]:
        """An open intent FAILED with no answer: never sent again (confirm's create no longer
        wanted as it was sent)."""
        return await self._move(write, IntentState.FAILED)

    def _left_as(self, error: SyncError) -> IntentState | None:
        """The state a failed write's intent is settled in; None: not touched (FATAL)."""
        if error.unsent:
            return IntentState.PENDING
        if error.kind is ErrorKind.FATAL:
            return None
        if error.kind is ErrorKind.RETRIABLE:
            return self.sent_as
        return IntentState.FAILED

    async def _settle_all(self, moves: Sequence[Settlement]) -> Result[None, SyncError]:
        """``moves`` in one store transaction (``StateStore.settle_many``); should the store
        refuse one, each on its own, up to the first it refuses."""
        if not moves:
            return Success(None)
        together = self.store.settle_many(self.connection, moves, fence=self.fence)
        if is_successful(await settled(together)):
            return Success(None)
        for one in moves:
            moved = self.store.settle(
                self.connection, one.key, state=one.state, link=one.link, fence=self.fence
            )
            done = await settled(moved)
            if not is_successful(done):
                return done
        return Success(None)

    async def _move(
        self, write: WriteAction, state: IntentState, link: Link | None = None
    ) -> Result[None, SyncError]:
        key = intent_key(self.connection, write)
        moved = self.store.settle(self.connection, key, state=state, link=link, fence=self.fence)
        return await settled(moved)


def intent_key(connection: ConnectionId, write: WriteAction) -> IdempotencyKey:
    """A create's intent key is the action's idempotency key (deterministic from connection,
    target, record type, source system and source id). An update's carries its content: the same
    key with the source fingerprint as a suffix, so two different updates of one record are two
    intents and the same update planned twice is one (an update is idempotent by content)."""
    if isinstance(write, CreateInIntacct | CreateInReleased):
        return write.key
    if isinstance(write, UpdateInIntacct):
        target, source, source_id = System.INTACCT, System.RELEASED, str(write.released_id)
    else:
        target, source, source_id = System.RELEASED, System.INTACCT, str(write.intacct_key)
    return idempotency_key(
        connection,
        target,
        write.record_type,
        source=source,
        source_id=f"{source_id}#update#{write.source_fingerprint}",
    )


def intacct_answers(
    batch: Sequence[CreateInIntacct | UpdateInIntacct],
    sent: Result[tuple[WriteOutcome, ...], SyncError],
    *,
    unknown: Collection[Prerequisite],
    links: LinkIndex | None = None,
) -> list[Answer]:
    """What each write of ``batch`` answered, from what ``IntacctPort.write`` did with it: its
    link (``planning.written``, over the link of an update's record in ``links``), or why it
    failed, a refusal read against the ``unknown`` prerequisites (``rules.prerequisites``); the
    call's own failure is every write's."""
    batch_error = None if is_successful(sent) else sent.failure()
    outcomes = {o.key: o.result for o in sent.unwrap()} if batch_error is None else {}
    index = links or LinkIndex()
    answers: list[Answer] = []
    for write in batch:
        result = outcomes.get(write.key)
        if result is None:
            result = Failure(batch_error or no_answer("Sage Intacct"))
        existing = index.by_released(write.record_type, write.released_id)
        explained = result.alt(partial(explain, write=write, unknown=unknown))
        linked = explained.map(partial(link_for_intacct_write, write, existing=existing))
        answers.append((write, linked))
    return answers


def no_answer(system: str) -> SyncError:
    """Why a write has no answer: ``system`` did not say what became of it."""
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"{system} did not answer for this record.",
        fix="Nothing to do: it is looked up and sent again on the next sync.",
    )
