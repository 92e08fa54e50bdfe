"""The operator's console (``create_admin_app(..., ui=True)``) without a browser: its fragments as
htmx asks for them, over the demo pair in process (httpx over ASGI, the in-memory state store).

What is checked here: the token is required for every fragment and for nothing else; a refusal
shows the API's own wording; the dropdowns' disabled options come from the server; links hold the
mount prefix and a proxy's root path; credentials are never echoed; everything is escaped.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from lxml import html
from returns.future import FutureResult
from starlette.applications import Starlette
from starlette.routing import Mount

from released_intacct.app.admin import create_admin_app, errors
from released_intacct.app.admin.console.onboarding import rows
from released_intacct.app.admin.views import CandidateView, DecisionView, StepView, TargetView
from released_intacct.app.ports import Ports
from released_intacct.app.service import Service
from released_intacct.domain.errors import SyncError
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection, StateStore
from released_intacct.fakes.demo_pair import DEMO, RL_DEMO, demo_pair, onboarded
from released_intacct.fakes.state_store import FakeStateStore

TOKEN = "console-pages-token-5d0c7e2a91b34f68"
PASSWORDS = (DEMO.sender_password.reveal(), DEMO.user_password.reveal())
Form = Sequence[tuple[str, str]] | Mapping[str, str]


@dataclass
class Console:
    """htmx's side of the console: GETs and form POSTs under ``base`` (the console's path)."""

    client: httpx.AsyncClient
    base: str
    service: Service
    bodies: list[bytes]

    async def get(self, path: str, *, token: str | None = TOKEN, **query: str) -> httpx.Response:
        reply = await self.client.get(self.base + path, params=query, headers=_auth(token))
        self.bodies.append(reply.content)
        return reply

    async def post(
        self, path: str, form: Form | None = None, *, token: str | None = TOKEN
    ) -> httpx.Response:
        pairs = list(form.items()) if isinstance(form, Mapping) else list(form or ())
        headers = {**_auth(token), "Content-Type": "application/x-www-form-urlencoded"}
        reply = await self.client.post(self.base + path, content=urlencode(pairs), headers=headers)
        self.bodies.append(reply.content)
        return reply


def _auth(token: str | None) -> dict[str, str]:
    return {"HX-Request": "true", **({"Authorization": f"Bearer {token}"} if token else {})}


@asynccontextmanager
async def console(
    *, mount: str = "", root_path: str = "", store: StateStore | None = None
) -> AsyncIterator[Console]:
    """The admin app with its console over the demo pair, mounted at ``mount`` in a host app
    (named, as a host may), served below a proxy's ``root_path``."""
    store = store or FakeStateStore()
    async with demo_pair(store) as pair:
        ports = Ports(store=store, intacct_for=pair.intacct_for,
                      released_for=pair.released_for, clock=pair.clock)  # fmt: skip
        service = Service(ports)
        app = create_admin_app(service, token=Secret(TOKEN), ui=True)
        host = Starlette(routes=[Mount(mount, app=app, name="admin")]) if mount else app
        transport = httpx.ASGITransport(app=host, root_path=root_path)
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
            yield Console(client, f"{root_path}{mount}/ui", service, [])
        await service.drain()


def run(
    body: Callable[[Console], Awaitable[None]], *, store: StateStore | None = None, **where: str
) -> None:
    async def main() -> None:
        async with console(store=store, **where) as page:
            await body(page)

    asyncio.run(main())


def tree(reply: httpx.Response) -> Any:
    return html.fromstring(reply.text)


def connect_form(**changes: str) -> dict[str, str]:
    form = {
        "releasedCompany": RL_DEMO,
        "credentials.senderId": DEMO.sender_id,
        "credentials.senderPassword": DEMO.sender_password.reveal(),
        "credentials.companyId": DEMO.company_id,
        "credentials.userId": DEMO.user_id,
        "credentials.userPassword": DEMO.user_password.reveal(),
    }
    return {**form, **changes}


async def connected(page: Console) -> str:
    reply = await page.post("/connections", connect_form())
    assert reply.status_code == 200, reply.text
    (action,) = tree(reply).xpath("//form/@hx-post")
    return str(action).split("/connections/")[1].split("/")[0]


