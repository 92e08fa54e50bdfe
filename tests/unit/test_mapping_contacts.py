"""Customers and vendors ⇄ contacts per the seed 004 table (rules M1, D3, D4)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from released_intacct.domain.enums import ContactRole, IntacctStatus, ReleasedStatus
from released_intacct.domain.ids import IntacctId, ReleasedId
from released_intacct.domain.intacct import ContactBlock, Party
from released_intacct.domain.mapping.contacts import contact_to_party, party_to_contact
from released_intacct.domain.money import currency
from released_intacct.domain.released import Address, Contact

RID = ReleasedId("con-1")
PRIMARY_ADDRESS = Address(line1="1 Main St", city="Leeds", postcode="LS1", country="GB")
SHIP_ADDRESS = Address(line1="PO Box 7", city="York", country="GB")
BILL_ADDRESS = Address(line1="2 Bill Rd", line2="Unit 4", region="W Yorks", country="GB")


def _party(**overrides: object) -> Party:
    base = Party(
        role=ContactRole.CUSTOMER,
        party_id=IntacctId("C001"),
        name="Harbour Cafe",
        primary=ContactBlock(
            first_name="Ann",
            last_name="Lee",
            email="ann@cafe.example",
            phone="0113 1",
            fax="0113 2",
            mobile="07700 3",
            address=PRIMARY_ADDRESS,
        ),
        currency=currency("GBP"),
        record_no="11",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_M1_party_maps_to_contact_per_the_seed_table() -> None:
    party = _party(
        ship_to=ContactBlock(address=SHIP_ADDRESS), bill_to=ContactBlock(address=BILL_ADDRESS)
    )
    assert party_to_contact(party, released_id=RID) == Contact(
        id=RID,
        name="C001 - Harbour Cafe",
        correspondence_name="Harbour Cafe",
        first_name="Ann",
        last_name="Lee",
        email="ann@cafe.example",
        telephone="0113 1",
        fax="0113 2",
        mobile="07700 3",
        postal_address=SHIP_ADDRESS,
        street_address=BILL_ADDRESS,
        currency=currency("GBP"),
        status=ReleasedStatus.ACTIVE,
        role=ContactRole.CUSTOMER,
    )


def test_M1_addresses_fall_back_to_the_primary_contact() -> None:
    contact = party_to_contact(_party(), released_id=RID)
    assert contact.postal_address == PRIMARY_ADDRESS
    assert contact.street_address == PRIMARY_ADDRESS
    only_ship = party_to_contact(
        _party(ship_to=ContactBlock(address=SHIP_ADDRESS)), released_id=RID
    )
    assert (only_ship.postal_address, only_ship.street_address) == (SHIP_ADDRESS, PRIMARY_ADDRESS)


def test_M1_party_without_an_id_yet_is_named_by_its_name_alone() -> None:
    assert party_to_contact(_party(party_id=None), released_id=RID).name == "Harbour Cafe"


def test_D3_inactive_party_is_archived_and_vendor_role_is_kept() -> None:
    contact = party_to_contact(
        _party(status=IntacctStatus.INACTIVE, role=ContactRole.VENDOR), released_id=RID
    )
    assert contact.status is ReleasedStatus.ARCHIVED
    assert contact.role is ContactRole.VENDOR


def test_D4_contact_becomes_a_new_active_party_without_an_id() -> None:
    contact = Contact(
        id=RID,
        name="Swift Plumbing",
        first_name="Sam",
        email="sam@swift.example",
        telephone="1",
        postal_address=SHIP_ADDRESS,
        street_address=BILL_ADDRESS,
        status=ReleasedStatus.ARCHIVED,
    )
    party = contact_to_party(contact, ContactRole.VENDOR)
    assert party == Party(
        role=ContactRole.VENDOR,
        party_id=None,
        name="Swift Plumbing",
        primary=ContactBlock(
            first_name="Sam", email="sam@swift.example", phone="1", address=BILL_ADDRESS
        ),
        ship_to=ContactBlock(address=SHIP_ADDRESS),
        bill_to=None,
        status=IntacctStatus.ACTIVE,
    )


def test_M1_correspondence_name_is_the_party_name_and_ship_to_only_when_it_differs() -> None:
    contact = Contact(
        id=RID,
        name="C9 - Old Name",
        correspondence_name="Harbour Cafe Ltd",
        postal_address=PRIMARY_ADDRESS,
        street_address=PRIMARY_ADDRESS,
    )
    party = contact_to_party(contact, ContactRole.CUSTOMER, party_id=IntacctId("C9"))
    assert party.name == "Harbour Cafe Ltd"
    assert party.party_id == "C9"
    assert party.ship_to is None
    assert party.primary.address == PRIMARY_ADDRESS


texts = st.text(max_size=12)
addresses = st.builds(
    Address,
    line1=texts,
    line2=texts,
    city=texts,
    region=texts,
    postcode=texts,
    country=texts,
)
blocks = st.builds(
    ContactBlock,
    first_name=texts,
    last_name=texts,
    email=texts,
    phone=texts,
    fax=texts,
    mobile=texts,
    address=addresses,
)
parties = st.builds(
    Party,
    role=st.sampled_from(ContactRole),
    party_id=st.text(min_size=1, max_size=8).map(IntacctId),
    name=st.text(min_size=1, max_size=20),
    primary=blocks,
    ship_to=st.none() | blocks,
    bill_to=st.none() | blocks,
    status=st.sampled_from(IntacctStatus),
    currency=st.sampled_from([None, currency("GBP"), currency("EUR")]),
)


def _ship(party: Party) -> Address:
    return (party.ship_to or party.primary).address


def _bill(party: Party) -> Address:
    return (party.bill_to or party.primary).address


@given(parties)
def test_M1_contact_fields_survive_intacct_released_intacct_released(party: Party) -> None:
    """Every mapped field survives the round trip; archiving stays Intacct's (D3)."""
    first = party_to_contact(party, released_id=RID)
    assert party.party_id is not None
    back = contact_to_party(first, party.role, party_id=party.party_id)
    again = party_to_contact(back, released_id=RID)
    assert again == replace(first, status=ReleasedStatus.ACTIVE)
    assert back.status is IntacctStatus.ACTIVE
    assert (back.name, back.role, back.currency) == (party.name, party.role, party.currency)
    assert (_ship(back), _bill(back)) == (_ship(party), _bill(party))
