"""One contract for the state-store port, over every implementation (rules C1, C2, E1-E4, O5).

``fake``: the in-memory ``FakeStateStore``. ``sqlite``: the aiosqlite ``SqliteStateStore`` on
``tmp_path``, skipped while ``released_intacct.adapters.state.sqlite`` is not importable.
``postgres``: the psycopg ``PostgresStateStore`` on a fresh, migrated database of the throwaway
cluster (``postgres_dsn``), skipped in one line like the other PostgreSQL tests when there is none.

Beyond the port's docstrings this contract holds (decided; ``fakes/state_store.py`` lists them):
the Intacct side of C1 is checked once an entity is set, on add or save, and a refusal names the
holder; a change naming an unknown connection is REJECTED; links are unique by record type + Intacct
key; results are listed most recently seen first and notifications newest first. Write actions in
the outbox come back exactly, Decimal exponents included (``repr`` is compared too). A run is stale
strictly after ``stale_after`` without a sign of life; a released run has one more error and
says when it was released; a finished run is final: a late ``finish_run`` is refused (``lost``).
Leases (issue 17): a company never scheduled is due at once; a lease is held while ``until >= at``
and taken over once ``until < at``; a request is answered by a run that started at or after it.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from returns.future import FutureResult
from returns.result import Failure, Result, Success

from released_intacct.adapters.state import postgres
from released_intacct.domain.actions import (
    CreateInIntacct,
    CreateInReleased,
    UpdateInIntacct,
    UpdateInReleased,
    WriteAction,
)
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    Direction,
    DocumentKind,
    IntacctApi,
    IntacctState,
    InvoiceType,
    Origin,
    Prerequisite,
    RecordType,
    ReleasedInvoiceStatus,
    System,
)
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IdempotencyKey,
    IntacctCompanyId,
    IntacctId,
    IntacctKey,
    ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.intacct import Transaction, TransactionLine
from released_intacct.domain.links import Link, LinkStatus
from released_intacct.domain.matching import Archive, Candidate, CreateAs, Match, Step, Target
from released_intacct.domain.money import currency
from released_intacct.domain.onboarding import (
    Onboarding,
    continue_step,
    create_as,
    match,
    start_onboarding,
)
from released_intacct.domain.ports import IntacctCredentials, Notification, OAuthCredentials
from released_intacct.domain.released import Invoice, InvoiceLine, TrackingRef
from released_intacct.domain.results import Progress, RunCounts, RunStatus
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import (
    DEFAULT_STALE_AFTER,
    ConfirmClaim,
    Connection,
    Cursor,
    Intent,
    IntentState,
    Lease,
    Phase,
    Resolution,
    ResultFilter,
    Run,
    Settlement,
    StateStore,
    lost,
)
from released_intacct.fakes import samples
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.state_store import FakeStateStore

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)
KEY = Secret(base64.urlsafe_b64encode(bytes(range(32))).decode())
C1, C2, C3 = ConnectionId("conn-1"), ConnectionId("conn-2"), ConnectionId("conn-3")
GONE = ConnectionId("conn-unknown")
EVERY = ResultFilter()
GBP = currency("GBP")
ok = value

Closer = Callable[[], Awaitable[None]]
Body = Callable[[StateStore], Coroutine[Any, Any, None]]
Contract = Callable[[Body], None]


async def _nothing() -> None:
    return None


async def _fake(_: object) -> tuple[StateStore, Closer]:
    return FakeStateStore(), _nothing


async def _sqlite(folder: object) -> tuple[StateStore, Closer]:
    assert isinstance(folder, Path)
    why = "the aiosqlite state store (released_intacct.adapters.state.sqlite) is not there yet"
    module: Any = pytest.importorskip("released_intacct.adapters.state.sqlite", reason=why)
    store = await module.SqliteStateStore.open(folder / "state.sqlite3", key=KEY)
    return store, store.close


async def _postgres(dsn: object) -> tuple[StateStore, Closer]:
    assert isinstance(dsn, str)
    postgres.migrate_database(dsn)
    store = await postgres.PostgresStateStore.open(dsn, key=KEY)
    return store, store.close


MAKERS = {"fake": _fake, "sqlite": _sqlite, "postgres": _postgres}
PLACES = {"postgres": "postgres_dsn"}
"""The fixture each maker takes its place from (a folder, ``tmp_path``, unless named here)."""


@pytest.fixture(params=sorted(MAKERS))
def contract(request: pytest.FixtureRequest) -> Contract:
    name = str(request.param)
    maker = MAKERS[name]
    place = request.getfixturevalue(PLACES.get(name, "tmp_path"))

    def run(body: Body) -> None:
        async def main() -> None:
            store, close = await maker(place)
            try:
                await body(store)
            finally:
                await close()

        asyncio.run(main())

    return run


async def refusal(future: FutureResult[Any, SyncError]) -> SyncError:
    result = await settled(future)
    assert isinstance(result.failure(), SyncError), f"expected a refusal, got {result!r}"
    return result.failure()


def credentials(n: int) -> IntacctCredentials:
    return IntacctCredentials(
        sender_id=f"sender-{n}",
        sender_password=Secret(f"sender-password-{n}!"),
        company_id=f"INT-{n}",
        user_id=f"ws-user-{n}",
        user_password=Secret(f"user-password-{n}!"),
    )


def connection(
    id: ConnectionId, released: str, intacct: str, entity: str | None = None
) -> Connection:
    return Connection(
        id=id,
        released_company=ReleasedCompanyId(released),
        intacct_company=IntacctCompanyId(intacct),
        entity=None if entity is None else EntityId(entity),
        created_at=T0,
    )


async def connect(store: StateStore, id: ConnectionId = C1, released: str = "RL-1") -> Connection:
    """A connection at the top level of Intacct company ``INT-<id digit>``."""
    n = int(id[-1])
    return await ok(store.add_connection(connection(id, released, f"INT-{n}", ""), credentials(n)))


def confirmed(conn: Connection) -> Connection:
    return replace(conn, phase=Phase.CONFIRMED, sync_from=date(2024, 1, 1), confirmed_at=T0 + HOUR)


# --- connections and credentials (C1, C2) --------------------------------------------------------


def test_C1_a_second_connection_of_the_same_released_company_is_refused_naming_the_holder(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        first = await connect(store)
        error = await refusal(store.add_connection(connection(C2, "RL-1", "INT-2"), credentials(2)))
        assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.C1)
        assert "INT-1" in error.message
        assert await ok(store.connections()) == (first,)
        assert await ok(store.connection(C2)) is None

    contract(body)


def test_C1_the_same_intacct_company_and_entity_twice_is_refused_naming_the_holder(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        first = await ok(store.add_connection(connection(C1, "RL-1", "INT-1"), credentials(1)))
        await ok(
            store.save_connection(replace(first, entity=EntityId("E1"), phase=Phase.ENTITY_CHOSEN))
        )
        # before its entity is chosen, a connection of the same Intacct company is no conflict
        second = await ok(store.add_connection(connection(C2, "RL-2", "INT-1"), credentials(1)))
        error = await refusal(store.save_connection(replace(second, entity=EntityId("E1"))))
        assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.C1)
        assert "RL-1" in error.message
        assert await ok(store.connection(C2)) == second
        added = await refusal(
            store.add_connection(connection(C3, "RL-3", "INT-1", "E1"), credentials(1))
        )
        assert added.rule is Rule.C1
        assert "RL-1" in added.message
        other_entity = replace(second, entity=EntityId("E2"), phase=Phase.ENTITY_CHOSEN)
        assert await ok(store.save_connection(other_entity)) == other_entity
        assert await ok(store.connection(C2)) == other_entity

    contract(body)


def test_C1_a_confirmed_connection_can_be_neither_changed_nor_removed(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        done = confirmed(await connect(store))
        assert await ok(store.save_connection(done)) == done
        assert await ok(store.save_connection(done)) == done  # unchanged again: nothing to refuse
        changed = await refusal(store.save_connection(replace(done, sync_from=date(2025, 1, 1))))
        removed = await refusal(store.remove_connection(C1))
        for error in (changed, removed):
            assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.C1)
        assert await ok(store.connection(C1)) == done
        assert await ok(store.credentials(C1)) == credentials(1)

    contract(body)


def test_C1_removing_an_unconfirmed_connection_frees_its_companies(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        await ok(store.save_onboarding(C1, start_onboarding()))
        await ok(store.remove_connection(C1))
        assert await ok(store.connection(C1)) is None
        assert await ok(store.connections()) == ()
        await refusal(store.credentials(C1))
        again = await connect(store, C2)
        assert await ok(store.connections()) == (again,)
        assert await ok(store.onboarding(C2)) is None

    contract(body)


def test_C2_connections_and_credentials_round_trip_and_never_show(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        conn = replace(
            connection(C1, "RL-1", "INT-1", "E 1"),
            phase=Phase.ONBOARDING,
            sync_from=date(2018, 1, 1),
            created_at=datetime(2026, 2, 1, 8, 30, 15, 250, tzinfo=timezone(timedelta(hours=10))),
        )
        await ok(store.add_connection(conn, credentials(1)))
        assert await ok(store.connection(C1)) == conn
        kept = await ok(store.credentials(C1))
        assert isinstance(kept, IntacctCredentials)
        given = credentials(1)
        assert (kept.sender_id, kept.company_id, kept.user_id) == (
            given.sender_id,
            given.company_id,
            given.user_id,
        )
        assert kept.sender_password.reveal() == "sender-password-1!"
        assert kept.user_password.reveal() == "user-password-1!"
        for shown in (repr(store), str(store), repr(kept), repr(await ok(store.connections()))):
            assert "password-1" not in shown

    contract(body)


def test_C2_an_unknown_connection_has_no_credentials_and_cannot_be_saved(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        assert await ok(store.connection(GONE)) is None
        await refusal(store.credentials(GONE))
        error = await refusal(store.save_connection(connection(GONE, "RL-9", "INT-9")))
        assert error.kind is ErrorKind.REJECTED
        assert await ok(store.connections()) == ()

    contract(body)


# --- OAuth 2 (issue 20): the connection's API and its rotating refresh token (C2) --------------

OAUTH = OAuthCredentials(
    client_id="client-1", client_secret=Secret("client-secret-1!"), company_id="INT-1", user_id=None
)


def rest(id: ConnectionId = C1) -> Connection:
    """As ``connect``'s connection, speaking the REST API."""
    n = int(id[-1])
    return replace(connection(id, f"RL-{n}", f"INT-{n}", ""), api=IntacctApi.REST)


