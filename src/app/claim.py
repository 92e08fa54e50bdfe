"""A confirm's claim on its connection (rules O5, C1): taken, renewed while alive, then ended.

``Claim.take`` draws a fresh token and asks the store to make the connection CONFIRMING under it
(a compare-and-set in the store's transaction, ``domain.rules.confirming``): of two confirms, in one
process or in two, one gets the claim and the other a REJECTED refusal (the admin API's 409) saying
since when, and by which process, a confirm is under way and until when it holds the connection.

The claim is held as a run holds its company (``app.holding``, ``Ports.policy``): its lease is
``sync.stale_after`` and, while the claim is held (``async with claim``), a timer renews it every
``heartbeat_every(stale_after)``, so a live confirm is never taken for a dead one however long
Intacct takes. ``check`` renews at once: the confirm calls it before each batch of writes, and a
claim that was lost (taken over after the process stalled past its lease, or ended) stops the
confirm before it sends anything more. ``finish`` makes the connection CONFIRMED with the confirmed
onboarding; ``release`` puts it back to ONBOARDING after a failure (or an interruption), so confirm
can simply be tried again.

A process that dies while confirming renews nothing: the next confirm takes its claim over once
the lease has run out, or at once when that process ran on this host and is gone
(``holding.holder_alive``). A process that may still live (stalled, cut off, on another host) may
still have a create on its way: sent at its last renewal at the latest, it may land until
``sync.in_flight`` after it, so when that is later than the lease's end the claim is not taken
over before then (``rules.confirming.in_flight``; never with the default settings, where
``in_flight`` is the shorter). A process that is gone sends nothing more, but its last create may
still be running in Intacct (``RunPolicy.attempt``): ``in_flight`` says until when, and the
confirm waits that out, the claim held and renewed, before it sends again a create it does not
find (``app.confirm_creates``). The take-over is logged and notified.
"""

from __future__ import annotations

import asyncio
import uuid
from types import TracebackType

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.log import logger
from released_intacct.app.holding import Every, InFlight, holder_alive, in_flight_window
from released_intacct.app.ports import Ports, Sleep, settled
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.ports import Notification
from released_intacct.domain.rules.confirming import in_flight, utc
from released_intacct.domain.state import ConfirmClaim, Connection, Phase, heartbeat_every

__all__ = ["Claim"]

_log = logger(__name__)


