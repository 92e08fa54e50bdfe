"""Planning invoices and credit notes: the D rules decided in planning, one example each."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from released_intacct.domain.actions import (
    Action,
    CreateInIntacct,
    CreateInReleased,
    RecordResult,
    Skip,
    UpdateInIntacct,
    UpdateInReleased,
    VoidInReleased,
)
from released_intacct.domain.enums import (
    DimensionKind,
    DocumentKind,
    IntacctState,
    Origin,
    RecordType,
    ReleasedInvoiceStatus,
    System,
)
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import IdempotencyKey, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import Deletion, Transaction, TransactionLine
from released_intacct.domain.links import Link, LinkStatus
from released_intacct.domain.mapping.fingerprint import fingerprint
from released_intacct.domain.planning.deletions import plan_deletions
from released_intacct.domain.planning.documents import plan_documents
from released_intacct.domain.planning.echo import intacct_fingerprint
from released_intacct.domain.planning.landed import update_landed
from released_intacct.domain.planning.written import (
    VOIDED_BY_US,
    link_for_found_write,
    link_for_intacct_write,
)
from released_intacct.fakes import samples as s


def _only(actions: tuple[Action, ...], kind: type) -> list[Action]:
    return [a for a in actions if isinstance(a, kind)]


def _invoice_link(**overrides: object) -> Link:
    base = Link(
        record_type=RecordType.INVOICE,
        released_id=ReleasedId("inv-1"),
        intacct_key=IntacctKey("101"),
        origin=System.INTACCT,
        intacct_fingerprint=intacct_fingerprint(s.transaction()),
        released_fingerprint=fingerprint(s.invoice(status=ReleasedInvoiceStatus.APPROVED)),
        posted=True,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_D2_new_intacct_invoice_is_created_in_released() -> None:
    (action,) = plan_documents([], [s.transaction()], s.links(), s.settings())
    assert isinstance(action, CreateInReleased)
    assert action.record_type is RecordType.INVOICE
    assert action.intacct_key == "101"


def test_D2_invoice_awaiting_approval_is_created_in_intacct_as_draft() -> None:
    (action,) = plan_documents([s.invoice()], [], s.links(), s.settings())
    assert isinstance(action, CreateInIntacct)
    assert action.record.state is IntacctState.DRAFT  # type: ignore[union-attr]


def test_D6_released_draft_is_not_synced() -> None:
    draft = s.invoice(status=ReleasedInvoiceStatus.DRAFT)
    (action,) = plan_documents([draft], [], s.links(), s.settings())
    assert isinstance(action, Skip)
    assert action.reason.rule is Rule.D6


def test_C4_invoice_dated_before_sync_from_is_not_synced_either_way() -> None:
    old_tx = s.transaction(invoice_date=date(2025, 12, 31), gl_date=date(2025, 12, 31))
    old_invoice = s.invoice(issue_date=date(2025, 12, 31))
    actions = plan_documents([old_invoice], [old_tx], s.links(), s.settings())
    assert [a.reason.rule for a in actions if isinstance(a, Skip)] == [Rule.C4, Rule.C4]
    assert not _only(actions, CreateInReleased) + _only(actions, CreateInIntacct)


def test_D7_reversal_in_intacct_voids_the_released_invoice_and_asks_to_unlink() -> None:
    reversed_tx = s.transaction(state=IntacctState.REVERSED)
    actions = plan_documents([], [reversed_tx], s.links(_invoice_link()), s.settings())
    (void,) = _only(actions, VoidInReleased)
    (result,) = _only(actions, RecordResult)
    assert void.released_id == "inv-1"  # type: ignore[union-attr]
    assert result.error.rule is Rule.D7  # type: ignore[union-attr]
    assert "unlink" in result.error.fix.lower()  # type: ignore[union-attr]


def test_correction_3_D7_a_reversal_entry_paired_with_a_synced_invoice_voids_it() -> None:
    """The Reversal entry names no original; the adapter pairs them (``reverses``). It voids the
    original's copy even when the original itself is not read (its WHENMODIFIED not moving)."""
    entry = s.transaction(
        state=IntacctState.REVERSAL,
        number="Reversed - INV-1",
        record_no="150",
        reverses=IntacctKey("101"),
    )
    actions = plan_documents([], [entry], s.links(_invoice_link()), s.settings())
    (void,) = _only(actions, VoidInReleased)
    assert (void.released_id, void.intacct_key) == ("inv-1", "101")  # type: ignore[union-attr]
    (result,) = _only(actions, RecordResult)
    assert "was reversed in Sage Intacct (by invoice Reversed - INV-1)" in result.error.message  # type: ignore[union-attr]
    assert result.error.record.intacct_key == "101"  # type: ignore[union-attr]
    voided = _invoice_link(released_fingerprint=VOIDED_BY_US)
    assert plan_documents([], [entry], s.links(voided), s.settings()) == ()
    unpaired = replace(entry, reverses=None)
    (skip,) = plan_documents([], [unpaired], s.links(_invoice_link()), s.settings())
    assert isinstance(skip, Skip)
    assert "the entry Sage Intacct adds when reversing one" in skip.reason.message


