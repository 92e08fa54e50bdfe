"""Rule C2 over both APIs (issue 20): OAuth 2 credentials, and a connection's ``intacct.api``
(validated, kept, and shown by the admin API and the CLI's status)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import msgspec
import pytest
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.app.admin.views import ConnectionView
from released_intacct.app.cli.status import fields
from released_intacct.app.company_status import CompanyStatus
from released_intacct.domain.enums import IntacctApi
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.ports import IntacctCredentials, OAuthCredentials
from released_intacct.domain.rules.connection import (
    api_change_refusal,
    api_of,
    api_refusal,
    parse_api,
    validate_credentials,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection

CLIENT_SECRET = "client-secret-789"


def _oauth(**overrides: object) -> OAuthCredentials:
    base = OAuthCredentials(
        client_id="client-abc",
        client_secret=Secret(CLIENT_SECRET),
        company_id="company-abc",
        user_id="ws-user",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


XML = IntacctCredentials(
    sender_id="sender-xyz",
    sender_password=Secret("sender-pass-123"),
    company_id="company-abc",
    user_id="ws-user",
    user_password=Secret("user-pass-456"),
)


def _refusal(result: Result[object, SyncError], kind: ErrorKind) -> SyncError:
    assert not is_successful(result), f"expected a refusal, got {result}"
    error = result.failure()
    assert (error.kind, error.rule) == (kind, Rule.C2), error
    assert error.fix
    return error


@pytest.mark.parametrize("user_id", ["ws-user", None])
def test_C2_complete_oauth_credentials_are_accepted_with_or_without_a_user(
    user_id: str | None,
) -> None:
    credentials = _oauth(user_id=user_id)
    assert validate_credentials(credentials).unwrap() is credentials


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("client_id", "  ", "client id"),
        ("client_secret", Secret(""), "client secret"),
        ("company_id", "", "company id"),
        ("user_id", " ", "user id"),
    ],
)
def test_C2_a_missing_oauth_field_is_named_with_the_fix_and_no_secret_shown(
    field: str, value: object, words: str
) -> None:
    error = _refusal(validate_credentials(_oauth(**{field: value})), ErrorKind.NEEDS_USER)
    assert f"the {words} is missing" in error.message
    assert "client secret" in error.fix
    assert 'intacct.api = "rest"' in error.fix
    assert CLIENT_SECRET not in f"{error} {error!r} {error.cause}"


def test_C2_every_missing_oauth_field_is_named() -> None:
    error = _refusal(
        validate_credentials(_oauth(client_id="", client_secret=Secret(""))), ErrorKind.NEEDS_USER
    )
    assert "the client id and client secret are missing" in error.message


def test_C2_the_api_of_credentials_is_their_kind() -> None:
    assert api_of(XML) is IntacctApi.XML
    assert api_of(_oauth()) is IntacctApi.REST


@pytest.mark.parametrize(
    ("raw", "api"), [("xml", IntacctApi.XML), (" REST ", IntacctApi.REST), ("Xml", IntacctApi.XML)]
)
def test_C2_intacct_api_is_read_from_text(raw: str, api: IntacctApi) -> None:
    assert parse_api(raw).unwrap() is api


@pytest.mark.parametrize("raw", ["soap", "", "json"])
def test_C2_an_unknown_intacct_api_names_the_setting_and_the_allowed_values(raw: str) -> None:
    error = _refusal(parse_api(raw), ErrorKind.NEEDS_USER)
    assert "intacct.api" in error.message
    assert '"xml" or "rest"' in error.fix


def test_C2_credentials_of_the_other_api_are_refused_naming_what_the_api_needs() -> None:
    assert api_refusal(IntacctApi.XML, XML) is None
    assert api_refusal(IntacctApi.REST, _oauth()) is None
    to_rest = api_refusal(IntacctApi.REST, XML)
    assert to_rest is not None
    assert (to_rest.kind, to_rest.rule) == (ErrorKind.NEEDS_USER, Rule.C2)
    assert 'intacct.api = "rest"' in to_rest.message
    assert "OAuth 2 client" in to_rest.message
    to_xml = api_refusal(IntacctApi.XML, _oauth())
    assert to_xml is not None
    assert "Web Services user" in to_xml.message
    for error in (to_rest, to_xml):
        shown = f"{error} {error!r}"
        assert CLIENT_SECRET not in shown
        assert "user-pass-456" not in shown


def test_C2_a_connection_keeps_its_api() -> None:
    stored = Connection(
        id=ConnectionId("c1"),
        released_company=ReleasedCompanyId("RL-1"),
        intacct_company=IntacctCompanyId("INT-1"),
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert stored.api is IntacctApi.XML
    assert api_change_refusal(stored, replace(stored, phase=stored.phase)) is None
    error = api_change_refusal(stored, replace(stored, api=IntacctApi.REST))
    assert error is not None
    assert (error.kind, error.rule) == (ErrorKind.REJECTED, Rule.C2)
    assert '"xml"' in error.message
    assert '"rest"' in error.message


def test_C2_the_admin_view_and_the_cli_status_show_the_connection_s_api() -> None:
    connection = Connection(
        id=ConnectionId("c1"),
        released_company=ReleasedCompanyId("RL-1"),
        intacct_company=IntacctCompanyId("INT-1"),
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        api=IntacctApi.REST,
    )
    shown = msgspec.json.decode(msgspec.json.encode(ConnectionView.of(connection)))
    assert shown["api"] == "rest"
    status = CompanyStatus(
        connection=connection, last_run=None, running=False, next_run=None, transactions_spent=0
    )
    assert ("intacct.api", "rest") in fields(status)
    xml = replace(status, connection=replace(connection, api=IntacctApi.XML))
    assert ("intacct.api", "xml") in fields(xml)
