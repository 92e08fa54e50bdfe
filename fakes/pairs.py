"""A linked pair of records, and whether its two sides map to each other (issue 7 invariants).

Both directions are tried with the domain's own mappings and fingerprints: the Re-Leased copy of
the Intacct record, and the Intacct record of the Re-Leased one. A pair is *equal* when either
holds (a round trip through both mappings is not the identity: a contact's name gains its Intacct
id). When the sides differ, ``within_history`` says whether each side still holds a version some
user saved, or the mapping of one: nothing else was ever written. The mappings use the sync
settings of the connection the pair belongs to (``pair_of``'s ``settings``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol

from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.domain.enums import (
    IntacctState,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
)
from released_intacct.domain.errors import Rule, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey
from released_intacct.domain.intacct import (
    IntacctPayment,
    IntacctRecord,
    Party,
    PaymentApplication,
    Transaction,
)
from released_intacct.domain.links import Link
from released_intacct.domain.mapping.contacts import contact_to_party, party_to_contact
from released_intacct.domain.mapping.documents import invoice_to_transaction, transaction_to_invoice
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.mapping.payments import allocation_to_payment, payment_to_intacct
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.released import Contact, Invoice, Payment, ReleasedRecord
from released_intacct.domain.settings import SyncSettings

_SENDABLE = frozenset(
    {
        ReleasedInvoiceStatus.AWAITING_APPROVAL,
        ReleasedInvoiceStatus.APPROVED,
        ReleasedInvoiceStatus.PAID,
    }
)
_DIVERGENCE = {
    RecordType.CONTACT: (Rule.D3,),
    RecordType.INVOICE: (Rule.D20, Rule.D7, Rule.D6),
    RecordType.CREDIT_NOTE: (Rule.D20, Rule.D7, Rule.D6),
    RecordType.PAYMENT: (Rule.D9,),
}


class Versions(Protocol):
    def of_intacct(self, key: str) -> list[IntacctRecord]: ...

    def of_released(self, released_id: str) -> list[ReleasedRecord]: ...


@dataclass(frozen=True, slots=True)
class Pair:
    link: Link
    intacct: IntacctRecord | None
    released: ReleasedRecord | None
    settings: SyncSettings
    application: PaymentApplication | None = None

    def equal(self, ids: IdBook) -> bool:
        if self.intacct is None or self.released is None:
            return False
        inward = self._inward(ids)(self.intacct)
        outward = self._outward(ids)(self.released)
        return (inward is not None and inward == _released_fp(self.released)) or (
            outward is not None and outward == _intacct_fp(self.intacct)
        )

    def divergence_rules(self) -> tuple[Rule, ...]:
        return _DIVERGENCE[self.link.record_type]

    def within_history(self, history: Versions, ids: IdBook, label: str) -> list[str]:
        if self.intacct is None or self.released is None:
            return []
        key, rid = str(self.link.intacct_key), str(self.link.released_id)
        if isinstance(self.intacct, IntacctPayment):
            key = self.intacct.record_no or ""
        inward, outward = self._inward(ids), self._outward(ids)
        intacct_ok = _intacct_fp(self.intacct) in {
            *map(_intacct_fp, history.of_intacct(key)),
            *_known(outward, history.of_released(rid)),
        }
        released_ok = _released_fp(self.released) in {
            *map(_released_fp, history.of_released(rid)),
            *_known(inward, history.of_intacct(key)),
        }
        return [
            f"{label}: the {side} side holds a version no user saved nor mapped"
            for side, ok in (("Intacct", intacct_ok), ("Re-Leased", released_ok))
            if not ok
        ]

    def _inward(self, ids: IdBook) -> Callable[[IntacctRecord], str | None]:
        """The fingerprint of the Re-Leased copy an Intacct version maps to (None: no copy)."""
        rid = self.link.released_id
        application, settings = self.application, self.settings

        def mapped(record: IntacctRecord) -> str | None:
            if isinstance(record, Party):
                return _released_fp(party_to_contact(record, released_id=rid))
            if isinstance(record, Transaction):
                built = transaction_to_invoice(record, ids, released_id=rid, settings=settings)
                return _fp_of(built)
            if isinstance(record, IntacctPayment) and application is not None:
                return _fp_of(allocation_to_payment(record, application, ids, released_id=rid))
            return None

        return mapped

    def _outward(self, ids: IdBook) -> Callable[[ReleasedRecord], str | None]:
        """The fingerprint of the Intacct record a Re-Leased version maps to (None: none)."""
        other, settings = self.intacct, self.settings

        def mapped(record: ReleasedRecord) -> str | None:
            if isinstance(record, Contact) and isinstance(other, Party):
                return _intacct_fp(contact_to_party(record, other.role))
            if isinstance(record, Invoice) and record.status in _SENDABLE:
                sent = invoice_to_transaction(record, ids, settings=settings)
                return _ifp_of(sent.map(lambda tx: _as_derived(tx, other)))
            if isinstance(record, Payment) and isinstance(other, IntacctPayment):
                built = payment_to_intacct(
                    record, ids, origin=other.origin, party_id=other.party_id or IntacctId("")
                )
                return _ifp_of(built)
            return None

        return mapped


def pair_of(
    link: Link,
    intacct: Mapping[tuple[type, str], IntacctRecord],
    released: Mapping[tuple[RecordType, str], ReleasedRecord],
    settings: SyncSettings,
) -> Pair:
    """The two sides ``link`` names, among records keyed as ``invariants.Seen`` keys them."""
    copy = released.get((link.record_type, str(link.released_id)))
    if link.record_type is RecordType.CONTACT:
        return Pair(link, intacct.get((Party, str(link.intacct_key))), copy, settings)
    if link.record_type is not RecordType.PAYMENT:
        return Pair(link, intacct.get((Transaction, str(link.intacct_key))), copy, settings)
    record_no, _, document = str(link.intacct_key).partition("/")
    payment = intacct.get((IntacctPayment, record_no))
    application = None
    if isinstance(payment, IntacctPayment):
        found = [a for a in payment.applications if a.document_key == IntacctKey(document)]
        application = found[0] if found else None
    return Pair(link, payment, copy, settings, application)


def _as_derived(sent: Transaction, held: IntacctRecord | None) -> Transaction:
    """``sent`` as Intacct holds it, with what Intacct derives taken from ``held``: the payment
    priority of a bill sent without one (Intacct's default, M1), and an Order Entry /
    Purchasing line's tax, Intacct's to compute from its tax detail (the mapping sends none),
    when the lines are the same ones."""
    if not isinstance(held, Transaction):
        return sent
    if sent.payment_priority is None:
        sent = replace(sent, payment_priority=held.payment_priority)
    if not sent.origin.is_order_module or len(held.lines) != len(sent.lines):
        return sent
    lines = tuple(
        replace(line, tax_amount=other.tax_amount) if line.tax_detail_id else line
        for line, other in zip(sent.lines, held.lines, strict=True)
    )
    return replace(sent, lines=lines)


def _known(
    mapped: Callable[[ReleasedRecord], str | None] | Callable[[IntacctRecord], str | None],
    versions: Iterable[object],
) -> set[str]:
    found = {mapped(v) for v in versions}  # type: ignore[arg-type]  # the matching side's versions
    return {fp for fp in found if fp is not None}


def _released_fp(record: ReleasedRecord) -> str:
    """The fingerprint, a payment's removal left out (it is checked on its own, rule D9)."""
    if isinstance(record, Payment):
        record = replace(record, status=ReleasedPaymentStatus.ACTIVE)
    return fingerprint(record)


def _intacct_fp(record: IntacctRecord) -> str:
    """The fingerprint, a payment's reversal left out (it is checked on its own, rule D9)."""
    if isinstance(record, IntacctPayment):
        record = replace(record, state=IntacctState.POSTED)
    return intacct_fingerprint(record)


def _fp_of(built: Result[ReleasedRecord, SyncError]) -> str | None:
    return _released_fp(built.unwrap()) if is_successful(built) else None


def _ifp_of(built: Result[IntacctRecord, SyncError]) -> str | None:
    return _intacct_fp(built.unwrap()) if is_successful(built) else None