async def matching(page: Console) -> str:
    """Connected at entity E100 from 2024-01-01, prerequisites acknowledged, matching started."""
    id = await connected(page)
    c = f"/connections/{id}"
    ready = await page.post(f"{c}/setup", {"entityId": "E100", "syncFrom": "2024-01-01"})
    assert ready.status_code == 200, ready.text
    unknown = tree(ready).xpath("//input[@name='prerequisites[]']/@value")
    acknowledged = await page.post(
        f"{c}/acknowledgements", [("prerequisites[]", u) for u in unknown]
    )
    assert acknowledged.status_code == 200, acknowledged.text
    started = await page.post(f"{c}/matching")
    assert started.status_code == 200, started.text
    return id


def test_the_shell_and_its_static_files_need_no_token() -> None:
    async def body(page: Console) -> None:
        shell = await page.get("/", token=None)
        assert shell.status_code == 200
        assert shell.headers["content-type"].startswith("text/html")
        assert "script-src 'self';" in shell.headers["content-security-policy"]
        scripts = tree(shell).xpath("//script/@src")
        assert scripts == [f"{page.base}/static/htmx.min.js", f"{page.base}/static/console.js"]
        for name in ("htmx.min.js", "console.js", "console.css"):
            asset = await page.get(f"/static/{name}", token=None)
            assert asset.status_code == 200
            assert asset.headers["x-content-type-options"] == "nosniff"
        missing = await page.get("/static/../app.py", token=None)
        assert missing.status_code == 404

    run(body)


def test_every_fragment_needs_the_token_and_says_so_in_the_apis_words() -> None:
    async def body(page: Console) -> None:
        expected = errors.unauthorized(configured=True).body.error.message
        for token in (None, "not-the-token-at-all-0000"):
            for reply in (
                await page.get("/connections", token=token),
                await page.post("/connections", connect_form(), token=token),
                await page.get("/connections/conn-x/status", token=token),
            ):
                assert reply.status_code == 401
                assert expected in reply.text
                assert reply.headers["HX-Retarget"] == "#problem"
                assert "set-cookie" not in reply.headers
        listed = await page.get("/connections")
        assert listed.status_code == 200
        assert listed.headers["cache-control"] == "no-store"

    run(body)