def test_D7_void_in_released_of_a_synced_invoice_is_refused() -> None:
    voided = s.invoice(status=ReleasedInvoiceStatus.VOIDED)
    (action,) = plan_documents([voided], [], s.links(_invoice_link()), s.settings())
    assert isinstance(action, RecordResult)
    assert action.error.rule is Rule.D7
    assert "R-1" in action.error.message


def test_D8_deleted_linked_intacct_invoice_leaves_a_result_to_void_and_unlink() -> None:
    deletion = Deletion(record_type=RecordType.INVOICE, key=IntacctKey("101"), deleted_at=s.WHEN)
    (action,) = plan_deletions([deletion], s.links(_invoice_link()))
    assert isinstance(action, RecordResult)
    assert action.error.rule is Rule.D8
    assert action.error.kind is ErrorKind.NEEDS_USER


def test_D8_deleted_unlinked_intacct_invoice_is_skipped() -> None:
    deletion = Deletion(record_type=RecordType.INVOICE, key=IntacctKey("999"), deleted_at=s.WHEN)
    (action,) = plan_deletions([deletion], s.links())
    assert isinstance(action, Skip)


def test_D13_negative_intacct_invoice_is_refused_with_advice() -> None:
    negative = s.transaction(
        lines=(TransactionLine(memo="x", account_no=IntacctId("4000"), amount=Decimal(-5)),)
    )
    (action,) = plan_documents([], [negative], s.links(), s.settings())
    assert isinstance(action, RecordResult)
    assert action.error.rule is Rule.D13


def test_D13_intacct_adjustment_syncs_as_a_credit_note() -> None:
    adjustment = s.transaction(kind=DocumentKind.CREDIT_NOTE, number="ADJ-1")
    (action,) = plan_documents([], [adjustment], s.links(), s.settings())
    assert isinstance(action, CreateInReleased)
    assert action.record_type is RecordType.CREDIT_NOTE


def test_D14_foreign_currency_invoice_is_refused() -> None:
    (action,) = plan_documents([], [s.transaction(currency=s.EUR)], s.links(), s.settings())
    assert isinstance(action, RecordResult)
    assert action.error.rule is Rule.D14


def test_D19_order_entry_invoice_rekeyed_in_intacct_updates_the_same_released_invoice() -> None:
    oe = s.transaction(
        origin=Origin.ORDER_ENTRY,
        number="SI-7",
        transaction_definition="Sales Invoice",
        document_id="Sales Invoice-SI-7",
        lines=(TransactionLine(memo="Rent", item_id=IntacctId("4000-S"), price=Decimal(100)),),
    )
    link = _invoice_link(
        intacct_key=IntacctKey("Sales Invoice-SI-7"), intacct_fingerprint=intacct_fingerprint(oe)
    )
    edited = replace(oe, record_no="777", lines=(replace(oe.lines[0], price=Decimal(120)),))
    (action,) = plan_documents([], [edited], s.links(link), s.settings(order_entry=True))
    assert isinstance(action, UpdateInReleased)
    assert action.released_id == "inv-1"


