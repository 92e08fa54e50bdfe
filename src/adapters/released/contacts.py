"""Contacts on the wire (``/api/contacts``) and their conversion to and from the domain."""

from __future__ import annotations

from typing import Literal

from returns.result import Result, Success

from released_intacct.adapters.released.convert import currency_of, text
from released_intacct.adapters.released.wire import Stamp, Wire
from released_intacct.domain.enums import ContactRole, RecordType, ReleasedStatus
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.money import Currency
from released_intacct.domain.released import Address, Contact

__all__ = ["AddressWire", "ContactBody", "ContactWire", "contact_body", "to_contact"]

Status = Literal["Active", "Archived"]
Role = Literal["Customer", "Vendor"]

_ROLES: dict[Role, ContactRole] = {"Customer": ContactRole.CUSTOMER, "Vendor": ContactRole.VENDOR}


class AddressWire(Wire, frozen=True, kw_only=True):
    address: str | None = None
    suburb: str | None = None
    town_city: str | None = None
    region_state: str | None = None
    post_zip_code: str | None = None
    country: str | None = None


class ContactWire(Wire, frozen=True, kw_only=True):
    id: str
    name: str
    correspondence_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    telephone: str | None = None
    fax: str | None = None
    mobile: str | None = None
    postal_address: AddressWire | None = None
    street_address: AddressWire | None = None
    currency: str | None = None
    status: Status
    role: Role | None = None
    last_modified: Stamp
    version: int


class ContactBody(Wire, frozen=True, kw_only=True, omit_defaults=True):
    """What a create or update sends; ``id`` proposes one, ``version`` guards an update."""

    id: str | None = None
    name: str
    correspondence_name: str
    first_name: str
    last_name: str
    email: str
    telephone: str
    fax: str
    mobile: str
    postal_address: AddressWire
    street_address: AddressWire
    currency: str | None
    status: Status
    role: Role | None
    version: int | None = None


def to_contact(wire: ContactWire) -> Result[Contact, SyncError]:
    return _currency(wire).map(
        lambda code: Contact(
            id=ReleasedId(wire.id),
            name=wire.name,
            correspondence_name=text(wire.correspondence_name),
            first_name=text(wire.first_name),
            last_name=text(wire.last_name),
            email=text(wire.email),
            telephone=text(wire.telephone),
            fax=text(wire.fax),
            mobile=text(wire.mobile),
            postal_address=_address(wire.postal_address),
            street_address=_address(wire.street_address),
            currency=code,
            status=ReleasedStatus(wire.status),
            role=None if wire.role is None else _ROLES[wire.role],
            modified_at=wire.last_modified,
            version=wire.version,
        )
    )


def contact_body(contact: Contact, *, version: int | None = None) -> ContactBody:
    role: Role | None = None
    if contact.role is not None:
        role = "Customer" if contact.role is ContactRole.CUSTOMER else "Vendor"
    return ContactBody(
        id=contact.id,
        name=contact.name,
        correspondence_name=contact.correspondence_name,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        telephone=contact.telephone,
        fax=contact.fax,
        mobile=contact.mobile,
        postal_address=_address_wire(contact.postal_address),
        street_address=_address_wire(contact.street_address),
        currency=contact.currency,
        status="Archived" if contact.status is ReleasedStatus.ARCHIVED else "Active",
        role=role,
        version=version,
    )


def _currency(wire: ContactWire) -> Result[Currency | None, SyncError]:
    if not wire.currency:
        return Success(None)
    found: Result[Currency | None, SyncError] = currency_of(
        wire.currency, RecordType.CONTACT, wire.id
    )
    return found


def _address(wire: AddressWire | None) -> Address:
    if wire is None:
        return Address()
    return Address(
        line1=text(wire.address),
        line2=text(wire.suburb),
        city=text(wire.town_city),
        region=text(wire.region_state),
        postcode=text(wire.post_zip_code),
        country=text(wire.country),
    )


def _address_wire(address: Address) -> AddressWire:
    return AddressWire(
        address=address.line1,
        suburb=address.line2,
        town_city=address.city,
        region_state=address.region,
        post_zip_code=address.postcode,
        country=address.country,
    )