def rotating(
    seen: list[Secret], *, pause: float = 0.0
) -> Callable[[Secret], Awaitable[Result[tuple[Secret, Secret], SyncError]]]:
    """A spend as Intacct answers it: the next refresh token (``<token>+``), returned as the
    value too; each token it is given is noted in ``seen``."""

    async def spend(token: Secret) -> Result[tuple[Secret, Secret], SyncError]:
        seen.append(token)
        await asyncio.sleep(pause)
        new = Secret(token.reveal() + "+")
        return Success((new, new))

    return spend


def test_C2_oauth_credentials_and_the_api_of_a_connection_round_trip(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        assert (await connect(store)).api is IntacctApi.XML
        added = await ok(store.add_connection(rest(C2), OAUTH))
        assert added.api is IntacctApi.REST
        assert await ok(store.connection(C2)) == added
        assert await ok(store.credentials(C2)) == OAUTH
        for shown in (repr(store), repr(OAUTH), repr(await ok(store.connections()))):
            assert "client-secret-1!" not in shown

    contract(body)


def test_C2_credentials_of_the_other_api_are_refused_and_the_api_never_changes(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        error = await refusal(store.add_connection(rest(), credentials(1)))
        assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.C2)
        assert "intacct.api" in error.message
        await refusal(store.add_connection(connection(C1, "RL-1", "INT-1"), OAUTH))
        assert await ok(store.connections()) == ()
        stored = await connect(store)
        changed = await refusal(store.save_connection(replace(stored, api=IntacctApi.REST)))
        assert (changed.kind, changed.rule) == (ErrorKind.REJECTED, Rule.C2)
        assert await ok(store.connection(C1)) == stored

    contract(body)


def test_C2_a_refresh_token_is_spent_once_and_replaced_by_the_one_intacct_returns(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await ok(store.add_connection(rest(), OAUTH))
        await ok(store.save_refresh_token(C1, Secret("rt-1")))
        seen: list[Secret] = []
        assert await ok(store.spend_refresh_token(C1, rotating(seen))) == Secret("rt-1+")
        assert await ok(store.spend_refresh_token(C1, rotating(seen))) == Secret("rt-1++")
        assert seen == [Secret("rt-1"), Secret("rt-1+")]
        await ok(store.save_refresh_token(C1, Secret("rt-2")))  # a new authorisation replaces it
        assert await ok(store.spend_refresh_token(C1, rotating(seen))) == Secret("rt-2+")

    contract(body)


def test_C2_two_concurrent_spenders_never_spend_the_same_refresh_token(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await ok(store.add_connection(rest(), OAUTH))
        await ok(store.save_refresh_token(C1, Secret("rt")))
        seen: list[Secret] = []
        spends = [ok(store.spend_refresh_token(C1, rotating(seen, pause=0.02))) for _ in range(3)]
        got = await asyncio.gather(*spends)
        assert sorted(token.reveal() for token in got) == ["rt+", "rt++", "rt+++"]
        assert seen == [Secret("rt"), Secret("rt+"), Secret("rt++")]

    contract(body)


def test_C2_a_failed_spend_keeps_the_token_and_returns_its_error(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await ok(store.add_connection(rest(), OAUTH))
        await ok(store.save_refresh_token(C1, Secret("rt")))
        refused = SyncError(kind=ErrorKind.RETRIABLE, rule=None, message="down", fix="wait")

        async def failing(_: Secret) -> Result[tuple[Secret, str], SyncError]:
            return Failure(refused)

        assert await refusal(store.spend_refresh_token(C1, failing)) == refused
        seen: list[Secret] = []
        await ok(store.spend_refresh_token(C1, rotating(seen)))
        assert seen == [Secret("rt")]

    contract(body)


def test_C2_no_refresh_token_means_connect_again_and_an_unknown_connection_is_refused(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await ok(store.add_connection(rest(), OAUTH))
        seen: list[Secret] = []
        missing = await refusal(store.spend_refresh_token(C1, rotating(seen)))
        assert (missing.kind, missing.rule) == (ErrorKind.NEEDS_USER, Rule.C2)
        assert "connect --api rest" in missing.fix
        unknown = await refusal(store.spend_refresh_token(GONE, rotating(seen)))
        assert unknown.kind is ErrorKind.REJECTED
        assert (await refusal(store.save_refresh_token(GONE, Secret("x")))).kind is (
            ErrorKind.REJECTED
        )
        assert seen == []

    contract(body)


def test_C2_a_connection_is_stored_with_its_refresh_token_or_not_at_all(
    contract: Contract,
) -> None:
    """Issue 20: the authorization-code grant's connection and its refresh token are kept in one
    transaction; a refused connection keeps no token."""

    async def body(store: StateStore) -> None:
        await ok(store.add_connection(rest(), OAUTH, refresh_token=Secret("rt-first")))
        seen: list[Secret] = []
        assert await ok(store.spend_refresh_token(C1, rotating(seen))) == Secret("rt-first+")
        same_company = replace(rest(C2), released_company=ReleasedCompanyId("RL-1"))
        await refusal(store.add_connection(same_company, OAUTH, refresh_token=Secret("rt-2")))
        assert (await refusal(store.spend_refresh_token(C2, rotating(seen)))).kind is (
            ErrorKind.REJECTED
        )
        assert seen == [Secret("rt-first")]

    contract(body)


# --- one confirm at a time (O5, C1; F4) ---------------------------------------------------------

LEASE = timedelta(minutes=5)


async def ready_to_confirm(store: StateStore) -> Connection:
    """``C1`` at its top level with its sync-from date: ONBOARDING."""
    dated = replace(await connect(store), phase=Phase.ONBOARDING, sync_from=date(2024, 1, 1))
    return await ok(store.save_connection(dated))


def claim(token: str, since: datetime, until: datetime) -> ConfirmClaim:
    return ConfirmClaim(token=token, since=since, until=until)


def test_F4_a_confirm_claims_the_connection_by_compare_and_set(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        ready = await ready_to_confirm(store)
        sydney = T0.astimezone(timezone(timedelta(hours=10)))
        claimed = await ok(store.claim_confirm(C1, token="a", at=sydney, lease=LEASE))
        held = replace(ready, phase=Phase.CONFIRMING, confirming=claim("a", T0, T0 + LEASE))
        assert claimed == held
        assert await ok(store.connection(C1)) == held
        second = await refusal(store.claim_confirm(C1, token="b", at=T0 + MINUTE, lease=LEASE))
        assert (second.kind, second.rule) == (ErrorKind.REJECTED, Rule.O5)
        assert "under way (started 2026-03-01 09:00:00 UTC)" in second.message
        assert "after 2026-03-01 09:05:00 UTC" in second.fix
        again = await ok(store.claim_confirm(C1, token="a", at=T0 + MINUTE, lease=LEASE))
        assert again.confirming == claim("a", T0, T0 + MINUTE + LEASE)  # its holder: renewed
        renewed = await ok(store.renew_confirm(C1, token="a", at=T0 + 2 * MINUTE, lease=LEASE))
        assert renewed.confirming == claim("a", T0, T0 + 2 * MINUTE + LEASE)
        for wrong in (
            store.renew_confirm(C1, token="b", at=T0 + 2 * MINUTE, lease=LEASE),
            store.finish_confirm(C1, onboarding(), token="b", at=T0 + 2 * MINUTE),
        ):
            error = await refusal(wrong)
            assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.O5)
        assert await ok(store.release_confirm(C1, token="b")) == renewed  # not its holder
        assert await ok(store.connection(C1)) == renewed
        ob = onboarding()
        done = await ok(store.finish_confirm(C1, ob, token="a", at=T0 + HOUR))
        assert done == replace(ready, phase=Phase.CONFIRMED, confirmed_at=T0 + HOUR)
        assert (await ok(store.connection(C1)), await ok(store.onboarding(C1))) == (done, ob)
        after = await refusal(store.claim_confirm(C1, token="c", at=T0 + HOUR, lease=LEASE))
        assert (after.kind, after.rule) == (ErrorKind.REJECTED, Rule.C1)
        assert (await refusal(store.renew_confirm(C1, token="a", at=T0, lease=LEASE))).rule is (
            Rule.O5
        )
        assert await ok(store.release_confirm(C1, token="a")) == done  # ended: nothing changes

    contract(body)


def test_F4_a_released_confirm_leaves_the_connection_to_confirm_again(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        ready = await ready_to_confirm(store)
        await ok(store.claim_confirm(C1, token="a", at=T0, lease=LEASE))
        assert await ok(store.release_confirm(C1, token="a")) == ready
        assert await ok(store.connection(C1)) == ready
        assert (await refusal(store.finish_confirm(C1, onboarding(), token="a", at=T0))).rule is (
            Rule.O5
        )
        retried = await ok(store.claim_confirm(C1, token="b", at=T0 + MINUTE, lease=LEASE))
        assert retried.confirming == claim("b", T0 + MINUTE, T0 + MINUTE + LEASE)

    contract(body)


def test_F4_a_claim_whose_lease_ran_out_is_taken_over_and_its_holder_stops(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        ready = await ready_to_confirm(store)
        await ok(store.claim_confirm(C1, token="dead", at=T0, lease=LEASE))
        early = T0 + LEASE - timedelta(microseconds=1)
        assert (await refusal(store.claim_confirm(C1, token="b", at=early, lease=LEASE))).rule is (
            Rule.O5
        )
        taken = await ok(store.claim_confirm(C1, token="b", at=T0 + LEASE, lease=LEASE))
        assert taken.confirming == claim("b", T0 + LEASE, T0 + 2 * LEASE)
        late = T0 + LEASE + MINUTE
        stale = await refusal(store.renew_confirm(C1, token="dead", at=late, lease=LEASE))
        assert "another confirm took it over" in stale.message
        finish = store.finish_confirm(C1, onboarding(), token="dead", at=late)
        assert (await refusal(finish)).rule is Rule.O5
        assert await ok(store.release_confirm(C1, token="dead")) == taken
        done = await ok(store.finish_confirm(C1, onboarding(), token="b", at=late))
        assert done == replace(ready, phase=Phase.CONFIRMED, confirmed_at=late)

    contract(body)


def test_F4_a_claim_whose_process_the_caller_proved_gone_is_taken_over_at_once(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await ready_to_confirm(store)
        first = store.claim_confirm(C1, token="a", at=T0, lease=LEASE, holder="host-1/42")
        assert (await ok(first)).confirming == ConfirmClaim(
            token="a", since=T0, until=T0 + LEASE, holder="host-1/42"
        )
        later = T0 + MINUTE
        wrong = store.claim_confirm(C1, token="b", at=later, lease=LEASE, over="not-a")
        refused = await refusal(wrong)
        assert "by process host-1/42" in refused.message
        taken = store.claim_confirm(C1, token="b", at=later, lease=LEASE, holder="h/7", over="a")
        got = await ok(taken)
        assert got.confirming == ConfirmClaim(
            token="b", since=later, until=later + LEASE, holder="h/7"
        )
        assert await ok(store.connection(C1)) == got

    contract(body)


def test_F4_while_a_confirm_holds_the_connection_nothing_else_changes_it(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        ready = await ready_to_confirm(store)
        claimed = await ok(store.claim_confirm(C1, token="a", at=T0, lease=LEASE))
        assert await ok(store.save_connection(claimed)) == claimed  # unchanged: nothing to refuse
        for change in (
            store.save_connection(replace(ready, sync_from=date(2025, 1, 1))),
            store.save_connection(replace(claimed, sync_from=date(2025, 1, 1))),
            store.remove_connection(C1),
            store.acknowledge(C1, [Prerequisite.EXTERNAL_TAX], at=T0),
            store.save_onboarding(C1, onboarding()),
        ):
            error = await refusal(change)
            assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.O5)
            assert "under way" in error.message
        assert await ok(store.connection(C1)) == claimed
        assert await ok(store.onboarding(C1)) is None
        assert await ok(store.acknowledgements(C1)) == ()
        other = await connect(store, C2, "RL-2")
        for outside in (
            store.save_connection(replace(other, phase=Phase.CONFIRMING)),
            store.add_connection(
                replace(connection(C3, "RL-3", "INT-3", ""), confirming=claimed.confirming),
                credentials(3),
            ),
        ):
            assert (await refusal(outside)).rule is Rule.O5
        assert await ok(store.connection(C2)) == other
        assert await ok(store.connection(C3)) is None

    contract(body)


def test_F4_only_a_dated_onboarding_connection_can_be_claimed(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        new = await connect(store)
        early = await refusal(store.claim_confirm(C1, token="a", at=T0, lease=LEASE))
        assert (early.kind, early.rule) == (ErrorKind.NEEDS_USER, Rule.C4)
        assert await ok(store.connection(C1)) == new
        for gone in (
            store.claim_confirm(GONE, token="a", at=T0, lease=LEASE),
            store.renew_confirm(GONE, token="a", at=T0, lease=LEASE),
            store.finish_confirm(GONE, onboarding(), token="a", at=T0),
            store.release_confirm(GONE, token="a"),
        ):
            assert (await refusal(gone)).kind is ErrorKind.REJECTED

    contract(body)


def test_F4_of_many_claims_at_once_exactly_one_wins(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await ready_to_confirm(store)
        tokens = [f"t{n}" for n in range(12)]
        outcomes = await asyncio.gather(
            *(settled(store.claim_confirm(C1, token=t, at=T0, lease=LEASE)) for t in tokens)
        )
        won = [o.unwrap() for o in outcomes if isinstance(o.value_or(None), Connection)]
        assert len(won) == 1
        assert await ok(store.connection(C1)) == won[0]

    contract(body)


# --- onboarding (O1-O5) --------------------------------------------------------------------------


def onboarding() -> Onboarding:
    """Auto-matches, a manual match, an archive, a create-as, three of four steps continued."""

    def candidate(rid: str, label: str, *keys: str, **more: Any) -> Candidate:
        return Candidate(released_id=ReleasedId(rid), label=label, keys=keys, **more)

    def target(key: str, label: str, *keys: str, **more: Any) -> Target:
        return Target(intacct_key=IntacctKey(key), label=label, keys=keys, **more)

    ob = start_onboarding(
        tax_types=(candidate("t-gst", "GST on Sales", "GST on Sales"),),
        tax_details=(target("GST", "GST on Sales", "gst on sales"),),
        accounts=(
            candidate("a-4000", "4000 Rent", "4000", "Rent"),
            candidate("a-4100", "4100 Fees", "4100", "Fees"),
            candidate("a-9999", "9999 Old", "9999", archived=True),
        ),
        gl_accounts=(target("4000", "4000 Rent", "4000"), target("4200", "4200 Other", "4200")),
        tracking_options=(candidate("o-north", "North", "North", group="Region"),),
        dimension_values=(target("location:N", "North", "north", group="region"),),
        contacts=(candidate("c-acme", "Acme", "Acme"), candidate("c-new", "New Tenant", "New")),
        parties=(target("CUSTOMER:C-1", "Acme", "ACME"),),
    )
    ob = match(ob, Step.ACCOUNTS, ReleasedId("a-4100"), IntacctKey("4200")).unwrap()
    ob = create_as(ob, ReleasedId("c-new"), ContactRole.VENDOR).unwrap()
    for step in (Step.TAX_TYPES, Step.ACCOUNTS, Step.TRACKING_OPTIONS):
        ob = continue_step(ob, step).unwrap()
    return ob


def test_O5_onboarding_decisions_and_continued_steps_round_trip(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        assert await ok(store.onboarding(C1)) is None
        ob = onboarding()
        decisions = [d for state in ob.steps for d in state.decisions.values()]
        assert {type(d) for d in decisions} == {Match, Archive, CreateAs}
        assert any(isinstance(d, Match) and d.auto for d in decisions)
        await ok(store.save_onboarding(C1, start_onboarding(accounts=ob.steps[1].candidates)))
        await ok(store.save_onboarding(C1, ob))
        assert await ok(store.onboarding(C1)) == ob
        assert [s.continued for s in ob.steps] == [True, True, True, False]

    contract(body)


# --- links (E2, D19, D21) ------------------------------------------------------------------------


def link(
    rid: str,
    key: str,
    record_type: RecordType = RecordType.CONTACT,
    *,
    origin: System = System.RELEASED,
    **more: Any,
) -> Link:
    return Link(
        record_type=record_type,
        released_id=ReleasedId(rid),
        intacct_key=IntacctKey(key),
        origin=origin,
        **more,
    )


def test_E2_links_are_found_by_released_ids_by_intacct_keys_or_all(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        await connect(store, C2, "RL-2")
        a, b = link("c-a", "CUSTOMER:A"), link("c-b", "VENDOR:B", origin=System.INTACCT)
        c = link("c-c", "CUSTOMER:C", status=LinkStatus.UNLINKED, released_fingerprint="r1")
        doc = link("c-a", "DOC-7", RecordType.INVOICE, posted=True, intacct_fingerprint="i1")
        await ok(store.save_links(C1, [a, b, c, doc]))
        contacts = RecordType.CONTACT
        assert set(await ok(store.links(C1, contacts))) == {a, b, c}
        assert await ok(store.links(C1, RecordType.INVOICE)) == (doc,)
        either = store.links(
            C1, contacts, released_ids=[a.released_id], intacct_keys=[b.intacct_key]
        )
        assert set(await ok(either)) == {a, b}
        assert await ok(store.links(C1, contacts, intacct_keys=[IntacctKey("DOC-7")])) == ()
        rekeyed = replace(doc, intacct_key=IntacctKey("DOC-8"), intacct_fingerprint="i2")
        await ok(store.save_links(C1, [rekeyed]))
        assert await ok(store.links(C1, RecordType.INVOICE)) == (rekeyed,)
        assert await ok(store.links(C2, contacts)) == ()

    contract(body)


def test_E2_a_link_to_an_intacct_key_held_by_another_record_is_refused_all_or_none(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        held = link("c-a", "CUSTOMER:A")
        await ok(store.save_links(C1, [held]))
        await refusal(
            store.save_links(C1, [link("c-new", "CUSTOMER:N"), link("c-b", "CUSTOMER:A")])
        )
        assert await ok(store.links(C1, RecordType.CONTACT)) == (held,)

    contract(body)


def test_E2_a_batch_of_links_is_judged_link_by_link_in_order(contract: Contract) -> None:
    """A record rekeyed early in a batch frees its old key for a later link of the batch; the
    same record twice keeps the last; two records of the batch taking one new key are refused,
    the whole batch with them."""

    async def body(store: StateStore) -> None:
        await connect(store)
        a, b = link("c-a", "CUSTOMER:A"), link("c-b", "CUSTOMER:B")
        await ok(store.save_links(C1, [a, b]))
        a_moved, b_first = link("c-a", "CUSTOMER:Z"), link("c-b", "CUSTOMER:Y")
        b_takes_a = link("c-b", "CUSTOMER:A", released_fingerprint="r2")
        await ok(store.save_links(C1, [a_moved, b_first, b_takes_a]))
        assert set(await ok(store.links(C1, RecordType.CONTACT))) == {a_moved, b_takes_a}
        clash = [link("c-c", "CUSTOMER:N"), link("c-d", "CUSTOMER:N"), link("c-a", "CUSTOMER:Q")]
        await refusal(store.save_links(C1, clash))
        assert set(await ok(store.links(C1, RecordType.CONTACT))) == {a_moved, b_takes_a}

    contract(body)


def test_D9_a_payments_allocation_links_are_found_by_its_intacct_key_prefix(
    contract: Contract,
) -> None:
    """One Intacct payment (RECORDNO 123) is linked as one payment link per invoice it pays."""

    async def body(store: StateStore) -> None:
        await connect(store)
        await connect(store, C2, "RL-2")
        keys = ["123/INV-2", "123/INV-1", "1234/INV-3", "123", "12/3", "12%/x", "12_/y", "ABC/1"]
        pay = RecordType.PAYMENT
        made = [link(f"p-{n}", key, pay) for n, key in enumerate([*keys, "abc/2"])]
        await ok(store.save_links(C1, made))
        await ok(store.save_links(C1, [link("inv-1", "123/INV-9", RecordType.INVOICE)]))
        await ok(store.save_links(C2, [link("p-x", "123/INV-1", pay)]))

        async def found(prefix: str, conn: ConnectionId = C1) -> list[str]:
            return [
                k.intacct_key for k in await ok(store.links_by_intacct_prefix(conn, pay, prefix))
            ]

        assert await found("123/") == ["123/INV-1", "123/INV-2"]  # ordered by key
        assert await found("123") == ["123", "123/INV-1", "123/INV-2", "1234/INV-3"]
        assert await found("12%/") == ["12%/x"]  # no wildcard: % and _ are characters
        assert await found("12_") == ["12_/y"]
        assert await found("abc/") == ["abc/2"]  # case counts
        assert await found("123/INV-1") == ["123/INV-1"]
        assert await found("124/") == []
        assert len(await found("")) == len(made)
        assert await found("123/", C2) == ["123/INV-1"]

    contract(body)


# --- cursors --------------------------------------------------------------------------------------


def test_cursor_never_moves_past_the_run_start_nor_back(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        assert await ok(store.cursor(C1, "invoices")) is None
        ahead = Cursor(feed="invoices", position=T0 + HOUR)
        assert await ok(store.advance_cursor(C1, ahead, run_started=T0)) == Cursor(
            feed="invoices", position=T0
        )
        back = Cursor(feed="invoices", position=T0 - HOUR)
        assert (await ok(store.advance_cursor(C1, back, run_started=T0 + HOUR))).position == T0
        assert await ok(store.cursor(C1, "invoices")) == Cursor(feed="invoices", position=T0)
        later = await ok(store.advance_cursor(C1, ahead, run_started=T0 + 2 * HOUR))
        assert later == ahead
        assert await ok(store.cursor(C1, "invoices")) == ahead
        assert await ok(store.cursor(C1, "contacts")) is None

    contract(body)


# --- the outbox ----------------------------------------------------------------------------------


def _transaction() -> Transaction:
    """An AR invoice whose amounts carry trailing zeros, with dimensions and rev-rec dates."""
    return Transaction(
        origin=Origin.AR,
        kind=DocumentKind.INVOICE,
        number="INV-0042",
        state=IntacctState.POSTED,
        party_id=IntacctId("C-100"),
        invoice_date=date(2026, 2, 28),
        gl_date=date(2026, 3, 31),
        due_date=date(2026, 4, 30),
        currency=GBP,
        lines=(
            TransactionLine(
                memo="Rent, March",
                account_no=IntacctId("4000"),
                amount=Decimal("1234.50"),
                tax_detail_id=IntacctId("UK VAT 20"),
                tax_amount=Decimal("246.90"),
                dimensions=((DimensionKind.DEPARTMENT, IntacctId("D10")),),
            ),
            TransactionLine(
                memo="Service charge",
                account_no=IntacctId("4100"),
                amount=Decimal("0.10"),
                rev_rec_template="Monthly",
                rev_rec_start=date(2026, 3, 1),
                rev_rec_end=date(2027, 2, 28),
            ),
        ),
        reference="ri-ref",
        total_paid=Decimal("0.00"),
    )


def _invoice() -> Invoice:
    """An expense invoice with fractional quantity, tracking and an attachment."""
    return Invoice(
        id=ReleasedId("inv-77"),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.EXPENSE,
        invoice_number="B-77",
        status=ReleasedInvoiceStatus.APPROVED,
        contact_id=ReleasedId("c-vendor"),
        issue_date=date(2026, 3, 2),
        due_date=None,
        currency=GBP,
        lines=(
            InvoiceLine(
                description="Repairs",
                account_id=ReleasedId("a-6000"),
                unit_price=Decimal("99.990"),
                quantity=Decimal("1.5"),
                tax_type_id=ReleasedId("t-vat"),
                tax_amount=Decimal("30.00"),
                tracking=(TrackingRef(category_id=ReleasedId("k-1"), option_id=ReleasedId("o-1")),),
            ),
        ),
        payment_priority="High",
        amount_paid=Decimal("10.00"),
        attachments=("quote.pdf",),
        modified_at=datetime(2026, 3, 2, 10, 0, 0, 123456, tzinfo=UTC),
        version=3,
    )


def write_actions() -> list[WriteAction]:
    """One of each kind of write, with Decimal amounts whose exponents must survive."""
    bill, invoice = _transaction(), _invoice()
    return [
        CreateInIntacct(
            key=IdempotencyKey("ri-create-intacct"),
            record_type=RecordType.INVOICE,
            released_id=ReleasedId("inv-42"),
            record=bill,
            source_fingerprint="fp-42",
        ),
        CreateInReleased(
            key=IdempotencyKey("ri-create-released"),
            record_type=RecordType.INVOICE,
            intacct_key=IntacctKey("77"),
            record=invoice,
            source_fingerprint="fp-77",
        ),
        UpdateInIntacct(
            key=IdempotencyKey("ri-update-intacct"),
            record_type=RecordType.CONTACT,
            released_id=ReleasedId("c-1"),
            intacct_key=IntacctKey("CUSTOMER:C1"),
            record=samples.party(),
            source_fingerprint="fp-c1",
            post=True,
        ),
        UpdateInReleased(
            record_type=RecordType.CONTACT,
            released_id=ReleasedId("c-2"),
            intacct_key=IntacctKey("VENDOR:V2"),
            record=samples.contact(id=ReleasedId("c-2")),
            source_fingerprint="fp-v2",
        ),
    ]


def intent(action: WriteAction, key: str, conn: ConnectionId = C1) -> Intent:
    return Intent(connection=conn, key=IdempotencyKey(key), action=action)


def test_outbox_round_trips_every_write_action_exactly(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        actions = write_actions()
        await ok(store.record_intents([intent(a, f"ri-{n}") for n, a in enumerate(actions)]))
        stored = await ok(store.open_intents(C1))
        assert [i.action for i in stored] == actions
        assert [repr(i.action) for i in stored] == [repr(a) for a in actions]
        assert {i.state for i in stored} == {IntentState.PENDING}

    contract(body)


def test_outbox_lifecycle_reopens_a_planned_key_and_lists_open_oldest_first(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        create, receive, update, _ = write_actions()
        one, two, three = intent(create, "k1"), intent(receive, "k2"), intent(update, "k3")
        assert await ok(store.record_intents([one, two])) == {one.key, two.key}
        again = replace(one, action=update)
        assert await ok(store.record_intents([again, three])) == {one.key, three.key}
        assert await ok(store.open_intents(C1)) == (again, two, three)  # its place is kept
        await ok(store.settle(C1, one.key, state=IntentState.SENT))
        sent = replace(again, state=IntentState.SENT)
        assert await ok(store.record_intents([one])) == frozenset()  # SENT: not held again
        assert await ok(store.open_intents(C1)) == (sent, two, three)
        made = link("inv-42", "9001", RecordType.INVOICE, intacct_fingerprint="fp")
        await ok(store.settle(C1, one.key, state=IntentState.CONFIRMED, link=made))
        assert await ok(store.open_intents(C1)) == (two, three)
        assert await ok(store.links(C1, RecordType.INVOICE)) == (made,)
        await ok(store.settle(C1, two.key, state=IntentState.FAILED))
        assert await ok(store.open_intents(C1)) == (three,)

    contract(body)


def test_F2_a_failed_intent_planned_again_is_reopened_with_its_new_action(
    contract: Contract,
) -> None:
    """F2: ``ON CONFLICT DO NOTHING`` left a FAILED intent FAILED when the fixed record was
    planned again, so it was sent unrecorded; now it is PENDING again, held by the new run."""

    async def body(store: StateStore) -> None:
        await connect(store)
        create, _, update, _ = write_actions()
        first = await ok(store.start_run(C1, at=T0))
        refused_once = intent(create, "k1")
        assert await ok(store.record_intents([refused_once], fence=first.fence)) == {"k1"}
        await ok(store.hold(first.fence, [refused_once.key], at=T0))
        await ok(store.settle(C1, refused_once.key, state=IntentState.FAILED, fence=first.fence))
        assert await ok(store.open_intents(C1)) == ()
        await ok(store.finish_run(replace(first, status=RunStatus.FAILED, finished_at=T0)))
        second = await ok(store.start_run(C1, at=T0 + HOUR))
        fixed = replace(refused_once, action=update)
        assert await ok(store.record_intents([fixed], fence=second.fence)) == {"k1"}
        (reopened,) = await ok(store.open_intents(C1))
        assert (reopened.state, reopened.action, reopened.run, reopened.sent_at) == (
            IntentState.PENDING,
            update,
            second.id,
            None,
        )
        await ok(store.hold(second.fence, [fixed.key], at=T0 + HOUR))
        (sending,) = await ok(store.open_intents(C1))
        assert (sending.state, sending.sent_at) == (IntentState.SENT, T0 + HOUR)
        error = await refusal(store.hold(second.fence, [fixed.key], at=T0 + HOUR))
        assert error.kind is ErrorKind.REJECTED  # sent already: not held open any more
        assert await ok(store.record_intents([fixed], fence=second.fence)) == frozenset()

    contract(body)


def test_F2_a_hold_refused_for_one_of_its_keys_holds_none_of_them(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        create, receive, *_ = write_actions()
        run = await ok(store.start_run(C1, at=T0))
        pending, sent = intent(create, "k1"), intent(receive, "k2")
        await ok(store.record_intents([pending, sent], fence=run.fence))
        await ok(store.hold(run.fence, [sent.key], at=T0))
        await refusal(store.hold(run.fence, [pending.key, sent.key], at=T0 + HOUR))
        states = {i.key: (i.state, i.sent_at) for i in await ok(store.open_intents(C1))}
        assert states == {"k1": (IntentState.PENDING, None), "k2": (IntentState.SENT, T0)}

    contract(body)


def test_F1_a_run_taken_over_is_refused_every_write(contract: Contract) -> None:
    """F1: once another run took the company over, every write of the old run is refused in
    its own transaction (``lost``), and nothing of it is stored."""

    async def body(store: StateStore) -> None:
        await connect(store)
        create, receive, *_ = write_actions()
        old = await ok(store.start_run(C1, at=T0, holder="host-a/1"))
        assert (old.epoch, old.holder) == (1, "host-a/1")
        await ok(store.record_intents([intent(create, "k1")], fence=old.fence))
        new = await ok(store.start_run(C1, at=T0 + HOUR, stale_after=MINUTE, holder="host-b/2"))
        assert new.epoch == 2
        gone = lost(old.fence)
        assert (gone.kind, gone.rule) == (ErrorKind.REJECTED, Rule.E4)
        made = link("inv-1", "9001", RecordType.INVOICE)
        cursor = Cursor(feed="intacct.accounts", position=T0)
        refused_writes = (
            store.record_intents([intent(receive, "k2")], fence=old.fence),
            store.hold(old.fence, [IdempotencyKey("k1")], at=T0 + HOUR),
            store.hold(old.fence, at=T0 + HOUR),
            store.settle(C1, IdempotencyKey("k1"), state=IntentState.FAILED, fence=old.fence),
            store.settle_many(C1, _confirmed([(IdempotencyKey("k1"), made)]), fence=old.fence),
            store.settle_many(
                C1, [Settlement(IdempotencyKey("k1"), IntentState.FAILED)], fence=old.fence
            ),
            store.advance_cursor(C1, cursor, run_started=T0 + HOUR, fence=old.fence),
            store.save_progress(old, at=T0 + HOUR),
            store.finish_run(replace(old, status=RunStatus.SUCCEEDED, finished_at=T0 + HOUR)),
            store.release(old.fence, at=T0 + HOUR),
        )
        for write in refused_writes:
            assert await refusal(write) == gone
        (pending,) = await ok(store.open_intents(C1))
        assert (pending.key, pending.state, pending.run) == ("k1", IntentState.PENDING, old.id)
        assert await ok(store.links(C1, RecordType.INVOICE)) == ()
        assert await ok(store.cursor(C1, "intacct.accounts")) is None
        released = await ok(store.run(C1, old.id))
        assert released is not None
        assert (released.status, released.released_at) == (RunStatus.FAILED, T0 + HOUR)
        assert await ok(store.run(C1, "no-such-run")) is None
        await ok(store.hold(new.fence, at=T0 + HOUR))  # the new run holds the company
        assert await ok(store.record_intents([intent(create, "k1")], fence=new.fence)) == {"k1"}

    contract(body)


def test_F1_release_frees_a_company_from_a_run_whatever_its_heartbeat(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        run = await ok(store.start_run(C1, at=T0, holder="host-a/1"))
        run = await ok(store.save_progress(run, at=T0 + MINUTE))
        freed = await ok(store.release(run.fence, at=T0 + 2 * MINUTE))
        assert freed == replace(
            run,
            status=RunStatus.FAILED,
            finished_at=T0 + 2 * MINUTE,
            errors=1,
            released_at=T0 + 2 * MINUTE,
        )
        (note,) = await ok(store.notifications(C1))
        assert "host-a/1" in note.notification.body
        assert await refusal(store.release(run.fence, at=T0 + HOUR)) == lost(run.fence)
        assert (await ok(store.start_run(C1, at=T0 + 3 * MINUTE))).epoch == 2

    contract(body)


def test_outbox_records_all_or_none(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        create, receive, *_ = write_actions()
        await refusal(store.record_intents([intent(create, "k1"), intent(receive, "k2", GONE)]))
        assert await ok(store.open_intents(C1)) == ()

    contract(body)


def test_outbox_settle_and_its_link_are_one_change(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        pending = intent(write_actions()[0], "k1")
        await ok(store.record_intents([pending]))
        await ok(store.save_links(C1, [link("inv-1", "9001", RecordType.INVOICE)]))
        stray = link("inv-9", "9009", RecordType.INVOICE)
        await refusal(
            store.settle(C1, IdempotencyKey("k-none"), state=IntentState.CONFIRMED, link=stray)
        )
        clash = link("inv-42", "9001", RecordType.INVOICE)
        await refusal(store.settle(C1, pending.key, state=IntentState.CONFIRMED, link=clash))
        assert await ok(store.open_intents(C1)) == (pending,)
        found = await ok(store.links(C1, RecordType.INVOICE))
        assert [(k.released_id, k.intacct_key) for k in found] == [("inv-1", "9001")]

    contract(body)


def _confirmed(pairs: list[tuple[IdempotencyKey, Link]]) -> list[Settlement]:
    return [Settlement(key, IntentState.CONFIRMED, made) for key, made in pairs]


def test_outbox_settle_many_confirms_a_batch_in_one_change_or_none(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        create, receive, *_ = write_actions()
        one, two = intent(create, "k1"), intent(receive, "k2")
        await ok(store.record_intents([one, two]))
        await ok(store.save_links(C1, [link("inv-1", "9001", RecordType.INVOICE)]))
        clash = link("inv-42", "9001", RecordType.INVOICE)
        fine = link("inv-43", "9002", RecordType.INVOICE)
        await refusal(store.settle_many(C1, _confirmed([(one.key, fine), (two.key, clash)])))
        await refusal(
            store.settle_many(C1, _confirmed([(one.key, fine), (IdempotencyKey("k-none"), fine)]))
        )
        assert await ok(store.open_intents(C1)) == (one, two)
        assert len(await ok(store.links(C1, RecordType.INVOICE))) == 1
        other = link("inv-44", "9003", RecordType.INVOICE)
        await ok(store.settle_many(C1, _confirmed([(one.key, fine), (two.key, other)])))
        assert await ok(store.open_intents(C1)) == ()
        found = await ok(store.links(C1, RecordType.INVOICE))
        assert sorted(k.released_id for k in found) == ["inv-1", "inv-43", "inv-44"]

    contract(body)


def test_outbox_settle_many_settles_each_to_its_state_in_one_change_or_none(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        create, receive, *_ = write_actions()
        one, two, three = intent(create, "k1"), intent(receive, "k2"), intent(create, "k3")
        await ok(store.record_intents([one, two, three]))
        await ok(store.save_links(C1, [link("inv-1", "9001", RecordType.INVOICE)]))
        fine = link("inv-43", "9002", RecordType.INVOICE)
        clash = link("inv-42", "9001", RecordType.INVOICE)
        failed = Settlement(two.key, IntentState.FAILED)
        for refused_batch in (
            [
                Settlement(one.key, IntentState.CONFIRMED, fine),
                failed,
                Settlement(three.key, IntentState.CONFIRMED, clash),
            ],
            [
                Settlement(one.key, IntentState.CONFIRMED, fine),
                Settlement(IdempotencyKey("k-none"), IntentState.FAILED),
            ],
        ):
            await refusal(store.settle_many(C1, refused_batch))
        assert await ok(store.open_intents(C1)) == (one, two, three)
        assert len(await ok(store.links(C1, RecordType.INVOICE))) == 1
        sent = Settlement(three.key, IntentState.SENT)
        await ok(
            store.settle_many(C1, [Settlement(one.key, IntentState.CONFIRMED, fine), failed, sent])
        )
        (left,) = await ok(store.open_intents(C1))
        assert (left.key, left.state) == (three.key, IntentState.SENT)
        found = await ok(store.links(C1, RecordType.INVOICE))
        assert sorted(k.released_id for k in found) == ["inv-1", "inv-43"]
        await ok(store.settle_many(C1, []))

    contract(body)


def test_F3_the_users_answer_about_an_open_write_is_kept_until_taken_once(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        create, receive, *_ = write_actions()
        sent, done = intent(create, "k1"), intent(receive, "k2")
        await ok(store.record_intents([sent, done]))
        await ok(store.settle(C1, sent.key, state=IntentState.SENT))
        await ok(store.settle(C1, done.key, state=IntentState.FAILED))
        assert await ok(store.take_resolution(C1, sent.key)) is None
        link_to = Resolution.link(IntacctKey("CUSTOMER:C0002"))
        await ok(store.resolve_intent(C1, sent.key, Resolution.send_again()))
        await ok(store.resolve_intent(C1, sent.key, link_to))  # the later answer stands
        for closed in (done.key, IdempotencyKey("k-none")):
            refused = await refusal(store.resolve_intent(C1, closed, link_to))
            assert closed in refused.message
            assert "intents" in refused.fix
        await refusal(store.resolve_intent(GONE, sent.key, link_to))
        await refusal(store.take_resolution(GONE, sent.key))
        assert await ok(store.take_resolution(C1, sent.key)) == link_to
        assert await ok(store.take_resolution(C1, sent.key)) is None, "acted on once"
        await ok(store.resolve_intent(C1, sent.key, Resolution.send_again()))
        old = await ok(store.start_run(C1, at=T0))
        await ok(store.finish_run(replace(old, status=RunStatus.SUCCEEDED, finished_at=T0)))
        assert await refusal(store.take_resolution(C1, sent.key, fence=old.fence)) == lost(
            old.fence
        )
        new = await ok(store.start_run(C1, at=T0 + HOUR))
        taken = await ok(store.take_resolution(C1, sent.key, fence=new.fence))
        assert taken == Resolution.send_again(), "kept while a lost run asked"
        assert await ok(store.open_intents(C1)) == (replace(sent, state=IntentState.SENT),)

    contract(body)


# --- runs (E3, E4) -------------------------------------------------------------------------------


def test_E4_a_second_open_run_of_a_company_is_refused(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        await connect(store, C2, "RL-2")
        run = await ok(store.start_run(C1, at=T0))
        assert (run.connection, run.started_at, run.status) == (C1, T0, RunStatus.RUNNING)
        assert (run.progress, run.heartbeat_at) == (Progress(), None)
        alive = T0 + DEFAULT_STALE_AFTER / 2
        error = await refusal(store.start_run(C1, at=alive))
        assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.E4)
        assert f"run {run.id}, started {T0.isoformat()}" in error.message  # which, since when
        other = await ok(store.start_run(C2, at=T0))
        assert other.id != run.id
        orange = replace(run, status=RunStatus.RUNNING_WITH_ERRORS, errors=1)
        assert await ok(store.finish_run(orange)) == orange
        assert (await refusal(store.start_run(C1, at=alive))).rule is Rule.E4
        await ok(store.finish_run(replace(orange, status=RunStatus.FAILED, finished_at=T0 + HOUR)))
        assert (await ok(store.start_run(C1, at=T0 + 2 * HOUR))).status is RunStatus.RUNNING

    contract(body)


def test_E3_finished_runs_keep_status_and_counts_latest_first(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        counts = (
            RunCounts()
            .add(RecordType.INVOICE, created=3, failed=1)
            .add(RecordType.CONTACT, updated=2, skipped=1)
        )
        finished = []
        for n in range(3):
            run = await ok(store.start_run(C1, at=T0 + n * HOUR))
            done = replace(
                run,
                status=RunStatus.FAILED if n == 1 else RunStatus.SUCCEEDED,
                finished_at=T0 + n * HOUR + timedelta(minutes=5),
                counts=counts if n == 1 else RunCounts(),
                errors=1 if n == 1 else 0,
            )
            finished.append(await ok(store.finish_run(done)))
        assert await ok(store.runs(C1)) == tuple(reversed(finished))
        assert await ok(store.runs(C1, limit=2)) == (finished[2], finished[1])
        assert (await ok(store.runs(C1)))[1].counts.of(RecordType.CONTACT).skipped == 1

    contract(body)


def test_E3_an_open_runs_progress_and_counts_are_saved_with_its_heartbeat(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        run = await ok(store.start_run(C1, at=T0))
        progress = Progress().estimate(RecordType.INVOICE, total=10).add(RecordType.INVOICE, done=4)
        orange = replace(
            run,
            status=RunStatus.RUNNING_WITH_ERRORS,
            counts=RunCounts().add(RecordType.INVOICE, created=3, failed=1),
            errors=1,
            progress=progress.add(RecordType.CONTACT, done=2),
        )
        saved = await ok(store.save_progress(orange, at=T0 + MINUTE))
        assert saved == replace(orange, heartbeat_at=T0 + MINUTE)
        assert await ok(store.runs(C1)) == (saved,)
        later = replace(saved, progress=saved.progress.add(RecordType.INVOICE, done=6))
        again = await ok(store.save_progress(later, at=T0 + 2 * MINUTE))
        (listed,) = await ok(store.runs(C1))
        assert listed == again == replace(later, heartbeat_at=T0 + 2 * MINUTE)
        invoices, contacts = (
            listed.progress.of(RecordType.INVOICE),
            listed.progress.of(RecordType.CONTACT),
        )
        assert (invoices.done, invoices.total, invoices.percent) == (10, 10, 100)
        assert (contacts.done, contacts.total, contacts.percent) == (2, None, None)
        done = replace(listed, status=RunStatus.FAILED, finished_at=T0 + 3 * MINUTE)
        await ok(store.finish_run(done))
        assert await ok(store.runs(C1)) == (done,)

    contract(body)


def test_E3_a_runs_transactions_spent_are_saved_with_its_progress_and_its_finish(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        run = await ok(store.start_run(C1, at=T0))
        assert run.transactions == 0
        saved = await ok(store.save_progress(replace(run, transactions=7), at=T0 + MINUTE))
        assert saved.transactions == 7
        assert (await ok(store.runs(C1)))[0].transactions == 7
        done = replace(saved, status=RunStatus.SUCCEEDED, finished_at=T0 + 2 * MINUTE)
        await ok(store.finish_run(replace(done, transactions=12)))
        (listed,) = await ok(store.runs(C1))
        assert listed.transactions == 12
        assert await ok(store.run(C1, run.id)) == listed

    contract(body)


def test_E3_progress_is_refused_for_an_unknown_or_finished_run(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        await connect(store, C2, "RL-2")
        run = await ok(store.start_run(C1, at=T0))
        stranger = replace(run, id="no-such-run")
        other_company = replace(run, connection=C2)
        given_finished = replace(run, status=RunStatus.SUCCEEDED, finished_at=T0 + MINUTE)
        for wrong in (stranger, other_company, given_finished):
            assert (await refusal(store.save_progress(wrong, at=T0))).kind is ErrorKind.REJECTED
        assert await ok(store.runs(C1)) == (run,)
        await ok(store.finish_run(given_finished))
        late = replace(run, progress=Progress().add(RecordType.INVOICE, done=1))
        error = await refusal(store.save_progress(late, at=T0 + 2 * MINUTE))
        assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.E4)
        assert await ok(store.runs(C1)) == (given_finished,)

    contract(body)


def test_E4_a_finished_run_is_never_reopened(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        run = await ok(store.start_run(C1, at=T0))
        red = replace(run, status=RunStatus.FAILED, finished_at=T0 + MINUTE, errors=1)
        await ok(store.finish_run(red))
        error = await refusal(store.finish_run(replace(red, status=RunStatus.RUNNING)))
        assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.E4)
        blue = replace(red, status=RunStatus.SUCCEEDED, errors=0)
        assert await refusal(store.finish_run(blue)) == lost(run.fence)  # finished is final
        assert await ok(store.runs(C1)) == (red,)
        assert (await refusal(store.finish_run(replace(run, id="no-such-run")))).rule is None

    contract(body)


def test_E4_release_stale_runs_finishes_runs_with_no_recent_sign_of_life_red_and_says_so(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        for conn, company in ((C1, "RL-1"), (C2, "RL-2"), (C3, "RL-3")):
            await connect(store, conn, company)
        beating = await ok(store.start_run(C1, at=T0))
        progress = Progress().add(RecordType.CONTACT, done=5)
        beating = await ok(
            store.save_progress(replace(beating, progress=progress), at=T0 + 40 * MINUTE)
        )
        silent = await ok(store.start_run(C2, at=T0))
        fresh = await ok(store.start_run(C3, at=T0 + 45 * MINUTE))
        before = T0 + 45 * MINUTE
        kept = store.release_stale_runs(before=before, at=T0 + HOUR, alive=[C1, C2])
        assert await ok(kept) == ()  # the caller runs them itself: alive whatever their heartbeat
        assert await ok(store.runs(C1)) == (beating,)
        released = await ok(store.release_stale_runs(before=before, at=T0 + HOUR))
        expected = tuple(
            replace(
                r, status=RunStatus.FAILED, finished_at=T0 + HOUR, errors=1, released_at=T0 + HOUR
            )
            for r in (beating, silent)
        )
        assert released == expected  # oldest start first, then by connection
        assert await ok(store.runs(C1)) == expected[:1]
        assert await ok(store.runs(C2)) == expected[1:]
        assert await ok(store.runs(C3)) == (fresh,)  # its start is no older than ``before``
        for conn, run in ((C1, beating), (C2, silent)):
            (note,) = await ok(store.notifications(conn))
            assert (note.notification.connection, note.created_at) == (conn, T0 + HOUR)
            assert note.notification.run == run.id  # the run it tells the end of (E3)
            assert "stopped unexpectedly" in note.notification.body
            assert "picks up where it stopped" in note.notification.body
        assert "09:40 UTC" in (await ok(store.notifications(C1)))[0].notification.body
        assert await ok(store.notifications(C3)) == ()
        assert await ok(store.release_stale_runs(before=T0 + 45 * MINUTE, at=T0 + HOUR)) == ()
        assert (await ok(store.start_run(C1, at=T0 + HOUR))).status is RunStatus.RUNNING

    contract(body)


def test_E4_start_run_releases_a_stale_open_run_of_that_company(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        await connect(store, C2, "RL-2")
        other = await ok(store.start_run(C2, at=T0))
        dead = await ok(store.start_run(C1, at=T0))
        beat = T0 + 10 * SECOND
        dead = await ok(store.save_progress(dead, at=beat))
        # the default: stale after DEFAULT_STALE_AFTER without a sign of life (strictly)
        for quiet in (DEFAULT_STALE_AFTER - SECOND, DEFAULT_STALE_AFTER):
            error = await refusal(store.start_run(C1, at=beat + quiet))
            assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.E4)
        assert await ok(store.notifications(C1)) == ()
        at = beat + DEFAULT_STALE_AFTER + SECOND
        new = await ok(store.start_run(C1, at=at))
        gone = replace(dead, status=RunStatus.FAILED, finished_at=at, errors=1, released_at=at)
        assert await ok(store.runs(C1)) == (new, gone)
        (note,) = await ok(store.notifications(C1))
        assert "stopped unexpectedly" in note.notification.body
        assert await ok(store.runs(C2)) == (other,)  # another company's stale run is its own
        lost = await refusal(store.save_progress(dead, at=T0 + HOUR))  # the dead run woke up
        assert lost.rule is Rule.E4
        quick = await ok(store.start_run(C2, at=T0 + 6 * SECOND, stale_after=5 * SECOND))
        assert [r.status for r in await ok(store.runs(C2))] == [RunStatus.RUNNING, RunStatus.FAILED]
        assert quick.started_at == T0 + 6 * SECOND

    contract(body)


# --- leases (issue 17) ---------------------------------------------------------------------------

TTL = 30 * timedelta(seconds=1)


async def company(store: StateStore, id: ConnectionId, *, due_at: datetime | None = None) -> None:
    """A confirmed company, due at ``due_at`` (None: never scheduled, so due at once)."""
    conn = confirmed(await connect(store, id, f"RL-{id[-1]}"))
    await ok(store.save_connection(conn))
    if due_at is not None:  # schedule it by claiming it and handing it back
        (held,) = await ok(store.claim_due("setup", 1, at=T0 - HOUR, ttl=TTL))
        assert held.connection == id
        assert await ok(store.release_lease("setup", id, next_run_at=due_at))


def held(leases: tuple[Lease, ...]) -> list[ConnectionId]:
    return [lease.connection for lease in leases]


def test_leases_claim_gives_each_due_company_to_one_worker_within_its_room(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await connect(store, C3, "RL-3")  # not confirmed: never due
        await company(store, C2, due_at=T0 + HOUR)  # scheduled first: the only one due then
        await company(store, C1)
        first = await ok(store.claim_due("host-a/1", 5, at=T0, ttl=TTL))
        assert first == (Lease(connection=C1, worker="host-a/1", until=T0 + TTL, epoch=0),)
        assert await ok(store.claim_due("host-b/2", 5, at=T0, ttl=TTL)) == ()
        assert await ok(store.claim_due("host-b/2", 0, at=T0 + HOUR, ttl=TTL)) == ()
        later = await ok(store.claim_due("host-b/2", 5, at=T0 + HOUR, ttl=TTL))
        assert held(later) == [C1, C2], "C1's lease ran out at T0 + ttl; C2 is due at T0 + 1h"
        assert {lease.until for lease in later} == {T0 + HOUR + TTL}
        for wrong in (
            store.claim_due("", 1, at=T0, ttl=TTL),
            store.claim_due("host-a/1", -1, at=T0, ttl=TTL),
            store.claim_due("host-a/1", 1, at=T0, ttl=timedelta(0)),
            store.renew_leases("host-a/1", at=T0, ttl=-TTL),
        ):
            error = await refusal(wrong)
            assert error.kind is ErrorKind.REJECTED
            assert "ttl" in error.fix

    contract(body)


def test_leases_free_is_respected_and_the_rest_go_to_the_next_claim(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        for id in (C1, C2, C3):
            await company(store, id)
        two = await ok(store.claim_due("host-a/1", 2, at=T0, ttl=TTL))
        assert len(two) == 2
        rest = await ok(store.claim_due("host-b/2", 2, at=T0, ttl=TTL))
        assert sorted(held(two) + held(rest)) == [C1, C2, C3]

    contract(body)


def test_leases_an_expired_lease_is_taken_over_and_renew_extends_only_the_workers_own(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await company(store, C1)
        await company(store, C2)
        (a,) = await ok(store.claim_due("host-a/1", 1, at=T0, ttl=TTL))
        (b,) = await ok(store.claim_due("host-b/2", 1, at=T0, ttl=TTL))
        assert await ok(store.renew_leases("host-a/1", at=T0 + TTL / 2, ttl=TTL)) == 1
        at_end = T0 + TTL + timedelta(seconds=1)  # b's lease ran out; a's was renewed
        assert await ok(store.claim_due("host-a/1", 5, at=T0 + TTL, ttl=TTL)) == ()  # not yet
        (taken,) = await ok(store.claim_due("host-c/3", 5, at=at_end, ttl=TTL))
        assert (taken.connection, taken.worker) == (b.connection, "host-c/3")
        assert await ok(store.renew_leases("host-b/2", at=at_end, ttl=TTL)) == 0
        assert await ok(store.renew_leases("host-a/1", at=at_end, ttl=TTL)) == 1
        assert await ok(store.renew_leases("nobody", at=at_end, ttl=TTL)) == 0
        assert not await ok(store.release_lease("host-b/2", b.connection, next_run_at=T0))
        assert await ok(store.claim_due("host-b/2", 5, at=at_end, ttl=TTL)) == ()
        assert a.connection != b.connection

    contract(body)


def test_leases_request_run_makes_a_company_due_until_a_run_after_it_hands_it_back(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await company(store, C1, due_at=T0 + 24 * HOUR)
        assert await ok(store.claim_due("host-a/1", 1, at=T0, ttl=TTL)) == ()
        await ok(store.request_run(C1, at=T0))
        await ok(store.request_run(C1, at=T0 + MINUTE))  # the first request's time is kept
        (lease,) = await ok(store.claim_due("host-a/1", 1, at=T0 + MINUTE, ttl=TTL))
        assert (lease.connection, lease.requested_at) == (C1, T0)
        # handed back unrun (shutdown): still requested, so due again at once
        assert await ok(store.release_lease("host-a/1", C1, next_run_at=T0 + 24 * HOUR))
        (again,) = await ok(store.claim_due("host-b/2", 1, at=T0 + 2 * MINUTE, ttl=TTL))
        assert again.requested_at == T0
        run = await ok(store.start_run(C1, at=T0 + 2 * MINUTE, holder="host-b/2"))
        assert run.epoch == again.epoch + 1
        await ok(store.finish_run(replace(run, status=RunStatus.SUCCEEDED, finished_at=T0 + HOUR)))
        done = store.release_lease("host-b/2", C1, next_run_at=T0 + 24 * HOUR, ran_from=T0 + HOUR)
        assert await ok(done)
        assert await ok(store.claim_due("host-a/1", 1, at=T0 + 2 * HOUR, ttl=TTL)) == ()
        (next_day,) = await ok(store.claim_due("host-a/1", 1, at=T0 + 24 * HOUR, ttl=TTL))
        assert next_day.requested_at is None
        await connect(store, C2, "RL-2")
        for wrong in (store.request_run(C2, at=T0), store.request_run(GONE, at=T0)):
            assert (await refusal(wrong)).kind is ErrorKind.REJECTED
        await refusal(store.release_lease("host-a/1", GONE, next_run_at=T0))

    contract(body)


def test_leases_a_request_made_during_a_run_survives_its_hand_back(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await company(store, C1)
        await ok(store.claim_due("host-a/1", 1, at=T0, ttl=TTL))
        await ok(store.request_run(C1, at=T0 + MINUTE))  # asked while the run (from T0) ran
        await ok(store.release_lease("host-a/1", C1, next_run_at=T0 + HOUR, ran_from=T0))
        (lease,) = await ok(store.claim_due("host-a/1", 1, at=T0 + 2 * MINUTE, ttl=TTL))
        assert lease.requested_at == T0 + MINUTE

    contract(body)


def test_leases_a_request_wakes_a_waiting_worker_and_silence_times_out(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await company(store, C1)
        assert not await ok(store.wait_requested(timedelta(milliseconds=20)))
        waiting = asyncio.ensure_future(ok(store.wait_requested(timedelta(seconds=30))))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await ok(store.request_run(C1, at=T0))
        assert await asyncio.wait_for(waiting, timeout=5)
        # a refused request rings nothing
        await connect(store, C2, "RL-2")
        await refusal(store.request_run(C2, at=T0))
        assert not await ok(store.wait_requested(timedelta(milliseconds=20)))

    contract(body)


def test_leases_a_takeover_by_lease_releases_the_dead_workers_run_and_refuses_its_fence(
    contract: Contract,
) -> None:
    async def body(store: StateStore) -> None:
        await company(store, C1)
        (a,) = await ok(store.claim_due("host-a/1", 1, at=T0, ttl=TTL))
        dead = await ok(store.start_run(C1, at=T0, holder="host-a/1"))
        assert dead.epoch == a.epoch + 1
        late = T0 + TTL + timedelta(seconds=1)
        (b,) = await ok(store.claim_due("host-b/2", 1, at=late, ttl=TTL))
        assert (b.worker, b.epoch) == ("host-b/2", dead.epoch)
        new = await ok(store.start_run(C1, at=late, stale_after=TTL, holder="host-b/2"))
        assert new.epoch == dead.epoch + 1
        released = await ok(store.run(C1, dead.id))
        assert released is not None
        assert (released.status, released.released_at) == (RunStatus.FAILED, late)
        (note,) = await ok(store.notifications(C1))
        assert "host-a/1" in note.notification.body
        for write in (store.hold(dead.fence, at=late), store.save_progress(dead, at=late)):
            assert await refusal(write) == lost(dead.fence)
        assert await ok(store.renew_leases("host-a/1", at=late, ttl=TTL)) == 0
        assert not await ok(store.release_lease("host-a/1", C1, next_run_at=late + HOUR))
        await ok(store.hold(new.fence, at=late))

    contract(body)


# --- sync results (E1) and notifications (E3) ----------------------------------------------------


def failure(
    rid: str,
    record_type: RecordType = RecordType.INVOICE,
    *,
    rule: Rule = Rule.D10,
    direction: Direction = Direction.OUTGOING,
    kind: ErrorKind = ErrorKind.REJECTED,
    message: str = "Intacct refused the invoice.",
) -> SyncError:
    ref = RecordRef(record_type=record_type, direction=direction, released_id=ReleasedId(rid))
    return SyncError(kind=kind, rule=rule, message=message, fix="Fix it.", record=ref)


def test_E1_the_same_failure_again_updates_its_row(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        (first,) = await ok(store.record_results(C1, [failure("inv-1")], at=T0))
        assert (first.count, first.first_seen, first.last_seen) == (1, T0, T0)
        again = failure("inv-1", message="Intacct refused the invoice again.")
        (row,) = await ok(store.record_results(C1, [again], at=T0 + HOUR))
        assert (row.count, row.first_seen, row.last_seen) == (2, T0, T0 + HOUR)
        assert row.message == "Intacct refused the invoice again."
        assert await ok(store.results(C1)) == (row,)
        await ok(store.record_results(C1, [again, again], at=T0 + 2 * HOUR))
        (twice,) = await ok(store.results(C1))
        assert (twice.count, twice.last_seen) == (4, T0 + 2 * HOUR)

    contract(body)


def test_E1_another_record_or_cause_gets_its_own_row(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        errors = [failure("inv-1"), failure("inv-1", rule=Rule.D11), failure("inv-2")]
        await ok(store.record_results(C1, errors, at=T0))
        rows = await ok(store.results(C1))
        assert len(rows) == 3
        assert {(r.released_id, r.rule) for r in rows} == {
            ("inv-1", Rule.D10),
            ("inv-1", Rule.D11),
            ("inv-2", Rule.D10),
        }
        assert {r.count for r in rows} == {1}

    contract(body)


def test_E1_a_batch_folds_into_stored_rows_and_adds_new_ones_by_id_or_key(
    contract: Contract,
) -> None:
    """Rows found by Re-Leased id, or by Intacct key alone (no Re-Leased id), stored before or
    earlier in the same batch; the link status by Intacct key when there is no Re-Leased id."""

    async def body(store: StateStore) -> None:
        await connect(store)
        await ok(store.save_links(C1, [link("c-1", "CUSTOMER:C1", status=LinkStatus.UNLINKED)]))
        ref = RecordRef(
            record_type=RecordType.CONTACT,
            direction=Direction.INCOMING,
            intacct_key=IntacctKey("CUSTOMER:C1"),
        )
        by_key = SyncError(kind=ErrorKind.REJECTED, rule=Rule.E2, message="m", fix="f", record=ref)
        (stored,) = await ok(store.record_results(C1, [by_key], at=T0))
        assert (stored.released_id, stored.link_status) == (None, LinkStatus.UNLINKED)
        batch = [failure("inv-1"), by_key, failure("inv-1"), failure("inv-2", rule=Rule.D11)]
        recorded = await ok(store.record_results(C1, batch, at=T0 + HOUR))
        assert [(r.released_id, r.intacct_key, r.count) for r in recorded] == [
            ("inv-1", None, 2),
            (None, "CUSTOMER:C1", 2),
            ("inv-2", None, 1),
        ]
        assert recorded[1].first_seen == T0
        assert set(await ok(store.results(C1))) == set(recorded)

    contract(body)


def test_E2_links_saved_with_another_status_restate_their_records_results(
    contract: Contract,
) -> None:
    """By Re-Leased id or by Intacct key, each record type on its own; in a batch, the last
    link of a record decides."""

    async def body(store: StateStore) -> None:
        await connect(store)
        by_key = SyncError(
            kind=ErrorKind.REJECTED,
            rule=Rule.E2,
            message="m",
            fix="f",
            record=RecordRef(
                record_type=RecordType.CONTACT,
                direction=Direction.INCOMING,
                intacct_key=IntacctKey("CUSTOMER:C2"),
            ),
        )
        errors = [
            failure("inv-1"),
            failure("inv-2"),
            failure("c-1", RecordType.CONTACT, direction=Direction.INCOMING),
            by_key,
        ]
        await ok(store.record_results(C1, errors, at=T0))
        unlinked = LinkStatus.UNLINKED
        await ok(
            store.save_links(
                C1,
                [
                    link("inv-1", "9001", RecordType.INVOICE, status=unlinked),
                    link("c-1", "CUSTOMER:C1", status=unlinked),
                    link("c-2", "CUSTOMER:C2", status=unlinked),
                    link("inv-1", "9001", RecordType.INVOICE),
                    link("inv-9", "9009", RecordType.INVOICE, status=unlinked),
                ],
            )
        )
        statuses = {
            (r.record_type, r.released_id, r.intacct_key): r.link_status
            for r in await ok(store.results(C1))
        }
        assert statuses == {
            (RecordType.INVOICE, "inv-1", None): LinkStatus.LINKED,
            (RecordType.INVOICE, "inv-2", None): LinkStatus.LINKED,
            (RecordType.CONTACT, "c-1", None): unlinked,
            (RecordType.CONTACT, None, "CUSTOMER:C2"): unlinked,
        }
        await ok(store.save_links(C1, [link("inv-1", "9001", RecordType.INVOICE, status=unlinked)]))
        invoices = {
            r.released_id: r.link_status
            for r in await ok(store.results(C1, ResultFilter(record_type=RecordType.INVOICE)))
        }
        assert invoices == {"inv-1": unlinked, "inv-2": LinkStatus.LINKED}

    contract(body)


def test_E1_results_are_filtered_and_paged_latest_first(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        unlinked = link("c-1", "CUSTOMER:C1", status=LinkStatus.UNLINKED)
        await ok(store.save_links(C1, [unlinked]))
        contact = failure("c-1", RecordType.CONTACT, rule=Rule.E2, direction=Direction.INCOMING)
        skipped = failure("cn-1", RecordType.CREDIT_NOTE, kind=ErrorKind.SKIPPED)
        await ok(store.record_results(C1, [failure("inv-1")], at=T0))
        await ok(store.record_results(C1, [contact], at=T0 + HOUR))
        await ok(store.record_results(C1, [skipped], at=T0 + 2 * HOUR))

        async def ids(where: ResultFilter = EVERY) -> list[str | None]:
            return [row.released_id for row in await ok(store.results(C1, where))]

        assert await ids() == ["cn-1", "c-1", "inv-1"]
        assert await ids(ResultFilter(record_type=RecordType.CONTACT)) == ["c-1"]
        assert await ids(ResultFilter(direction=Direction.OUTGOING)) == ["cn-1", "inv-1"]
        assert await ids(ResultFilter(link_status=LinkStatus.UNLINKED)) == ["c-1"]
        assert await ids(ResultFilter(link_status=LinkStatus.LINKED)) == ["cn-1", "inv-1"]
        assert await ids(ResultFilter(since=T0 + HOUR)) == ["cn-1", "c-1"]
        assert await ids(ResultFilter(limit=1, offset=1)) == ["c-1"]
        assert await ids(ResultFilter(limit=2)) == ["cn-1", "c-1"]

    contract(body)


def test_E3_notifications_are_kept_newest_first_and_unread(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        await connect(store, C2, "RL-2")
        first = Notification(
            connection=C1, title="Sync failed", body="3 invoices failed.", run="run-1"
        )
        second = Notification(connection=C1, title="Sync finished", body="All synced.")
        one = await ok(store.notify(C1, first, at=T0))
        two = await ok(store.notify(C1, second, at=T0 + HOUR))
        assert (one.notification, one.created_at, one.read) == (first, T0, False)
        assert one.id != two.id
        assert await ok(store.notifications(C1)) == (two, one)
        assert await ok(store.notifications(C1, unread_only=True)) == (two, one)
        assert await ok(store.notifications(C2)) == ()

    contract(body)


def test_E3_a_notification_is_marked_read_for_its_own_connection_only(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        await connect(store)
        await connect(store, C2, "RL-2")
        one = await ok(store.notify(C1, Notification(connection=C1, title="a", body="1"), at=T0))
        two = await ok(store.notify(C1, Notification(connection=C1, title="b", body="2"), at=T0))
        theirs = await ok(store.notify(C2, Notification(connection=C2, title="c", body="3"), at=T0))
        await ok(store.mark_read(C1, one.id))
        await ok(store.mark_read(C1, one.id))  # again: nothing changes
        assert await ok(store.notifications(C1)) == (two, replace(one, read=True))
        assert await ok(store.notifications(C1, unread_only=True)) == (two,)
        for wrong in (store.mark_read(C1, theirs.id), store.mark_read(C1, 10_000)):
            assert (await refusal(wrong)).kind is ErrorKind.REJECTED
        assert await ok(store.notifications(C2)) == (theirs,)
        assert await ok(store.notifications(C1, unread_only=True)) == (two,)

    contract(body)


# --- an unknown connection ---------------------------------------------------------------------


def test_changes_naming_an_unknown_connection_are_refused(contract: Contract) -> None:
    async def body(store: StateStore) -> None:
        cursor = Cursor(feed="invoices", position=T0)
        note = Notification(connection=GONE, title="t", body="b")
        changes: list[FutureResult[Any, SyncError]] = [
            store.save_onboarding(GONE, start_onboarding()),
            store.save_links(GONE, [link("c-1", "CUSTOMER:C1")]),
            store.advance_cursor(GONE, cursor, run_started=T0),
            store.record_intents([intent(write_actions()[0], "k1", GONE)]),
            store.start_run(GONE, at=T0),
            store.save_progress(Run(id="run-x", connection=GONE, started_at=T0), at=T0),
            store.mark_read(GONE, 1),
            store.record_results(GONE, [failure("inv-1")], at=T0),
            store.notify(GONE, note, at=T0),
        ]
        for change in changes:
            assert (await refusal(change)).kind is ErrorKind.REJECTED

    contract(body)
