"""The XML adapter and OAuth 2 credentials (issue 20): refused FATAL, naming the fix, before any
request is sent; the client secret never shows."""

from __future__ import annotations

import asyncio

import httpx
from returns.future import FutureResult
from returns.pipeline import is_successful

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import FeedQuery, OAuthCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled

SECRET = "oauth-client-secret-never-shown"
OAUTH = OAuthCredentials(
    client_id="client-1", client_secret=Secret(SECRET), company_id="DEMO", user_id="ws_user"
)


def _adapter(sent: list[httpx.Request]) -> IntacctAdapter:
    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    client = httpx.AsyncClient(transport=httpx.MockTransport(answer), base_url="https://x")
    settings = ClientSettings(endpoint="https://x/ia/xml/xmlgw.phtml", backoff=0.0)
    return IntacctAdapter(client, OAUTH, entity=None, settings=settings)


def _refused(future: FutureResult[object, SyncError]) -> SyncError:
    result = asyncio.run(settled(future))
    assert not is_successful(result)
    return result.failure()


def test_C2_the_xml_adapter_refuses_oauth_credentials_naming_the_fix_and_sends_nothing() -> None:
    sent: list[httpx.Request] = []
    port = _adapter(sent)
    errors = [
        _refused(port.login(OAUTH)),
        _refused(port.setup(EntityId(""))),
        _refused(port.accounts(FeedQuery())),
    ]
    assert sent == []
    for error in errors:
        assert error.kind is ErrorKind.FATAL
        assert 'intacct.api = "xml"' in error.message
        assert "REST adapter" in error.fix
        assert SECRET not in f"{error} {error!r} {error.cause}"