def test_D17_tax_returned_by_intacct_is_applied_to_the_released_invoice() -> None:
    oe = s.transaction(
        origin=Origin.ORDER_ENTRY,
        number="SI-8",
        transaction_definition="Sales Invoice",
        document_id="Sales Invoice-SI-8",
        lines=(TransactionLine(memo="Rent", item_id=IntacctId("4000-S"), price=Decimal(100)),),
    )
    link = _invoice_link(
        intacct_key=IntacctKey("Sales Invoice-SI-8"), intacct_fingerprint=intacct_fingerprint(oe)
    )
    taxed = replace(oe, lines=(replace(oe.lines[0], tax_amount=Decimal(20)),))
    (action,) = plan_documents([], [taxed], s.links(link), s.settings(order_entry=True))
    assert isinstance(action, UpdateInReleased)
    assert action.record.total_tax == Decimal(20)  # type: ignore[union-attr]


def test_M1_D21_a_bill_sent_without_payment_priority_takes_intacct_s_back_to_released() -> None:
    """Intacct gives a bill sent without a payment priority its own (``Normal``): the link
    remembers the bill as sent, so the bill as Intacct holds it is read as a change and the
    Re-Leased invoice takes that priority, whatever the adapter answered for the create (found by
    the simulated stateful test: over REST the adapter answers the bill as stored, and the two
    sides kept differing in silence). A bill stored as sent is our echo; a priority that was
    sent is remembered as usual."""
    sent = s.transaction(origin=Origin.AP, party_id=IntacctId("V1"), payment_priority=None)
    stored = replace(sent, payment_priority="Normal")

    def created(record: Transaction) -> CreateInIntacct:
        return CreateInIntacct(
            key=IdempotencyKey("ri-1"),
            record_type=RecordType.INVOICE,
            released_id=ReleasedId("inv-1"),
            record=record,
            source_fingerprint=fingerprint(s.invoice(status=ReleasedInvoiceStatus.APPROVED)),
        )

    for answered in (sent, stored):
        link = link_for_intacct_write(created(sent), answered, existing=None)
        assert link.intacct_fingerprint == intacct_fingerprint(sent)
        assert plan_documents([], [sent], s.links(link), s.settings()) == ()
        (update,) = plan_documents([], [stored], s.links(link), s.settings())
        assert isinstance(update, UpdateInReleased)
        assert update.record.payment_priority == "Normal"  # type: ignore[union-attr]
    urgent = replace(sent, payment_priority="Urgent")
    chosen = link_for_intacct_write(created(urgent), replace(urgent, record_no="7"), existing=None)
    assert chosen.intacct_fingerprint == intacct_fingerprint(urgent)


def test_D20_unposted_edit_in_released_flows_to_intacct_and_approval_posts() -> None:
    sent = s.invoice()
    link = _invoice_link(released_fingerprint=fingerprint(sent), posted=False)
    approved = replace(sent, status=ReleasedInvoiceStatus.APPROVED)
    (action,) = plan_documents([approved], [], s.links(link), s.settings())
    assert isinstance(action, UpdateInIntacct)
    assert action.post is True


def test_D20_an_unposted_edit_updates_an_intacct_ar_invoice_as_one_with_order_entry_on() -> None:
    """The copy of an AR invoice entered in Intacct is linked by its RECORDNO; with Order Entry
    on (where new Re-Leased invoices go, D17) its edit still updates that AR invoice, not a Sales
    Invoice of that key. A copy linked by an Order Entry DOCID (D19) updates the Sales Invoice."""
    sent = s.invoice()
    edited = replace(sent, reference="changed")
    order_entry = s.settings(order_entry=True)
    for key, origin in (("101", Origin.AR), ("Sales Invoice-INV-1", Origin.ORDER_ENTRY)):
        link = _invoice_link(
            intacct_key=IntacctKey(key), released_fingerprint=fingerprint(sent), posted=False
        )
        (action,) = plan_documents([edited], [], s.links(link), order_entry)
        assert isinstance(action, UpdateInIntacct), action
        assert action.record.origin is origin  # type: ignore[union-attr]


