"""The REST simulator's OAuth 2: the three grants, rotating refresh tokens, expiry, the
authorize redirect, the token endpoint's errors and the control routes that end tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from released_intacct.fakes.restsim import CLIENT, RestSim, company
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.config import ConfigError, load_company
from released_intacct.fakes.simulators.intacct.rest.oauth import TOKEN_INVALID
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
REDIRECT = "http://127.0.0.1/oauth/callback"
ACCOUNTS = "/objects/general-ledger/account"


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    load_company(sim, company(settings={"access_token_seconds": 600}), now=NOW)
    return sim


@pytest.fixture
def api(sim: Simulator) -> RestSim:
    return RestSim(create_app(sim))


def _refresh(api: RestSim, token: str) -> object:
    return api.token(
        grant_type="refresh_token",
        client_id=CLIENT[0],
        client_secret=CLIENT[1],
        refresh_token=token,
    )


def _code(api: RestSim, **params: str) -> dict[str, list[str]]:
    query = {"response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT}
    response = api.get("/oauth2/authorize", params={**query, "state": "s1", **params})
    assert response.status_code == 302
    return parse_qs(urlsplit(response.headers["location"]).query)


def test_client_credentials_answers_a_bearer_token_that_opens_the_api(api: RestSim) -> None:
    response = api.token()
    body = response.json()
    assert (response.status_code, body["token_type"], body["expires_in"]) == (200, "Bearer", 600)
    assert body["refresh_token"]
    assert api.get(ACCOUNTS).status_code == 200


@pytest.mark.parametrize(
    ("username", "status", "code"),
    [("ws_user", 400, "GW-0012"), ("ws_user@NOPE", 401, "GW-0011"), ("", 400, "GW-0036")],
)
def test_client_credentials_refuses_a_username_without_a_known_tenant(
    api: RestSim, username: str, status: int, code: str
) -> None:
    form = {"grant_type": "client_credentials", "client_id": CLIENT[0]}
    response = api.token(**form, client_secret=CLIENT[1], username=username)
    assert (response.status_code, response.json()["ia::error"]["code"]) == (status, code)


def test_client_credentials_needs_a_user_of_the_company(api: RestSim) -> None:
    response = api.token(
        grant_type="client_credentials",
        client_id=CLIENT[0],
        client_secret=CLIENT[1],
        username="stranger@DEMO",
    )
    assert (response.status_code, response.json()["ia::error"]["code"]) == (401, "GW-0011")


def test_client_credentials_needs_the_clients_sender_authorized_for_the_company(
    sim: Simulator, api: RestSim
) -> None:
    sim.companies["DEMO"].senders.clear()
    assert api.token().json()["ia::error"]["code"] == "GW-0011"


def test_a_wrong_secret_or_an_unknown_client_is_401_gw_0011(api: RestSim) -> None:
    form = {"grant_type": "client_credentials", "username": "ws_user@DEMO"}
    wrong = api.token(**form, client_id=CLIENT[0], client_secret="x")
    unknown = api.token(**form, client_id="stranger", client_secret=CLIENT[1])
    for response in (wrong, unknown):
        assert (response.status_code, response.json()["ia::error"]) == (
            401,
            {"code": "GW-0011", "message": "Invalid Request"},
        )


def test_a_missing_parameter_is_gw_0015_naming_it(api: RestSim) -> None:
    response = api.token(grant_type="refresh_token", client_id=CLIENT[0], client_secret=CLIENT[1])
    assert (response.status_code, response.json()["ia::error"]["code"]) == (400, "GW-0015")
    assert "refresh_token" in response.json()["ia::error"]["message"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", "GW-0035"),
        (b"grant_type=client_credentials", "GW-0037"),
        (b"client_id=demo-client&client_id=other", "GW-0038"),
        (b"client_id=demo-client&grant_type=password", "GW-0032"),
    ],
)
def test_token_endpoint_gateway_errors(api: RestSim, body: bytes, code: str) -> None:
    response = api.post(
        "/oauth2/token",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert (response.status_code, response.json()["ia::error"]["code"]) == (400, code)


def test_refresh_tokens_rotate_and_a_spent_one_is_refused(api: RestSim) -> None:
    first = api.token().json()["refresh_token"]
    renewed = _refresh(api, first)
    assert renewed.status_code == 200  # type: ignore[attr-defined]
    second = renewed.json()["refresh_token"]  # type: ignore[attr-defined]
    assert second != first
    spent = _refresh(api, first)
    assert (spent.status_code, spent.json()) == (400, TOKEN_INVALID)  # type: ignore[attr-defined]
    assert _refresh(api, second).status_code == 200  # type: ignore[attr-defined]


def test_an_access_token_expires_by_the_simulators_clock(sim: Simulator, api: RestSim) -> None:
    api.token()
    sim.advance(timedelta(seconds=599))
    assert api.get(ACCOUNTS).status_code == 200
    sim.advance(timedelta(seconds=1))
    response = api.get(ACCOUNTS)
    assert (response.status_code, response.json()["ia::error"]["code"]) == (401, "GW-0031")


def test_authorization_code_signs_in_the_configured_user_once(sim: Simulator, api: RestSim) -> None:
    found = _code(api, scope="offline_access")
    assert found["state"] == ["s1"]
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT[0],
        "client_secret": CLIENT[1],
        "code": found["code"][0],
        "redirect_uri": REDIRECT,
    }
    response = api.token(**form)
    assert response.status_code == 200
    assert response.json()["refresh_token"]
    (token,) = sim.rest.access.values()
    assert (token.grant.company_id, token.grant.user_id) == ("DEMO", "admin")
    again = api.token(**form)
    assert (again.status_code, again.json()) == (400, TOKEN_INVALID)


def _authorized(api: RestSim) -> dict[str, object]:
    """The token reply of a new authorization (``offline_access``) of the demo client's login."""
    response = api.token(
        grant_type="authorization_code",
        client_id=CLIENT[0],
        client_secret=CLIENT[1],
        code=_code(api, scope="offline_access")["code"][0],
        redirect_uri=REDIRECT,
    )
    assert response.status_code == 200
    body: dict[str, object] = response.json()
    return body


