"""The admin API's door: a bearer token on every route but health, the OAuth callback and the
public docs (401 otherwise, also with no token configured), the OpenAPI document matching the
route table, and mounting under a prefix."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount, Route

from released_intacct.app import admin
from released_intacct.app.admin import create_admin_app
from released_intacct.app.admin.authorizations import CALLBACK_PATH
from released_intacct.app.admin.docs import ASSETS_PATH, REDOC_PATH, SWAGGER_PATH
from released_intacct.app.admin.openapi import OPENAPI_PATH
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.ids import EntityId, ReleasedCompanyId
from released_intacct.domain.ports import Credentials, IntacctPort, ReleasedPort
from released_intacct.domain.secret import Secret
from released_intacct.fakes.state_store import FakeStateStore

TOKEN = "admin-auth-token-61c5f8e3a04d9b27"


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 5, 1, tzinfo=UTC)


def _unreachable_intacct(credentials: Credentials, entity: EntityId | None) -> IntacctPort:
    raise AssertionError("no route of these tests reaches Intacct")


def _unreachable_released(company: ReleasedCompanyId) -> ReleasedPort:
    raise AssertionError("no route of these tests reaches Re-Leased")


def _service() -> Service:
    ports = Ports(store=FakeStateStore(), intacct_for=_unreachable_intacct,
                  released_for=_unreachable_released, clock=_Clock())  # fmt: skip
    return Service(ports)


def _routes(app: Starlette) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        assert isinstance(route, Route)
        for method in route.methods or ():
            if method != "HEAD":
                found.add((method, route.path))
    return found


def _concrete(path: str) -> str:
    values = {"step": "contacts", "recordType": "invoice", "n": "1"}
    return re.sub(r"{([^}]+)}", lambda m: values.get(m.group(1), "conn-x"), path)


def _call(app: Starlette, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://admin") as client:
            return await client.request(method, path, headers=headers, json={})

    return asyncio.run(go())


APP = create_admin_app(_service(), token=Secret(TOKEN))
DOCS = {SWAGGER_PATH, REDOC_PATH, f"{ASSETS_PATH}/{{folder}}/{{name}}"}
"""The docs pages: not API routes, so not in the document."""
PUBLIC = {"/health", OPENAPI_PATH, CALLBACK_PATH, *DOCS}
"""The OAuth callback too: the browser Intacct sends back has no token; the state it carries,
issued once behind the token, is its credential (``test_admin_oauth``)."""
GUARDED = sorted(r for r in _routes(APP) if r[1] not in PUBLIC)


def test_the_package_exports_a_sorted_all() -> None:
    assert admin.__all__ == sorted(admin.__all__) == ["create_admin_app"]


@pytest.mark.parametrize(("method", "path"), GUARDED)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}, {"Authorization": "Basic x"}],
    ids=["none", "wrong", "no-scheme", "basic"],
)
def test_C2_every_route_but_health_needs_the_token(
    method: str, path: str, headers: dict[str, str]
) -> None:
    reply = _call(APP, method, _concrete(path), headers)
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert reply.json()["error"]["kind"] == "unauthorized"


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_C2_with_no_token_configured_every_route_but_health_is_refused(
    method: str, path: str
) -> None:
    closed = create_admin_app(_service(), token=None)
    reply = _call(closed, method, _concrete(path), {"Authorization": "Bearer "})
    assert reply.status_code == 401
    assert "No admin token is configured" in reply.json()["error"]["message"]


def test_health_answers_without_a_token() -> None:
    reply = _call(create_admin_app(_service(), token=None), "GET", "/health", {})
    assert (reply.status_code, reply.json()) == (200, {"status": "ok"})


def test_F11_a_token_shorter_than_32_characters_is_refused_without_showing_it() -> None:
    short = TOKEN[:31]
    with pytest.raises(ValueError, match="at least 32 characters") as raised:
        create_admin_app(_service(), token=Secret(short))
    assert short not in str(raised.value)
    assert "secrets.token_urlsafe(32)" in str(raised.value)
    create_admin_app(_service(), token=Secret(TOKEN[:32]))


def test_the_token_opens_the_routes() -> None:
    reply = _call(APP, "GET", "/connections", {"Authorization": f"Bearer {TOKEN}"})
    assert (reply.status_code, reply.json()) == (200, {"connections": []})


def test_an_unknown_connection_is_404() -> None:
    reply = _call(APP, "GET", "/connections/conn-x/status", {"Authorization": f"Bearer {TOKEN}"})
    assert reply.status_code == 404
    assert reply.json()["error"]["kind"] == "not_found"


def test_the_openapi_document_matches_the_routes() -> None:
    reply = _call(APP, "GET", "/openapi.json", {"Authorization": f"Bearer {TOKEN}"})
    document = reply.json()
    assert document["openapi"].startswith("3.1")
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert documented == {r for r in _routes(APP) if r[1] not in DOCS}
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        for operation in item.values():
            body = operation.get("requestBody")
            if body is not None:
                ref = body["content"]["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in schemas, path
            placeholders = set(re.findall(r"{([^}]+)}", path))
            named = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert named == placeholders, path


def test_the_openapi_document_shows_no_password() -> None:
    reply = _call(APP, "GET", "/openapi.json", {"Authorization": f"Bearer {TOKEN}"})
    credentials = reply.json()["components"]["schemas"]["CredentialsBody"]
    assert credentials["properties"]["senderPassword"]["format"] == "password"


def test_the_app_mounts_under_a_prefix() -> None:
    host = Starlette(routes=[Mount("/admin", app=APP)])
    ok = _call(host, "GET", "/admin/connections", {"Authorization": f"Bearer {TOKEN}"})
    refused = _call(host, "GET", "/admin/connections", {})
    health = _call(host, "GET", "/admin/health", {})
    assert (ok.status_code, refused.status_code, health.status_code) == (200, 401, 200)


def test_a_path_with_no_route_is_404_in_the_error_envelope() -> None:
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
        answer = _call(APP, "GET", "/no/such/route", headers)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/json")
        error = answer.json()["error"]
        assert (error["kind"], error["rule"]) == ("not_found", None)
        assert "/no/such/route" in error["message"]
        assert "openapi.json" in error["fix"]


def test_a_route_asked_with_a_method_it_does_not_take_is_405_with_allow() -> None:
    answer = _call(APP, "DELETE", "/health", {"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD"
    error = answer.json()["error"]
    assert error["kind"] == "not_allowed"
    assert error["message"] == "The route /health does not take DELETE."
    assert error["fix"].startswith("Use GET, HEAD")


def test_404_and_405_keep_the_mount_prefix_in_what_they_name() -> None:
    host = Starlette(routes=[Mount("/sync-admin", app=APP)])
    answer = _call(host, "PUT", "/sync-admin/health", {})
    assert answer.status_code == 405
    assert "/sync-admin/health" in answer.json()["error"]["message"]
    missing = _call(host, "GET", "/sync-admin/nothing", {})
    assert missing.status_code == 404
    assert missing.json()["error"]["kind"] == "not_found"
