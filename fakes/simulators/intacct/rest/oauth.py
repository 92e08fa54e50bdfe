"""OAuth 2 at ``POST /oauth2/token`` and ``GET /oauth2/authorize`` (spec section 9).

Grants: ``client_credentials`` (``username`` ``user@companyID``, a Web Services user of that
company), ``authorization_code`` (a code from ``authorize``, single use, good for 10 minutes:
RFC 6749 4.1.2's "maximum ... of 10 minutes", **inferred** for Intacct) and ``refresh_token``.
Refresh tokens **rotate**: each refresh answers a new one and spends the old, which is refused
from then on ([FYREST] ``intacctsdk/intacctsdk.py`` keeps the ``refresh_token`` of every token
reply). The client-credentials reply carries a refresh token too ([FYREST] reads it);
``authorization_code`` only with ``scope`` ``offline_access`` (spec section 9). An access token
lasts the company's ``access_token_seconds`` (``expires_in``; 3600 by default, **inferred**).

Errors (docs/intacct-rest.md section 2, "What a refused token request answers"): the gateway's
codes where the error page lists them ([RESTDOC] docs/rest/error-handling.md, "4XX Gateway Error
Codes") as ``ia::error``: HTTP 401 ``GW-0011`` "Invalid Request" for an unknown client, a wrong
secret, an unknown company, a sender the company has not authorized or a user who is not one of
its Web Services users (the status, and GW-0011 for the last three, **inferred**); HTTP 400 for
``GW-0012``, ``GW-0032``, ``GW-0035`` to ``GW-0039`` and ``GW-0015`` "Missing <name> Attribute"
for another missing parameter. A spent, unknown or revoked refresh token, and a used, expired or
unknown code, answer 400 ``{"error": {"code": "tokenInvalid", "message": "Token is not valid",
"errorId": "REST-2102"}}`` (the shape a third party observed, [NANGO]; for a code **inferred**).

**Re-authorization**: exchanging a new authorization code for the same client, company and user
ends the refresh token the earlier authorization left (and so its whole rotation), whether or
not the new one asked ``offline_access``: a third party observed that the earlier connection's
refresh then fails with ``tokenInvalid`` ([NANGO]; Sage's OAuth page does not say, so it is
**inferred** as a rule). The earlier access token lasts until it expires, and client-credentials
grants, other users and other clients are untouched (**inferred**).

The authorize endpoint stands in for Sage's login page: it signs in the user the client is
configured with for the company (``company_id``, a simulator-only parameter, picks one when the
client has several) and redirects with ``code`` and ``state``. A redirect URI must be one the
client registered; a loopback one (``127.0.0.1``, ``localhost``) matches on any port (RFC 8252
7.3).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qs, urlencode, urlsplit

from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestError,
    RestReply,
    encode,
    failed,
)
from released_intacct.fakes.simulators.intacct.rest.state import (
    AccessToken,
    Code,
    Grant,
    OAuthClient,
    RefreshToken,
)

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator

CODE_LIFETIME: Final = timedelta(minutes=10)
_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})
Form = dict[str, list[str]]


class TokenInvalidError(Exception):
    """A refresh token or code that cannot be spent (``tokenInvalid``)."""


TOKEN_INVALID: Final = {
    "error": {"code": "tokenInvalid", "message": "Token is not valid", "errorId": "REST-2102"}
}


def _gateway(code: str, message: str, status: int = 400) -> RestError:
    return RestError(status, code, message)


def _refused() -> RestError:
    return _gateway("GW-0011", "Invalid Request", 401)


def _one(form: Form, name: str, *, missing: RestError | None = None) -> str:
    values = form.get(name, [])
    if len(values) > 1:
        raise _gateway(*_MULTIPLE.get(name, ("GW-0032", f"Invalid Token Payload: {name} twice")))
    if not values or not values[0]:
        raise missing or _gateway("GW-0015", f"Missing {name} Attribute")
    return values[0]


_MULTIPLE: Final = {
    "client_id": ("GW-0038", "Multiple Client IDs"),
    "username": ("GW-0039", "Multiple Usernames"),
}


def token(sim: Simulator, body: bytes) -> RestReply:
    """The token endpoint's reply to a form-encoded ``body``."""
    try:
        form = _form(body)
        return _token(sim, form)
    except RestError as error:
        return failed(error)
    except TokenInvalidError:
        return RestReply(400, encode(TOKEN_INVALID))


