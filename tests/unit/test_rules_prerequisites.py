"""Rule C5, never guessed (spec correction 5): each prerequisite holds, fails or is unknown; a
failure blocks confirm with its fix, an unknown one blocks until the user acknowledges it; a later
refusal an unconfirmed prerequisite explains names its rule and fix."""

from __future__ import annotations

from dataclasses import replace

from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import ContactRole, Prerequisite, RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IdempotencyKey, IntacctId, ReleasedId
from released_intacct.domain.intacct import IntacctRecord, Item
from released_intacct.domain.ports import IntacctSetup
from released_intacct.domain.rules.prerequisites import (
    Status,
    assess,
    check_can_confirm,
    check_prerequisites,
    explain,
    unconfirmed,
)
from released_intacct.fakes import samples as s

READY = IntacctSetup(
    customer_sequencing=True,
    vendor_sequencing=True,
    account_labels=False,
    order_entry=True,
    purchasing=False,
    items=(
        Item(
            item_id=IntacctId("4000-s"),
            name="Rent [s]",
            gl_account_no=IntacctId("4000"),
            for_sales=True,
        ),
    ),
    tax_solution_external=True,
    subtotal_dimension_defaulting=True,
    base_currency="GBP",
)
UNREADABLE = replace(
    READY,
    customer_sequencing=None,
    vendor_sequencing=None,
    account_labels=None,
    tax_solution_external=None,
    subtotal_dimension_defaulting=None,
)
ALL_UNKNOWN = unconfirmed(UNREADABLE)


def _only_error(setup: IntacctSetup) -> SyncError:
    (error,) = check_prerequisites(setup)
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.C5)
    assert "Sage Intacct" in error.fix
    assert check_can_confirm(setup).failure() == error
    return error


def test_C5_ready_setup_may_be_confirmed() -> None:
    assert check_prerequisites(READY) == ()
    assert check_can_confirm(READY).unwrap() is READY
    assert {a.status for a in assess(READY)} == {Status.HOLDS}


def test_C5_D4_customer_and_vendor_sequencing_must_be_on() -> None:
    customers = _only_error(replace(READY, customer_sequencing=False))
    assert "Customers" in customers.message
    assert "Customer ID numbering" in customers.fix
    vendors = _only_error(replace(READY, vendor_sequencing=False))
    assert "Vendors" in vendors.message
    assert "Vendor ID numbering" in vendors.fix


def test_C5_D16_account_labels_must_be_off() -> None:
    error = _only_error(replace(READY, account_labels=True))
    assert "Account Labels" in error.message
    assert "D16" in error.message
    assert "turn Account Labels off" in error.fix


def test_C5_D17_order_entry_needs_items_and_external_tax() -> None:
    no_items = _only_error(replace(READY, items=()))
    assert "Items" in no_items.message
    assert "D17" in no_items.message
    tax = _only_error(replace(READY, tax_solution_external=False))
    assert "externally calculated tax" in tax.message
    assert "Tax solutions" in tax.fix


def test_C5_D17_order_entry_over_rest_fails_since_items_cannot_be_created_there() -> None:
    """Issue 20: the REST adapter cannot create Items (no page shows how, with their accounts),
    so a connection over REST that uses Order Entry or Purchasing is blocked at confirm naming
    the API and the two ways out, never left to fail each Item at sync; without the modules it
    does not apply, and it cannot be acknowledged away."""
    over_rest = replace(READY, item_creates=False)
    error = _only_error(over_rest)
    assert "REST API" in error.message
    assert "D17" in error.message
    assert 'intacct.api = "xml"' in error.fix
    assert check_prerequisites(over_rest, {Prerequisite.ITEM_CREATES}) == (error,)
    assert check_prerequisites(replace(over_rest, order_entry=False, purchasing=False)) == ()


def test_C5_D18_subtotal_dimension_defaulting_must_be_on() -> None:
    error = _only_error(replace(READY, subtotal_dimension_defaulting=False))
    assert "subtotal dimension defaulting" in error.message
    assert "D18" in error.message


def test_C5_D14_no_single_base_currency_fails_and_cannot_be_acknowledged() -> None:
    setup = replace(READY, base_currency=None)
    error = _only_error(setup)
    assert "base currency" in error.message
    assert "entity" in error.fix
    assert check_prerequisites(setup, {Prerequisite.BASE_CURRENCY}) == (error,)


def test_C5_D17_D18_module_checks_apply_only_with_order_entry_or_purchasing() -> None:
    no_modules = replace(
        READY,
        order_entry=False,
        purchasing=False,
        items=(),
        item_creates=False,
        tax_solution_external=False,
        subtotal_dimension_defaulting=False,
    )
    assert check_prerequisites(no_modules) == ()
    assert len(check_prerequisites(replace(no_modules, purchasing=True))) == 4


