"""What a Re-Leased user may do while connected: rules D1, D3, D7, D9, D20."""

from __future__ import annotations

import pytest
from returns.pipeline import is_successful

from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ReleasedId
from released_intacct.domain.rules.guard import GuardRequest, UserAction, guard

INTACCT_LISTS = (
    RecordType.ACCOUNT,
    RecordType.TAX_TYPE,
    RecordType.TRACKING_CATEGORY,
    RecordType.TRACKING_OPTION,
)
DOCUMENTS = (RecordType.INVOICE, RecordType.CREDIT_NOTE)


def _request(
    record_type: RecordType,
    action: UserAction,
    *,
    synced: bool = True,
    posted: bool = False,
    label: str = "",
) -> GuardRequest:
    return GuardRequest(
        record_type=record_type,
        action=action,
        synced=synced,
        posted=posted,
        released_id=ReleasedId("r-1"),
        label=label,
    )


def _refused(request: GuardRequest, rule: Rule) -> SyncError:
    result = guard(request, connected=True)
    assert not is_successful(result), f"{request} should be refused by {rule.value}"
    error = result.failure()
    assert (error.kind, error.rule) == (ErrorKind.REJECTED, rule)
    assert error.record is not None
    assert error.record.record_type is request.record_type
    assert error.record.released_id == "r-1"
    assert error.record.direction is Direction.OUTGOING
    return error


def _allowed(request: GuardRequest) -> bool:
    return is_successful(guard(request, connected=True))


@pytest.mark.parametrize("action", list(UserAction))
@pytest.mark.parametrize("record_type", list(RecordType))
def test_D1_nothing_is_refused_when_not_connected(
    record_type: RecordType, action: UserAction
) -> None:
    request = _request(record_type, action, posted=True)
    assert is_successful(guard(request, connected=False))


@pytest.mark.parametrize(
    "action",
    [
        UserAction.CREATE,
        UserAction.EDIT,
        UserAction.ARCHIVE,
        UserAction.UNARCHIVE,
        UserAction.DELETE,
    ],
)
@pytest.mark.parametrize("record_type", INTACCT_LISTS)
def test_D1_intacct_lists_cannot_be_changed_in_released(
    record_type: RecordType, action: UserAction
) -> None:
    for synced in (True, False):
        error = _refused(_request(record_type, action, synced=synced), Rule.D1)
        noun = record_type.value.replace("_", " ")
        assert noun in error.message
        assert "Sage Intacct" in error.fix
        assert "syncs here" in error.fix


def test_D1_message_names_the_record_and_the_fix() -> None:
    request = _request(RecordType.TAX_TYPE, UserAction.ARCHIVE, label="VAT 20%")
    error = _refused(request, Rule.D1)
    assert error.message.startswith("Tax type VAT 20% cannot be archived in Re-Leased")
    assert error.fix.startswith("Make it inactive in Sage Intacct")


def test_D3_contact_may_be_created_while_connected() -> None:
    assert _allowed(_request(RecordType.CONTACT, UserAction.CREATE, synced=False))


@pytest.mark.parametrize("action", [UserAction.EDIT, UserAction.ARCHIVE, UserAction.UNARCHIVE])
def test_D3_synced_contact_updates_and_archiving_are_refused(action: UserAction) -> None:
    request = _request(RecordType.CONTACT, action, label="Bloggs Property")
    error = _refused(request, Rule.D3)
    assert "Contact Bloggs Property" in error.message
    assert "would not reach Intacct" in error.message
    assert "Sage Intacct" in error.fix
    assert "flows back" in error.fix


@pytest.mark.parametrize("action", [UserAction.EDIT, UserAction.ARCHIVE, UserAction.UNARCHIVE])
def test_D3_unsynced_contact_may_be_changed(action: UserAction) -> None:
    assert _allowed(_request(RecordType.CONTACT, action, synced=False))


@pytest.mark.parametrize("record_type", DOCUMENTS)
def test_D7_void_of_a_synced_document_is_refused(record_type: RecordType) -> None:
    error = _refused(_request(record_type, UserAction.VOID, label="R-7"), Rule.D7)
    assert "R-7" in error.message
    assert record_type.value.replace("_", " ") in error.message.lower()
    assert error.fix.startswith("Reverse it in Sage Intacct")


@pytest.mark.parametrize("record_type", DOCUMENTS)
def test_D7_void_of_an_unsynced_document_is_allowed(record_type: RecordType) -> None:
    assert _allowed(_request(record_type, UserAction.VOID, synced=False))


@pytest.mark.parametrize("record_type", DOCUMENTS)
def test_D20_edit_of_a_synced_posted_document_is_refused(record_type: RecordType) -> None:
    error = _refused(_request(record_type, UserAction.EDIT, posted=True, label="R-8"), Rule.D20)
    assert "R-8" in error.message
    assert "posted" in error.message
    assert "Edit it in Sage Intacct" in error.fix


@pytest.mark.parametrize("record_type", DOCUMENTS)
def test_D20_unposted_synced_document_may_be_edited_and_approved(record_type: RecordType) -> None:
    assert _allowed(_request(record_type, UserAction.EDIT, posted=False))
    assert _allowed(_request(record_type, UserAction.APPROVE, posted=False))


@pytest.mark.parametrize("action", [UserAction.DELETE, UserAction.VOID])
def test_D9_removing_a_synced_payment_is_refused(action: UserAction) -> None:
    error = _refused(_request(RecordType.PAYMENT, action, label="BACS-12"), Rule.D9)
    assert "Payment BACS-12" in error.message
    assert "Sage Intacct" in error.fix


def test_D9_removing_an_unsynced_payment_is_allowed() -> None:
    assert _allowed(_request(RecordType.PAYMENT, UserAction.DELETE, synced=False))


def test_D20_synced_payment_is_never_edited() -> None:
    error = _refused(_request(RecordType.PAYMENT, UserAction.EDIT), Rule.D20)
    assert error.message.startswith("This payment is synced")
    assert "Remove it in Sage Intacct" in error.fix


def test_D20_payment_may_be_created_while_connected() -> None:
    assert _allowed(_request(RecordType.PAYMENT, UserAction.CREATE, synced=False))
