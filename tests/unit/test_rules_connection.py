"""Connecting the two companies: rules C1-C5 (with D16-D18 as set-up checks)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctCompanyId,
    ReleasedCompanyId,
)
from released_intacct.domain.ports import Entity, IntacctCredentials
from released_intacct.domain.rules.connection import (
    ConnectionRecord,
    check_link_change,
    check_new_link,
    choose_entity,
    fix_sync_from,
    validate_credentials,
    validate_sync_from,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.settings import EARLIEST_SYNC_FROM


def _refusal(result: Result[object, SyncError], kind: ErrorKind, rule: Rule) -> SyncError:
    assert not is_successful(result), f"expected a {rule.value} refusal, got {result}"
    error = result.failure()
    assert (error.kind, error.rule) == (kind, rule), error
    assert error.fix
    return error


# --- C4: the sync-from date ---------------------------------------------------------------------


def test_C4_sync_from_is_required() -> None:
    error = _refusal(validate_sync_from(None), ErrorKind.NEEDS_USER, Rule.C4)
    assert "sync-from date" in error.message
    assert "2018-01-01" in error.fix


def test_C4_sync_from_before_2018_is_refused() -> None:
    error = _refusal(validate_sync_from(date(2017, 12, 31)), ErrorKind.NEEDS_USER, Rule.C4)
    assert "sync-from date 2017-12-31" in error.message


def test_C4_sync_from_on_or_after_2018_is_accepted() -> None:
    assert validate_sync_from(EARLIEST_SYNC_FROM).unwrap() == date(2018, 1, 1)
    assert validate_sync_from(date(2025, 4, 6)).unwrap() == date(2025, 4, 6)


def test_C4_sync_from_may_change_until_confirmed() -> None:
    current, requested = date(2024, 1, 1), date(2024, 4, 1)
    assert fix_sync_from(current, requested, confirmed=False).unwrap() == requested
    _refusal(
        fix_sync_from(current, date(2010, 1, 1), confirmed=False), ErrorKind.NEEDS_USER, Rule.C4
    )


def test_C4_sync_from_is_fixed_once_confirmed() -> None:
    current = date(2024, 1, 1)
    error = _refusal(
        fix_sync_from(current, date(2023, 1, 1), confirmed=True), ErrorKind.REJECTED, Rule.C4
    )
    assert "2024-01-01" in error.message
    assert "2023-01-01" in error.message
    assert fix_sync_from(current, current, confirmed=True).unwrap() == current


# --- C2: credentials ----------------------------------------------------------------------------


def _credentials(**overrides: object) -> IntacctCredentials:
    base = IntacctCredentials(
        sender_id="sender-xyz",
        sender_password=Secret("sender-pass-123"),
        company_id="company-abc",
        user_id="ws-user",
        user_password=Secret("user-pass-456"),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def test_C2_complete_credentials_are_accepted() -> None:
    credentials = _credentials()
    assert validate_credentials(credentials).unwrap() is credentials


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("sender_id", "  ", "sender id"),
        ("sender_password", Secret(""), "sender password"),
        ("company_id", "", "company id"),
        ("user_id", "\t", "user id"),
        ("user_password", Secret(""), "user password"),
    ],
)
def test_C2_a_missing_field_is_named_and_no_value_is_shown(
    field: str, value: object, words: str
) -> None:
    error = _refusal(
        validate_credentials(_credentials(**{field: value})), ErrorKind.NEEDS_USER, Rule.C2
    )
    assert f"the {words} is missing" in error.message
    shown = f"{error} {error!r} {error.cause}"
    for secret_or_value in ("sender-xyz", "sender-pass-123", "company-abc", "user-pass-456"):
        assert secret_or_value not in shown


def test_C2_every_missing_field_is_named() -> None:
    error = _refusal(
        validate_credentials(_credentials(sender_id="", user_password=Secret(""))),
        ErrorKind.NEEDS_USER,
        Rule.C2,
    )
    assert "the sender id and user password are missing" in error.message


# --- C3: the entity -----------------------------------------------------------------------------

ENTITIES = (
    Entity(id=EntityId("UK"), name="United Kingdom"),
    Entity(id=EntityId("IE"), name="Ireland"),
)


def test_C3_company_without_entities_syncs_at_top_level() -> None:
    assert choose_entity((), EntityId("")).unwrap() == Entity(id=EntityId(""), name="Top level")


def test_C3_company_without_entities_refuses_an_entity() -> None:
    error = _refusal(choose_entity((), EntityId("UK")), ErrorKind.NEEDS_USER, Rule.C3)
    assert '"UK"' in error.message
    assert "top level" in error.fix


def test_C3_entity_must_be_one_of_the_company() -> None:
    assert choose_entity(ENTITIES, EntityId("IE")).unwrap() == ENTITIES[1]
    error = _refusal(choose_entity(ENTITIES, EntityId("FR")), ErrorKind.NEEDS_USER, Rule.C3)
    assert '"FR"' in error.message
    assert '"UK", "IE"' in error.fix
    _refusal(choose_entity(ENTITIES, EntityId("")), ErrorKind.NEEDS_USER, Rule.C3)


# --- C1: the link -------------------------------------------------------------------------------


def _record(released: str, intacct: str, entity: str = "", *, confirmed: bool) -> ConnectionRecord:
    return ConnectionRecord(
        released_company=ReleasedCompanyId(released),
        intacct_company=IntacctCompanyId(intacct),
        entity=EntityId(entity),
        confirmed=confirmed,
        connection=ConnectionId(f"{released}-{intacct}"),
    )


EXISTING = (
    _record("rl-acme", "ia-acme", "UK", confirmed=True),
    _record("rl-beta", "ia-beta", confirmed=False),
)


def _link(released: str, intacct: str, entity: str = "") -> Result[None, SyncError]:
    return check_new_link(
        EXISTING,
        released_company=ReleasedCompanyId(released),
        intacct_company=IntacctCompanyId(intacct),
        entity=EntityId(entity),
    )


def test_C1_new_pair_is_accepted() -> None:
    assert is_successful(_link("rl-new", "ia-new"))
    assert is_successful(_link("rl-new", "ia-acme", "IE"))


def test_C1_released_company_links_to_one_intacct_company_only() -> None:
    error = _refusal(_link("rl-acme", "ia-other"), ErrorKind.REJECTED, Rule.C1)
    assert "rl-acme" in error.message
    assert "ia-acme" in error.message
    assert "never be changed" in error.fix


def test_C1_intacct_company_and_entity_link_to_one_released_company_only() -> None:
    error = _refusal(_link("rl-new", "ia-acme", "UK"), ErrorKind.REJECTED, Rule.C1)
    assert "ia-acme" in error.message
    assert 'entity "UK"' in error.message
    assert "rl-acme" in error.message
    unconfirmed = _refusal(_link("rl-new", "ia-beta"), ErrorKind.REJECTED, Rule.C1)
    assert "rl-beta" in unconfirmed.message
    assert "top level" in unconfirmed.message
    assert "before its initial sync is confirmed" in unconfirmed.fix


def test_C1_confirmed_link_can_never_change() -> None:
    error = _refusal(check_link_change(EXISTING[0]), ErrorKind.REJECTED, Rule.C1)
    assert "rl-acme" in error.message
    assert "never be removed or changed" in error.message
    assert check_link_change(EXISTING[1]).unwrap() == EXISTING[1]
