"""Rule C2: a credential never shows itself in a repr, a str, a format or an error."""

from __future__ import annotations

import pickle

import pytest

from released_intacct.domain.ports import IntacctCredentials, OAuthCredentials
from released_intacct.domain.secret import Secret


def test_C2_secret_is_redacted_everywhere() -> None:
    secret = Secret("hunter2")
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", format(secret, ">20")):
        assert "hunter2" not in shown
    assert secret.reveal() == "hunter2"


def test_C2_credentials_repr_never_shows_passwords() -> None:
    credentials = IntacctCredentials(
        sender_id="sender",
        sender_password=Secret("sender-pass-1"),
        company_id="acme",
        user_id="ws_user",
        user_password=Secret("user-pass-2"),
    )
    shown = repr(credentials)
    assert "sender-pass-1" not in shown
    assert "user-pass-2" not in shown
    assert "ws_user" in shown


def test_C2_oauth_credentials_repr_never_shows_the_client_secret() -> None:
    credentials = OAuthCredentials(
        client_id="client-abc",
        client_secret=Secret("client-secret-789"),
        company_id="acme",
        user_id=None,
    )
    for shown in (repr(credentials), str(credentials), f"{credentials}"):
        assert "client-secret-789" not in shown
        assert "client-abc" in shown


def test_C2_secret_refuses_pickling() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret("x"))


def test_secret_equality_compares_values() -> None:
    assert Secret("a") == Secret("a")
    assert Secret("a") != Secret("b")
    assert not Secret("")
