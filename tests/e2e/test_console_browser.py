"""A whole onboarding through the operator's console in a real browser (Debian's Chromium under
Playwright), then the run's flag, results and notifications, with a screenshot of each screen.

Served for real on loopback: both simulators' demo seeds (the demo pair), the service on SQLite,
and the admin app with its console, mounted by a host under ``/host``. Everything is done through
the page only, as an operator would: sign in, connect, a refused and then an accepted sync-from
date, prerequisites acknowledged, each matching step (an Intacct item chosen in one dropdown is
then disabled in another), confirm; then the status screen's flag until blue (the demo company's
edge cases may turn the first runs red, their reasons listed: each later run after the clock moves
on is asked with Sync now), unlink and relink, and a notification marked read.

The screenshots are left in ``build/screenshots/test_console_onboarding_in_a_browser/``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.app.admin import create_admin_app
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.secret import Secret
from released_intacct.fakes.demo_pair import DEMO, RL_DEMO, DemoPair, demo_pair
from released_intacct.fakes.serving import serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TOKEN: Final = "console-browser-token-0f9a41c7d2e85b36"
CREATE: Final = {"con-greenleaf": "customer", "con-sparkle": "vendor"}
STEPS: Final = ("tax_types", "accounts", "tracking_options", "contacts")
SYNCS: Final = 4
"""Sync now is pressed at most this many times, waiting for a blue run."""


@dataclass
class Served:
    """What the host's lifespan built, in the server's event loop."""

    pair: DemoPair | None = None
    admin: ASGIApp | None = None


def host(folder: Path, served: Served) -> Starlette:
    """A host app that mounts the admin app (with its console) under ``/host``."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        store = await SqliteStateStore.open(folder / "state.sqlite3", key=generate_key())
        try:
            async with demo_pair(store) as pair:
                ports = Ports(store=store, intacct_for=pair.intacct_for,
                              released_for=pair.released_for, clock=pair.clock)  # fmt: skip
                service = Service(ports)
                served.pair = pair
                served.admin = create_admin_app(service, token=Secret(TOKEN), ui=True)
                yield
                await service.stop()
        finally:
            await store.close()

    async def admin(scope: Scope, receive: Receive, send: Send) -> None:
        assert served.admin is not None
        await served.admin(scope, receive, send)

    return Starlette(lifespan=lifespan, routes=[Mount("/host", app=admin)])


class Shots:
    """Numbered screenshots of the whole page, named after the screen they show."""

    def __init__(self, page: Page, folder: Path) -> None:
        self._page, self._folder, self.taken = page, folder, list[str]()

    def __call__(self, name: str) -> None:
        file = f"{len(self.taken) + 1:02d}-{name}.png"
        self._page.screenshot(path=self._folder / file, full_page=True)
        self.taken.append(file)


def test_console_onboarding_in_a_browser(
    browser: Browser, screenshots: Path, tmp_path: Path
) -> None:
    served = Served()
    with serving(host(tmp_path, served)) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        refused: list[str] = []
        page.on(
            "console", lambda m: refused.extend([m.text] if "Security Policy" in m.text else [])
        )
        shot = Shots(page, screenshots)
        try:
            _onboard(page, f"{base}/host/ui/", shot)
            assert served.pair is not None
            _until_blue(page, served.pair, shot)
            _results(page, shot)
            _notifications(page, shot)
            assert context.cookies() == []
            assert refused == [], refused
        finally:
            context.close()
    assert len(shot.taken) >= 14, shot.taken


def _onboard(page: Page, url: str, shot: Shots) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415  (a dev dependency, on use)

    page.goto(url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Admin token").fill("not-the-admin-token-at-all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#problem")).to_contain_text("The request has no valid admin token.")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('released-intacct.admin-token')") is None
    shot("sign-in")
    page.get_by_label("Admin token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#connect-title")).to_be_visible()
    shot("connect")
    page.get_by_label("Re-Leased company id").fill(RL_DEMO)
    page.get_by_label("Sender id").fill(DEMO.sender_id)
    page.get_by_label("Sender password").fill(DEMO.sender_password.reveal())
    page.get_by_label("Company id", exact=True).fill(DEMO.company_id)
    page.get_by_label("User id").fill(DEMO.user_id)
    page.get_by_label("User password").fill(DEMO.user_password.reveal())
    page.get_by_role("button", name="Connect", exact=True).click()

    expect(page.locator("#setup-title")).to_be_visible()
    expect(page.get_by_label("The top level (a company without entities)")).not_to_be_checked()
    page.get_by_label("Entity E100").check()
    page.get_by_label("Sync records dated on or after").fill("2017-12-31")
    page.get_by_role("button", name="Save and check the prerequisites").click()
    expect(page.locator("#problem")).to_contain_text("(rule C4)")
    shot("entity-and-sync-from-refused-C4")
    page.get_by_label("Sync records dated on or after").fill("2024-01-01")
    page.get_by_role("button", name="Save and check the prerequisites").click()

    expect(page.locator("#prerequisites-title")).to_be_visible()
    expect(page.locator("#problem")).to_be_empty()
    shot("prerequisites")
    unchecked = page.locator("input[name='prerequisites[]']:not([disabled])")
    assert unchecked.count() > 0
    for index in range(unchecked.count()):
        unchecked.nth(index).check()
    page.get_by_role("button", name="Acknowledge the checked prerequisites").click()
    expect(page.get_by_text("Ready: nothing in Sage Intacct blocks confirming.")).to_be_visible()
    shot("prerequisites-acknowledged")
    page.get_by_role("button", name="Start matching").click()

    disabled_elsewhere = sum(_step(page, step, shot) for step in STEPS)
    assert disabled_elsewhere >= 1, "no step offered a free Intacct item to choose"

    expect(page.locator("#confirm-title")).to_be_visible()
    shot("confirm")
    page.get_by_role("button", name="Confirm and start syncing").click()
    expect(page.locator("#flag")).to_be_visible()


