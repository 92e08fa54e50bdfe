"""Issue 18: the OpenAPI document is public by default (shapes, no data) and names the prefix the
app is mounted at as its server; the docs pages (/docs, /redoc) and their vendored assets are served
without a token, point under the prefix, and let the browser fetch nothing from another host; an
operator who sets ``openapi_public=False`` gets the document behind the token and no pages."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp

from released_intacct.app.admin import create_admin_app
from released_intacct.app.admin.assets import ASSETS
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.secret import Secret
from released_intacct.fakes.intacct_port import FakeIntacct
from released_intacct.fakes.released_port import FakeReleased
from released_intacct.fakes.state_store import FakeStateStore

TOKEN = "admin-docs-token-8d1f4e2a9c3b7065"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 5, 1, tzinfo=UTC)


def _app(*, public: bool = True) -> Starlette:
    intacct, released = FakeIntacct(), FakeReleased()
    ports = Ports(store=FakeStateStore(), intacct_for=lambda c, e: intacct,
                  released_for=lambda c: released, clock=_Clock())  # fmt: skip
    return create_admin_app(Service(ports), token=Secret(TOKEN), openapi_public=public)


def _get(
    app: ASGIApp, path: str, headers: dict[str, str] | None = None, *, root_path: str = ""
) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, root_path=root_path)
        async with httpx.AsyncClient(transport=transport, base_url="http://admin") as client:
            return await client.get(path, headers=headers or {})

    return asyncio.run(go())


APP = _app()
MOUNTED = Starlette(routes=[Mount("/admin", app=APP)])


def test_the_openapi_document_is_readable_without_the_token() -> None:
    answer = _get(APP, "/openapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["servers"] == [{"url": "/"}]
    itself = document["paths"]["/openapi.json"]["get"]
    assert itself["security"] == []
    assert "401" not in itself["responses"]


@pytest.mark.parametrize(
    ("app", "path", "root_path", "server"),
    [
        (MOUNTED, "/admin/openapi.json", "", "/admin"),
        (MOUNTED, "/proxy/admin/openapi.json", "/proxy", "/proxy/admin"),
        (APP, "/proxy/openapi.json", "/proxy", "/proxy"),
    ],
    ids=["mount", "proxy-and-mount", "proxy"],
)
def test_the_openapi_document_names_the_mount_prefix_as_its_server(
    app: ASGIApp, path: str, root_path: str, server: str
) -> None:
    answer = _get(app, path, root_path=root_path)
    assert answer.status_code == 200
    assert answer.json()["servers"] == [{"url": server}]


def test_a_private_openapi_document_needs_the_token_and_there_are_no_docs_pages() -> None:
    private = _app(public=False)
    refused = _get(private, "/openapi.json")
    assert refused.status_code == 401
    assert refused.json()["error"]["kind"] == "unauthorized"
    document = _get(private, "/openapi.json", AUTH).json()
    assert "security" not in document["paths"]["/openapi.json"]["get"]
    assert "401" in document["paths"]["/openapi.json"]["get"]["responses"]
    for page in ("/docs", "/redoc", f"/docs/assets/{ASSETS[0].path}"):
        answer = _get(private, page, AUTH)
        assert answer.status_code == 404, page
        assert answer.json()["error"]["kind"] == "not_found"


@pytest.mark.parametrize(("page", "bundle"), [("/docs", "swagger-ui-bundle.js"),
                                              ("/redoc", "redoc.standalone.js")])  # fmt: skip
def test_the_docs_pages_need_no_token_and_point_under_the_prefix(page: str, bundle: str) -> None:
    answer = _get(MOUNTED, f"/proxy/admin{page}", root_path="/proxy")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    body = answer.text
    assert '"/proxy/admin/openapi.json"' in body
    assert re.search(rf'src="/proxy/admin/docs/assets/[a-z-]+/{re.escape(bundle)}\?v=\w+"', body)
    assert "http://" not in body  # no CDN, no other host
    assert "https://" not in body


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_pages_let_the_browser_load_from_their_own_origin_only(page: str) -> None:
    answer = _get(APP, page)
    policy = dict(
        part.strip().split(" ", 1) for part in answer.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    for directive in ("img-src", "font-src", "connect-src", "style-src"):
        assert "http" not in policy[directive], directive
        assert policy[directive].startswith("'self'"), directive
    inline = re.findall(r"<script>(.*?)</script>", answer.text, flags=re.DOTALL)
    assert inline
    for script in inline:  # each inline script is allowed by its hash, nothing else inline
        digest = hashlib.sha256(script.encode()).digest()
        assert f"'sha256-{base64.b64encode(digest).decode()}'" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]


def test_each_vendored_asset_is_served_as_published_with_its_sha256_as_etag() -> None:
    for asset in ASSETS:
        answer = _get(APP, f"/docs/assets/{asset.path}")
        assert answer.status_code == 200, asset.path
        assert hashlib.sha256(answer.content).hexdigest() == asset.sha256
        assert answer.headers["content-type"] == asset.media_type
        assert answer.headers["etag"] == f'"{asset.sha256}"'
    again = _get(APP, f"/docs/assets/{ASSETS[0].path}", {"If-None-Match": f'"{ASSETS[0].sha256}"'})
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.parametrize(
    "path", ["swagger-ui/NOTICE", "redoc/../assets.py", "swagger-ui/index.html", "x/LICENSE"]
)
def test_only_the_listed_assets_are_served(path: str) -> None:
    answer = _get(APP, f"/docs/assets/{path}")
    assert answer.status_code == 404
    assert answer.json()["error"]["kind"] == "not_found"
