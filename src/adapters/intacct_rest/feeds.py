"""The master-data change feeds over REST, deletions and ``parties_held``.

Each feed is one ``query.Select`` of the query service (filtered on ``audit.modifiedDateTime``
from the cursor less the overlap, UTC) whose rows the XML readers read (``rows.as_xml``), so both
APIs give the same records; the stamp is the UTC one. A row that cannot be read is a problem of
its page (rule E1), not a failure of the read.

- Tax details: the tax-detail sample has no ``audit`` block and the object is listed among those
  that cannot be filtered on it (docs/intacct-rest.md 4.2), so the feed reads every tax detail
  each time (a short list) and the sync tells changes by their fingerprints.
- Dimensions: the objects of docs/intacct-rest.md 4.3; a task has no ``status`` (read as active).
  Customers and vendors are asked with the parties feed's query, and a whole first page is
  handed to both feeds (``query.QueryPages.page``, ``shared``): one request where two were.
- Deletions: ``company-config/audit-history`` rows whose ``changeSource.actionPerformed`` is
  ``delete`` (**inferred**, docs/intacct-rest.md section 11) and whose
  ``changeDetails.objectName`` is one of the record type's REST objects, by their
  ``changeSource.accessDateTime`` (the object has no ``audit`` block). ``changeDetails.objectId``
  is the link key; a customer's or vendor's becomes a party key.
- ``parties_held`` (``ids_held``): the ids among those asked that a query of ``id $in`` finds,
  in chunks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.convert import reading
from released_intacct.adapters.intacct_rest import items, parties
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import (
    IN_CHUNK,
    Filter,
    Row,
    Select,
    field,
    stamp,
)
from released_intacct.adapters.intacct_rest.rows import (
    Pairs,
    as_xml,
    converted,
    every_row,
    modified,
    rest_fields,
)
from released_intacct.domain.enums import ContactRole, DimensionKind, RecordType
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey
from released_intacct.domain.intacct import (
    Deletion,
    DimensionValue,
    GlAccount,
    Party,
    TaxDetail,
    party_key,
)
from released_intacct.domain.ports import FeedQuery, Page

__all__ = [
    "AUDIT_PATH",
    "DELETED",
    "DIMENSION_PATHS",
    "TAX_DETAIL_PATH",
    "accounts",
    "deletions",
    "dimension_values",
    "ids_held",
    "parties_feed",
    "parties_held",
    "tax_details",
]

ACCOUNT_PATH: Final = "general-ledger/account"
TAX_DETAIL_PATH: Final = "tax/tax-detail"
AUDIT_PATH: Final = "company-config/audit-history"
DELETED: Final = "delete"
"""``changeSource.actionPerformed`` of a deletion (**inferred**: the pages show only ``modify``)."""
HELD_CHUNK: Final = IN_CHUNK
"""Ids asked per ``$in``."""

DIMENSION_PATHS: Mapping[DimensionKind, str] = MappingProxyType(
    {
        DimensionKind.DEPARTMENT: "company-config/department",
        DimensionKind.LOCATION: "company-config/location",
        DimensionKind.PROJECT: "projects/project",
        DimensionKind.CUSTOMER: parties.PARTY_PATHS[ContactRole.CUSTOMER],
        DimensionKind.EMPLOYEE: "company-config/employee",
        DimensionKind.ITEM: items.ITEM_PATH,
        DimensionKind.CLASS: "company-config/class",
        DimensionKind.CONTRACT: "contracts/contract",
        DimensionKind.TASK: "projects/task",
        DimensionKind.WAREHOUSE: "inventory-control/warehouse",
        DimensionKind.VENDOR: parties.PARTY_PATHS[ContactRole.VENDOR],
    }
)
_AUDITED: Mapping[RecordType, tuple[str, ...]] = MappingProxyType(
    {
        RecordType.ACCOUNT: (ACCOUNT_PATH,),
        RecordType.TAX_TYPE: (TAX_DETAIL_PATH,),
        RecordType.TRACKING_OPTION: tuple(sorted(set(DIMENSION_PATHS.values()))),
        RecordType.CONTACT: tuple(parties.PARTY_PATHS.values()),
        RecordType.INVOICE: (
            "accounts-receivable/invoice",
            "accounts-payable/bill",
            "order-entry/document",
            "purchasing/document",
        ),
        RecordType.CREDIT_NOTE: (
            "accounts-receivable/adjustment",
            "accounts-payable/adjustment",
            "order-entry/document",
            "purchasing/document",
        ),
        RecordType.PAYMENT: ("accounts-receivable/payment", "accounts-payable/payment"),
        RecordType.ITEM: (items.ITEM_PATH,),
    }
)
_ROLES: Final = {path: role for role, path in parties.PARTY_PATHS.items()}
_PARTY_KINDS: Final = {
    DimensionKind.CUSTOMER: ContactRole.CUSTOMER,
    DimensionKind.VENDOR: ContactRole.VENDOR,
}
"""The dimensions that are parties: read with the parties feed's query (``QueryPages.page``'s
``shared``), so an idle run asks customers and vendors once each, as over XML."""
_ACCOUNT: Final = (
    ("id", "ACCOUNTNO"),
    ("name", "TITLE"),
    ("accountType", "ACCOUNTTYPE"),
    ("status", "STATUS"),
)
_TAX_DETAIL: Final = (
    ("id", "DETAILID"),
    ("taxPercent", "VALUE"),
    ("taxType", "TAXTYPE"),
    ("status", "STATUS"),
)


def _dimension_pairs(kind: DimensionKind) -> Pairs:
    named = (("id", f"{kind.value}ID"), ("name", "NAME"))
    return named if kind is DimensionKind.TASK else (*named, ("status", "STATUS"))


async def accounts(rest: Rest, query: FeedQuery) -> Result[Page[GlAccount], SyncError]:
    select = Select(object_name=ACCOUNT_PATH, fields=rest_fields(_ACCOUNT))

    def read(row: Row) -> Result[GlAccount, SyncError]:
        found = reading.gl_account(as_xml(row, _ACCOUNT))
        return found.map(lambda a: replace(a, modified_at=modified(row)))

    return (await rest.pages.page(select, query)).map(lambda page: converted(page, read))


async def tax_details(rest: Rest, query: FeedQuery) -> Result[Page[TaxDetail], SyncError]:
    select = Select(object_name=TAX_DETAIL_PATH, fields=rest_fields(_TAX_DETAIL), cursor="key")
    whole = FeedQuery(token=query.token, size=query.size)

    def read(row: Row) -> Result[TaxDetail, SyncError]:
        return reading.tax_detail(as_xml(row, _TAX_DETAIL))

    return (await rest.pages.page(select, whole)).map(lambda page: converted(page, read))


async def dimension_values(
    rest: Rest, kind: DimensionKind, query: FeedQuery
) -> Result[Page[DimensionValue], SyncError]:
    pairs = _dimension_pairs(kind)
    role = _PARTY_KINDS.get(kind)
    select = (
        parties.party_select(role)
        if role is not None  # the parties feed's own query: one read serves both feeds
        else Select(object_name=DIMENSION_PATHS[kind], fields=rest_fields(pairs))
    )

    def read(row: Row) -> Result[DimensionValue, SyncError]:
        found = reading.dimension_value(kind, as_xml(row, pairs))
        return found.map(lambda v: replace(v, modified_at=modified(row)))

    page = await rest.pages.page(select, query, feed=("dimension", kind), shared=role is not None)
    return page.map(lambda rows: converted(rows, read))


async def parties_feed(
    rest: Rest, role: ContactRole, query: FeedQuery
) -> Result[Page[Party], SyncError]:
    page = await rest.pages.page(parties.party_select(role), query, shared=True)
    return page.map(lambda rows: parties.page_of(role, rows))


async def deletions(
    rest: Rest, record_type: RecordType, query: FeedQuery
) -> Result[Page[Deletion], SyncError]:
    paths = _AUDITED.get(record_type, ())
    if not paths:
        msg = f"no Intacct object holds {record_type.value} records"
        raise ValueError(msg)
    select = Select(
        object_name=AUDIT_PATH,
        fields=("changeDetails.objectName", "changeDetails.objectId"),
        filters=(
            Filter(field="changeSource.actionPerformed", operator="$eq", value=DELETED),
            Filter(field="changeDetails.objectName", operator="$in", value=list(paths)),
        ),
        cursor="changeSource.accessDateTime",
    )

    def read(row: Row) -> Result[Deletion, SyncError]:
        return _deletion(record_type, row)

    page = await rest.pages.page(select, query, feed=("deletions", record_type))
    return page.map(lambda rows: converted(rows, read))


def _deletion(record_type: RecordType, row: Row) -> Result[Deletion, SyncError]:
    key = field(row, "changeDetails.objectId")
    at = stamp(field(row, "changeSource.accessDateTime"))
    if key in (None, "") or at is None:
        return Failure(
            SyncError(
                kind=ErrorKind.REJECTED,
                rule=None,
                message=(
                    f"An audit-history row of a deletion (key {field(row, 'key')}) names no "
                    "object id or no UTC access time, so the deletion cannot be read."
                ),
                fix="Nothing to do here; support can read the row in Intacct's audit trail.",
            )
        )
    role = _ROLES.get(str(field(row, "changeDetails.objectName")))
    named = IntacctId(str(key))
    link = party_key(role, named) if role is not None else IntacctKey(str(key))
    return Success(Deletion(record_type=record_type, key=link, deleted_at=at))


async def parties_held(
    rest: Rest, role: ContactRole, ids: Sequence[IntacctId]
) -> Result[frozenset[IntacctId], SyncError]:
    held = await ids_held(rest, parties.PARTY_PATHS[role], ids)
    return held.map(lambda found: frozenset(IntacctId(i) for i in found))


async def ids_held(
    rest: Rest, object_name: str, ids: Iterable[str]
) -> Result[frozenset[str], SyncError]:
    """The ids among ``ids`` that records of ``object_name`` have: a query of ``id $in`` them,
    ``HELD_CHUNK`` a query."""
    asked = frozenset(ids)
    wanted = sorted(asked)
    held: set[str] = set()
    for at in range(0, len(wanted), HELD_CHUNK):
        chunk = wanted[at : at + HELD_CHUNK]
        select = Select(
            object_name=object_name,
            fields=("id",),
            filters=(Filter(field="id", operator="$in", value=list(chunk)),),
        )
        rows = await every_row(rest, select)
        if isinstance(rows, Failure):
            return Failure(rows.failure())
        held.update(str(field(row, "id")) for row in rows.unwrap())
    return Success(frozenset(held) & asked)
