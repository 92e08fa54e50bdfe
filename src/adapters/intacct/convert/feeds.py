"""What each change feed reads: the object, its record type, and the conditions of its query.

- Intacct-owned lists: ``ACCOUNTS`` (GLACCOUNT), ``TAX_DETAILS`` (TAXDETAIL), ``dimension_feed``.
- ``party_feed``: CUSTOMER or VENDOR.
- ``transaction_feed``: ARINVOICE, APBILL (invoices), ARADJUSTMENT, APADJUSTMENT (credit notes);
  the AR/AP feeds leave out records posted by Order Entry / Purchasing (``MODULEKEY`` ``8.SO`` /
  ``9.PO``), which the SODOCUMENT / PODOCUMENT feeds carry under their DOCID (rule D19).
  **OE/PO credit documents are told apart by their transaction definition**: an SODOCUMENT /
  PODOCUMENT is a credit note when its DOCPARID is the connection's credit definition (by default
  the domain's ``Sales Return`` / ``Vendor Return``), an invoice when it is the invoice
  definition (``Sales Invoice`` / ``Vendor Invoice``). The feed filters on ``DOCPARID`` and passes
  ``docparid`` (so Intacct also returns that definition's custom fields).
- ``payment_feed``: ARPYMT or APPYMT.
- ``AUDIT``: AUDITHISTORY rows with ACCESSMODE ``D`` and the OBJECTTYPEs of a record type, read
  with ``query`` by offset (spec correction 4: ``query`` takes the letter where readByQuery takes
  ``Delete``; real clients read the trail so, and re-read a page it fails to process).

``Feed.select(since, tz=...)`` is what one read asks for (``query.Select``): the feed's condition
and ``<cursor field> >= 'mm/dd/yyyy HH:MM:SS'`` in the company's time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, tzinfo
from types import MappingProxyType

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.convert.fields import STAMP
from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    Origin,
    RecordType,
)
from released_intacct.domain.settings import SyncSettings

DIMENSION_OBJECTS: Mapping[DimensionKind, tuple[str, str]] = MappingProxyType(
    {kind: (kind.value, f"{kind.value}ID") for kind in DimensionKind}
)
"""Dimension kind → (object name, id field)."""

PARTY_OBJECTS: Mapping[ContactRole, tuple[str, str]] = MappingProxyType(
    {ContactRole.CUSTOMER: ("CUSTOMER", "CUSTOMERID"), ContactRole.VENDOR: ("VENDOR", "VENDORID")}
)

READ_TWICE = frozenset(o for o, _ in DIMENSION_OBJECTS.values()) & frozenset(
    o for o, _ in PARTY_OBJECTS.values()
)
"""Objects two feeds read with the same query: customers and vendors, as dimension values and as
parties (``FeedReader`` answers the second ask from the first's page)."""

TRANSACTION_OBJECTS: Mapping[tuple[Origin, DocumentKind], str] = MappingProxyType(
    {
        (Origin.AR, DocumentKind.INVOICE): "ARINVOICE",
        (Origin.AP, DocumentKind.INVOICE): "APBILL",
        (Origin.AR, DocumentKind.CREDIT_NOTE): "ARADJUSTMENT",
        (Origin.AP, DocumentKind.CREDIT_NOTE): "APADJUSTMENT",
        (Origin.ORDER_ENTRY, DocumentKind.INVOICE): "SODOCUMENT",
        (Origin.ORDER_ENTRY, DocumentKind.CREDIT_NOTE): "SODOCUMENT",
        (Origin.PURCHASING, DocumentKind.INVOICE): "PODOCUMENT",
        (Origin.PURCHASING, DocumentKind.CREDIT_NOTE): "PODOCUMENT",
    }
)

PAYMENT_OBJECTS: Mapping[Origin, str] = MappingProxyType({Origin.AR: "ARPYMT", Origin.AP: "APPYMT"})

DELETE = "D"
"""AUDITHISTORY's ACCESSMODE of a deletion as ``query`` filters and shows it (``Delete`` with
readByQuery; [XMLDOC company-console-audit-trails]); ``doctor`` reports the modes the real company
shows."""
_ORDER_POSTED = q.Or((q.IsNull("MODULEKEY"), q.NotIn("MODULEKEY", ("8.SO", "9.PO"))))
_DEFAULTS = {f.name: f.default for f in fields(SyncSettings)}


@dataclass(frozen=True)
class Feed:
    object_name: str
    record_type: RecordType
    docparid: str | None = None
    where: q.Condition | None = field(default=None, kw_only=True)
    """The condition every read of this feed adds (None: none)."""
    cursor_field: str = field(default="WHENMODIFIED", kw_only=True)
    fields: tuple[str, ...] = field(default=(), kw_only=True)
    """The fields read (``()``: all, with ``readByQuery``)."""
    identity: tuple[str, ...] = field(default=("RECORDNO",), kw_only=True)
    """The fields that tell one record from another (a version is these and the cursor field)."""
    by_offset: bool = field(default=False, kw_only=True)
    """Read with ``query`` page by offset (``Reads.offset_page``): a page Intacct fails to
    process is read again smaller. Needs ``fields``."""

    def select(self, since: datetime | None, *, tz: tzinfo = UTC) -> q.Select:
        """A read of changes at or after ``since`` (None: everything)."""
        moved = None
        if since is not None:
            moved = q.AtLeast(self.cursor_field, since.astimezone(tz).strftime(STAMP))
        return q.Select(
            object_name=self.object_name,
            fields=self.fields,
            docparid=self.docparid,
            where=q.both(self.where, moved),
        )


ACCOUNTS = Feed("GLACCOUNT", RecordType.ACCOUNT)
TAX_DETAILS = Feed("TAXDETAIL", RecordType.TAX_TYPE)


def dimension_feed(kind: DimensionKind) -> Feed:
    return Feed(DIMENSION_OBJECTS[kind][0], RecordType.TRACKING_OPTION)


def party_feed(role: ContactRole) -> Feed:
    return Feed(PARTY_OBJECTS[role][0], RecordType.CONTACT)


def default_definition(origin: Origin, kind: DocumentKind) -> str:
    """The domain's default transaction definition (DOCPARID) of an OE/PO document."""
    credit = kind is DocumentKind.CREDIT_NOTE
    sales = origin is Origin.ORDER_ENTRY
    name = ("sales" if sales else "purchase") + ("_credit" if credit else "") + "_definition"
    default = _DEFAULTS[name]
    if not isinstance(default, str):
        msg = f"SyncSettings.{name} has no default"
        raise TypeError(msg)
    return default


def transaction_feed(origin: Origin, kind: DocumentKind, *, definition: str | None = None) -> Feed:
    """Invoices or credit notes of one module; ``definition``: the OE/PO DOCPARID to read."""
    object_name = TRANSACTION_OBJECTS[origin, kind]
    record_type = RecordType.INVOICE if kind is DocumentKind.INVOICE else RecordType.CREDIT_NOTE
    if not origin.is_order_module:
        return Feed(object_name, record_type, where=_ORDER_POSTED)
    docparid = definition or default_definition(origin, kind)
    return Feed(object_name, record_type, docparid=docparid, where=q.Eq("DOCPARID", docparid))


def payment_feed(origin: Origin) -> Feed:
    if origin not in PAYMENT_OBJECTS:
        msg = f"payments are AR or AP, not {origin.value}"
        raise ValueError(msg)
    return Feed(PAYMENT_OBJECTS[origin], RecordType.PAYMENT)


_AUDITED: Mapping[RecordType, tuple[str, ...]] = MappingProxyType(
    {
        RecordType.ACCOUNT: ("GLACCOUNT",),
        RecordType.TAX_TYPE: ("TAXDETAIL",),
        RecordType.TRACKING_OPTION: tuple(name for name, _ in DIMENSION_OBJECTS.values()),
        RecordType.CONTACT: ("CUSTOMER", "VENDOR"),
        RecordType.INVOICE: ("ARINVOICE", "APBILL", "SODOCUMENT", "PODOCUMENT"),
        RecordType.CREDIT_NOTE: ("ARADJUSTMENT", "APADJUSTMENT", "SODOCUMENT", "PODOCUMENT"),
        RecordType.PAYMENT: ("ARPYMT", "APPYMT"),
        RecordType.ITEM: ("ITEM",),
    }
)


@dataclass(frozen=True)
class AuditFeed:
    """AUDITHISTORY: deletions, filtered on the OBJECTTYPEs (lower-case object names)."""

    object_name: str = "AUDITHISTORY"

    def object_types(self, record_type: RecordType) -> tuple[str, ...]:
        return tuple(name.lower() for name in _AUDITED.get(record_type, ()))

    def feed(self, record_type: RecordType) -> Feed:
        types = self.object_types(record_type)
        if not types:
            msg = f"no Intacct object holds {record_type.value} records"
            raise ValueError(msg)
        return Feed(
            self.object_name,
            record_type,
            where=q.And((q.Eq("ACCESSMODE", DELETE), q.In("OBJECTTYPE", types))),
            cursor_field="ACCESSTIME",
            fields=("OBJECTTYPE", "OBJECTKEY", "ACCESSMODE", "ACCESSTIME"),
            identity=("OBJECTTYPE", "OBJECTKEY"),
            by_offset=True,
        )


AUDIT = AuditFeed()
