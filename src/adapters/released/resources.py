"""The REST resources, each with its path, its record type, its decoder and its conversion.

``record_type`` → resource: CONTACT ``contacts``, ACCOUNT ``accounts``, TAX_TYPE ``tax-types``,
TRACKING_CATEGORY ``tracking-categories``, INVOICE ``invoices``, CREDIT_NOTE ``credit-notes``,
PAYMENT ``payments``. TRACKING_OPTION has none: options live in their category (``tracking.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import msgspec
from returns.result import Failure, Result, Success

from released_intacct.adapters.released.contacts import ContactWire, to_contact
from released_intacct.adapters.released.documents import (
    CreditNoteWire,
    InvoiceWire,
    to_document,
)
from released_intacct.adapters.released.lists import (
    AccountWire,
    TaxTypeWire,
    TrackingCategoryWire,
    to_account,
    to_category,
    to_tax_type,
)
from released_intacct.adapters.released.payments import PaymentWire, to_payment
from released_intacct.adapters.released.wire import decoder
from released_intacct.domain.enums import DocumentKind, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    Payment,
    TaxType,
    TrackingCategory,
)

__all__ = [
    "ACCOUNTS",
    "CONTACTS",
    "CREDIT_NOTES",
    "INVOICES",
    "PAYMENTS",
    "TAX_TYPES",
    "TRACKING_CATEGORIES",
    "Resource",
    "document_resource",
]

W = TypeVar("W")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Resource(Generic[W, R]):
    path: str
    record_type: RecordType
    decode: msgspec.json.Decoder[W]
    """The decoder of one record of this resource, built once."""
    convert: Callable[[W], Result[R, SyncError]]
    status: Callable[[W], str]
    """The record's ``status`` on the wire (to check that an action took effect)."""

    def read(self, body: bytes | msgspec.Raw) -> Result[W, msgspec.ValidationError]:
        try:
            return Success(self.decode.decode(body))
        except msgspec.ValidationError as error:
            return Failure(error)
        except msgspec.DecodeError as error:  # a raw item is checked as JSON, not its UTF-8
            return Failure(msgspec.ValidationError(str(error)))


def _status(wire: ContactWire | AccountWire | TaxTypeWire | TrackingCategoryWire) -> str:
    return wire.status


def _document_status(wire: InvoiceWire | CreditNoteWire) -> str:
    return wire.status


def _payment_status(wire: PaymentWire) -> str:
    return wire.status


def _payment(wire: PaymentWire) -> Result[Payment, SyncError]:
    return to_payment(wire, currency=None)


CONTACTS: Resource[ContactWire, Contact] = Resource(
    "contacts", RecordType.CONTACT, decoder(ContactWire), to_contact, _status
)
ACCOUNTS: Resource[AccountWire, Account] = Resource(
    "accounts", RecordType.ACCOUNT, decoder(AccountWire), to_account, _status
)
TAX_TYPES: Resource[TaxTypeWire, TaxType] = Resource(
    "tax-types", RecordType.TAX_TYPE, decoder(TaxTypeWire), to_tax_type, _status
)
TRACKING_CATEGORIES: Resource[TrackingCategoryWire, TrackingCategory] = Resource(
    "tracking-categories",
    RecordType.TRACKING_CATEGORY,
    decoder(TrackingCategoryWire),
    to_category,
    _status,
)
INVOICES: Resource[InvoiceWire, Invoice] = Resource(
    "invoices", RecordType.INVOICE, decoder(InvoiceWire), to_document, _document_status
)
CREDIT_NOTES: Resource[CreditNoteWire, Invoice] = Resource(
    "credit-notes",
    RecordType.CREDIT_NOTE,
    decoder(CreditNoteWire),
    to_document,
    _document_status,
)
PAYMENTS: Resource[PaymentWire, Payment] = Resource(
    "payments", RecordType.PAYMENT, decoder(PaymentWire), _payment, _payment_status
)
"""Converting a payment alone knows only its own ``currency``; the adapter adds the document's."""


def document_resource(
    kind: DocumentKind,
) -> Resource[InvoiceWire, Invoice] | Resource[CreditNoteWire, Invoice]:
    return INVOICES if kind is DocumentKind.INVOICE else CREDIT_NOTES
