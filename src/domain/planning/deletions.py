"""Planning what AUDITHISTORY reports deleted in Intacct (rules D5, D8, D9).

A deletion never deletes anything in Re-Leased: it leaves a sync result when the record was linked,
so the user can void, remove or relink it there.
"""

from __future__ import annotations

from collections.abc import Sequence

from released_intacct.domain.actions import Action
from released_intacct.domain.enums import RecordType
from released_intacct.domain.intacct import Deletion
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.planning.common import outcome
from released_intacct.domain.rules.deletions import deleted_in_intacct


def plan_deletions(deletions: Sequence[Deletion], links: LinkIndex) -> tuple[Action, ...]:
    return tuple(
        outcome(deleted_in_intacct(deletion, linked_released_id=link.released_id if link else None))
        for deletion in deletions
        for link in _links_of(deletion, links)
        if link is None or link.is_linked
    )


def _links_of(deletion: Deletion, links: LinkIndex) -> tuple[Link | None, ...]:
    """The links a deletion touches: a payment's allocations, or the record's one link."""
    if deletion.record_type is RecordType.PAYMENT:
        found = links.by_intacct_prefix(RecordType.PAYMENT, f"{deletion.key}/")
        return found or (None,)
    return (links.by_intacct(deletion.record_type, deletion.key),)
