"""The endpoint a log-in names is used only if it is https on an allowed host (issue 16, F10).

Every request signed with a session id carries the Web Services sender's password, so an
endpoint named by ``getAPISession`` (or by something posing as Intacct) is checked before anything
is sent there. Sources: the documented reply names a regional host
(``https://na12.intacct.com/ia/xml/xmlgw.phtml``, [XMLDOC company-console-api-sessions]); the
official JS SDK follows it and accepts any host under ``intacct.com`` ([JS src/SessionProvider.ts],
[JS src/Credentials/Endpoint.ts]).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from returns.pipeline import is_successful

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.endpoints import adopted
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.app.settings import SettingsError, settings_from_env
from released_intacct.domain.errors import ErrorKind
from released_intacct.domain.ports import FeedQuery
from released_intacct.fakes.awaiting import settled
from released_intacct.fakes.demo_pair import DEMO
from released_intacct.fakes.gateway_stub import LOGIN_OK, Stub, data, result, rows

CONFIGURED = "https://api.intacct.com/ia/xml/xmlgw.phtml"
SIMULATOR = "http://127.0.0.1:8001/ia/xml/xmlgw.phtml"
FIXTURE_ENDPOINT = b"https://api.intacct.com/ia/xml/xmlgw.phtml"


def _read_after_login_naming(
    endpoint: str, *, configured: str = CONFIGURED
) -> tuple[ErrorKind | None, str, list[str]]:
    """Log in (the reply names ``endpoint``), then read accounts: the read's error kind (None:
    it succeeded), its message and fix, and the URL of every request sent."""
    named = LOGIN_OK.replace(FIXTURE_ENDPOINT, endpoint.encode())
    assert named != LOGIN_OK
    stub = Stub(
        lambda _: result("readByQuery", data("glaccount", rows("glaccount"), count=0)),
        login=lambda _: httpx.Response(200, content=named),
    )
    answer = stub.transport().handler
    urls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        urls.append(str(request.url))
        return answer(request)  # type: ignore[return-value]

    async def main() -> tuple[ErrorKind | None, str, list[str]]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as client:
            settings = ClientSettings(endpoint=configured, attempts=2)
            adapter = IntacctAdapter(client, DEMO, entity=None, settings=settings)
            read = await settled(adapter.accounts(FeedQuery()))
        if is_successful(read):
            return None, "", urls
        error = read.failure()
        return error.kind, f"{error.message} {error.fix}", urls

    return asyncio.run(main())


def test_F10_an_endpoint_off_the_allowed_hosts_is_refused_and_nothing_is_sent_there() -> None:
    kind, said, urls = _read_after_login_naming("https://evil.example/ia/xml/xmlgw.phtml")
    assert kind is ErrorKind.FATAL
    assert "'https://evil.example/ia/xml/xmlgw.phtml'" in said
    assert "intacct.allowed_hosts" in said
    assert urls == [CONFIGURED]  # the log-in only: no request signed with the session went there


def test_F10_a_regional_intacct_host_over_https_is_followed() -> None:
    regional = "https://na12.intacct.com/ia/xml/xmlgw.phtml"
    kind, _, urls = _read_after_login_naming(regional)
    assert kind is None
    assert urls == [CONFIGURED, regional]


def test_F10_http_is_refused_even_on_an_intacct_host() -> None:
    kind, said, urls = _read_after_login_naming("http://na12.intacct.com/ia/xml/xmlgw.phtml")
    assert kind is ErrorKind.FATAL
    assert "not https on an allowed host" in said
    assert urls == [CONFIGURED]


def test_F10_the_simulator_naming_its_own_url_over_http_is_followed() -> None:
    kind, _, urls = _read_after_login_naming(SIMULATOR, configured=SIMULATOR)
    assert kind is None
    assert urls == [SIMULATOR, SIMULATOR]


@pytest.mark.parametrize(
    "named",
    [
        "http://127.0.0.1:9999/ia/xml/xmlgw.phtml",  # the simulator's host, another port
        "https://api.intacct.com.evil.example/ia/xml/xmlgw.phtml",
        "https://evil-intacct.com/ia/xml/xmlgw.phtml",
        "https://user:pw@na12.intacct.com/ia/xml/xmlgw.phtml",
        "https://evil.example\\.intacct.com/ia/xml/xmlgw.phtml",
        "ftp://na12.intacct.com/ia/xml/xmlgw.phtml",
        "javascript:alert(1)",
        "https://",
        "//na12.intacct.com/x",
    ],
)
def test_F10_refused_endpoints(named: str) -> None:
    settings = ClientSettings(endpoint=SIMULATOR)
    refused = adopted(named, settings)
    assert not is_successful(refused)
    assert refused.failure().kind is ErrorKind.FATAL


@pytest.mark.parametrize(
    ("configured", "named", "used"),
    [
        (CONFIGURED, "", CONFIGURED),  # none named: the configured one stays
        (CONFIGURED, " https://NA12.Intacct.com./ia/xml/xmlgw.phtml ", None),
        (SIMULATOR, "https://127.0.0.1/other", None),  # the configured host over https
        (SIMULATOR, "https://p1.intacct.com/ia/xml/xmlgw.phtml", None),
    ],
)
def test_F10_adopted_endpoints(configured: str, named: str, used: str | None) -> None:
    endpoint = adopted(named, ClientSettings(endpoint=configured))
    assert endpoint.unwrap() == (used or named.strip())


def test_F10_allowed_hosts_is_a_setting_checked_when_read() -> None:
    base = {"RELEASED_INTACCT_DATABASE": "s", "RELEASED_INTACCT_ENCRYPTION_KEY": "k"}
    settings = settings_from_env(
        {**base, "RELEASED_INTACCT_INTACCT_ALLOWED_HOSTS": "*.intacct.com, GW.Example.com"}
    )
    allowed = settings.intacct.allowed_hosts
    assert allowed == ("*.intacct.com", "gw.example.com")
    assert is_successful(adopted("https://gw.example.com/x", settings.intacct))
    assert not is_successful(adopted("https://na12.gw.example.com/x", settings.intacct))
    assert ClientSettings().allowed_hosts == ("*.intacct.com",)
    with pytest.raises(SettingsError, match="RELEASED_INTACCT_INTACCT_ALLOWED_HOSTS"):
        settings_from_env({**base, "RELEASED_INTACCT_INTACCT_ALLOWED_HOSTS": "https://x/"})
