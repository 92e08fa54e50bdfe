"""Id translation through the link table: only LINKED links count (rules M1, M2, E2)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from returns.result import Result

from released_intacct.domain.enums import ContactRole, DimensionKind, RecordType, System
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.links import Link, LinkIndex, LinkStatus
from released_intacct.domain.mapping.translate import IdBook
from released_intacct.domain.released import TrackingRef


def _link(
    record_type: RecordType, released: str, key: str, status: LinkStatus = LinkStatus.LINKED
) -> Link:
    return Link(
        record_type=record_type,
        released_id=ReleasedId(released),
        intacct_key=IntacctKey(key),
        origin=System.INTACCT,
        status=status,
    )


def _book(*extra: Link) -> IdBook:
    return IdBook(
        LinkIndex(
            [
                _link(RecordType.CONTACT, "con-c", "CUSTOMER:C001"),
                _link(RecordType.CONTACT, "con-v", "VENDOR:C001"),
                _link(RecordType.ACCOUNT, "acc-4000", "4000"),
                _link(RecordType.TAX_TYPE, "tax-std", "Standard"),
                _link(RecordType.TRACKING_CATEGORY, "cat-dep", "DEPARTMENT"),
                _link(RecordType.TRACKING_OPTION, "opt-d1", "DEPARTMENT:D1"),
                _link(RecordType.TRACKING_CATEGORY, "cat-loc", "LOCATION"),
                _link(RecordType.TRACKING_OPTION, "opt-l1", "LOCATION:L1"),
                _link(RecordType.INVOICE, "inv-1", "101"),
                _link(RecordType.CREDIT_NOTE, "cn-1", "201"),
                *extra,
            ]
        )
    )


def test_M1_contacts_translate_both_ways_and_keep_customers_and_vendors_apart() -> None:
    book = _book()
    assert book.party_for_contact(ReleasedId("con-c")).unwrap() == (
        ContactRole.CUSTOMER,
        IntacctId("C001"),
    )
    assert book.party_for_contact(ReleasedId("con-v")).unwrap() == (
        ContactRole.VENDOR,
        IntacctId("C001"),
    )
    assert book.contact_for_party(ContactRole.CUSTOMER, IntacctId("C001")).unwrap() == "con-c"
    assert book.contact_for_party(ContactRole.VENDOR, IntacctId("C001")).unwrap() == "con-v"


def test_M1_accounts_tax_types_and_documents_translate_both_ways() -> None:
    book = _book()
    assert book.account_no(ReleasedId("acc-4000")).unwrap() == "4000"
    assert book.account_id(IntacctId("4000")).unwrap() == "acc-4000"
    assert book.tax_detail_id(ReleasedId("tax-std")).unwrap() == "Standard"
    assert book.tax_type_id(IntacctId("Standard")).unwrap() == "tax-std"
    assert book.document_key(RecordType.INVOICE, ReleasedId("inv-1")).unwrap() == "101"
    assert book.document_id(RecordType.CREDIT_NOTE, IntacctKey("201")).unwrap() == "cn-1"
    assert book.document_id(RecordType.INVOICE, IntacctKey("201")).failure().rule is Rule.M1


@pytest.mark.parametrize("kind", list(DimensionKind))
def test_M2_tracking_translates_both_ways_for_every_dimension_kind(kind: DimensionKind) -> None:
    book = _book(
        _link(RecordType.TRACKING_CATEGORY, f"cat-{kind.value}", kind.value),
        _link(RecordType.TRACKING_OPTION, f"opt-{kind.value}", f"{kind.value}:X-9"),
    )
    ref = book.tracking(kind, IntacctId("X-9")).unwrap()
    assert ref == TrackingRef(
        category_id=ReleasedId(f"cat-{kind.value}"), option_id=ReleasedId(f"opt-{kind.value}")
    )
    assert book.dimension(ref).unwrap() == (kind, IntacctId("X-9"))


def test_M1_missing_account_is_needs_user_naming_the_account_and_the_fix() -> None:
    error = _book().account_id(IntacctId("9999")).failure()
    assert error.kind is ErrorKind.NEEDS_USER
    assert error.rule is Rule.M1
    assert "9999" in error.message
    assert "not linked" in error.message
    assert "onboarding" in error.fix
    assert "relink" in error.fix
    assert error.record is not None
    assert error.record.intacct_key == "9999"


def test_M1_E2_an_unlinked_record_counts_as_not_linked() -> None:
    book = _book(
        _link(RecordType.ACCOUNT, "acc-5000", "5000", LinkStatus.UNLINKED),
        _link(RecordType.CONTACT, "con-x", "CUSTOMER:C9", LinkStatus.UNLINKED),
    )
    by_no = book.account_id(IntacctId("5000")).failure()
    by_id = book.account_no(ReleasedId("acc-5000")).failure()
    contact = book.party_for_contact(ReleasedId("con-x")).failure()
    assert all(e.kind is ErrorKind.NEEDS_USER for e in (by_no, by_id, contact))
    assert "was unlinked" in by_no.message
    assert "Relink it" in by_no.fix
    assert "5000" in by_no.message
    assert "acc-5000" in by_id.message
    assert "con-x" in contact.message


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("contact", "con-none"),
        ("party", "C404"),
        ("tax type", "tax-none"),
        ("tax detail", "Reduced"),
        ("document", "inv-none"),
    ],
)
def test_M1_every_lookup_names_what_is_not_linked(missing: str, named: str) -> None:
    book = _book()
    lookups: dict[str, Callable[[], Result[object, SyncError]]] = {
        "contact": lambda: book.party_for_contact(ReleasedId(named)),
        "party": lambda: book.contact_for_party(ContactRole.CUSTOMER, IntacctId(named)),
        "tax type": lambda: book.tax_detail_id(ReleasedId(named)),
        "tax detail": lambda: book.tax_type_id(IntacctId(named)),
        "document": lambda: book.document_key(RecordType.INVOICE, ReleasedId(named)),
    }
    error = lookups[missing]().failure()
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.M1)
    assert named in error.message


def test_M2_missing_tracking_option_or_category_is_needs_user() -> None:
    book = _book(_link(RecordType.TRACKING_OPTION, "opt-p1", "PROJECT:P1"))
    no_option = book.tracking(DimensionKind.CLASS, IntacctId("K1")).failure()
    no_category = book.tracking(DimensionKind.PROJECT, IntacctId("P1")).failure()
    unknown_ref = book.dimension(
        TrackingRef(category_id=ReleasedId("cat-dep"), option_id=ReleasedId("opt-none"))
    ).failure()
    assert [e.rule for e in (no_option, no_category, unknown_ref)] == [Rule.M2] * 3
    assert "Class K1" in no_option.message
    assert "Project" in no_category.message
    assert "opt-none" in unknown_ref.message


def test_M2_option_used_under_another_category_is_refused() -> None:
    ref = TrackingRef(category_id=ReleasedId("cat-loc"), option_id=ReleasedId("opt-d1"))
    error = _book().dimension(ref).failure()
    assert (error.kind, error.rule) == (ErrorKind.NEEDS_USER, Rule.M2)
    assert "opt-d1" in error.message
    assert "Department" in error.fix
