"""Planning contacts: created both ways, updated and archived from Intacct only (rules D3-D5)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from returns.result import Success

from released_intacct.domain.actions import Action, CreateInIntacct, RecordResult, Skip
from released_intacct.domain.enums import ContactRole, Direction, RecordType, ReleasedStatus
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.intacct import Party
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.mapping.contacts import contact_to_party, party_to_contact
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.planning.common import key_for_intacct, outcome, plan_incoming
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.released import Contact
from released_intacct.domain.rules.deletions import missing_in_intacct
from released_intacct.domain.rules.eligibility import (
    check_incoming_party,
    check_outgoing_contact,
)
from released_intacct.domain.settings import SyncSettings


def plan_contacts(
    released: Sequence[Contact],
    intacct: Sequence[Party],
    links: LinkIndex,
    settings: SyncSettings,
    *,
    roles: Mapping[ReleasedId, ContactRole] | None = None,
    missing: Collection[IntacctKey] = (),
) -> tuple[Action, ...]:
    """Actions for one page of contact changes from each side.

    ``roles`` gives the side of contacts whose role Re-Leased does not record (from the invoices
    raised for them); ``missing`` holds the keys of Intacct customers/vendors known to be deleted
    (rule D5).
    """
    incoming = tuple(action for party in intacct for action in _incoming(party, links, settings))
    changed_in_intacct = {
        party.link_key
        for party in intacct
        if (link := links.by_intacct(RecordType.CONTACT, party.link_key)) is not None
        and link.intacct_fingerprint != intacct_fingerprint(party)
    }
    outgoing = tuple(
        action
        for contact in released
        for action in _outgoing(
            contact,
            links,
            settings,
            role=(roles or {}).get(contact.id),
            missing=missing,
            changed_in_intacct=changed_in_intacct,
        )
    )
    return incoming + outgoing


def _incoming(party: Party, links: LinkIndex, settings: SyncSettings) -> tuple[Action, ...]:
    return (
        check_incoming_party(party, settings)
        .map(
            lambda party: plan_incoming(
                RecordType.CONTACT,
                party.link_key,
                intacct_fingerprint(party),
                lambda rid: Success(party_to_contact(party, released_id=rid)),
                links=links,
                settings=settings,
            )
        )
        .lash(lambda error: Success((outcome(error),)))
        .unwrap()
    )


def _outgoing(
    contact: Contact,
    links: LinkIndex,
    settings: SyncSettings,
    *,
    role: ContactRole | None,
    missing: Collection[IntacctKey],
    changed_in_intacct: Collection[IntacctKey],
) -> tuple[Action, ...]:
    link = links.by_released(RecordType.CONTACT, contact.id)
    if link is not None:
        return _edited(contact, link, missing=missing, changed_in_intacct=changed_in_intacct)
    if contact.status is ReleasedStatus.ARCHIVED:
        return (Skip(reason=_archived(contact)),)
    return (
        check_outgoing_contact(contact, settings)
        .map(lambda contact: _create(contact, contact.role or role, settings))
        .lash(lambda error: Success(outcome(error)))
        .map(lambda action: (action,))
        .unwrap()
    )


def _create(contact: Contact, role: ContactRole | None, settings: SyncSettings) -> Action:
    if role is None:
        return Skip(
            reason=SyncError(
                kind=ErrorKind.SKIPPED,
                rule=Rule.D4,
                message=(
                    f"Contact '{contact.name}' is not in Sage Intacct yet: it is created there "
                    "as a customer or a vendor once it is billed or bills."
                ),
                fix="Raise an income or expense invoice for it, or choose its side at onboarding.",
                record=_ref(contact),
            )
        )
    return CreateInIntacct(
        key=key_for_intacct(settings, RecordType.CONTACT, contact.id),
        record_type=RecordType.CONTACT,
        released_id=contact.id,
        record=contact_to_party(contact, role),
        source_fingerprint=fingerprint(contact),
    )


def _edited(
    contact: Contact,
    link: Link,
    *,
    missing: Collection[IntacctKey],
    changed_in_intacct: Collection[IntacctKey],
) -> tuple[Action, ...]:
    """A linked contact seen in Re-Leased: our echo, or an edit that stays in Re-Leased (D3)."""
    if not link.is_linked or link.released_fingerprint == fingerprint(contact):
        return ()
    if link.intacct_key in missing:
        return (RecordResult(error=missing_in_intacct(contact.name, released_id=contact.id)),)
    if link.intacct_key in changed_in_intacct:
        return ()
    return (
        Skip(
            reason=SyncError(
                kind=ErrorKind.SKIPPED,
                rule=Rule.D3,
                message=(
                    f"Changes to contact '{contact.name}' made in Re-Leased are not sent to Sage "
                    "Intacct: contact updates and archiving belong to Intacct."
                ),
                fix="Make the same change to the customer or vendor in Intacct; it syncs back.",
                record=_ref(contact, link.intacct_key),
            )
        ),
    )


def _archived(contact: Contact) -> SyncError:
    return SyncError(
        kind=ErrorKind.SKIPPED,
        rule=Rule.O3,
        message=f"Contact '{contact.name}' is archived in Re-Leased, so it is not sent to Intacct.",
        fix="Unarchive it in Re-Leased if it should be created in Sage Intacct.",
        record=_ref(contact),
    )


def _ref(contact: Contact, intacct_key: IntacctKey | None = None) -> RecordRef:
    return RecordRef(
        record_type=RecordType.CONTACT,
        direction=Direction.OUTGOING,
        released_id=contact.id,
        intacct_key=intacct_key,
        label=contact.name,
    )
