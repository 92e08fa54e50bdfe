"""Who owns what: rules D1-D3 (and D7, D9, D17) as data."""

from __future__ import annotations

import pytest
from returns.pipeline import is_successful

from released_intacct.domain.enums import RecordType, System
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.rules.ownership import OWNERSHIP, Flow, may_create_in, record_noun

INTACCT_LISTS = (
    RecordType.ACCOUNT,
    RecordType.TAX_TYPE,
    RecordType.TRACKING_CATEGORY,
    RecordType.TRACKING_OPTION,
)


def test_ownership_covers_every_record_type() -> None:
    assert set(OWNERSHIP) == set(RecordType)
    assert all(OWNERSHIP[kind].record_type is kind for kind in RecordType)


@pytest.mark.parametrize("record_type", INTACCT_LISTS)
def test_D1_intacct_lists_flow_one_way_into_released(record_type: RecordType) -> None:
    ownership = OWNERSHIP[record_type]
    assert ownership.flow is Flow.INTACCT_TO_RELEASED
    assert ownership.rule is Rule.D1
    assert ownership.owner_of_updates is System.INTACCT
    assert ownership.intacct_owned


@pytest.mark.parametrize("record_type", [RecordType.INVOICE, RecordType.CREDIT_NOTE])
def test_D2_D7_documents_flow_both_ways_and_intacct_owns_voids(record_type: RecordType) -> None:
    ownership = OWNERSHIP[record_type]
    assert (ownership.flow, ownership.rule) == (Flow.BOTH_WAYS, Rule.D2)
    assert ownership.owner_of_voids is System.INTACCT
    assert not ownership.intacct_owned


def test_D2_D9_payments_flow_both_ways_and_intacct_owns_removal() -> None:
    ownership = OWNERSHIP[RecordType.PAYMENT]
    assert (ownership.flow, ownership.rule) == (Flow.BOTH_WAYS, Rule.D2)
    assert ownership.owner_of_voids is System.INTACCT


def test_D3_contacts_are_created_both_ways_and_updated_from_intacct() -> None:
    ownership = OWNERSHIP[RecordType.CONTACT]
    assert ownership.flow is Flow.CREATE_BOTH_WAYS_UPDATE_FROM_INTACCT
    assert ownership.rule is Rule.D3
    assert ownership.owner_of_updates is System.INTACCT
    assert ownership.owner_of_voids is None


def test_D17_items_are_kept_in_intacct_by_the_product() -> None:
    ownership = OWNERSHIP[RecordType.ITEM]
    assert (ownership.flow, ownership.rule) == (Flow.PRODUCT_MANAGED_IN_INTACCT, Rule.D17)
    assert is_successful(may_create_in(RecordType.ITEM, System.INTACCT))


@pytest.mark.parametrize("record_type", INTACCT_LISTS)
def test_D1_product_never_creates_an_intacct_list_record_in_intacct(
    record_type: RecordType,
) -> None:
    result = may_create_in(record_type, System.INTACCT)
    assert not is_successful(result)
    error = result.failure()
    assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.D1)
    assert record_noun(record_type) in error.message
    assert "Create the" in error.fix
    assert "Sage Intacct" in error.fix
    assert error.record is not None
    assert error.record.record_type is record_type


@pytest.mark.parametrize("record_type", list(RecordType))
def test_D1_anything_may_be_created_in_released(record_type: RecordType) -> None:
    assert is_successful(may_create_in(record_type, System.RELEASED))


@pytest.mark.parametrize(
    "record_type",
    [RecordType.CONTACT, RecordType.INVOICE, RecordType.CREDIT_NOTE, RecordType.PAYMENT],
)
def test_D2_two_way_records_may_be_created_in_intacct(record_type: RecordType) -> None:
    assert is_successful(may_create_in(record_type, System.INTACCT))


def test_record_noun_reads_as_words() -> None:
    assert record_noun(RecordType.TRACKING_OPTION) == "tracking option"
    assert record_noun(RecordType.CREDIT_NOTE) == "credit note"
