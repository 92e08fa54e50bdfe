"""Planning contacts and payments: rules D3-D5 and D9-D12, one example each."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from released_intacct.domain.actions import (
    Action,
    CreateInIntacct,
    CreateInReleased,
    RecordResult,
    Skip,
    UpdateInReleased,
)
from released_intacct.domain.enums import (
    ContactRole,
    IntacctState,
    IntacctStatus,
    PaymentKind,
    RecordType,
    ReleasedInvoiceStatus,
    ReleasedPaymentStatus,
    ReleasedStatus,
    System,
)
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.intacct import Deletion, IntacctPayment, PaymentApplication
from released_intacct.domain.links import Link, LinkIndex
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.planning.contacts import plan_contacts
from released_intacct.domain.planning.deletions import plan_deletions
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.planning.payments import plan_payments
from released_intacct.fakes import samples as s

PAID_INVOICE_LINK = Link(
    record_type=RecordType.INVOICE,
    released_id=ReleasedId("inv-1"),
    intacct_key=IntacctKey("101"),
    origin=System.INTACCT,
)


def _contact_link(**overrides: object) -> Link:
    base = Link(
        record_type=RecordType.CONTACT,
        released_id=s.CONTACT_ID,
        intacct_key=IntacctKey("CUSTOMER:C1"),
        origin=System.INTACCT,
        intacct_fingerprint=intacct_fingerprint(s.party()),
        released_fingerprint=fingerprint(s.contact(id=s.CONTACT_ID, name="C1 - Harbour Cafe")),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def _rules(actions: tuple[Action, ...]) -> list[Rule | None]:
    return [
        (a.error if isinstance(a, RecordResult) else a.reason).rule
        for a in actions
        if isinstance(a, RecordResult | Skip)
    ]


def test_D3_new_intacct_customer_is_created_in_released() -> None:
    (action,) = plan_contacts([], [s.party(party_id="C9")], s.links(), s.settings())
    assert isinstance(action, CreateInReleased)
    assert action.intacct_key == "CUSTOMER:C9"


def test_D3_inactive_intacct_customer_archives_the_released_contact() -> None:
    inactive = s.party(status=IntacctStatus.INACTIVE)
    links = s.links(_contact_link())
    (action,) = plan_contacts([], [inactive], links, s.settings())
    assert isinstance(action, UpdateInReleased)
    assert action.record.status is ReleasedStatus.ARCHIVED


def test_D3_edit_in_released_of_a_linked_contact_does_not_flow_and_says_so() -> None:
    edited = s.contact(id=s.CONTACT_ID, name="Renamed in Re-Leased")
    (action,) = plan_contacts([edited], [], s.links(_contact_link()), s.settings())
    assert isinstance(action, Skip)
    assert action.reason.rule is Rule.D3
    assert "Intacct" in action.reason.fix


def test_D3_edit_in_released_is_reported_even_when_intacct_sent_the_unchanged_record() -> None:
    edited = s.contact(id=s.CONTACT_ID, name="Renamed in Re-Leased")
    actions = plan_contacts([edited], [s.party()], s.links(_contact_link()), s.settings())
    assert _rules(actions) == [Rule.D3]


def test_D3_intacct_change_wins_over_a_released_edit_of_the_same_contact() -> None:
    edited = s.contact(id=s.CONTACT_ID, name="Renamed in Re-Leased")
    changed = s.party(name="Renamed in Intacct")
    actions = plan_contacts([edited], [changed], s.links(_contact_link()), s.settings())
    assert [type(a) for a in actions] == [UpdateInReleased]


def test_D4_released_contact_is_created_as_customer_without_an_id() -> None:
    new = s.contact(role=ContactRole.CUSTOMER)
    (action,) = plan_contacts([new], [], s.links(), s.settings())
    assert isinstance(action, CreateInIntacct)
    assert action.record.party_id is None  # type: ignore[union-attr]
    assert action.record.role is ContactRole.CUSTOMER  # type: ignore[union-attr]


def test_D4_contact_with_no_known_side_waits_until_it_is_billed() -> None:
    (action,) = plan_contacts([s.contact()], [], s.links(), s.settings())
    assert isinstance(action, Skip)
    assert action.reason.rule is Rule.D4
    vendor = plan_contacts(
        [s.contact()],
        [],
        s.links(),
        s.settings(),
        roles={ReleasedId("con-new"): ContactRole.VENDOR},
    )
    assert isinstance(vendor[0], CreateInIntacct)


def test_D5_edit_of_a_contact_whose_intacct_record_was_deleted_fails_with_a_result() -> None:
    edited = s.contact(id=s.CONTACT_ID, name="Renamed")
    actions = plan_contacts(
        [edited],
        [],
        s.links(_contact_link()),
        s.settings(),
        missing={IntacctKey("CUSTOMER:C1")},
    )
    assert _rules(actions) == [Rule.D5]
    deletion = Deletion(
        record_type=RecordType.CONTACT, key=IntacctKey("CUSTOMER:C1"), deleted_at=s.WHEN
    )
    assert _rules(plan_deletions([deletion], s.links(_contact_link()))) == [Rule.D5]


def test_D14_foreign_currency_customer_is_refused() -> None:
    actions = plan_contacts([], [s.party(party_id="C7", currency=s.EUR)], s.links(), s.settings())
    assert _rules(actions) == [Rule.D14]


def _pay(payment: IntacctPayment, links: LinkIndex | None = None) -> tuple[Action, ...]:
    index = links or s.links(PAID_INVOICE_LINK)
    return plan_payments([], [payment], index, s.settings(), documents={})


def test_D2_intacct_payment_is_created_in_released_per_allocation() -> None:
    (action,) = _pay(s.intacct_payment())
    assert isinstance(action, CreateInReleased)
    assert action.intacct_key == "501/101"


def test_D9_payment_reversed_in_intacct_is_kept_in_released_with_a_result() -> None:
    allocation = Link(
        record_type=RecordType.PAYMENT,
        released_id=ReleasedId("pay-9"),
        intacct_key=IntacctKey("501/101"),
        origin=System.INTACCT,
    )
    actions = _pay(
        s.intacct_payment(state=IntacctState.REVERSED), s.links(PAID_INVOICE_LINK, allocation)
    )
    assert _rules(actions) == [Rule.D9]
    assert not [a for a in actions if isinstance(a, CreateInReleased | UpdateInReleased)]
    (told,) = [a for a in actions if isinstance(a, RecordResult)]
    assert "was reversed in Sage Intacct. The Re-Leased payment was kept." in told.error.message
    assert "501" not in told.error.message  # its record number is in the result's key


def test_correction_3_D9_a_reversal_entry_paired_with_a_synced_payment_leaves_the_result() -> None:
    allocation = Link(
        record_type=RecordType.PAYMENT,
        released_id=ReleasedId("pay-9"),
        intacct_key=IntacctKey("501/101"),
        origin=System.INTACCT,
    )
    entry = s.intacct_payment(
        state=IntacctState.REVERSAL,
        record_no="540",
        amount=Decimal(-100),
        applications=(PaymentApplication(document_key=IntacctKey("101"), amount=Decimal(-100)),),
        reverses=IntacctKey("501"),
    )
    (told,) = _pay(entry, s.links(PAID_INVOICE_LINK, allocation))
    assert isinstance(told, RecordResult)
    assert (told.error.rule, told.error.kind) == (Rule.D9, ErrorKind.NEEDS_USER)
    assert told.error.record is not None
    assert (told.error.record.intacct_key, told.error.record.released_id) == ("501", "pay-9")


def test_correction_2_D2_a_payment_of_several_customers_syncs_each_allocation() -> None:
    group = s.intacct_payment(party_id=None, payer="Harbourside Holdings")
    (action,) = _pay(group)
    assert isinstance(action, CreateInReleased)
    assert action.intacct_key == "501/101"


def test_correction_2_D2_a_draft_payment_is_skipped_until_posted() -> None:
    (skip,) = _pay(s.intacct_payment(state=IntacctState.DRAFT))
    assert isinstance(skip, Skip)
    assert (skip.reason.rule, skip.reason.kind) == (Rule.D2, ErrorKind.SKIPPED)
    assert "syncs once it is posted" in skip.reason.fix


def test_correction_2_D13_a_credit_applied_in_intacct_asks_to_allocate_in_released() -> None:
    credit = PaymentApplication(document_key=IntacctKey("101"), amount=Decimal(20))
    actions = _pay(s.intacct_payment(credits=(credit,)))
    (told,) = [a for a in actions if isinstance(a, RecordResult)]
    assert (told.error.rule, told.error.kind) == (Rule.D13, ErrorKind.NEEDS_USER)
    assert "Allocate the matching credit note" in told.error.fix


def test_D9_removing_a_synced_payment_in_released_is_refused() -> None:
    sent = s.payment()
    link = Link(
        record_type=RecordType.PAYMENT,
        released_id=sent.id,
        intacct_key=IntacctKey("600/101"),
        origin=System.RELEASED,
        released_fingerprint=fingerprint(sent),
    )
    deleted = replace(sent, status=ReleasedPaymentStatus.DELETED)
    actions = plan_payments([deleted], [], s.links(link), s.settings(), documents={})
    assert _rules(actions) == [Rule.D9]


def test_D10_journal_entry_payment_is_skipped() -> None:
    assert _rules(_pay(s.intacct_payment(kind=PaymentKind.JOURNAL_ENTRY))) == [Rule.D10]


def test_D11_unallocated_advance_waits_and_syncs_once_allocated() -> None:
    advance = s.intacct_payment(kind=PaymentKind.ADVANCE, applications=())
    assert _rules(_pay(advance)) == [Rule.D11]
    (action,) = _pay(s.intacct_payment(kind=PaymentKind.ADVANCE))
    assert isinstance(action, CreateInReleased)


def test_D12_refund_is_skipped() -> None:
    assert _rules(_pay(s.intacct_payment(kind=PaymentKind.REFUND))) == [Rule.D12]


def test_D2_released_payment_is_created_in_intacct() -> None:
    invoice = s.invoice(status=ReleasedInvoiceStatus.APPROVED)
    actions = plan_payments(
        [s.payment()], [], s.links(PAID_INVOICE_LINK), s.settings(), documents={invoice.id: invoice}
    )
    (action,) = actions
    assert isinstance(action, CreateInIntacct)
    assert action.record.party_id == "C1"  # type: ignore[union-attr]