def test_C2_a_refused_form_shows_the_apis_own_wording() -> None:
    """Missing a field (422) and a wrong password (rule C2): the page's words are the API's."""

    async def body(page: Console) -> None:
        for form in (
            {k: v for k, v in connect_form().items() if k != "credentials.userPassword"},
            connect_form(**{"credentials.userPassword": "not-the-password-3"}),
        ):
            shown = await page.post("/connections", form)
            nested: dict[str, Any] = {"releasedCompany": form["releasedCompany"]}
            nested["credentials"] = {
                k.split(".")[1]: v for k, v in form.items() if k.startswith("credentials.")
            }
            api = await page.client.post(
                "/connections", json=nested, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            assert shown.status_code == api.status_code
            assert shown.status_code in (422, 502)
            error = api.json()["error"]
            (problem,) = tree(shown).xpath("//div[@class='problem']")
            assert problem.xpath("string(p[1]/strong)") == error["message"]
            assert problem.xpath("string(p[2])") == error["fix"]
            assert "not-the-password-3" not in shown.text

    run(body)


def test_C4_a_refused_sync_from_date_shows_the_rule_and_fix() -> None:
    async def body(page: Console) -> None:
        id = await connected(page)
        early = await page.post(
            f"/connections/{id}/setup", {"entityId": "E100", "syncFrom": "2017-12-31"}
        )
        assert early.status_code == 409
        assert "(rule C4)" in early.text
        assert "2017-12-31" in early.text
        no_entity = await page.post(f"/connections/{id}/setup", {"syncFrom": "2024-01-01"})
        assert no_entity.status_code == 422
        assert "field &#39;entityId&#39;" in no_entity.text

    run(body)


def test_a_connection_opens_at_the_screen_its_phase_is_at() -> None:
    async def body(page: Console) -> None:
        missing = await page.get("/connections/conn-missing")
        assert missing.status_code == 404
        assert errors.not_found("connection conn-missing").body.error.message in missing.text
        id = await connected(page)
        assert tree(await page.get(f"/connections/{id}")).xpath("//h2/@id") == ["setup-title"]
        await page.post(f"/connections/{id}/setup", {"entityId": "E100", "syncFrom": "2024-01-01"})
        opened = tree(await page.get(f"/connections/{id}"))
        assert opened.xpath("//h2/@id") == ["prerequisites-title"]
        assert opened.xpath("//button/text()")[-1] == "Start matching"
        await page.post(f"/connections/{id}/matching")
        await page.post(
            f"/connections/{id}/matching/tax_types/archive", {"releasedId": "tax-gst-imports"}
        )
        await page.post(
            f"/connections/{id}/matching/tax_types/archive", {"releasedId": "tax-exempt-dup"}
        )
        await page.post(f"/connections/{id}/matching/tax_types/continue")
        again = tree(await page.get(f"/connections/{id}"))
        (resume,) = again.xpath("//button[text()='Continue matching']/@hx-get")
        step = tree(await page.client.get(str(resume), headers=_auth(TOKEN)))
        assert step.xpath("//h2/@data-step") == ["accounts"]

    run(body)


def test_C2_credentials_are_never_echoed_back() -> None:
    async def body(page: Console) -> None:
        id = await matching(page)
        await page.get("/connections")
        await page.get(f"/connections/{id}/setup")
        assert len(page.bodies) >= 6
        for secret in PASSWORDS:
            assert not any(secret.encode() in reply for reply in page.bodies)

    run(body)


def test_O4_an_intacct_item_another_holds_is_disabled_by_the_server() -> None:
    async def body(page: Console) -> None:
        id = await matching(page)
        step = tree(await page.get(f"/connections/{id}/matching/tax_types"))
        held = step.xpath("//tr[@data-released-id='tax-exempt']//option[@value='Exempt']")[0]
        elsewhere = step.xpath("//tr[@data-released-id='tax-exempt-dup']//option[@value='Exempt']")
        assert held.get("selected") is not None
        assert held.get("disabled") is None
        assert elsewhere[0].get("disabled") is not None
        # choose an item for one row: it is disabled in every other row's dropdown
        chosen = await page.post(
            f"/connections/{id}/matching/tax_types/match",
            {"releasedId": "tax-gst-imports", "intacctKey": "Exempt"},
        )
        assert chosen.status_code == 409
        assert "(rule O4)" in chosen.text

    run(body)


def test_O4_rows_disable_what_another_item_holds() -> None:
    def target(key: str, held_by: str | None) -> TargetView:
        return TargetView(intacct_key=key, label=key, group="", held_by=held_by)

    def candidate(rid: str, key: str | None) -> CandidateView:
        decision = None if key is None else DecisionView(kind="match", intacct_key=key)
        return CandidateView(released_id=rid, label=rid.upper(), group="", archived=False,
                             decision=decision)  # fmt: skip

    step = StepView(
        step="accounts",
        title="Accounts",
        continued=False,
        candidates=(candidate("a", "4000"), candidate("b", None)),
        targets=(target("4000", "a"), target("5000", None)),
    )
    first, second = rows(step)
    assert [(c.key, c.selected, c.disabled) for c in first.choices] == [
        ("4000", True, False), ("5000", False, False)
    ]  # fmt: skip
    assert [(c.key, c.selected, c.disabled, c.held_by) for c in second.choices] == [
        ("4000", False, True, "A"), ("5000", False, False, None)
    ]  # fmt: skip


@pytest.mark.parametrize(("mount", "root_path"), [("", ""), ("/host/admin", "/proxy")])
def test_links_hold_the_mount_prefix_and_the_proxys_root_path(mount: str, root_path: str) -> None:
    async def body(page: Console) -> None:
        shell = tree(await page.get("/", token=None))
        links = shell.xpath("//@src | //@href | //@data-home")
        id = await matching(page)
        step = tree(await page.get(f"/connections/{id}/matching/accounts"))
        links += step.xpath("//@hx-get | //@hx-post")
        assert len(links) > 10
        assert all(str(link).startswith(page.base + "/") for link in links), links
        followed = await page.client.get(
            str(step.xpath("//@hx-get")[0]), headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert followed.status_code == 200

    run(body, mount=mount, root_path=root_path)


def test_E2_unlink_and_relink_from_the_results_screen() -> None:
    """The form's record and each row's button (its hx-vals, JSON in an attribute) reach the
    API's unlink / relink; the filters the form carried come back."""

    async def body(page: Console) -> None:
        id = await onboarded(page.service.workflow)
        confirmed = await page.post(f"/connections/{id}/confirm")
        assert tree(confirmed).xpath("//p[@id='flag']")
        await page.service.drain()
        c = f"/connections/{id}"
        record = {"recordType": "invoice", "releasedId": "inv-0002", "type": "invoice"}
        unlinked = await page.post(f"{c}/unlink", record)
        assert "Re-Leased invoice inv-0002 is unlinked" in unlinked.text
        shown = tree(unlinked)
        assert json.loads(shown.xpath("//form[@id='result-filters']/@data-shown")[0]) == {
            "type": "invoice"
        }
        assert shown.xpath("//input[@id='link-id']/@value") == ["inv-0002"]
        relinked = await page.post(f"{c}/relink", record)
        assert "Re-Leased invoice inv-0002 is linked" in relinked.text
        buttons = tree(await page.get(f"{c}/results")).xpath("//tbody//button[@hx-vals]")
        assert buttons
        for button in buttons:
            given = json.loads(button.get("hx-vals"))
            assert set(given) == {"recordType", "releasedId"}
            answered = await page.client.post(
                button.get("hx-post"), data=given, headers=_auth(TOKEN)
            )
            assert answered.status_code in (200, 409), answered.text
            assert "(rule E2)" in answered.text or "is unlinked" in answered.text

    run(body)


def test_E3_a_red_flag_lists_the_same_reasons_as_the_apis_status() -> None:
    """The flag's reasons are the status's own (its notification, then each rule its failed
    records broke with how many and the fix): the reasons ``sync``, ``status`` and the API give."""

    async def body(page: Console) -> None:
        id = await onboarded(page.service.workflow)
        await page.post(f"/connections/{id}/confirm")
        await page.service.drain()
        api = await page.client.get(f"/connections/{id}/status", headers=_auth(TOKEN))
        reasons = api.json()["reasons"]
        assert api.json()["colour"] == "red"
        assert len(reasons) > 1
        panel = tree(await page.get(f"/connections/{id}/status/panel"))
        shown = [
            " ".join(li.text_content().split()) for li in panel.xpath("//ul[@id='reasons']/li")
        ]
        assert len(shown) == len(reasons)
        for line, reason in zip(shown, reasons, strict=True):
            assert " ".join(reason["message"].split()) in line
            assert " ".join(reason["fix"].split()) in line
            if reason["rule"]:
                assert line.startswith(f"{reason['rule']} ({reason['records']} record")

    run(body)


def test_E4_sync_now_names_the_run_it_started_or_says_it_waits_for_a_worker() -> None:
    async def body(page: Console) -> None:
        id = await onboarded(page.service.workflow)
        await page.post(f"/connections/{id}/confirm")
        await page.service.drain()
        started = tree(await page.post(f"/connections/{id}/sync"))
        (note,) = started.xpath("//p[@class='note']/text()")
        assert note.startswith("Run ")
        assert note.endswith(" started; the flag follows it.")
        await page.service.drain()
        page.service.leave_runs_to_workers()
        asked = tree(await page.post(f"/connections/{id}/sync"))
        assert asked.xpath("//p[@class='note']/text()") == [
            "A sync is requested; the flag follows it once a worker starts it."
        ]

    run(body)


def test_everything_shown_is_escaped() -> None:
    async def body(page: Console) -> None:
        await page.post("/connections", connect_form(releasedCompany="<b>RL</b>"))
        listed = await page.get("/connections")
        assert "&lt;b&gt;RL&lt;/b&gt;" in listed.text
        assert "<b>RL</b>" not in listed.text

    run(body)


class _Broken(FakeStateStore):
    def connections(self) -> FutureResult[tuple[Connection, ...], SyncError]:
        raise RuntimeError("the store broke")


def test_an_exception_in_a_screen_is_a_generic_500_and_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    async def body(page: Console) -> None:
        reply = await page.get("/connections")
        assert reply.status_code == 500
        assert tree(reply).xpath("//div[@class='problem']/@data-kind") == ["internal"]
        assert errors.internal().body.error.message in reply.text
        assert "broke" not in reply.text

    run(body, store=_Broken())
    assert any("event=console_request_failed" in r.getMessage() for r in caplog.records)


def test_C2_the_onboarding_page_has_a_connect_with_sage_intacct_button() -> None:
    """Issue 20: the authorization-code flow starts from the connections screen; the client
    secret is a password field, and the callback to register is shown with the mount prefix."""

    async def body(page: Console) -> None:
        listed = tree(await page.get("/connections"))
        (form,) = listed.xpath("//form[.//button[normalize-space()='Connect with Sage Intacct']]")
        assert form.get("hx-post") == f"{page.base}/authorizations"
        assert form.xpath(".//input[@name='clientSecret']/@type") == ["password"]
        assert f"{page.base}/oauth/callback" in form.text_content()

    run(body, mount="/admin")
