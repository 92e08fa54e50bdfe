"""Customers and vendors over REST: their fields (docs/intacct-rest.md 4.4), read through the
XML reader (``rows.as_xml`` then ``convert.reading.party``), and the ``Family`` that writes them.

A create writes the display contact whole as ``contacts.default``, its ``id`` the XML create's
CONTACTNAME (``convert.writing.contact_name``: the party's name and the idempotency key), so a
party created through either API is found again by the same value (rule D21;
``contacts.default.id`` as a writable, queryable field is **inferred**, docs/intacct-rest.md
section 10, and ``doctor`` checks it). The party id is left to Intacct (rule D4). The named
contacts (primary, ship-to / bill-to, pay-to / return-to) are read through the query service's
dotted reference fields (docs/intacct-rest.md 4.4, "Decision").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.convert.reading import party as read_party
from released_intacct.adapters.intacct.convert.writing import contact_name
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import IN_CHUNK, Filter, Row, Select, field
from released_intacct.adapters.intacct_rest.rows import (
    Pairs,
    as_xml,
    converted,
    every_row,
    modified,
    rest_fields,
)
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite, UpdateInIntacct
from released_intacct.domain.enums import ContactRole
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.intacct import ContactBlock, IntacctRecord, Party
from released_intacct.domain.ports import Page

__all__ = ["FAMILY", "PARTY_PATHS", "PartyFamily", "parties_matching", "party_select"]

PARTY_PATHS: Final = {
    ContactRole.CUSTOMER: "accounts-receivable/customer",
    ContactRole.VENDOR: "accounts-payable/vendor",
}
_ID_FIELDS: Final = {ContactRole.CUSTOMER: "CUSTOMERID", ContactRole.VENDOR: "VENDORID"}
_CONTACT: Final = (
    ("firstName", "FIRSTNAME"),
    ("lastName", "LASTNAME"),
    ("email1", "EMAIL1"),
    ("phone1", "PHONE1"),
    ("fax", "FAX"),
    ("mobile", "CELLPHONE"),
    ("mailingAddress.addressLine1", "MAILADDRESS.ADDRESS1"),
    ("mailingAddress.addressLine2", "MAILADDRESS.ADDRESS2"),
    ("mailingAddress.city", "MAILADDRESS.CITY"),
    ("mailingAddress.state", "MAILADDRESS.STATE"),
    ("mailingAddress.postCode", "MAILADDRESS.ZIP"),
    ("mailingAddress.country", "MAILADDRESS.COUNTRY"),
)
_NAMED: Final = {
    ContactRole.CUSTOMER: (("primary", "CONTACTINFO"), ("shipTo", "SHIPTO"), ("billTo", "BILLTO")),
    ContactRole.VENDOR: (("primary", "CONTACTINFO"), ("returnTo", "RETURNTO"), ("payTo", "PAYTO")),
}
KEY_FIELD: Final = "contacts.default.id"
"""Where a create's key lives (docs/intacct-rest.md section 10)."""


def _pairs(role: ContactRole) -> Pairs:
    blocks = (("default", "DISPLAYCONTACT"), *_NAMED[role])
    return (
        ("id", _ID_FIELDS[role]),
        ("name", "NAME"),
        ("status", "STATUS"),
        ("currency", "CURRENCY"),
        (KEY_FIELD, "DISPLAYCONTACT.CONTACTNAME"),
        *(
            (f"contacts.{rest}.{name}", f"{xml}.{x}")
            for rest, xml in blocks
            for name, x in _CONTACT
        ),
    )


PAIRS: Final = {role: _pairs(role) for role in ContactRole}


def party_select(role: ContactRole, *filters: Filter) -> Select:
    return Select(object_name=PARTY_PATHS[role], fields=rest_fields(PAIRS[role]), filters=filters)


def party_of(role: ContactRole, row: Row) -> Result[Party, SyncError]:
    """A query row as a ``Party``, its ``modified_at`` the UTC stamp."""
    read = read_party(role, as_xml(row, PAIRS[role]))
    at = modified(row)
    return read.map(lambda found: replace(found, modified_at=at))


def page_of(role: ContactRole, page: Page[Row]) -> Page[Party]:
    return converted(page, lambda row: party_of(role, row))


async def parties_matching(
    rest: Rest, role: ContactRole, *filters: Filter
) -> Result[tuple[Party, ...], SyncError]:
    """Every party of ``role`` the filters match (a look-up); one that cannot be read fails it."""
    rows = await every_row(rest, party_select(role, *filters))
    if isinstance(rows, Failure):
        return Failure(rows.failure())
    found: list[Party] = []
    for row in rows.unwrap():
        read = party_of(role, row)
        if isinstance(read, Failure):
            return Failure(read.failure())
        found.append(read.unwrap())
    return Success(tuple(found))