class Claim:
    """The claim one confirm holds on one connection; build it with ``await Claim.take(...)``."""

    def __init__(
        self,
        ports: Ports,
        connection: Connection,
        *,
        sleep: Sleep,
        gone: ConfirmClaim | None = None,
    ) -> None:
        held = connection.confirming
        if held is None:
            msg = "a claim needs a connection held by a confirm"
            raise ValueError(msg)
        self.connection = connection
        self._ports, self._token = ports, held.token
        self._lease = ports.policy.stale_after
        self._lost: SyncError | None = None
        self._gone = gone
        self._timer = Every(
            self._renew_on_time,
            heartbeat_every(self._lease),
            name=f"confirm-lease-{connection.id}",
            sleep=sleep,
        )

    @classmethod
    async def take(
        cls, ports: Ports, id: ConnectionId, *, sleep: Sleep = asyncio.sleep
    ) -> Result[Claim, SyncError]:
        """The claim on ``id`` for a new confirm, or why another confirm or the phase forbids it."""
        before = await settled(ports.store.connection(id))
        found = before.value_or(None)
        previous = None if found is None else found.confirming
        gone = previous is not None and not holder_alive(previous.holder)
        policy, at = ports.policy, ports.clock.now()
        if found is not None and previous is not None and not gone:
            quiet = previous.until - policy.stale_after + policy.in_flight
            if at < quiet and previous.lapsed(at=at):
                return Failure(in_flight(found, quiet))
        taken = await settled(
            ports.store.claim_confirm(
                id,
                token=uuid.uuid4().hex,
                at=at,
                lease=policy.stale_after,
                holder=policy.holder,
                over=previous.token if previous is not None and gone else None,
            )
        )
        if not is_successful(taken):
            return Failure(taken.failure())
        claim = cls(ports, taken.unwrap(), sleep=sleep, gone=previous if gone else None)
        if previous is not None:
            await claim._taken_over(previous, gone=gone)
        return Success(claim)

    async def __aenter__(self) -> Claim:
        self._timer.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self._timer.stop()

    @property
    def id(self) -> ConnectionId:
        return self.connection.id

    def in_flight(self) -> InFlight | None:
        """Until when a create of the confirm this claim took over may still be running in
        Intacct, when its process is provably gone (``holding.in_flight_window``): its last
        request had left, by its last renewal at the latest (its lease's end less
        ``stale_after``).
        None when there is none to wait for: no confirm was taken over, or its process may live
        (then ``take`` itself waited out ``sync.in_flight``), or the time is past."""
        if self._gone is None:
            return None
        policy = self._ports.policy
        last = self._gone.until - policy.stale_after
        return in_flight_window(last, dead=True, now=self._ports.clock.now(), policy=policy)

    async def check(self) -> Result[None, SyncError]:
        """Renew now: None while the claim is still this confirm's, else the refusal to stop on."""
        if self._lost is not None:
            return Failure(self._lost)
        return (await self._renew()).map(lambda _: None)

    async def finish(self, onboarding: Onboarding) -> Result[Connection, SyncError]:
        """CONFIRMED, with ``onboarding`` stored, if the claim is still this confirm's."""
        at = self._ports.clock.now()
        done = self._ports.store.finish_confirm(self.id, onboarding, token=self._token, at=at)
        return await settled(done)

    async def release(self) -> None:
        """ONBOARDING again, if the claim is still this confirm's (else nothing changes)."""
        released = await settled(self._ports.store.release_confirm(self.id, token=self._token))
        if not is_successful(released):
            # the lease runs out on its own: the next confirm takes the claim over then
            _log.warning("confirm_release_failed", connection=self.id, error=released.failure())
        elif released.unwrap().phase is Phase.ONBOARDING:
            _log.info("confirm_released", connection=self.id)

    async def _renew(self) -> Result[Connection, SyncError]:
        at, lease = self._ports.clock.now(), self._lease
        renewed = await settled(
            self._ports.store.renew_confirm(self.id, token=self._token, at=at, lease=lease)
        )
        if not is_successful(renewed) and renewed.failure().kind is ErrorKind.REJECTED:
            self._lost = renewed.failure()
            _log.warning("confirm_claim_lost", connection=self.id)
        return renewed

    async def _renew_on_time(self) -> bool:
        """One renewal of the timer (every ``heartbeat_every(lease)``); False once the claim is
        lost (a store that cannot be written to now may be again before the lease runs out:
        renewing goes on)."""
        if self._lost is not None:  # found lost by ``check`` meanwhile
            return False
        renewed = await self._renew()
        if not is_successful(renewed) and self._lost is None:
            _log.warning("confirm_renew_failed", connection=self.id, error=renewed.failure())
        return self._lost is None

    async def _taken_over(self, previous: ConfirmClaim, *, gone: bool) -> None:
        if previous.token == self._token:
            return
        since, until = utc(previous.since), utc(previous.until)
        _log.warning(
            "confirm_taken_over",
            connection=self.id,
            previous_holder=previous.holder or "-",
            previous_since=since,
            previous_until=until,
            holder_gone=gone,
        )
        why = (
            f"its process ({previous.holder}) is gone"
            if gone
            else f"it showed no sign of life by {until}"
        )
        note = Notification(
            connection=self.id,
            title="Confirm taken over",
            body=(
                f"The confirm started at {since} stopped: {why}. A new confirm took it over; "
                "nothing the first one created is created again."
            ),
        )
        told = await settled(self._ports.store.notify(self.id, note, at=self._ports.clock.now()))
        if not is_successful(told):
            _log.warning("confirm_notification_failed", connection=self.id)
