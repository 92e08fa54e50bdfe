"""Creates, updates, actions and look-ups by key (the policy is in ``adapter.py``'s docstring)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final, TypeVar
from urllib.parse import quote

import msgspec
from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.released import resources as res
from released_intacct.adapters.released.contacts import contact_body
from released_intacct.adapters.released.documents import document_body
from released_intacct.adapters.released.errors import is_conflict, is_gone, malformed
from released_intacct.adapters.released.feeds import items_of
from released_intacct.adapters.released.lists import account_body, category_body, tax_type_body
from released_intacct.adapters.released.payments import payment_body, to_payment
from released_intacct.adapters.released.pricing import Pricing
from released_intacct.adapters.released.transport import Http, Reply
from released_intacct.adapters.released.wire import ListEnvelope, Wire, decoder, encode
from released_intacct.domain.enums import DocumentKind, RecordType, ReleasedPaymentStatus
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    Payment,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
)

__all__ = ["Writer"]

W = TypeVar("W")
R = TypeVar("R")
RR = TypeVar("RR", bound=ReleasedRecord)
Read = Callable[[Reply], Result[ReleasedRecord, SyncError]]


class _Versioned(Wire, frozen=True, kw_only=True):
    version: int


_VERSION: Final = decoder(_Versioned)
_ENVELOPE: Final = decoder(ListEnvelope)


@dataclass(frozen=True, slots=True)
class _Target:
    path: str
    body: bytes
    read: Read


class Writer:
    def __init__(self, http: Http, pricing: Pricing) -> None:
        self._http = http
        self._pricing = pricing

    async def create(
        self, key: IdempotencyKey, record: ReleasedRecord
    ) -> Result[ReleasedRecord, SyncError]:
        target = self._target(record, version=None)
        sent = await self._http.send("POST", target.path, body=target.body, key=key)
        return sent.bind(target.read)

    async def update(self, record: ReleasedRecord) -> Result[ReleasedRecord, SyncError]:
        """Write ``record`` over the one held. A 409 may answer the transport's own repeat of a
        PUT that landed (its reply lost): the record read back holding what was sent is that
        update, not a conflict."""
        sent = await self._update(record)
        if is_successful(sent) or not is_conflict(sent.failure()):
            return sent
        target = self._target(record, version=None)
        held = await self._http.send("GET", f"{target.path}/{_quoted(record.id)}")
        read = held.bind(target.read)
        if is_successful(read) and _holds(read.unwrap(), record):
            return read
        return sent

    async def _update(self, record: ReleasedRecord) -> Result[ReleasedRecord, SyncError]:
        path = f"{self._target(record, version=None).path}/{_quoted(record.id)}"
        if isinstance(record, TrackingCategory) and not record.options:
            return await self._update_category(path, record)
        version = _known_version(record)
        if version is None:
            current = await self._get(path, _VERSION)
            if not is_successful(current):
                return Failure(current.failure())
            version = current.unwrap().version
        target = self._target(record, version=version)
        sent = await self._http.send("PUT", path, body=target.body)
        return sent.bind(target.read)

    async def _update_category(
        self, path: str, category: TrackingCategory
    ) -> Result[ReleasedRecord, SyncError]:
        """A category written without options keeps the ones it holds: its options are written
        one by one (``Options``), and the ``PUT`` replaces the whole list."""
        current = await self._get(path, res.TRACKING_CATEGORIES.decode)
        if not is_successful(current):
            return Failure(current.failure())
        held = current.unwrap()
        body = category_body(category, version=held.version)
        target = self._make(
            res.TRACKING_CATEGORIES, msgspec.structs.replace(body, options=list(held.options))
        )
        sent = await self._http.send("PUT", path, body=target.body)
        return sent.bind(target.read)

    async def delete_payment(self, payment: Payment) -> Result[ReleasedRecord, SyncError]:
        if payment.status is not ReleasedPaymentStatus.DELETED:
            return Failure(_payments_are_final(payment))
        deleted = await self.act(res.PAYMENTS, payment.id, "delete", "Deleted")
        if not is_successful(deleted):
            return Failure(deleted.failure())
        read = await self._get(f"{res.PAYMENTS.path}/{_quoted(payment.id)}", res.PAYMENTS.decode)
        return read.bind(lambda wire: to_payment(wire, currency=payment.currency))

    async def act(
        self, resource: res.Resource[W, R], released_id: str, action: str, wanted: str
    ) -> Result[None, SyncError]:
        """POST an action; if refused, succeed when the record is already ``wanted``."""
        path = f"{resource.path}/{_quoted(released_id)}"
        sent = await self._http.send("POST", f"{path}/{action}", body=b"{}")
        if is_successful(sent):
            return Success(None)
        if sent.failure().kind is not ErrorKind.REJECTED:
            return Failure(sent.failure())
        current = await self._get(path, resource.decode)
        if is_successful(current) and resource.status(current.unwrap()) == wanted:
            return Success(None)
        return Failure(sent.failure())

    async def find(
        self, record_type: RecordType, key: IdempotencyKey
    ) -> Result[ReleasedRecord | None, SyncError]:
        if record_type is RecordType.PAYMENT:
            return await self._find_payment(key)
        finders = {
            RecordType.CONTACT: lambda: self._find(res.CONTACTS, key),
            RecordType.ACCOUNT: lambda: self._find(res.ACCOUNTS, key),
            RecordType.TAX_TYPE: lambda: self._find(res.TAX_TYPES, key),
            RecordType.TRACKING_CATEGORY: lambda: self._find(res.TRACKING_CATEGORIES, key),
            RecordType.INVOICE: lambda: self._find(res.INVOICES, key),
            RecordType.CREDIT_NOTE: lambda: self._find(res.CREDIT_NOTES, key),
        }
        finder = finders.get(record_type)
        if finder is None:
            msg = f"{record_type.value} records are not created in Re-Leased"
            raise ValueError(msg)
        return await finder()

    async def _find(
        self, resource: res.Resource[W, RR], key: str
    ) -> Result[ReleasedRecord | None, SyncError]:
        found = await self._find_wire(resource, key)
        if not is_successful(found):
            return Failure(found.failure())
        wire = found.unwrap()
        if wire is None:
            return Success(None)
        return resource.convert(wire)

    async def _find_payment(self, key: str) -> Result[ReleasedRecord | None, SyncError]:
        found = await self._find_wire(res.PAYMENTS, key)
        if not is_successful(found):
            return Failure(found.failure())
        wire = found.unwrap()
        if wire is None:
            return Success(None)
        convert = await self._pricing.converter([wire])
        return convert.bind(lambda to_domain: to_domain(wire))

    async def _find_wire(
        self, resource: res.Resource[W, R], key: str
    ) -> Result[W | None, SyncError]:
        params = {"idempotencyKey": key, "includeArchived": "true"}
        sent = await self._http.send("GET", resource.path, params=params)
        envelope = sent.bind(lambda reply: self._http.read(_ENVELOPE, reply))
        if not is_successful(envelope):
            return Failure(envelope.failure())
        listing = items_of(envelope.unwrap(), most=1)
        if not is_successful(listing):
            return Failure(listing.failure())
        items = listing.unwrap()
        if items is None:
            return Failure(_ambiguous(resource.path, key))
        if not items:
            return Success(None)
        read = resource.read(items[0])
        if is_successful(read):
            return Success(read.unwrap())
        return Failure(malformed(read.failure(), bytes(items[0]), root="$.items[0]"))

    async def document_held(
        self, kind: DocumentKind, released_id: ReleasedId
    ) -> Result[Invoice | None, SyncError]:
        """The invoice or credit note as Re-Leased holds it now; None on a 404."""
        if kind is DocumentKind.INVOICE:
            return await self._held(res.INVOICES, released_id)
        return await self._held(res.CREDIT_NOTES, released_id)

    async def _held(
        self, resource: res.Resource[W, Invoice], released_id: ReleasedId
    ) -> Result[Invoice | None, SyncError]:
        sent = await self._http.send("GET", f"{resource.path}/{_quoted(released_id)}")
        if not is_successful(sent):
            error = sent.failure()
            return Success(None) if is_gone(error) else Failure(error)
        read = self._http.read(resource.decode, sent.unwrap())
        return read.bind(resource.convert)

    async def _get(self, path: str, decode: msgspec.json.Decoder[W]) -> Result[W, SyncError]:
        sent = await self._http.send("GET", path)
        return sent.bind(lambda reply: self._http.read(decode, reply))

    def _target(  # noqa: PLR0911 - one case per record type
        self, record: ReleasedRecord, *, version: int | None
    ) -> _Target:
        match record:
            case Contact():
                return self._make(res.CONTACTS, contact_body(record, version=version))
            case Account():
                return self._make(res.ACCOUNTS, account_body(record, version=version))
            case TaxType():
                return self._make(res.TAX_TYPES, tax_type_body(record, version=version))
            case TrackingCategory():
                body = category_body(record, version=version)
                return self._make(res.TRACKING_CATEGORIES, body)
            case Invoice(kind=DocumentKind.INVOICE):
                return self._make(res.INVOICES, document_body(record, version=version))
            case Invoice():
                return self._make(res.CREDIT_NOTES, document_body(record, version=version))
            case Payment():
                return self._payment(record)
        msg = f"{type(record).__name__} is written through its category"
        raise ValueError(msg)

    def _make(self, resource: res.Resource[W, RR], body: Wire) -> _Target:
        def read(reply: Reply) -> Result[ReleasedRecord, SyncError]:
            return self._http.read(resource.decode, reply).bind(resource.convert)

        return _Target(resource.path, encode(body), read)

    def _payment(self, payment: Payment) -> _Target:
        def read(reply: Reply) -> Result[ReleasedRecord, SyncError]:
            wire = self._http.read(res.PAYMENTS.decode, reply)
            return wire.bind(lambda found: to_payment(found, currency=payment.currency))

        return _Target(res.PAYMENTS.path, encode(payment_body(payment)), read)


def _holds(held: ReleasedRecord, sent: ReleasedRecord) -> bool:
    """Whether ``held`` has the mapped content of ``sent`` (a category sent without options
    keeps the ones it holds)."""
    if (
        isinstance(held, TrackingCategory)
        and isinstance(sent, TrackingCategory)
        and not sent.options
    ):
        held = replace(held, options=())
    return fingerprint(held) == fingerprint(sent)


def _quoted(released_id: str) -> str:
    return quote(released_id, safe="")


def _known_version(record: ReleasedRecord) -> int | None:
    """The version a record read from Re-Leased carries; None when it was built from Intacct."""
    if isinstance(record, Contact | Invoice) and record.version > 0:
        return record.version
    return None


def _payments_are_final(payment: Payment) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Payment {payment.id} cannot be changed in Re-Leased; it can only be deleted.",
        fix="Delete the payment and apply a new one.",
    )


def _ambiguous(path: str, key: str) -> SyncError:
    return SyncError(
        kind=ErrorKind.FATAL,
        rule=None,
        message=f"Re-Leased holds more than one {path} created with the key {key}; it should hold"
        " one.",
        fix="Contact support with the details of this error.",
        cause="idempotency key not unique",
    )
