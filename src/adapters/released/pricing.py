"""The currency of payments: their own ``currency`` if the server sends one, else their document's.

The REST model gives a payment no currency; the domain's ``Payment`` needs one. The document's
currency is read once per document (``GET /api/invoices/{id}`` or ``/api/credit-notes/{id}``) and
remembered for the life of the adapter (a document's currency does not change once it has
payments). A document that is gone leaves its payments as problems of the page; any other failure
of the look-up fails the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final
from urllib.parse import quote

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.released.payments import PaymentWire, document_of, to_payment
from released_intacct.adapters.released.resources import document_resource
from released_intacct.adapters.released.transport import Http
from released_intacct.adapters.released.wire import Wire, decoder
from released_intacct.domain.enums import DocumentKind
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.released import Payment

__all__ = ["ConvertPayment", "Pricing"]

ConvertPayment = Callable[[PaymentWire], Result[Payment, SyncError]]


class _Priced(Wire, frozen=True, kw_only=True):
    currency: str


_CURRENCY: Final = decoder(_Priced)


class Pricing:
    def __init__(self, http: Http) -> None:
        self._http = http
        self._known: dict[tuple[DocumentKind, str], str] = {}

    async def converter(
        self, wires: Iterable[PaymentWire], *, fallback: str | None = None
    ) -> Result[ConvertPayment, SyncError]:
        """A conversion that knows the currency of every document ``wires`` name."""
        for wire in wires:
            document = document_of(wire)
            if wire.currency or fallback or document is None or document in self._known:
                continue
            found = await self._look_up(*document)
            if not is_successful(found):
                return Failure(found.failure())
        return Success(lambda wire: to_payment(wire, currency=fallback or self._currency(wire)))

    def _currency(self, wire: PaymentWire) -> str | None:
        document = document_of(wire)
        return None if document is None else self._known.get(document)

    async def _look_up(self, kind: DocumentKind, document_id: str) -> Result[None, SyncError]:
        path = f"{document_resource(kind).path}/{quote(document_id, safe='')}"
        sent = await self._http.send("GET", path)
        read = sent.bind(lambda reply: self._http.read(_CURRENCY, reply))
        if is_successful(read):
            self._known[(kind, document_id)] = read.unwrap().currency
            return Success(None)
        gone = read.failure().kind in (ErrorKind.NEEDS_USER, ErrorKind.REJECTED)
        return Success(None) if gone else Failure(read.failure())
