"""Issue 18: the admin API's docs pages, Swagger UI at /docs and ReDoc at /redoc, load in a real
browser (Debian's Chromium under Playwright) at the root and under a prefix, render the API from
the vendored bundles (an operation's summary appears), ask no other host for anything, and leave a
screenshot of each page in build/screenshots/<test>/. Swagger UI's "Try it out" calls the API
under the prefix (the document's ``servers`` entry)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from released_intacct.app.admin import create_admin_app
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.ids import EntityId, ReleasedCompanyId
from released_intacct.domain.ports import Credentials, IntacctPort, ReleasedPort
from released_intacct.domain.secret import Secret
from released_intacct.fakes.serving import serving
from released_intacct.fakes.state_store import FakeStateStore

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Response

TOKEN = "admin-docs-browser-token-5e0c2b97"
SUMMARY = "Read one run (E3)"
"""The summary of ``GET /connections/{id}/runs/{run}`` in the route table."""


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 5, 1, tzinfo=UTC)


def _unreachable_intacct(credentials: Credentials, entity: EntityId | None) -> IntacctPort:
    raise AssertionError("the docs pages never reach Intacct")


def _unreachable_released(company: ReleasedCompanyId) -> ReleasedPort:
    raise AssertionError("the docs pages never reach Re-Leased")


def _admin() -> Starlette:
    ports = Ports(store=FakeStateStore(), intacct_for=_unreachable_intacct,
                  released_for=_unreachable_released, clock=_Clock())  # fmt: skip
    return create_admin_app(Service(ports), token=Secret(TOKEN))


@dataclass
class _Seen:
    """What the page asked for: every request, and those that failed or went to another host."""

    origin: str
    asked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def request(self, request: Request) -> None:
        self.asked.append(request.url)
        local = request.url.startswith(("data:", f"blob:http://{self.origin}/"))
        if urlsplit(request.url).netloc != self.origin and not local:
            self.elsewhere.append(request.url)

    def request_failed(self, request: Request) -> None:
        self.failed.append(f"{request.url}: {request.failure}")

    def response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url}: {response.status}")


@pytest.fixture(params=["", "/admin"], ids=["root", "prefix"])
def base(request: pytest.FixtureRequest) -> Iterator[str]:
    """The admin app served for real, at the root or mounted under /admin."""
    prefix = str(request.param)
    app = Starlette(routes=[Mount(prefix, app=_admin())]) if prefix else _admin()
    with serving(app) as url:
        yield url + prefix


def _visit(browser: Browser, url: str, show: str) -> tuple[Page, _Seen]:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = _Seen(origin=urlsplit(url).netloc)
    page.on("request", seen.request)
    page.on("requestfailed", seen.request_failed)
    page.on("response", seen.response)
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.goto(url, wait_until="networkidle")
    page.get_by_text(show).first.wait_for(state="visible", timeout=20_000)
    return page, seen


def _assert_local(seen: _Seen, prefix: str) -> None:
    assert seen.elsewhere == []
    assert seen.failed == []
    assert seen.errors == []
    assert f"{prefix}/openapi.json" in {urlsplit(u).path for u in seen.asked}


def test_swagger_ui_renders_the_api_from_the_vendored_bundle(
    browser: Browser, screenshots: Path, base: str
) -> None:
    page, seen = _visit(browser, f"{base}/docs", SUMMARY)
    assert page.get_by_text("Re-Leased ⇄ Sage Intacct admin API").first.is_visible()
    _assert_local(seen, urlsplit(base).path)
    page.screenshot(path=str(screenshots / "swagger-ui.png"), full_page=False)
    page.locator("#operations-default-get_health").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=10_000)
    assert status.inner_text().strip() == "200"
    assert page.locator(".request-url pre").first.inner_text().strip() == f"{base}/health"
    page.screenshot(path=str(screenshots / "swagger-ui-try-health.png"), full_page=False)
    assert seen.elsewhere == []
    page.close()


def test_redoc_renders_the_api_from_the_vendored_bundle(
    browser: Browser, screenshots: Path, base: str
) -> None:
    page, seen = _visit(browser, f"{base}/redoc", SUMMARY)
    assert page.get_by_text("Re-Leased ⇄ Sage Intacct admin API").first.is_visible()
    _assert_local(seen, urlsplit(base).path)
    page.screenshot(path=str(screenshots / "redoc.png"), full_page=False)
    page.close()
