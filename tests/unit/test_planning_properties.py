"""Properties of planning over random pairs of companies (the foundation's acceptance points)."""

from __future__ import annotations

from datetime import date

from hypothesis import given

from released_intacct.domain.actions import (
    Action,
    CreateInIntacct,
    CreateInReleased,
    UpdateInIntacct,
    UpdateInReleased,
)
from released_intacct.domain.enums import IntacctState, RecordType
from released_intacct.domain.intacct import IntacctPayment, Transaction
from released_intacct.domain.released import Invoice, Payment
from released_intacct.fakes.companies import Companies
from released_intacct.fakes.full_sync import sync_everything
from released_intacct.fakes.strategies import SETTINGS, SYNC_FROM, worlds

INTACCT_OWNED = {
    RecordType.ACCOUNT,
    RecordType.TAX_TYPE,
    RecordType.TRACKING_CATEGORY,
    RecordType.TRACKING_OPTION,
}


@given(worlds())
def test_D21_planning_is_idempotent(world: Companies) -> None:
    """Plan, apply to in-memory state, plan again: no new creates, and no writes at all (D21)."""
    sync_everything(world, SETTINGS)
    again = sync_everything(world, SETTINGS)
    assert again.creates == 0
    assert sum(again.writes.values()) == 0, again.writes


@given(worlds())
def test_D1_no_plan_writes_an_intacct_owned_kind_from_released(world: Companies) -> None:
    actions = sync_everything(world, SETTINGS).actions + sync_everything(world, SETTINGS).actions
    to_intacct = [a for a in actions if isinstance(a, CreateInIntacct | UpdateInIntacct)]
    assert not [a for a in to_intacct if a.record_type in INTACCT_OWNED]


@given(worlds())
def test_D7_no_plan_voids_or_reverses_anything_in_intacct(world: Companies) -> None:
    actions = sync_everything(world, SETTINGS).actions
    sent = [a.record for a in actions if isinstance(a, CreateInIntacct | UpdateInIntacct)]
    states = {r.state for r in sent if isinstance(r, Transaction | IntacctPayment)}
    assert not states & {IntacctState.REVERSED, IntacctState.REVERSAL}


def _dated(action: Action) -> date | None:
    if not isinstance(
        action, CreateInIntacct | UpdateInIntacct | CreateInReleased | UpdateInReleased
    ):
        return None
    record = action.record
    if isinstance(record, Transaction):
        return record.invoice_date
    if isinstance(record, Invoice):
        return record.issue_date
    if isinstance(record, IntacctPayment | Payment):
        return record.date
    return None


@given(worlds())
def test_C4_nothing_dated_before_the_sync_from_date_is_ever_planned(world: Companies) -> None:
    actions = sync_everything(world, SETTINGS).actions
    planned = [d for d in map(_dated, actions) if d is not None]
    assert all(d >= SYNC_FROM for d in planned), sorted(planned)[:3]