def test_C5_every_failure_is_named_and_confirm_reports_the_first() -> None:
    broken = replace(
        READY,
        customer_sequencing=False,
        vendor_sequencing=False,
        account_labels=True,
        items=(),
        tax_solution_external=False,
        subtotal_dimension_defaulting=False,
    )
    errors = check_prerequisites(broken)
    assert len(errors) == 6
    assert len({error.message for error in errors}) == 6
    assert check_can_confirm(broken).failure() == errors[0]


def test_correction_5_C5_an_unknown_prerequisite_blocks_until_acknowledged() -> None:
    assert {
        Prerequisite.CUSTOMER_SEQUENCING,
        Prerequisite.VENDOR_SEQUENCING,
        Prerequisite.ACCOUNT_LABELS_OFF,
        Prerequisite.EXTERNAL_TAX,
        Prerequisite.SUBTOTAL_DEFAULTING,
    } == ALL_UNKNOWN
    errors = check_prerequisites(UNREADABLE)
    assert len(errors) == 5
    for error in errors:
        assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.C5)
        assert error.message.startswith("Sage Intacct does not report whether")
        assert error.fix.startswith("Check it in Sage Intacct: ")
        assert "released-intacct acknowledge" in error.fix
    sequencing = next(
        a for a in assess(UNREADABLE) if a.prerequisite.value == "customer_sequencing"
    )
    assert "Customer ID numbering" in sequencing.where
    partly = ALL_UNKNOWN - {Prerequisite.SUBTOTAL_DEFAULTING}
    (left,) = check_prerequisites(UNREADABLE, partly)
    assert "subtotal dimensions" in left.message
    assert check_can_confirm(UNREADABLE, ALL_UNKNOWN).unwrap() is UNREADABLE
    marked = assess(UNREADABLE, ALL_UNKNOWN)
    assert all(a.acknowledged and not a.blocks for a in marked if a.status is Status.UNKNOWN)


def test_correction_5_C5_acknowledging_never_passes_a_known_failure() -> None:
    failing = replace(UNREADABLE, account_labels=True)
    (error,) = check_prerequisites(failing, set(Prerequisite))
    assert "Account Labels are on" in error.message


def _create(record: IntacctRecord, record_type: RecordType) -> CreateInIntacct:
    return CreateInIntacct(
        key=IdempotencyKey("k-1"),
        record_type=record_type,
        released_id=ReleasedId("r-1"),
        record=record,
        source_fingerprint="f",
    )


REFUSED = SyncError(
    kind=ErrorKind.REJECTED,
    rule=None,
    message="Intacct refused this record: Required field CUSTOMERID is missing.",
    fix="Correct the record, then sync again.",
)


def test_correction_5_D4_a_refused_new_customer_names_the_unconfirmed_sequencing() -> None:
    customer = _create(s.party(role=ContactRole.CUSTOMER, party_id=None), RecordType.CONTACT)
    told = explain(REFUSED, customer, ALL_UNKNOWN)
    assert told.rule is Rule.D4
    assert told.message.startswith(REFUSED.message)
    assert "document sequencing numbers new Customer IDs" in told.message
    assert "Customer ID numbering" in told.fix
    vendor = _create(s.party(role=ContactRole.VENDOR, party_id=None), RecordType.CONTACT)
    assert "Vendor ID numbering" in explain(REFUSED, vendor, ALL_UNKNOWN).fix


def test_correction_5_D16_D17_D18_a_refused_document_names_what_could_not_be_confirmed() -> None:
    plain = _create(s.transaction(), RecordType.INVOICE)
    assert explain(REFUSED, plain, ALL_UNKNOWN).rule is Rule.D16
    order = _create(s.transaction(transaction_definition="Sales Invoice"), RecordType.INVOICE)
    told = explain(REFUSED, order, ALL_UNKNOWN)
    assert told.rule is Rule.D16
    assert "externally calculated tax" in told.message
    assert "subtotal dimensions" in told.message
    only_tax = explain(REFUSED, order, {Prerequisite.EXTERNAL_TAX})
    assert only_tax.rule is Rule.D17


def test_correction_5_a_refusal_nothing_unconfirmed_explains_is_left_as_it_is() -> None:
    customer = _create(s.party(role=ContactRole.CUSTOMER, party_id=None), RecordType.CONTACT)
    assert explain(REFUSED, customer, frozenset()) is REFUSED
    ruled = replace(REFUSED, rule=Rule.D14)
    assert explain(ruled, customer, ALL_UNKNOWN) is ruled
    retriable = replace(REFUSED, kind=ErrorKind.RETRIABLE)
    assert explain(retriable, customer, ALL_UNKNOWN) is retriable