def _contact(block: ContactBlock, *, printed: str, key: str | None) -> dict[str, object]:
    body: dict[str, object] = {} if key is None else {"id": key}
    body["printAs"] = printed
    for name, value in (
        ("firstName", block.first_name),
        ("lastName", block.last_name),
        ("email1", block.email),
        ("phone1", block.phone),
        ("fax", block.fax),
        ("mobile", block.mobile),
    ):
        if value:
            body[name] = value
    address = block.address
    mail = {
        name: value
        for name, value in (
            ("addressLine1", address.line1),
            ("addressLine2", address.line2),
            ("city", address.city),
            ("state", address.region),
            ("postCode", address.postcode),
            ("country", address.country),
        )
        if value
    }
    if mail:
        body["mailingAddress"] = mail
    return body


def _party(record: IntacctRecord) -> Party:
    if not isinstance(record, Party):
        msg = f"the party family does not write a {type(record).__name__}"
        raise TypeError(msg)
    return record


class PartyFamily:
    """Customers and vendors: created with their display contact, read back together
    (``family.ReadsBackAll``); never updated by the sync."""

    def handles(self, record: IntacctRecord) -> bool:
        return isinstance(record, Party)

    def path(self, record: IntacctRecord) -> str:
        return PARTY_PATHS[_party(record).role]

    def create_body(self, write: CreateInIntacct) -> dict[str, object]:
        party = _party(write.record)
        body: dict[str, object] = {"name": party.name, "status": party.status.value}
        if party.party_id:
            body["id"] = party.party_id
        if party.currency:
            body["currency"] = party.currency
        default = _contact(party.primary, printed=party.name, key=_key(party, write))
        body["contacts"] = {"default": default}
        return body

    def update_body(self, write: UpdateInIntacct) -> dict[str, object]:
        msg = "the sync never updates a customer or vendor in Intacct (rule D20: documents only)"
        raise ValueError(msg)

    async def read_back(
        self, rest: Rest, write: IntacctWrite, key: str
    ) -> Result[IntacctRecord, SyncError]:
        party = _party(write.record)
        found = await parties_matching(
            rest, party.role, Filter(field="key", operator="$eq", value=key)
        )
        if isinstance(found, Failure):
            return Failure(found.failure())
        return _one(found.unwrap(), f"the {party.role.value} Intacct answered as key {key}")

    async def read_backs(
        self, rest: Rest, created: Sequence[tuple[CreateInIntacct, str]]
    ) -> tuple[Result[IntacctRecord, SyncError], ...]:
        """The parties created, by the keys Intacct answered: one query of ``key $in`` up to
        ``IN_CHUNK`` keys per role (``family.ReadsBackAll``), each then as ``read_back``
        answers it alone (one readable record, else a RETRIABLE failure of that record)."""
        asked: dict[ContactRole, list[str]] = {}
        for write, key in created:
            if key:
                asked.setdefault(_party(write.record).role, []).append(key)
        rows: dict[tuple[ContactRole, str], list[Row]] = {}
        failed: dict[ContactRole, SyncError] = {}
        for role, keys in asked.items():
            for at in range(0, len(keys), IN_CHUNK):
                wanted = Filter(field="key", operator="$in", value=keys[at : at + IN_CHUNK])
                found = await every_row(rest, party_select(role, wanted))
                if isinstance(found, Failure):
                    failed[role] = found.failure()
                    break
                for row in found.unwrap():
                    rows.setdefault((role, str(field(row, "key"))), []).append(row)
        backs: list[Result[IntacctRecord, SyncError]] = []
        for write, key in created:
            role = _party(write.record).role
            if role in failed:
                backs.append(Failure(failed[role]))
                continue
            read = [party_of(role, row) for row in rows.get((role, key), [])]
            unreadable = next((r.failure() for r in read if isinstance(r, Failure)), None)
            what = f"the {role.value} Intacct answered as key {key}"
            backs.append(
                Failure(unreadable)
                if unreadable is not None
                else _one([r.unwrap() for r in read], what)
            )
        return tuple(backs)

    async def find(
        self, rest: Rest, write: CreateInIntacct
    ) -> Result[IntacctRecord | None, SyncError]:
        party = _party(write.record)
        wanted = Filter(field=KEY_FIELD, operator="$eq", value=_key(party, write))
        found = await parties_matching(rest, party.role, wanted)
        if isinstance(found, Failure):
            return Failure(found.failure())
        return Success(found.unwrap()[0] if found.unwrap() else None)

    async def candidates(
        self, rest: Rest, write: CreateInIntacct
    ) -> Result[tuple[IntacctRecord, ...], SyncError]:
        party = _party(write.record)
        alike = Filter(field="name", operator="$eq", value=party.name)
        found = await parties_matching(rest, party.role, alike)
        return found.map(tuple[IntacctRecord, ...])


def _key(party: Party, write: CreateInIntacct) -> str:
    return contact_name(party.name, write.key)


def _one(found: Sequence[Party], what: str) -> Result[IntacctRecord, SyncError]:
    if len(found) == 1:
        return Success(found[0])
    return Failure(
        SyncError(
            kind=ErrorKind.RETRIABLE,
            rule=None,
            message=f"Sage Intacct answered a write but {what} was {len(found)} records, not one.",
            fix="The record is looked up again by its key on the next run.",
        )
    )


FAMILY: Final = PartyFamily()