def _form(body: bytes) -> Form:
    if not body.strip():
        raise _gateway("GW-0035", "Missing Token Payload")
    try:
        return parse_qs(body.decode(), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as error:
        raise _gateway("GW-0032", "Invalid Token Payload: not attribute-value pairs") from error


def _token(sim: Simulator, form: Form) -> RestReply:
    client_id = _one(form, "client_id", missing=_gateway("GW-0037", "Missing Client ID"))
    client = sim.rest.clients.get(client_id)
    if client is None:
        raise _refused()
    grant_type = _one(form, "grant_type", missing=_gateway("GW-0032", "Invalid Token Payload"))
    if grant_type not in _GRANTS:
        raise _gateway("GW-0032", f"Invalid Token Payload: grant_type {grant_type!r}")
    if not secrets.compare_digest(_one(form, "client_secret"), client.secret):
        raise _refused()
    grant, refresh = _GRANTS[grant_type](sim, client, form)
    return _issue(sim, grant, refresh=refresh)


def _client_credentials(sim: Simulator, client: OAuthClient, form: Form) -> tuple[Grant, bool]:
    if "username" not in form:
        raise _gateway("GW-0036", "Missing User Name")
    username = _one(form, "username", missing=_gateway("GW-0036", "Missing User Name"))
    user_id, at, company_id = username.rpartition("@")
    if not at or not user_id or not company_id:
        raise _gateway("GW-0012", "Missing Tenant Data")
    company = sim.companies.get(company_id)
    if company is None or client.sender not in company.senders or user_id not in company.users:
        raise _refused()
    return Grant(client.client_id, company_id, user_id), True


def _authorization_code(sim: Simulator, client: OAuthClient, form: Form) -> tuple[Grant, bool]:
    code = sim.rest.codes.pop(_one(form, "code"), None)
    redirect_uri = _one(form, "redirect_uri")
    if code is None or code.expires_at <= sim.clock():
        raise TokenInvalidError
    if code.grant.client_id != client.client_id or code.redirect_uri != redirect_uri:
        raise TokenInvalidError
    sim.rest.reauthorize(code.grant)
    return code.grant, code.offline


def _refresh_token(sim: Simulator, client: OAuthClient, form: Form) -> tuple[Grant, bool]:
    found = sim.rest.refresh.get(_one(form, "refresh_token"))
    if found is None or found.grant.client_id != client.client_id or found.spent:
        raise TokenInvalidError
    found.spent = True
    return found.grant, True


_GRANTS: Final = {
    "client_credentials": _client_credentials,
    "authorization_code": _authorization_code,
    "refresh_token": _refresh_token,
}


def _issue(sim: Simulator, grant: Grant, *, refresh: bool) -> RestReply:
    seconds = sim.companies[grant.company_id].settings.access_token_seconds
    access = secrets.token_urlsafe(32)
    sim.rest.access[access] = AccessToken(grant, sim.clock() + timedelta(seconds=seconds))
    data: dict[str, object] = {
        "token_type": "Bearer",
        "access_token": access,
        "expires_in": seconds,
    }
    if refresh:
        renewal = secrets.token_urlsafe(32)
        sim.rest.refresh[renewal] = RefreshToken(grant)
        data["refresh_token"] = renewal
    return RestReply(
        200, encode(data), {"content-type": "application/json", "cache-control": "no-store"}
    )


def authorize(sim: Simulator, query: Form) -> RestReply:
    """The simulated login: a redirect to the client's URI with ``code`` and ``state``."""
    try:
        client = sim.rest.clients.get(
            _one(query, "client_id", missing=_gateway("GW-0037", "Missing Client ID"))
        )
        if client is None:
            raise _refused()
        redirect_uri = _one(query, "redirect_uri")
        if not _registered(client, redirect_uri):
            raise RestError(
                400, "invalidRequest", f"redirect_uri {redirect_uri!r} is not registered"
            )
    except RestError as error:
        return failed(error)
    state = query.get("state", [""])[0]
    if query.get("response_type", [""])[0] != "code":
        return _redirect(redirect_uri, {"error": "unsupported_response_type", "state": state})
    company_id = query.get("company_id", [""])[0] or (
        next(iter(client.logins)) if len(client.logins) == 1 else ""
    )
    user_id = client.logins.get(company_id)
    company = sim.companies.get(company_id)
    if user_id is None or company is None or client.sender not in company.senders:
        return _redirect(redirect_uri, {"error": "access_denied", "state": state})
    offline = "offline_access" in query.get("scope", [""])[0].split()
    code = secrets.token_urlsafe(24)
    grant = Grant(client.client_id, company_id, user_id, authorized=True)
    sim.rest.codes[code] = Code(grant, redirect_uri, sim.clock() + CODE_LIFETIME, offline)
    return _redirect(redirect_uri, {"code": code, "state": state})


def _redirect(uri: str, params: dict[str, str]) -> RestReply:
    joiner = "&" if urlsplit(uri).query else "?"
    return RestReply(302, b"", {"location": f"{uri}{joiner}{urlencode(params)}"})


def _registered(client: OAuthClient, uri: str) -> bool:
    if uri in client.redirect_uris:
        return True
    asked = urlsplit(uri)
    if asked.hostname not in _LOOPBACK:
        return False
    where = (asked.scheme, asked.hostname, asked.path)
    return any((k.scheme, k.hostname, k.path) == where for k in map(urlsplit, client.redirect_uris))