def _step(page: Page, step: str, shot: Shots) -> int:
    """Decide every open item of ``step``: the first one with a free Intacct item of its group
    is matched to it by its dropdown (then that item must be disabled in the other dropdowns);
    contacts with no match are created, the rest archived. Answers 1 when a dropdown was used."""
    from playwright.sync_api import expect  # noqa: PLC0415

    expect(page.locator(f"h2[data-step='{step}']")).to_be_visible()
    used, first, key = 0, None, None
    open_rows = page.locator("tbody tr", has_text="Not decided")
    for index in range(open_rows.count()):
        row = open_rows.nth(index)
        group = row.get_attribute("data-group")
        free = row.locator(f"option[data-group='{group}']:not([disabled]):not([selected])")
        if free.count():
            first, key = row.get_attribute("data-released-id"), free.first.get_attribute("value")
            break
    if first is not None and key is not None:
        page.locator(f"tr[data-released-id='{first}'] select").select_option(key)
        row = page.locator(f"tr[data-released-id='{first}']")
        expect(row).to_contain_text("Matched by hand")
        others = page.locator(f"tr:not([data-released-id='{first}']) option[value='{key}']")
        assert others.count() > 0
        for index in range(others.count()):
            expect(others.nth(index)).to_be_disabled()
        used = 1
    while page.locator("tbody tr", has_text="Not decided").count():
        row = page.locator("tbody tr", has_text="Not decided").first
        released_id = str(row.get_attribute("data-released-id"))
        label = CREATE.get(released_id)
        if label is not None:
            row.get_by_role("button", name=f"as a {label}").click()
        else:
            row.get_by_role("button", name="Archive").click()
        expect(page.locator(f"tr[data-released-id='{released_id}']")).not_to_contain_text(
            "Not decided"
        )
    shot(f"matching-{step.replace('_', '-')}")
    page.get_by_role("button", name="Continue:").click()
    return used


def _until_blue(page: Page, pair: DemoPair, shot: Shots) -> None:
    """Wait for the initial run's flag; while it is red, its reasons are shown: move the clock
    on and press Sync now, until a run ends blue."""
    from playwright.sync_api import expect  # noqa: PLC0415

    flag = page.locator("#flag")
    finished = "#flag[data-colour='blue'], #flag[data-colour='red']"
    expect(page.locator(finished)).to_be_visible(timeout=30_000)
    for _ in range(SYNCS):
        if flag.get_attribute("data-colour") == "blue":
            break
        expect(page.locator("#reasons li").first).to_be_visible()
        if "status-red" not in " ".join(shot.taken):
            shot("status-red-with-reasons")
        started = page.locator("#status-panel").get_attribute("data-run-started")
        pair.clock.advance()
        page.get_by_role("button", name="Sync now").click()
        expect(page.locator("p.note")).to_contain_text("started; the flag follows it.")
        newer = page.locator(f"#status-panel:not([data-run-started='{started}'])")
        expect(newer.locator(finished)).to_be_visible(timeout=30_000)
    expect(flag).to_have_attribute("data-colour", "blue")
    expect(flag).to_contain_text("Blue: the last run succeeded")
    expect(page.locator("#status-panel tr[data-record-type='invoice']")).to_be_visible()
    shot("status-blue")


def _results(page: Page, shot: Shots) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    page.get_by_role("button", name="Results").click()
    expect(page.locator("#results-title")).to_be_visible()
    shot("results")
    page.get_by_label("Record type").first.select_option("invoice")
    shown = json.dumps({"type": "invoice"})  # the filters the re-rendered screen shows
    expect(page.locator(f"#result-filters[data-shown='{shown}']")).to_be_attached()
    links = page.locator("#link-form")
    links.get_by_label("Record type").select_option("invoice")
    links.get_by_label("Re-Leased id").fill("inv-0002")
    links.get_by_role("button", name="Unlink").click()
    expect(page.get_by_role("status")).to_contain_text("invoice inv-0002 is unlinked")
    expect(page.locator("#filter-type")).to_have_value("invoice")
    shot("results-unlinked")
    links = page.locator("#link-form")
    expect(links.get_by_label("Re-Leased id")).to_have_value("inv-0002")
    links.get_by_role("button", name="Relink").click()
    expect(page.get_by_role("status")).to_contain_text("invoice inv-0002 is linked")
    shot("results-relinked")


def _notifications(page: Page, shot: Shots) -> None:
    from playwright.sync_api import expect  # noqa: PLC0415

    page.get_by_role("button", name="Notifications").click()
    expect(page.locator("#notifications-title")).to_be_visible()
    unread = page.locator("li[data-read='false']")
    assert unread.count() > 0
    number = unread.first.get_attribute("data-notification")
    shot("notifications")
    unread.first.get_by_role("button").click()
    expect(page.locator(f"li[data-notification='{number}']")).to_have_attribute("data-read", "true")
    shot("notifications-marked-read")
