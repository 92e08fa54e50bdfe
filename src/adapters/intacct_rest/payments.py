"""AR and AP payments over REST: the payments feed and the payments ``Family``.

Objects and fields are docs/intacct-rest.md 4.11: ``accounts-receivable/payment`` /
``accounts-payable/payment``, their details the owned ``…/payment-detail`` objects. The query
service does not return a parent's owned objects ("You cannot query a parent and traverse
downward", [RESTDOC] query-service), so a page of payments is one query of the headers and one
query of their details filtered on ``arPayment.key`` / ``apPayment.key`` ``$in`` the page's keys
(at most ``_IN_MAX`` keys a query, **inferred** as the XML bound).

A payment is read by the XML converter (``convert.reading.payment``: kinds from the record type,
applications and credits from the details, states, multi-customer payers), from a row that names
the REST fields by their XML names (``rows.as_xml``): one reading of payments whichever API. REST
stamps are UTC (correction 11), read by ``query.stamp``. AP ``recordType`` ``apPayment`` is XML's
``pp``.

Writes (``FAMILY``): a create posts one payment with its details (``paymentDetails`` AR,
``details`` AP) and the outbox key in ``description`` ("DESCRIPTION (the create's key)",
docs/intacct-rest.md section 10: readable over REST, written in the AP sample, **inferred** for
AR), built in a fixed order from the write alone so a re-send is byte for byte the same. The
method is ``eft`` (XML's default ``EFT``); no financial entity, as over XML. A payment is never
updated (Intacct updates only drafts; the product writes them posted). ``read_back`` answers the
intent with the ``key`` Intacct assigned, as the XML writer does (no read: the request minimum).
``find`` is a query on ``description`` (read-only); ``candidates`` the payments of the party on
the date for the amount (reference section 10). Payments of OE/PO documents are re-pointed
between DOCIDs and their AR/AP records by the adapter (``orderpayments``), around this family.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.convert import reading
from released_intacct.adapters.intacct.convert.fields import PAIRED
from released_intacct.adapters.intacct.convert.writing import check_writable
from released_intacct.adapters.intacct.reversals import best
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.query import Filter, Row, Select, field
from released_intacct.adapters.intacct_rest.rows import (
    Pairs,
    as_xml,
    converted,
    every_row,
    modified,
    newest,
    rest_fields,
)
from released_intacct.domain.actions import CreateInIntacct, IntacctWrite, UpdateInIntacct
from released_intacct.domain.enums import Origin
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.intacct import IntacctPayment, IntacctRecord
from released_intacct.domain.ports import CANDIDATES, FeedQuery, Page

__all__ = ["FAMILY", "PATHS", "PaymentFamily", "payments", "sample"]

PATHS: Final[Mapping[Origin, str]] = {
    Origin.AR: "accounts-receivable/payment",
    Origin.AP: "accounts-payable/payment",
}
_OWNER: Final = {Origin.AR: "arPayment", Origin.AP: "apPayment"}
_HOLDER: Final = {Origin.AR: "paymentDetails", Origin.AP: "details"}
_DOCUMENT: Final = {Origin.AR: ("arInvoice", "id"), Origin.AP: ("bill", "key")}
"""How a detail names the document it pays, as each create sample does (an invoice's ``id`` is
its key)."""
_PARTY: Final = {Origin.AR: "customer.id", Origin.AP: "vendor.id"}
_DATE: Final = {Origin.AR: "paymentSummary.receiptDate", Origin.AP: "paymentDate"}
_IN_MAX: Final = 1000
_METHOD: Final = "eft"
_RECORD_TYPES: Final = {"appayment": "pp"}

_HEADER: Final[Mapping[Origin, Pairs]] = {
    Origin.AR: (
        ("customer.id", "CUSTOMERID"),
        ("payerName", "PAYERNAME"),
        ("paymentSummary.receiptDate", "RECEIPTDATE"),
    ),
    Origin.AP: (("vendor.id", "VENDORID"), ("paymentDate", "PAYMENTDATE")),
}
_COMMON: Final[Pairs] = (
    ("recordType", "RECORDTYPE"),
    ("state", "STATE"),
    ("txnCurrency.currency", "CURRENCY"),
    ("txnCurrency.totalAmount", "TOTALENTERED"),
    ("txnCurrency.totalDue", "TOTALDUE"),
    ("documentNumber", "DOCNUMBER"),
    ("description", "DESCRIPTION"),
)
_DETAIL: Final[Mapping[Origin, Pairs]] = {
    Origin.AR: (
        ("arInvoice.key", "RECORDKEY"),
        ("positiveAdjustment.key", "POSADJKEY"),
        ("txnCurrency.paymentAmount", "TRX_PAYMENTAMOUNT"),
        ("txnCurrency.postedAdvanceAmount", "TRX_POSTEDADVANCEAMOUNT"),
        ("txnCurrency.postedOverPaymentAmount", "TRX_POSTEDOVERPAYMENTAMOUNT"),
        ("txnCurrency.adjustmentAmount", "TRX_ADJUSTMENTAMOUNT"),
        ("txnCurrency.negativeInvoiceAmount", "TRX_NEGATIVEINVOICEAMOUNT"),
    ),
    Origin.AP: (
        ("bill.key", "RECORDKEY"),
        ("apCreditAdjustment.key", "POSADJKEY"),
        ("txnCurrency.paymentAmount", "TRX_PAYMENTAMOUNT"),
        ("txnCurrency.postedAdvanceAmount", "TRX_POSTEDADVANCEAMOUNT"),
        ("txnCurrency.adjustmentAmount", "TRX_ADJUSTMENTAMOUNT"),
        ("txnCurrency.inlineAmount", "TRX_INLINEAMOUNT"),
    ),
}
"""The REST fields read (``_HEADER``, ``_COMMON``, ``_DETAIL``), each with the XML field
``reading.payment`` knows it as."""
_REVERSED: Final[Pairs] = (("state", "STATE"), ("txnCurrency.totalAmount", "TOTALENTERED"))
"""What the pairing of a Reversal compares (``reversals.best``)."""


def _origin(origin: Origin) -> Origin:
    if origin not in PATHS:
        msg = f"payments are AR or AP, not {origin.value}"
        raise ValueError(msg)
    return origin


def _header_select(origin: Origin, filters: tuple[Filter, ...] = ()) -> Select:
    fields = rest_fields((*_HEADER[origin], *_COMMON))
    return Select(object_name=PATHS[origin], fields=fields, filters=filters)


def _detail_select(origin: Origin, keys: Sequence[str]) -> Select:
    owner = f"{_OWNER[origin]}.key"
    return Select(
        object_name=f"{PATHS[origin]}-detail",
        fields=(owner, *rest_fields(_DETAIL[origin])),
        filters=(Filter(field=owner, operator="$in", value=list(keys)),),
    )


def _key(row: Row, name: str = "key") -> str:
    value = field(row, name)
    return "" if value is None else str(value)


def _as_xml(origin: Origin, header: Row, details: Sequence[Row]) -> dict[str, object]:
    """The payment ``header`` and its ``details`` as the XML converter reads them (its stamp is
    read apart, in UTC: ``rows.modified``)."""
    row: dict[str, object] = as_xml(header, (*_HEADER[origin], *_COMMON))
    code = str(row.get("RECORDTYPE", ""))
    row["RECORDTYPE"] = _RECORD_TYPES.get(code.lower(), code)
    holder = "ARPYMTDETAILS" if origin is Origin.AR else "APPYMTDETAILS"
    row[holder] = [as_xml(detail, _DETAIL[origin]) for detail in details]
    return row


async def _read(
    rest: Rest, origin: Origin, select: Select, query: FeedQuery, *, feed: object
) -> Result[Page[IntacctPayment], SyncError]:
    """One page of payments with their details; one that cannot be read is one of the page's
    ``problems`` (rule E1)."""
    return await _with_details(
        rest, origin, await rest.pages.page(select, query, feed=(feed, origin))
    )


async def _with_details(
    rest: Rest, origin: Origin, read: Result[Page[Row], SyncError]
) -> Result[Page[IntacctPayment], SyncError]:
    """A page of payment headers read with their details (``_read``)."""
    if isinstance(read, Failure):
        return Failure(read.failure())
    page = read.unwrap()
    keys = [_key(row) for row in page.items]
    details: dict[str, list[Row]] = {key: [] for key in keys}
    owner = f"{_OWNER[origin]}.key"
    for at in range(0, len(keys), _IN_MAX):
        found = await every_row(rest, _detail_select(origin, keys[at : at + _IN_MAX]))
        if isinstance(found, Failure):
            return Failure(found.failure())
        for detail in found.unwrap():
            details.setdefault(_key(detail, owner), []).append(detail)
    rows: dict[str, dict[str, object]] = {}
    for key, header in zip(keys, page.items, strict=True):
        paired = await _paired(rest, origin, _as_xml(origin, header, details[key]))
        if isinstance(paired, Failure):
            return Failure(paired.failure())
        rows[key] = paired.unwrap()

    def convert(header: Row) -> Result[IntacctPayment, SyncError]:
        read = reading.payment(origin, rows[_key(header)])
        return read.map(lambda payment: replace(payment, modified_at=modified(header)))

    return Success(converted(page, convert))


async def _paired(
    rest: Rest, origin: Origin, row: dict[str, object]
) -> Result[dict[str, object], SyncError]:
    """A Reversal payment naming the payment it reverses (``reversals.best``: the party's
    latest earlier payment Reversed for the opposite total; correction 3), as over XML."""
    if str(row.get("STATE", "")).lower() != "reversal":
        return Success(row)
    party_field = _PARTY[origin]
    party = str(row.get("CUSTOMERID" if origin is Origin.AR else "VENDORID", ""))
    payer = str(row.get("PAYERNAME", ""))
    if not party and not payer:
        return Success(row)
    by = Filter(field=party_field, operator="$eq", value=party) if party else None
    by = by or Filter(field="payerName", operator="$eq", value=payer)
    select = Select(
        object_name=PATHS[origin], fields=("state", "txnCurrency.totalAmount"), filters=(by,)
    )
    found = await every_row(rest, select)
    if isinstance(found, Failure):
        return Failure(found.failure())
    candidates = [as_xml(candidate, _REVERSED) for candidate in found.unwrap()]
    original = best(row, candidates)
    return Success({**row, PAIRED: original} if original else row)


async def payments(
    rest: Rest, origin: Origin, query: FeedQuery
) -> Result[Page[IntacctPayment], SyncError]:
    """A page of the AR / AP payments feed (``audit.modifiedDateTime`` from the cursor)."""
    return await _read(rest, _origin(origin), _header_select(origin), query, feed="payments")


async def sample(rest: Rest, origin: Origin, size: int) -> Result[Page[IntacctPayment], SyncError]:
    """The ``size`` payments modified last (``rows.newest``), read as the feed reads them,
    remembered apart from the feed's versions (``doctor``: what the reader makes of a
    company's payments)."""
    select = _header_select(_origin(origin))
    return await _with_details(
        rest, origin, await newest(rest, select, size, feed=("sample", origin))
    )


