"""What users do in each system, as plain functions over the in-memory fakes.

Intacct users create, edit, inactivate, reactivate and delete customers and vendors; create, edit,
post, reverse and delete AR / AP invoices, bills and adjustments (a reversal also leaves the
reversing transaction); enter payments (ordinary, journal entry, refund, advance), allocate an
advance later, and reverse or delete a payment. Re-Leased users create and edit contacts; create,
edit, approve and void invoices and credit notes; enter and delete payments.

Every change is stamped with the fake's clock, as the system would stamp it. Nothing here checks
what the system would refuse: the caller (a test's model of the users) keeps to what is allowed.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from returns.future import FutureResult
from returns.pipeline import is_successful
from returns.unsafe import unsafe_perform_io

from released_intacct.domain.enums import (
    ContactRole,
    DimensionKind,
    DocumentKind,
    IntacctState,
    IntacctStatus,
    InvoiceType,
    Origin,
    PaymentKind,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
)
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import (
    ContactBlock,
    IntacctPayment,
    IntacctRecord,
    Party,
    PaymentApplication,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.money import CENT, Currency
from released_intacct.domain.released import (
    Contact,
    Invoice,
    InvoiceLine,
    Payment,
    ReleasedRecord,
    TrackingRef,
)
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.released_states import record_type_of

T = TypeVar("T")
R = TypeVar("R", bound=IntacctRecord)
RR = TypeVar("RR", bound=ReleasedRecord)


def at_once(future: FutureResult[T, SyncError]) -> T:
    """The value of a fake's answer, which never waits; a refusal is the caller's mistake."""
    running = future.awaitable()
    try:
        running.send(None)
    except StopIteration as done:
        outcome = done.value
    else:
        running.close()
        msg = "the fake's answer was not ready at once"
        raise RuntimeError(msg)
    if not is_successful(outcome):
        raise AssertionError(unsafe_perform_io(outcome.failure()))
    answer: T = unsafe_perform_io(outcome.unwrap())
    return answer


def tax_on(amount: Decimal, rate: Decimal | None) -> Decimal:
    return Decimal(0) if rate is None else (amount * rate / 100).quantize(CENT)


# --- Intacct -------------------------------------------------------------------------------------


def intacct_key_of(record: IntacctRecord) -> IntacctKey:
    """The key a record is found by in the fake: its link key, or a payment's RECORDNO."""
    if isinstance(record, IntacctPayment):
        return IntacctKey(record.record_no or "")
    return record.link_key


def intacct_current(intacct: FakeIntacct, record: R) -> R:
    """The record as Intacct holds it now (found by key)."""
    key = intacct_key_of(record)
    for held in intacct.records:
        if type(held) is type(record) and intacct_key_of(held) == key:
            return held
    msg = f"no {type(record).__name__} {key} in Intacct"
    raise LookupError(msg)


def intacct_edit(intacct: FakeIntacct, record: R, **changes: Any) -> R:
    """Save ``record`` with ``changes`` as an Intacct user would; stamped now."""
    current = intacct_current(intacct, record)
    edited = replace(current, **{**changes, "modified_at": intacct.clock()})
    intacct.records = [edited if held is current else held for held in intacct.records]
    return edited


def create_party(
    intacct: FakeIntacct, role: ContactRole, name: str, *, currency: Currency | None = None
) -> Party:
    """A customer or vendor; Intacct's document sequencing assigns its id."""
    made = intacct.put(
        Party(
            role=role,
            party_id=None,
            name=name,
            primary=ContactBlock(email=f"{name.lower()}@example.com"),
            currency=currency,
        )
    )
    assert isinstance(made, Party)
    return made


def set_party_status(intacct: FakeIntacct, party: Party, *, active: bool) -> Party:
    status = IntacctStatus.ACTIVE if active else IntacctStatus.INACTIVE
    return intacct_edit(intacct, party, status=status)


def delete_party(intacct: FakeIntacct, party: Party) -> None:
    intacct.delete(RecordType.CONTACT, party.link_key)


def intacct_line(
    amount: Decimal,
    account_no: str,
    *,
    memo: str = "Rent",
    tax: tuple[str, Decimal] | None = None,
    dimension: tuple[DimensionKind, str] | None = None,
) -> TransactionLine:
    return TransactionLine(
        memo=memo,
        account_no=IntacctId(account_no),
        amount=amount,
        tax_detail_id=IntacctId(tax[0]) if tax else None,
        tax_amount=tax_on(amount, tax[1] if tax else None),
        dimensions=((dimension[0], IntacctId(dimension[1])),) if dimension else (),
    )


def create_transaction(
    intacct: FakeIntacct,
    *,
    origin: Origin,
    kind: DocumentKind,
    number: str,
    party_id: IntacctId,
    on: date,
    lines: tuple[TransactionLine, ...],
    currency: Currency,
    posted: bool = True,
) -> Transaction:
    """An AR invoice, AP bill or AR / AP adjustment, posted or left as a draft."""
    made = intacct.put(
        Transaction(
            origin=origin,
            kind=kind,
            number=number,
            state=IntacctState.POSTED if posted else IntacctState.DRAFT,
            party_id=party_id,
            invoice_date=on,
            gl_date=on,
            due_date=on,
            currency=currency,
            lines=lines,
        )
    )
    assert isinstance(made, Transaction)
    return made


