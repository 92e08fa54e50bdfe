"""Whether one record may sync: rules C4, D1, D5-D14, D16, each side accepted and refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.domain.enums import (
    ContactRole,
    Direction,
    DocumentKind,
    IntacctState,
    InvoiceType,
    Origin,
    PaymentKind,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
)
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import (
    Deletion,
    IntacctPayment,
    Party,
    PaymentApplication,
    Transaction,
    TransactionLine,
)
from released_intacct.domain.money import currency
from released_intacct.domain.released import Contact, Invoice, InvoiceLine, Payment
from released_intacct.domain.rules.deletions import deleted_in_intacct, missing_in_intacct
from released_intacct.domain.rules.eligibility import (
    check_incoming_party,
    check_incoming_payment,
    check_incoming_transaction,
    check_outgoing_contact,
    check_outgoing_invoice,
    check_outgoing_payment,
)
from released_intacct.domain.settings import SyncSettings

GBP = currency("GBP")
USD = currency("USD")
SYNC_FROM = date(2024, 1, 1)
SETTINGS = SyncSettings(connection=ConnectionId("c-1"), sync_from=SYNC_FROM, base_currency=GBP)
ON = date(2024, 3, 1)
WHEN = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def _tx(total: Decimal = Decimal(100), **overrides: object) -> Transaction:
    base = Transaction(
        origin=Origin.AR,
        kind=DocumentKind.INVOICE,
        number="INV-1001",
        state=IntacctState.POSTED,
        party_id=IntacctId("C-1"),
        invoice_date=ON,
        gl_date=ON,
        due_date=ON,
        currency=GBP,
        lines=(TransactionLine(memo="Rent", account_no=IntacctId("4000"), amount=total),),
        record_no="101",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def _invoice(unit_price: Decimal = Decimal(100), **overrides: object) -> Invoice:
    base = Invoice(
        id=ReleasedId("inv-1"),
        kind=DocumentKind.INVOICE,
        type=InvoiceType.INCOME,
        invoice_number="R-1",
        status=ReleasedInvoiceStatus.AWAITING_APPROVAL,
        contact_id=ReleasedId("con-1"),
        issue_date=ON,
        due_date=ON,
        currency=GBP,
        lines=(
            InvoiceLine(description="Rent", account_id=ReleasedId("a-1"), unit_price=unit_price),
        ),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def _intacct_payment(**overrides: object) -> IntacctPayment:
    base = IntacctPayment(
        origin=Origin.AR,
        kind=PaymentKind.ORDINARY,
        party_id=IntacctId("C-1"),
        date=ON,
        currency=GBP,
        amount=Decimal(50),
        applications=(PaymentApplication(document_key=IntacctKey("101"), amount=Decimal(50)),),
        reference="CHQ-77",
        record_no="900",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def _payment(**overrides: object) -> Payment:
    base = Payment(
        id=ReleasedId("pay-1"),
        invoice_id=ReleasedId("inv-1"),
        document_kind=DocumentKind.INVOICE,
        date=ON,
        amount=Decimal(50),
        currency=GBP,
        reference="BACS-12",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def _party(**overrides: object) -> Party:
    base = Party(role=ContactRole.CUSTOMER, party_id=IntacctId("C-1"), name="Acme Lettings")
    return replace(base, **overrides)  # type: ignore[arg-type]


def _contact(**overrides: object) -> Contact:
    base = Contact(id=ReleasedId("con-1"), name="Bloggs Property")
    return replace(base, **overrides)  # type: ignore[arg-type]


def _refusal(result: Result[object, SyncError], kind: ErrorKind, rule: Rule) -> SyncError:
    assert not is_successful(result), f"expected a {rule.value} refusal, got {result}"
    error = result.failure()
    assert (error.kind, error.rule) == (kind, rule), error
    assert error.message
    assert error.fix
    return error


# --- C4: the sync-from date ---------------------------------------------------------------------


def test_C4_incoming_transaction_before_sync_from_is_skipped_even_when_modified_later() -> None:
    old = _tx(invoice_date=date(2023, 12, 31), modified_at=WHEN)
    error = _refusal(check_incoming_transaction(old, SETTINGS), ErrorKind.SKIPPED, Rule.C4)
    assert "INV-1001" in error.message
    assert "2024-01-01" in error.message
    assert error.record is not None
    assert error.record.direction is Direction.INCOMING
    assert error.record.intacct_key == "101"
    assert error.record.label == "INV-1001"


def test_C4_incoming_transaction_on_sync_from_is_accepted() -> None:
    on_the_day = _tx(invoice_date=SYNC_FROM)
    assert check_incoming_transaction(on_the_day, SETTINGS).unwrap() == on_the_day


def test_C4_is_checked_before_the_other_rules() -> None:
    old_negative_foreign = _tx(Decimal(-5), invoice_date=date(2020, 1, 1), currency=USD)
    _refusal(check_incoming_transaction(old_negative_foreign, SETTINGS), ErrorKind.SKIPPED, Rule.C4)


def test_C4_outgoing_invoice_before_sync_from_is_skipped() -> None:
    old = _invoice(issue_date=date(2023, 6, 30))
    error = _refusal(check_outgoing_invoice(old, SETTINGS), ErrorKind.SKIPPED, Rule.C4)
    assert "R-1" in error.message
    assert error.record is not None
    assert error.record.direction is Direction.OUTGOING
    assert error.record.released_id == "inv-1"


def test_C4_payments_before_sync_from_are_skipped_both_ways() -> None:
    old = date(2023, 12, 31)
    incoming = _refusal(
        check_incoming_payment(_intacct_payment(date=old), SETTINGS), ErrorKind.SKIPPED, Rule.C4
    )
    outgoing = _refusal(
        check_outgoing_payment(_payment(date=old), SETTINGS), ErrorKind.SKIPPED, Rule.C4
    )
    assert "CHQ-77" in incoming.message
    assert "BACS-12" in outgoing.message


_DATES = st.dates(min_value=date(2015, 1, 1), max_value=date(2032, 12, 31))
_SYNC_FROMS = st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31))
_CURRENCIES = st.sampled_from([GBP, USD])
_AMOUNTS = st.decimals(min_value=-1000, max_value=1000, places=2)


@st.composite
def _dated_records(draw: st.DrawFn) -> tuple[timedelta, Result[object, SyncError]]:
    """A record of any of the four dated kinds, with random other fields, checked at random."""
    settings = replace(SETTINGS, sync_from=draw(_SYNC_FROMS), account_labels=draw(st.booleans()))
    when, cur, amount = draw(_DATES), draw(_CURRENCIES), draw(_AMOUNTS)
    kind = draw(st.sampled_from(DocumentKind))
    which = draw(st.sampled_from(["tx", "invoice", "intacct_payment", "payment"]))
    result: Result[object, SyncError]
    if which == "tx":
        tx = _tx(amount, invoice_date=when, currency=cur, kind=kind, modified_at=WHEN)
        result = check_incoming_transaction(tx, settings)
    elif which == "invoice":
        status = draw(st.sampled_from(ReleasedInvoiceStatus))
        invoice = _invoice(amount, issue_date=when, currency=cur, kind=kind, status=status)
        result = check_outgoing_invoice(invoice, settings)
    elif which == "intacct_payment":
        applications = draw(st.sampled_from([(), _intacct_payment().applications]))
        payment_kind = draw(st.sampled_from(PaymentKind))
        payment = _intacct_payment(
            date=when, currency=cur, kind=payment_kind, applications=applications
        )
        result = check_incoming_payment(payment, settings)
    else:
        status = draw(st.sampled_from(ReleasedPaymentStatus))
        result = check_outgoing_payment(_payment(date=when, currency=cur, status=status), settings)
    return when - settings.sync_from, result


@given(_dated_records())
def test_C4_nothing_dated_before_sync_from_is_eligible(
    case: tuple[timedelta, Result[object, SyncError]],
) -> None:
    """C4: whatever else is true of it, a record dated before sync-from never syncs."""
    offset, result = case
    if offset < timedelta(0):
        assert not is_successful(result)
        assert result.failure().rule is Rule.C4
        assert result.failure().kind is ErrorKind.SKIPPED
    elif not is_successful(result):
        assert result.failure().rule is not Rule.C4


# --- D6, D7: Re-Leased statuses -----------------------------------------------------------------


def test_D6_released_draft_is_skipped_until_submitted_for_approval() -> None:
    error = _refusal(
        check_outgoing_invoice(_invoice(status=ReleasedInvoiceStatus.DRAFT), SETTINGS),
        ErrorKind.SKIPPED,
        Rule.D6,
    )
    assert "R-1" in error.message
    assert "submitted for approval" in error.fix


def test_D6_invoice_awaiting_approval_or_approved_is_accepted() -> None:
    for status in (ReleasedInvoiceStatus.AWAITING_APPROVAL, ReleasedInvoiceStatus.APPROVED):
        invoice = _invoice(status=status)
        assert check_outgoing_invoice(invoice, SETTINGS).unwrap() == invoice


def test_D7_voided_invoice_is_never_sent_as_new() -> None:
    voided = _invoice(status=ReleasedInvoiceStatus.VOIDED, kind=DocumentKind.CREDIT_NOTE)
    error = _refusal(check_outgoing_invoice(voided, SETTINGS), ErrorKind.SKIPPED, Rule.D7)
    assert "credit note R-1" in error.message
    assert error.record is not None
    assert error.record.record_type is RecordType.CREDIT_NOTE


# --- D13: negative invoices ---------------------------------------------------------------------


def test_D13_negative_intacct_invoice_is_refused_with_adjustment_advice() -> None:
    error = _refusal(
        check_incoming_transaction(_tx(Decimal("-20.00")), SETTINGS), ErrorKind.REJECTED, Rule.D13
    )
    assert "INV-1001" in error.message
    assert "AR adjustment" in error.fix
    bill = _tx(Decimal(-1), origin=Origin.PURCHASING)
    assert "AP adjustment" in check_incoming_transaction(bill, SETTINGS).failure().fix


def test_D13_intacct_adjustment_and_positive_invoice_are_accepted() -> None:
    adjustment = _tx(Decimal(-20), kind=DocumentKind.CREDIT_NOTE)
    assert is_successful(check_incoming_transaction(adjustment, SETTINGS))
    assert is_successful(check_incoming_transaction(_tx(Decimal(0)), SETTINGS))


def test_D13_negative_released_invoice_is_refused_with_credit_note_advice() -> None:
    error = _refusal(
        check_outgoing_invoice(_invoice(Decimal(-10)), SETTINGS), ErrorKind.REJECTED, Rule.D13
    )
    assert "R-1" in error.message
    assert "credit note" in error.fix
    credit_note = _invoice(Decimal(-10), kind=DocumentKind.CREDIT_NOTE)
    assert is_successful(check_outgoing_invoice(credit_note, SETTINGS))


# --- D14: currency ------------------------------------------------------------------------------


def test_D14_foreign_currency_intacct_invoice_is_refused() -> None:
    error = _refusal(
        check_incoming_transaction(_tx(currency=USD), SETTINGS), ErrorKind.REJECTED, Rule.D14
    )
    assert "INV-1001" in error.message
    assert "USD" in error.message
    assert "re-create the contact in the local currency (GBP)" in error.fix


def test_D14_foreign_currency_released_records_are_refused() -> None:
    invoice = _refusal(
        check_outgoing_invoice(_invoice(currency=USD), SETTINGS), ErrorKind.REJECTED, Rule.D14
    )
    payment = _refusal(
        check_outgoing_payment(_payment(currency=USD), SETTINGS), ErrorKind.REJECTED, Rule.D14
    )
    intacct_payment = _refusal(
        check_incoming_payment(_intacct_payment(currency=USD), SETTINGS),
        ErrorKind.REJECTED,
        Rule.D14,
    )
    assert "R-1" in invoice.message
    assert "BACS-12" in payment.message
    assert "CHQ-77" in intacct_payment.message


def test_D14_foreign_currency_party_and_contact_are_refused() -> None:
    party = _refusal(
        check_incoming_party(_party(currency=USD), SETTINGS), ErrorKind.REJECTED, Rule.D14
    )
    contact = _refusal(
        check_outgoing_contact(_contact(currency=USD), SETTINGS), ErrorKind.REJECTED, Rule.D14
    )
    assert "Acme Lettings" in party.message
    assert party.record is not None
    assert party.record.intacct_key == "CUSTOMER:C-1"
    assert "Bloggs Property" in contact.message
    assert contact.record is not None
    assert contact.record.released_id == "con-1"
    assert "Detach" in contact.fix


def test_D14_base_currency_or_no_currency_is_accepted() -> None:
    for currency_ in (None, GBP):
        assert is_successful(check_incoming_party(_party(currency=currency_), SETTINGS))
        assert is_successful(check_outgoing_contact(_contact(currency=currency_), SETTINGS))


def test_D14_party_without_an_id_yet_still_gets_a_reference() -> None:
    nameless = _party(party_id=None, currency=USD)
    error = _refusal(check_incoming_party(nameless, SETTINGS), ErrorKind.REJECTED, Rule.D14)
    assert error.record is not None
    assert error.record.intacct_key is None
    assert error.record.label == "Acme Lettings"


# --- D16: account labels ------------------------------------------------------------------------


def test_D16_account_labels_on_blocks_outgoing_invoices() -> None:
    labels_on = replace(SETTINGS, account_labels=True)
    error = _refusal(check_outgoing_invoice(_invoice(), labels_on), ErrorKind.NEEDS_USER, Rule.D16)
    assert "R-1" in error.message
    assert "Account Labels off" in error.fix
    assert is_successful(check_outgoing_invoice(_invoice(), SETTINGS))


def test_D15_attachments_never_block_an_outgoing_invoice() -> None:
    with_files = _invoice(attachments=("lease.pdf", "photo.jpg"))
    assert check_outgoing_invoice(with_files, SETTINGS).unwrap() == with_files


# --- D10, D11, D12: Intacct payment kinds -------------------------------------------------------


def test_D10_journal_entry_payment_is_skipped() -> None:
    payment = _intacct_payment(kind=PaymentKind.JOURNAL_ENTRY)
    error = _refusal(check_incoming_payment(payment, SETTINGS), ErrorKind.SKIPPED, Rule.D10)
    assert "CHQ-77" in error.message
    assert "journal entry" in error.message


def test_D10_ordinary_payment_is_accepted() -> None:
    payment = _intacct_payment()
    assert check_incoming_payment(payment, SETTINGS).unwrap() == payment


def test_D11_unallocated_advance_and_overpayment_are_skipped_until_allocated() -> None:
    for kind in (PaymentKind.ADVANCE, PaymentKind.OVERPAYMENT):
        unallocated = _intacct_payment(kind=kind, applications=())
        error = _refusal(check_incoming_payment(unallocated, SETTINGS), ErrorKind.SKIPPED, Rule.D11)
        assert "CHQ-77" in error.message
        assert "once allocated" in error.fix
        allocated = _intacct_payment(kind=kind)
        assert check_incoming_payment(allocated, SETTINGS).unwrap() == allocated


def test_D12_refund_is_skipped() -> None:
    refund = _intacct_payment(kind=PaymentKind.REFUND, reference="", record_no="901")
    error = _refusal(check_incoming_payment(refund, SETTINGS), ErrorKind.SKIPPED, Rule.D12)
    assert "payment of 50 GBP from customer C-1 dated 2024-03-01 is a refund" in error.message
    assert "901" not in error.message  # a record number means nothing to a bookkeeper
    assert error.record is not None
    assert error.record.intacct_key == "901"


def test_D9_the_reversal_entry_of_a_reversed_payment_is_skipped() -> None:
    entry = _intacct_payment(state=IntacctState.REVERSAL, reference="", record_no="902")
    error = _refusal(check_incoming_payment(entry, SETTINGS), ErrorKind.SKIPPED, Rule.D9)
    assert "the entry Sage Intacct adds when a payment is reversed" in error.message
    assert error.record is not None
    assert error.record.intacct_key == "902"


def test_D9_reversed_intacct_payment_is_left_to_planning() -> None:
    reversed_ = _intacct_payment(state=IntacctState.REVERSED)
    assert is_successful(check_incoming_payment(reversed_, SETTINGS))


# --- D9: removing a payment in Re-Leased --------------------------------------------------------


def test_D9_payment_removed_in_released_is_refused() -> None:
    removed = _payment(status=ReleasedPaymentStatus.DELETED)
    error = _refusal(check_outgoing_payment(removed, SETTINGS), ErrorKind.REJECTED, Rule.D9)
    assert "BACS-12" in error.message
    assert "Sage Intacct" in error.fix
    assert error.record is not None
    assert error.record.released_id == "pay-1"


def test_D9_active_payment_is_accepted() -> None:
    assert check_outgoing_payment(_payment(), SETTINGS).unwrap() == _payment()


# --- D5, D8, D9: deletions in Intacct -----------------------------------------------------------


def _deletion(record_type: RecordType, key: str = "101") -> Deletion:
    return Deletion(record_type=record_type, key=IntacctKey(key), deleted_at=WHEN)


def test_D8_deleted_linked_invoice_asks_to_void_and_unlink() -> None:
    error = deleted_in_intacct(
        _deletion(RecordType.INVOICE), linked_released_id=ReleasedId("inv-1"), label="INV-1001"
    )
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.D8)
    assert "INV-1001" in error.message
    assert error.fix == "Void the Re-Leased invoice and unlink it."
    assert error.record is not None
    assert error.record.released_id == "inv-1"
    assert error.record.intacct_key == "101"


def test_D8_deleted_unlinked_credit_note_is_skipped() -> None:
    error = deleted_in_intacct(_deletion(RecordType.CREDIT_NOTE, "55"), linked_released_id=None)
    assert (error.kind, error.rule) == (ErrorKind.SKIPPED, Rule.D8)
    assert "A credit note (Sage Intacct record number 55) was deleted" in error.message


def test_D8_a_deleted_oe_document_is_named_by_its_document_id() -> None:
    deletion = _deletion(RecordType.INVOICE, "Sales Invoice-SI0009")
    error = deleted_in_intacct(deletion, linked_released_id=None)
    assert "An invoice (Sales Invoice-SI0009) was deleted in Sage Intacct" in error.message


def test_D9_deleted_linked_intacct_payment_is_kept_in_released_with_a_result() -> None:
    payment = _deletion(RecordType.PAYMENT, "900")
    error = deleted_in_intacct(payment, linked_released_id=ReleasedId("pay-1"))
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.D9)
    assert "A payment (Sage Intacct record number 900) was deleted" in error.message
    assert "still in Re-Leased" in error.message
    assert "remove it in Re-Leased" in error.fix


def test_D5_deleted_linked_customer_needs_the_user() -> None:
    error = deleted_in_intacct(
        _deletion(RecordType.CONTACT, "CUSTOMER:C-1"),
        linked_released_id=ReleasedId("con-1"),
        label="Acme Lettings",
    )
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.D5)
    assert "Acme Lettings" in error.message
    assert "no longer exists" in error.message


def test_D1_deleted_intacct_owned_list_record_is_skipped() -> None:
    for record_type in (RecordType.ACCOUNT, RecordType.TAX_TYPE, RecordType.TRACKING_OPTION):
        error = deleted_in_intacct(
            _deletion(record_type, "4000"), linked_released_id=ReleasedId("a-1")
        )
        assert (error.kind, error.rule) == (ErrorKind.SKIPPED, Rule.D1)
        assert "4000" in error.message


def test_D5_missing_intacct_contact_is_refused_with_a_fix() -> None:
    error = missing_in_intacct("Bloggs Property", released_id=ReleasedId("con-1"))
    assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.D5)
    assert "linked to Bloggs Property no longer exists" in error.message
    assert "Re-create" in error.fix
    assert error.record is not None
    assert error.record.record_type is RecordType.CONTACT
    assert error.record.released_id == "con-1"
    assert error.record.direction is Direction.OUTGOING


def test_D5_missing_intacct_contact_of_an_invoice_names_the_invoice() -> None:
    error = missing_in_intacct(
        "the contact of R-1", released_id=ReleasedId("inv-1"), record_type=RecordType.INVOICE
    )
    assert "R-1" in error.message
    assert error.record is not None
    assert error.record.record_type is RecordType.INVOICE


def test_C4_a_payment_before_sync_from_is_named_once_by_its_amount_party_and_date() -> None:
    early = _intacct_payment(date=date(2017, 6, 1), reference="")
    error = _refusal(check_incoming_payment(early, SETTINGS), ErrorKind.SKIPPED, Rule.C4)
    assert error.message.startswith(
        "Intacct payment of 50 GBP from customer C-1 dated 2017-06-01 before the sync-from date"
    )
    assert error.message.count("2017-06-01") == 1
