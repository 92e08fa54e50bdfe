"""Intacct customers and vendors ⇄ Re-Leased contacts (rules M1, D3, D4; seed 004).

Intacct → Re-Leased (``party_to_contact``):

- Name = ``"<CUSTOMERID or VENDORID> - <NAME>"`` **(decided format**: the id, a spaced hyphen, the
  name; a party without an id yet gives the name alone);
- Correspondence Name = NAME;
- first / last name, email, telephone (primary phone), fax, mobile from the primary contact
  (DISPLAYCONTACT);
- postal address from the Ship-To contact, street address from the Bill-To contact, each falling
  back to the primary contact's address when that contact is not set;
- an *inactive* party is *archived* (rule D3); currency; role.

Re-Leased → Intacct (``contact_to_party``, used only to create, rule D3): NAME = correspondence
name, or the name when that is empty; the primary contact from the contact fields with the street
address; a Ship-To contact carrying the postal address only when it differs from the street address
(otherwise Intacct's primary fallback already gives it); no Bill-To contact (the primary address is
the billing address); always *active* (archiving never flows to Intacct); no id unless given:
Intacct's document sequencing assigns it (rule D4).
"""

from __future__ import annotations

from released_intacct.domain.enums import ContactRole, IntacctStatus, ReleasedStatus
from released_intacct.domain.ids import IntacctId, ReleasedId
from released_intacct.domain.intacct import ContactBlock, Party
from released_intacct.domain.released import Contact

NAME_SEPARATOR = " - "
"""Between the Intacct id and the name in a Re-Leased contact's Name (decided)."""


def contact_name(party: Party) -> str:
    """The Re-Leased Name of a party: its id and its name, or the name alone before it has an id."""
    if party.party_id is None:
        return party.name
    return f"{party.party_id}{NAME_SEPARATOR}{party.name}"


def party_to_contact(party: Party, *, released_id: ReleasedId) -> Contact:
    primary = party.primary
    return Contact(
        id=released_id,
        name=contact_name(party),
        correspondence_name=party.name,
        first_name=primary.first_name,
        last_name=primary.last_name,
        email=primary.email,
        telephone=primary.phone,
        fax=primary.fax,
        mobile=primary.mobile,
        postal_address=(party.ship_to or primary).address,
        street_address=(party.bill_to or primary).address,
        currency=party.currency,
        status=(
            ReleasedStatus.ARCHIVED
            if party.status is IntacctStatus.INACTIVE
            else ReleasedStatus.ACTIVE
        ),
        role=party.role,
    )


def contact_to_party(
    contact: Contact, role: ContactRole, *, party_id: IntacctId | None = None
) -> Party:
    primary = ContactBlock(
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        phone=contact.telephone,
        fax=contact.fax,
        mobile=contact.mobile,
        address=contact.street_address,
    )
    ship_to = (
        None
        if contact.postal_address == contact.street_address
        else ContactBlock(address=contact.postal_address)
    )
    return Party(
        role=role,
        party_id=party_id,
        name=contact.correspondence_name or contact.name,
        primary=primary,
        ship_to=ship_to,
        bill_to=None,
        status=IntacctStatus.ACTIVE,
        currency=contact.currency,
    )
