"""What a confirmed onboarding writes (rules O3, O5): links, archives and new contacts.

Matches become links with no fingerprints, so the initial sync brings each matched Re-Leased record
into line with its Intacct record (Intacct owns lists, D1, and contact updates, D3). A tracking
category whose options were matched is linked to that dimension kind (one category per kind, M2).
Archives archive the Re-Leased record; *create as* creates the contact in Intacct (D4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from returns.result import Failure, Result, Success

from released_intacct.domain.actions import Action, ArchiveInReleased, LinkRecords
from released_intacct.domain.enums import DimensionKind, RecordType, System
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.intacct import category_key
from released_intacct.domain.links import LinkIndex
from released_intacct.domain.matching import Archive, CreateAs, Match
from released_intacct.domain.onboarding import Onboarding
from released_intacct.domain.planning.contacts import plan_contacts
from released_intacct.domain.released import Contact, TrackingCategory
from released_intacct.domain.settings import SyncSettings


def plan_onboarding(
    ob: Onboarding,
    settings: SyncSettings,
    *,
    contacts: Mapping[ReleasedId, Contact],
    categories: Sequence[TrackingCategory] = (),
) -> Result[tuple[Action, ...], SyncError]:
    """The actions of a confirmed onboarding; ``contacts`` holds those to create in Intacct."""
    if not ob.confirmed:
        return Failure(
            SyncError(
                kind=ErrorKind.REJECTED,
                rule=Rule.O5,
                message="Onboarding is not confirmed yet, so nothing is written.",
                fix="Resolve and continue every step, then confirm.",
            )
        )
    actions: list[Action] = []
    to_create: list[Contact] = []
    for state in ob.steps:
        record_type = state.step.record_type
        for decision in state.decisions.values():
            match decision:
                case Match():
                    actions.append(_link(record_type, decision))
                case Archive():
                    actions.append(_archive(record_type, decision.released_id))
                case CreateAs():
                    to_create.append(replace(contacts[decision.released_id], role=decision.role))
    actions.extend(_category_links(ob, categories))
    created = plan_contacts(to_create, [], LinkIndex(), settings)
    return Success((*actions, *created))


def _link(record_type: RecordType, decision: Match) -> LinkRecords:
    return LinkRecords(
        record_type=record_type,
        released_id=decision.released_id,
        intacct_key=decision.intacct_key,
        origin=System.INTACCT,
    )


def _archive(record_type: RecordType, released_id: ReleasedId) -> ArchiveInReleased:
    return ArchiveInReleased(record_type=record_type, released_id=released_id, rule=Rule.O3)


def _category_links(
    ob: Onboarding, categories: Sequence[TrackingCategory]
) -> tuple[LinkRecords, ...]:
    """Each Re-Leased category with a matched option is the category of that option's kind."""
    matched = {
        decision.released_id: DimensionKind(decision.intacct_key.split(":", 1)[0])
        for state in ob.steps
        if state.step.record_type is RecordType.TRACKING_OPTION
        for decision in state.decisions.values()
        if isinstance(decision, Match)
    }
    kinds = {
        category.id: kind
        for category in categories
        for option in category.options
        if (kind := matched.get(option.id)) is not None
    }
    return tuple(
        LinkRecords(
            record_type=RecordType.TRACKING_CATEGORY,
            released_id=category_id,
            intacct_key=category_key(kind),
            origin=System.INTACCT,
        )
        for category_id, kind in sorted(kinds.items())
    )
