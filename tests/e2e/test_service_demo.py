"""The service facade (``app.service.Service``) over the demo pair, both state stores (issue 8).

Onboarding takes the demo's decisions file (``examples/demo/decisions.toml``, as ``make run``
does); confirm queues the initial sync on the service's runner; then the company's status,
results with filters, unlink / relink (E2) and the guard (D7, D20) are read through the facade.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from returns.pipeline import is_successful

from released_intacct.app.company_status import CompanyStatus
from released_intacct.app.decisions import Tally, apply_decisions, decisions_from_toml
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import EntityId, IntacctKey, ReleasedId
from released_intacct.domain.links import LinkStatus
from released_intacct.domain.results import RunStatus, SyncResult
from released_intacct.domain.rules.guard import UserAction
from released_intacct.domain.state import Phase, ResultFilter, StateStore
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DEMO, RL_DEMO, STORES, SYNC_FROM, demo_pair, on_store

DECISIONS = Path(__file__).parents[2] / "examples" / "demo" / "decisions.toml"


@dataclass(frozen=True)
class Seen:
    tally: Tally
    before_confirm: CompanyStatus
    after_sync: CompanyStatus
    income_results: tuple[SyncResult, ...]
    unlinked: tuple[SyncResult, ...]
    relinked: tuple[SyncResult, ...]
    unlink_twice: SyncError
    unlink_unknown: SyncError
    guard_void_synced: SyncError
    guard_void_unsynced_ok: bool
    sync_unconfirmed: SyncError


async def _scenario(store: StateStore) -> Seen:
    async with demo_pair(store) as pair:
        service = Service(
            Ports(
                store=store,
                intacct_for=pair.intacct_for,
                released_for=pair.released_for,
                clock=pair.clock,
            )
        )
        connected = await value(service.workflow.connect(RL_DEMO, DEMO))
        id = connected.connection.id
        assert [e.id for e in await value(service.entities(id))] == ["E100", "E200"]
        await value(service.workflow.choose_entity(id, EntityId("E100")))
        await value(service.workflow.set_sync_from(id, SYNC_FROM))
        unconfirmed = (await service.sync_now(id)).failure()
        await value(service.workflow.start_matching(id))
        tally = (
            await apply_decisions(service.workflow, id, decisions_from_toml(DECISIONS))
        ).unwrap()
        before = await value(service.status(id))
        await value(service.workflow.confirm(id))
        await service.drain()
        after = await value(service.status(id))
        income = await value(
            service.results(id, ResultFilter(record_type=RecordType.INVOICE, limit=1000))
        )
        d13 = next(r for r in income if r.rule is Rule.D13)
        assert d13.released_id is None  # never synced: nothing to unlink
        unknown = (await service.unlink(id, RecordType.INVOICE, ReleasedId("no-such"))).failure()
        (link,) = [
            k
            for k in await value(store.links(id, RecordType.INVOICE))
            if k.released_id == "inv-0002"
        ]
        await value(
            store.record_results(
                id,
                [
                    SyncError(
                        kind=ErrorKind.REJECTED,
                        rule=Rule.D20,
                        message="m",
                        fix="f",
                        record=_ref(link.released_id, link.intacct_key),
                    )
                ],
                at=pair.clock.now(),
            )
        )
        await value(service.unlink(id, RecordType.INVOICE, link.released_id))
        unlinked = await value(
            service.results(id, ResultFilter(link_status=LinkStatus.UNLINKED, limit=1000))
        )
        twice = (await service.unlink(id, RecordType.INVOICE, link.released_id)).failure()
        await value(service.relink(id, RecordType.INVOICE, link.released_id))
        relinked = await value(
            service.results(id, ResultFilter(link_status=LinkStatus.UNLINKED, limit=1000))
        )
        void = (
            await service.guard(
                id, RecordType.INVOICE, UserAction.VOID, released_id=link.released_id
            )
        ).failure()
        free = await service.guard(
            id, RecordType.INVOICE, UserAction.VOID, released_id=ReleasedId("new")
        )
        return Seen(
            tally=tally,
            before_confirm=before,
            after_sync=after,
            income_results=income,
            unlinked=unlinked,
            relinked=relinked,
            unlink_twice=twice,
            unlink_unknown=unknown,
            guard_void_synced=void,
            guard_void_unsynced_ok=is_successful(free),
            sync_unconfirmed=unconfirmed,
        )


def _ref(released_id: str, intacct_key: str) -> RecordRef:
    return RecordRef(
        record_type=RecordType.INVOICE,
        direction=Direction.OUTGOING,
        released_id=ReleasedId(released_id),
        intacct_key=IntacctKey(intacct_key),
    )


@pytest.fixture(scope="module", params=STORES)
def seen(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Seen:
    return on_store(request.param, lambda: tmp_path_factory.mktemp("service"), _scenario)


def test_O3_the_demo_decisions_file_resolves_every_step(seen: Seen) -> None:
    assert seen.tally.created == 2
    assert seen.tally.archived >= 1
    assert seen.before_confirm.connection.phase is Phase.ONBOARDING
    assert seen.before_confirm.next_run is None
    assert seen.before_confirm.last_run is None
    assert seen.before_confirm.colour is None


def test_E3_status_after_the_initial_sync_shows_the_red_run_and_its_cost(seen: Seen) -> None:
    status = seen.after_sync
    assert status.connection.phase is Phase.CONFIRMED
    assert status.last_run is not None
    assert status.run_status is RunStatus.FAILED
    assert status.colour == "red"
    assert not status.running
    assert status.transactions_spent > 0
    assert status.next_run is not None
    assert status.next_run > status.last_run.started_at
    assert status.last_run.progress.done > 0


def test_E4_a_sync_of_an_unconfirmed_connection_is_refused(seen: Seen) -> None:
    assert seen.sync_unconfirmed.rule is Rule.O5


def test_E2_unlink_and_relink_restate_the_records_results(seen: Seen) -> None:
    assert [r.released_id for r in seen.unlinked] == ["inv-0002"]
    assert seen.relinked == ()
    assert seen.unlink_twice.rule is Rule.E2
    assert "already unlinked" in seen.unlink_twice.message
    assert seen.unlink_unknown.rule is Rule.E2
    assert "no-such" in seen.unlink_unknown.message


def test_D7_the_guard_refuses_voiding_a_synced_invoice(seen: Seen) -> None:
    assert seen.guard_void_synced.rule is Rule.D7
    assert seen.guard_void_unsynced_ok