def reverse_transaction(intacct: FakeIntacct, tx: Transaction) -> Transaction:
    """Reverse ``tx``: it becomes Reversed, and a Reversal transaction offsets it."""
    reversed_ = intacct_edit(intacct, tx, state=IntacctState.REVERSED)
    offset = tuple(
        replace(line, amount=-line.amount, tax_amount=-line.tax_amount) for line in tx.lines
    )
    reversal = intacct.put(
        replace(
            reversed_,
            number=f"{tx.number}-REV",
            state=IntacctState.REVERSAL,
            lines=offset,
            record_no=None,
            modified_at=None,
        )
    )
    assert isinstance(reversal, Transaction)
    return reversal


def delete_transaction(intacct: FakeIntacct, tx: Transaction) -> None:
    intacct.delete(tx.record_type, tx.link_key)


def enter_payment(
    intacct: FakeIntacct,
    *,
    tx: Transaction,
    amount: Decimal,
    on: date,
    reference: str,
    kind: PaymentKind = PaymentKind.ORDINARY,
    applied: bool = True,
) -> IntacctPayment:
    """A payment received (AR) or made (AP) for ``tx``'s party; applied to ``tx`` or not."""
    made = intacct.put(
        IntacctPayment(
            origin=Origin.AR if tx.origin.role is ContactRole.CUSTOMER else Origin.AP,
            kind=kind,
            party_id=tx.party_id,
            date=on,
            currency=tx.currency,
            amount=amount,
            applications=(
                (PaymentApplication(document_key=tx.link_key, amount=amount),) if applied else ()
            ),
            reference=reference,
        )
    )
    assert isinstance(made, IntacctPayment)
    return made


def allocate_payment(intacct: FakeIntacct, payment: IntacctPayment, tx: Transaction) -> None:
    """Apply an unallocated advance (or overpayment) in full to ``tx``."""
    application = PaymentApplication(document_key=tx.link_key, amount=payment.amount)
    intacct_edit(intacct, payment, applications=(application,))


def reverse_payment(intacct: FakeIntacct, payment: IntacctPayment) -> None:
    intacct_edit(intacct, payment, state=IntacctState.REVERSED)


def delete_payment(intacct: FakeIntacct, payment: IntacctPayment) -> None:
    intacct.delete(RecordType.PAYMENT, intacct_key_of(payment))


# --- Re-Leased -----------------------------------------------------------------------------------


def released_edit(released: FakeReleased, record: RR, **changes: Any) -> RR:
    """Save ``record`` with ``changes`` as a Re-Leased user would (on its current version)."""
    current = released.get(record_type_of(record), record.id)
    if current is None:
        msg = f"no {record_type_of(record).value} {record.id} in Re-Leased"
        raise LookupError(msg)
    at_once(released.update(replace(current, **changes)))
    saved = released.get(record_type_of(record), record.id)
    assert saved is not None
    return saved  # type: ignore[return-value]  # the same record type, saved


def create_contact(
    released: FakeReleased,
    name: str,
    *,
    role: ContactRole | None,
    currency: Currency | None = None,
) -> Contact:
    made = released.put(
        Contact(
            id=ReleasedId(""),
            name=name,
            email=f"{name.lower()}@example.com",
            role=role,
            currency=currency,
        )
    )
    assert isinstance(made, Contact)
    return made


def released_line(
    amount: Decimal,
    account_id: ReleasedId,
    *,
    description: str = "Rent",
    tax: tuple[ReleasedId, Decimal] | None = None,
    tracking: TrackingRef | None = None,
) -> InvoiceLine:
    return InvoiceLine(
        description=description,
        account_id=account_id,
        unit_price=amount,
        tax_type_id=tax[0] if tax else None,
        tax_amount=tax_on(amount, tax[1] if tax else None),
        tracking=(tracking,) if tracking else (),
    )


def create_invoice(
    released: FakeReleased,
    *,
    kind: DocumentKind,
    type: InvoiceType,
    number: str,
    contact_id: ReleasedId,
    status: ReleasedInvoiceStatus,
    on: date,
    lines: tuple[InvoiceLine, ...],
    currency: Currency,
) -> Invoice:
    made = released.put(
        Invoice(
            id=ReleasedId(""),
            kind=kind,
            type=type,
            invoice_number=number,
            status=status,
            contact_id=contact_id,
            issue_date=on,
            due_date=on,
            currency=currency,
            lines=lines,
        )
    )
    assert isinstance(made, Invoice)
    return made


def approve_invoice(released: FakeReleased, invoice: Invoice) -> Invoice:
    return released_edit(released, invoice, status=ReleasedInvoiceStatus.APPROVED)


def void_invoice(released: FakeReleased, invoice: Invoice) -> None:
    at_once(released.void(record_type_of(invoice), invoice.id))


def pay_invoice(
    released: FakeReleased, invoice: Invoice, amount: Decimal, *, on: date, reference: str
) -> Payment:
    made = released.put(
        Payment(
            id=ReleasedId(""),
            invoice_id=invoice.id,
            document_kind=invoice.kind,
            date=on,
            amount=amount,
            currency=invoice.currency,
            reference=reference,
        )
    )
    assert isinstance(made, Payment)
    return made


def remove_payment(released: FakeReleased, payment: Payment) -> Payment:
    return released_edit(released, payment, status=ReleasedPaymentStatus.DELETED)