def test_M1_D21_a_credit_note_reference_stays_in_released_with_a_result() -> None:
    """An AR / AP adjustment has no reference field (docs/intacct-fidelity.md, "Adjustment
    reference"): the transaction sent holds none, so Intacct's read-back is no change of Intacct's
    (D21: over XML the empty reference was written back over the user's), and a SKIPPED result
    names the reference left in Re-Leased (M1). An invoice, or a credit note with none, keeps the
    plain plan."""
    note = s.invoice(kind=DocumentKind.CREDIT_NOTE, reference="RMA-7")
    create, result = plan_documents([note], [], s.links(), s.settings())
    assert isinstance(create, CreateInIntacct)
    assert create.record.reference == ""  # type: ignore[union-attr]
    assert isinstance(result, RecordResult)
    assert (result.error.rule, result.error.kind) == (Rule.M1, ErrorKind.SKIPPED)
    assert "RMA-7" in result.error.message
    assert result.error.record is not None
    assert result.error.record.released_id == note.id
    link = _invoice_link(
        record_type=RecordType.CREDIT_NOTE,
        released_fingerprint=fingerprint(replace(note, reference="")),
        origin=System.RELEASED,
        posted=False,
    )
    update, again = plan_documents([note], [], s.links(link), s.settings())
    assert isinstance(update, UpdateInIntacct)
    assert isinstance(again, RecordResult)
    assert again.error.record is not None
    assert again.error.record.intacct_key == "101"
    for plain in (replace(note, reference=""), s.invoice(reference="RMA-7")):
        (action,) = plan_documents([plain], [], s.links(), s.settings())
        assert isinstance(action, CreateInIntacct)
        assert action.record.reference == plain.reference  # type: ignore[union-attr]


def test_D20_edit_of_posted_invoice_in_released_is_refused() -> None:
    edited = s.invoice(status=ReleasedInvoiceStatus.APPROVED, reference="changed")
    (action,) = plan_documents([edited], [], s.links(_invoice_link()), s.settings())
    assert isinstance(action, RecordResult)
    assert action.error.rule is Rule.D20


def test_D20_when_both_sides_changed_intacct_wins_and_says_so() -> None:
    link = _invoice_link(posted=False)
    changed_tx = s.transaction(reference="from intacct")
    changed_rl = s.invoice(reference="from released")
    actions = plan_documents([changed_rl], [changed_tx], s.links(link), s.settings())
    assert len(_only(actions, UpdateInReleased)) == 1
    assert not _only(actions, UpdateInIntacct)
    (result,) = _only(actions, RecordResult)
    assert result.error.rule is Rule.D20  # type: ignore[union-attr]


def test_D20_a_draft_changed_in_intacct_while_its_copy_was_approved_is_left_to_the_user() -> None:
    """Intacct would win, but an approved Re-Leased invoice cannot go back to Awaiting
    Approval, and posting would post amounts nobody approved: nothing is written, and the one
    result (asked of the user) says so, until the draft is posted or the copy voided."""
    link = _invoice_link(posted=False, released_fingerprint=fingerprint(s.invoice()))
    changed_tx = s.transaction(state=IntacctState.DRAFT, reference="from intacct")
    approved = s.invoice(status=ReleasedInvoiceStatus.APPROVED)
    actions = plan_documents([approved], [changed_tx], s.links(link), s.settings())
    (result,) = actions
    assert isinstance(result, RecordResult)
    assert result.error is not None
    assert (result.error.rule, result.error.kind) == (Rule.D20, ErrorKind.NEEDS_USER)
    assert "post it in Sage Intacct" in result.error.fix
    posted = replace(changed_tx, state=IntacctState.POSTED)
    actions = plan_documents([approved], [posted], s.links(link), s.settings())
    assert len(_only(actions, UpdateInReleased)) == 1  # posted: Intacct's version flows


def test_D21_unchanged_records_on_both_sides_plan_nothing() -> None:
    approved = s.invoice(status=ReleasedInvoiceStatus.APPROVED)
    assert (
        plan_documents([approved], [s.transaction()], s.links(_invoice_link()), s.settings()) == ()
    )


def test_E2_unlinked_invoice_is_left_out_of_the_sync() -> None:
    link = _invoice_link(status=LinkStatus.UNLINKED, intacct_fingerprint="old")
    edited = s.invoice(reference="changed")
    assert plan_documents([edited], [s.transaction()], s.links(link), s.settings()) == ()


