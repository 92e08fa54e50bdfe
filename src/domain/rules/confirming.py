"""One confirm at a time (rules O5, C1): how a confirm claims, renews, finishes and releases its
connection. Pure: every state store applies these in one transaction (a compare-and-set), so two
confirms of one connection, in one process or in two, can never both go ahead.

- ``claim``: ONBOARDING (with its sync-from date, C4) becomes CONFIRMING, held by the confirm's
  token until ``at + lease``. A CONFIRMING connection is refused while another token's lease runs
  (``under_way``: the admin API's 409); once that lease has run out, its confirm was left by a
  process that died or stalled (a live one renews long before) and the claim takes it over; so it
  does at once when the caller proved that process gone (``over``). A confirmed connection is
  refused under C1. Claiming again with the token that holds it renews it.
- ``renew``: the holder's sign of life, a new lease from ``at``. ``finish``: CONFIRMED at ``at``.
  Both are refused once the token no longer holds the claim (``not_held``: taken over, finished or
  released): that confirm stops before it sends anything more.
- ``release``: the holder's confirm failed, the connection is ONBOARDING again and confirm can be
  retried; a token that no longer holds the claim changes nothing.
- ``in_flight``: the refusal to take over a lapsed claim whose process may still live before a
  create it sent can no longer be on its way (``app.claim`` decides when).
- ``save_refusal``: while CONFIRMING nothing else changes the connection, its onboarding or its
  acknowledgements, nor removes it; and only ``claim`` makes a connection CONFIRMING.

Decided: the refusals are REJECTED under rule O5 (confirm) and give the times in UTC, so a person
knows until when a confirm whose process died blocks another. What a confirm taken over had
already written is not written twice: ``app.confirm`` looks up what it may have sent first.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from returns.result import Failure, Result, Success

from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.rules.connection import change_refusal
from released_intacct.domain.settings import EARLIEST_SYNC_FROM
from released_intacct.domain.state import ConfirmClaim, Connection, Phase

__all__ = [
    "changes_refused",
    "claim",
    "finish",
    "held_by",
    "in_flight",
    "not_held",
    "outside_claim",
    "release",
    "renew",
    "save_refusal",
    "under_way",
    "utc",
]


def claim(
    stored: Connection,
    *,
    token: str,
    at: datetime,
    lease: timedelta,
    holder: str = "",
    over: str | None = None,
) -> Result[Connection, SyncError]:
    """``stored`` CONFIRMING under ``token`` (of process ``holder``) until ``at + lease``, or why
    another confirm or the connection's phase forbids it. ``over``: the token of a claim whose
    process the caller proved gone, taken over though its lease still runs."""
    _check_lease(lease)
    refused = change_refusal(stored)
    if refused is not None:
        return Failure(refused)
    held = stored.confirming
    if stored.phase is Phase.CONFIRMING:
        if held is not None and held.token not in (token, over) and not held.lapsed(at=at):
            return Failure(under_way(stored))
    elif stored.phase is not Phase.ONBOARDING or stored.sync_from is None:
        return Failure(_not_ready(stored))
    since = held.since if held is not None and held.token == token else at
    claimed = ConfirmClaim(token=token, since=since, until=at + lease, holder=holder)
    return Success(replace(stored, phase=Phase.CONFIRMING, confirming=claimed))


def renew(
    stored: Connection, *, token: str, at: datetime, lease: timedelta
) -> Result[Connection, SyncError]:
    _check_lease(lease)
    if stored.confirming is None or not held_by(stored, token):
        return Failure(not_held(stored))
    return Success(replace(stored, confirming=replace(stored.confirming, until=at + lease)))


def finish(stored: Connection, *, token: str, at: datetime) -> Result[Connection, SyncError]:
    if not held_by(stored, token):
        return Failure(not_held(stored))
    return Success(replace(stored, phase=Phase.CONFIRMED, confirmed_at=at, confirming=None))


def release(stored: Connection, *, token: str) -> Connection:
    if not held_by(stored, token):
        return stored
    return replace(stored, phase=Phase.ONBOARDING, confirming=None)


def save_refusal(stored: Connection, connection: Connection | None = None) -> SyncError | None:
    """Why a change of ``stored`` (to ``connection``: a save) other than these transitions is
    refused: a confirm holds it, or the change would make it CONFIRMING outside ``claim``."""
    if stored.phase is Phase.CONFIRMING:
        return under_way(stored)
    return None if connection is None else outside_claim(connection)


def changes_refused(stored: Connection, connection: Connection | None = None) -> SyncError | None:
    """Why ``stored`` may not be changed (to ``connection``: a save) nor removed, nor its
    acknowledgements: it is confirmed (C1, ``change_refusal``) or a confirm holds it
    (``save_refusal``)."""
    return change_refusal(stored) or save_refusal(stored, connection)


def outside_claim(connection: Connection) -> SyncError | None:
    """Only ``claim`` makes a connection CONFIRMING: the refusal of any other way to store one."""
    if connection.phase is not Phase.CONFIRMING and connection.confirming is None:
        return None
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.O5,
        message=f"Connection {connection.id} cannot be stored as confirming.",
        fix="Start a confirm instead: it claims the connection.",
    )


def held_by(stored: Connection, token: str) -> bool:
    held = stored.confirming
    return stored.phase is Phase.CONFIRMING and held is not None and held.token == token


def under_way(connection: Connection) -> SyncError:
    """The refusal of a second confirm, or of any change, while a confirm is under way."""
    held = connection.confirming
    by = "" if held is None or not held.holder else f" by process {held.holder}"
    since = "" if held is None else f" (started {utc(held.since)}{by})"
    until = "its lease runs out" if held is None else utc(held.until)
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.O5,
        message=(
            f"A confirm of connection {connection.id} is already under way{since}; nothing else "
            f"can change the connection until it ends or, if its process stopped, until {until}."
        ),
        fix=(
            "Wait for it to finish: the connection's phase shows 'confirming' until then. If the "
            f"process running it stopped, confirm again after {until}: the unfinished confirm is "
            "taken over and completed, and nothing it created is created twice."
        ),
    )


def in_flight(connection: Connection, until: datetime) -> SyncError:
    """The refusal to take over, before ``until``, a confirm whose process may still live and
    still have a create on its way (``sync.in_flight`` after its last sign of life)."""
    held = connection.confirming
    by = "" if held is None or not held.holder else f" (process {held.holder})"
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.O5,
        message=(
            f"The confirm under way of connection {connection.id}{by} stopped showing signs of "
            "life, but its process may still be running and a contact it sent may still be on "
            f"its way to Sage Intacct until {utc(until)}."
        ),
        fix=f"Confirm again after {utc(until)}: the unfinished confirm is then taken over, and "
        "nothing it created is created twice.",
    )


def not_held(stored: Connection) -> SyncError:
    """This confirm lost its claim: it must stop and send nothing more."""
    if stored.phase is Phase.CONFIRMED:
        now = "another confirm completed it"
    elif stored.phase is Phase.CONFIRMING:
        now = "another confirm took it over after this one showed no sign of life"
    else:
        now = "the confirm was ended"
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.O5,
        message=f"This confirm of connection {stored.id} no longer holds it: {now}.",
        fix="Nothing more was sent by this confirm. Check the connection's phase; if it is not "
        "confirmed, confirm again.",
    )


def _not_ready(stored: Connection) -> SyncError:
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=Rule.C4,
        message=f"Connection {stored.id} cannot be confirmed yet: its sync-from date is not set.",
        fix="Choose the entity and set the sync-from date (on or after "
        f"{EARLIEST_SYNC_FROM.isoformat()}) first.",
    )


def _check_lease(lease: timedelta) -> None:
    if lease <= timedelta(0):
        msg = f"a confirm's lease must be positive, not {lease}"
        raise ValueError(msg)


def utc(moment: datetime) -> str:
    """A moment as the refusals and notifications about confirms show it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