def test_a_new_authorization_ends_the_earlier_ones_refresh_token(api: RestSim) -> None:
    """[NANGO]: after another authorization for the same user and company, the earlier
    connection's refresh fails ``tokenInvalid`` while the new one works; the earlier access
    token lasts until it expires, and a client-credentials grant is untouched."""
    machine = api.token().json()["refresh_token"]
    first = _authorized(api)
    renewed = _refresh(api, str(first["refresh_token"])).json()  # type: ignore[attr-defined]
    earlier_access = str(first["access_token"])
    second = _authorized(api)
    refused = _refresh(api, str(renewed["refresh_token"]))
    assert (refused.status_code, refused.json()) == (400, TOKEN_INVALID)  # type: ignore[attr-defined]
    assert _refresh(api, str(second["refresh_token"])).status_code == 200  # type: ignore[attr-defined]
    assert _refresh(api, machine).status_code == 200  # type: ignore[attr-defined]
    api.access_token = earlier_access
    assert api.get(ACCOUNTS).status_code == 200


def test_an_authorization_code_refused_ends_nothing(api: RestSim) -> None:
    first = _authorized(api)
    unused = _code(api, scope="offline_access")["code"][0]
    wrong = api.token(
        grant_type="authorization_code",
        client_id=CLIENT[0],
        client_secret=CLIENT[1],
        code=unused,
        redirect_uri="http://127.0.0.1/elsewhere",
    )
    assert wrong.json() == TOKEN_INVALID
    assert _refresh(api, str(first["refresh_token"])).status_code == 200  # type: ignore[attr-defined]


def test_authorization_code_without_offline_access_gets_no_refresh_token(api: RestSim) -> None:
    found = _code(api)
    response = api.token(
        grant_type="authorization_code",
        client_id=CLIENT[0],
        client_secret=CLIENT[1],
        code=found["code"][0],
        redirect_uri=REDIRECT,
    )
    assert response.status_code == 200
    assert "refresh_token" not in response.json()


def test_a_code_expires_after_ten_minutes(sim: Simulator, api: RestSim) -> None:
    code = _code(api)["code"][0]
    sim.advance(timedelta(minutes=10))
    response = api.token(
        grant_type="authorization_code",
        client_id=CLIENT[0],
        client_secret=CLIENT[1],
        code=code,
        redirect_uri=REDIRECT,
    )
    assert response.json()["error"]["code"] == "tokenInvalid"


def test_authorize_takes_a_loopback_redirect_on_any_port_and_refuses_others(api: RestSim) -> None:
    assert "code" in _code(api, redirect_uri="http://127.0.0.1:8765/oauth/callback")
    query = {
        "response_type": "code",
        "client_id": CLIENT[0],
        "redirect_uri": "https://evil.example/",
    }
    response = api.get("/oauth2/authorize", params=query)
    assert (response.status_code, response.json()["ia::error"]["code"]) == (400, "invalidRequest")


def test_control_routes_expire_access_tokens_and_revoke_refresh_tokens(api: RestSim) -> None:
    refresh = api.token().json()["refresh_token"]
    assert api.post("/_sim/tokens/expire", json={"company_id": "DEMO"}).json() == {"ended": 1}
    assert api.get(ACCOUNTS).status_code == 401
    assert _refresh(api, refresh).status_code == 200  # type: ignore[attr-defined]
    assert api.post("/_sim/tokens/revoke").json()["ended"] == 2
    assert api.get(ACCOUNTS).status_code == 401


def test_a_client_whose_login_is_not_a_user_is_a_config_error() -> None:
    config = company()
    clients = {"c": {"secret": "s", "sender": "demo-sender", "login": "nobody"}}
    with pytest.raises(ConfigError, match=r"oauth_clients\.c\.login"):
        load_company(Simulator(), {**config, "oauth_clients": clients}, now=NOW)