def test_F8_an_update_landed_when_intacct_holds_what_it_wrote_whatever_intacct_derived() -> None:
    """A lost reply was settled on whole fingerprints, and Intacct's tax made it a conflict."""
    line = TransactionLine(
        memo="Rent",
        item_id=IntacctId("4000-S"),
        quantity=Decimal(1),
        price=Decimal(1250),
        tax_detail_id=IntacctId("Standard 10%"),
        dimensions=((DimensionKind.LOCATION, IntacctId("E100")),),
    )
    sent = s.transaction(
        origin=Origin.ORDER_ENTRY,
        state=IntacctState.DRAFT,
        transaction_definition="Sales Invoice",
        lines=(line,),
    )
    derived = replace(
        line,
        tax_amount=Decimal(125),
        price=Decimal("1250.00"),
        dimensions=(*line.dimensions, (DimensionKind.DEPARTMENT, IntacctId("D1"))),
    )
    held = replace(
        sent,
        lines=(derived,),
        state=IntacctState.SUBMITTED,
        document_id="Sales Invoice-INV-1",
        record_no="475",
        number="INV-1 as numbered",
    )
    assert update_landed(sent, held)
    for changed in (
        replace(held, lines=(replace(derived, price=Decimal(1300)),)),
        replace(held, lines=(replace(derived, dimensions=()),)),
        replace(held, lines=(derived, derived)),
        replace(held, state=IntacctState.POSTED),
        replace(held, state=IntacctState.REVERSED),
        replace(held, invoice_date=date(2026, 4, 1)),
    ):
        assert not update_landed(sent, changed), changed


def test_F8_a_ledger_update_compares_the_tax_it_sent_and_a_posting_one_any_posted_state() -> None:
    line = replace(s.transaction().lines[0], tax_detail_id=IntacctId("GST"), tax_amount=Decimal(15))
    sent = s.transaction(state=IntacctState.POSTED, lines=(line,))
    paid = replace(sent, state=IntacctState.PAID, total_paid=Decimal(1), record_no="9")
    assert update_landed(sent, paid)
    taxed = replace(line, tax_amount=Decimal(16))
    assert not update_landed(sent, replace(sent, lines=(taxed,)))
    assert not update_landed(sent, replace(sent, state=IntacctState.DRAFT))


def test_D21_a_lost_create_found_after_a_user_changed_it_keeps_the_change() -> None:
    """A create whose answer was lost is found on a later run: as Intacct stored it, the link
    takes it as our echo; changed by a user since it landed (a customer renamed, an invoice
    reversed), the link remembers it as sent, so the change is read on the next sync instead of
    being swallowed (the fakes' stateful test lost an Intacct rename this way)."""
    sent = replace(s.party(), party_id=None, record_no=None, modified_at=None)
    write = CreateInIntacct(
        key=IdempotencyKey("cu-1"),
        record_type=RecordType.CONTACT,
        released_id=ReleasedId("con-1"),
        record=sent,
        source_fingerprint=fingerprint(s.contact()),
    )
    stored = s.party()
    assert link_for_found_write(write, stored).intacct_fingerprint == intacct_fingerprint(stored)
    renamed = replace(stored, name="Harbour Cafe Ltd")
    link = link_for_found_write(write, renamed)
    assert link.intacct_fingerprint != intacct_fingerprint(renamed)
    assert link.intacct_key == link_for_intacct_write(write, renamed, existing=None).intacct_key

    invoice = CreateInIntacct(
        key=IdempotencyKey("ri-1"),
        record_type=RecordType.INVOICE,
        released_id=ReleasedId("inv-1"),
        record=s.transaction(),
        source_fingerprint=fingerprint(s.invoice(status=ReleasedInvoiceStatus.APPROVED)),
    )
    held = replace(s.transaction(), record_no="101", state=IntacctState.PAID)
    assert link_for_found_write(invoice, held).intacct_fingerprint == intacct_fingerprint(held)
    reversed_tx = replace(held, state=IntacctState.REVERSED)
    assert link_for_found_write(invoice, reversed_tx).intacct_fingerprint != intacct_fingerprint(
        reversed_tx
    )