async def _matching(
    rest: Rest, origin: Origin, filters: tuple[Filter, ...], *, size: int
) -> Result[tuple[IntacctPayment, ...], SyncError]:
    """The payments ``filters`` select (at most ``size``); one that cannot be read fails all."""
    select = _header_select(origin, filters)
    read = await _read(rest, origin, select, FeedQuery(size=size), feed="match")
    if isinstance(read, Failure):
        return Failure(read.failure())
    page = read.unwrap()
    if page.problems:
        return Failure(page.problems[0])  # a candidate that cannot be read is still one
    return Success(page.items)


def _amount(value: Decimal) -> str:
    return format(value, "f")


def _several(path: str, key: str, found: Sequence[IntacctPayment]) -> SyncError:
    keys = ", ".join(p.record_no or "?" for p in found)
    return SyncError(
        kind=ErrorKind.NEEDS_USER,
        rule=None,
        message=f"Sage Intacct holds several {path} records written with key {key}: {keys}.",
        fix="Reverse the copies in Sage Intacct, keeping one, then run the sync again.",
        cause=f"{path}: description {key} on {keys}",
    )


class PaymentFamily:
    """AR and AP payments (ordinary, fully applied: what the domain writes)."""

    def handles(self, record: IntacctRecord) -> bool:
        return isinstance(record, IntacctPayment)

    def path(self, record: IntacctRecord) -> str:
        return PATHS[_origin(_payment(record).origin)]

    def create_body(self, write: CreateInIntacct) -> dict[str, object]:
        """The POST body of a payment, its key in ``description``; fields in a fixed order."""
        payment = _payment(write.record)
        check_writable(payment)
        origin = _origin(payment.origin)
        body: dict[str, object] = {}
        if payment.party_id is not None:
            body[_PARTY[origin].split(".")[0]] = {"id": payment.party_id}
        body["paymentMethod"] = _METHOD
        on = payment.date.isoformat()
        body.update({"paymentSummary": {"receiptDate": on}} if origin is Origin.AR else {})
        body.update({"paymentDate": on} if origin is Origin.AP else {})
        body["txnCurrency"] = {"currency": payment.currency}
        if payment.reference:
            body["documentNumber"] = payment.reference
        body["description"] = write.key
        document, by = _DOCUMENT[origin]
        body[_HOLDER[origin]] = [
            {
                document: {by: application.document_key},
                "txnCurrency": {"paymentAmount": _amount(application.amount)},
            }
            for application in payment.applications
        ]
        return body

    def update_body(self, write: UpdateInIntacct) -> dict[str, object]:
        msg = "the product never updates a payment in Intacct (only drafts can be)"
        raise ValueError(msg)

    async def read_back(
        self, rest: Rest, write: IntacctWrite, key: str
    ) -> Result[IntacctRecord, SyncError]:
        """The payment written, with the ``key`` Intacct assigned (no request)."""
        payment = _payment(write.record)
        if not key:  # a 201 that names no key: the payment is found by its key next run
            return Failure(_keyless(PATHS[_origin(payment.origin)]))
        return Success(replace(payment, record_no=key))

    async def find(
        self, rest: Rest, write: CreateInIntacct
    ) -> Result[IntacctRecord | None, SyncError]:
        """The payment whose ``description`` is ``write.key``, or None (read-only)."""
        origin = _origin(_payment(write.record).origin)
        keyed = (Filter(field="description", operator="$eq", value=write.key),)
        found = await _matching(rest, origin, keyed, size=CANDIDATES)
        if isinstance(found, Failure):
            return Failure(found.failure())
        matches = found.unwrap()
        if len(matches) > 1:
            return Failure(_several(PATHS[origin], write.key, matches))
        return Success(matches[0] if matches else None)

    async def candidates(
        self, rest: Rest, write: CreateInIntacct
    ) -> Result[tuple[IntacctRecord, ...], SyncError]:
        """Payments of the party on the date for the amount (read-only)."""
        payment = _payment(write.record)
        origin = _origin(payment.origin)
        alike = [Filter(field=_DATE[origin], operator="$eq", value=payment.date.isoformat())]
        if payment.party_id is not None:
            alike.insert(0, Filter(field=_PARTY[origin], operator="$eq", value=payment.party_id))
        found = await _matching(rest, origin, tuple(alike), size=CANDIDATES)
        return found.map(lambda all_: tuple(p for p in all_ if p.amount == payment.amount))


def _payment(record: IntacctRecord) -> IntacctPayment:
    if not isinstance(record, IntacctPayment):
        msg = f"the payments family writes payments, not a {type(record).__name__}"
        raise TypeError(msg)
    return record


FAMILY: Final = PaymentFamily()


def _keyless(path: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=f"Sage Intacct accepted the {path} but named no key for it.",
        fix="Nothing to do: the next run finds the payment by the key in its description.",
        cause=f"create of {path}: no key in the answer",
    )
