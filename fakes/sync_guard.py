"""What one sync may never do to Intacct, and whether a second sync wrote anything (issue 7).

``engine_changes(before, after)`` compares ``snapshot``s of the fake Intacct taken just before and
just after one sync, so every difference is the engine's: writing an Intacct-owned list (accounts,
tax details, dimensions: rule D1), updating a customer / vendor (D3), changing a posted transaction
(D20) or a payment (D9), reversing or un-reversing anything (D7), deleting anything.
``both_sides(world)`` is what a second sync must leave exactly as it found it (D21).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from released_intacct.domain.enums import IntacctState
from released_intacct.domain.intacct import (
    DimensionValue,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Item,
    Party,
    TaxDetail,
    Transaction,
)
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.sync_world import SyncWorld
from released_intacct.fakes.user_actions import intacct_key_of

_OWNED = (GlAccount, TaxDetail, DimensionValue, Item)
_REVERSED = (IntacctState.REVERSED, IntacctState.REVERSAL)


@dataclass(frozen=True, slots=True)
class IntacctSnapshot:
    owned: tuple[IntacctRecord, ...]
    parties: dict[str, str]
    posted: dict[str, str]
    payments: dict[str, str]
    reversed: frozenset[str]
    deleted: int


def snapshot(intacct: FakeIntacct) -> IntacctSnapshot:
    records = intacct.records
    return IntacctSnapshot(
        owned=tuple(
            replace(r, modified_at=None) if not isinstance(r, Item) else r
            for r in records
            if isinstance(r, _OWNED)
        ),
        parties={
            str(intacct_key_of(r)): intacct_fingerprint(r) for r in records if isinstance(r, Party)
        },
        posted={
            str(r.link_key): intacct_fingerprint(r)
            for r in records
            if isinstance(r, Transaction) and not r.state.is_unposted
        },
        payments={
            str(intacct_key_of(r)): intacct_fingerprint(r)
            for r in records
            if isinstance(r, IntacctPayment)
        },
        reversed=frozenset(
            str(intacct_key_of(r))
            for r in records
            if isinstance(r, Transaction | IntacctPayment) and r.state in _REVERSED
        ),
        deleted=len(intacct.deleted),
    )


def engine_changes(before: IntacctSnapshot, after: IntacctSnapshot) -> list[str]:
    """What a sync changed in Intacct that it must not (nothing a user did in between)."""
    problems: list[str] = []
    if before.owned != after.owned:
        problems.append("D1: an Intacct-owned list (account, tax detail, dimension) was written")
    for name, rule, old, new in (
        ("customer/vendor", "D3", before.parties, after.parties),
        ("posted transaction", "D20", before.posted, after.posted),
        ("payment", "D9", before.payments, after.payments),
    ):
        changed = sorted(k for k, fp in old.items() if new.get(k) != fp)
        if changed:
            problems.append(f"{rule}: the sync changed or removed Intacct {name} {changed}")
    if after.reversed != before.reversed:
        done, undone = after.reversed - before.reversed, before.reversed - after.reversed
        problems.append(f"D7: the sync reversed {sorted(done)}, undid reversals {sorted(undone)}")
    if after.deleted != before.deleted:
        problems.append("the sync deleted something in Intacct")
    return problems


def both_sides(world: SyncWorld) -> tuple[object, ...]:
    released = world.released
    return (list(world.intacct.records), dict(released.records), dict(released.stamps))
