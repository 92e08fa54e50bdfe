"""Connecting over REST with the user's authorization (issue 20, rule C2): the admin API's two
steps of the OAuth 2 authorization-code grant (``app.authorize``).

1. ``POST /authorizations`` (bearer token): the Re-Leased company, the OAuth client (id, secret,
   Intacct company) and the redirect URI registered for it; answers the address where the user
   approves the app (``scope=offline_access``) and the ``state`` issued, kept in this process for
   10 minutes.
2. ``GET /oauth/callback?code=…&state=…``: where Intacct sends the browser back. It needs no
   bearer token (the browser has none): the ``state`` is the credential, issued once by step 1,
   single use and short-lived. An unknown, replayed or expired state is refused (409, C2) and
   nothing is exchanged or stored; otherwise the code is exchanged and the connection stored with
   its refresh token (201, as ``POST /connections``).

The redirect URI registered for the OAuth client must be this route's public address (e.g.
``https://sync.example.com/admin/oauth/callback``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec
from returns.result import Failure, Result, Success

from released_intacct.app.admin.connections import connected_view
from released_intacct.app.admin.endpoint import Call
from released_intacct.app.admin.views import ConnectedView, View
from released_intacct.app.admin.wire import Empty, NonEmpty, NoQuery
from released_intacct.app.authorize import OAuthFlow, complete
from released_intacct.app.connection import Choice
from released_intacct.app.service import Service
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import EntityId, ReleasedCompanyId
from released_intacct.domain.ports import OAuthCredentials
from released_intacct.domain.secret import Secret

__all__ = [
    "AuthorizationView",
    "AuthorizeBody",
    "CallbackQuery",
    "authorize",
    "callback",
    "start",
]

CALLBACK_PATH = "/oauth/callback"
Uri = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"^https?://\S+$")]


class AuthorizeBody(msgspec.Struct, frozen=True, kw_only=True, rename="camel",
                    forbid_unknown_fields=True):  # fmt: skip
    released_company: NonEmpty
    client_id: NonEmpty
    client_secret: Secret
    company_id: NonEmpty
    redirect_uri: Uri
    """Registered for the OAuth client: this API's ``/oauth/callback`` at its public address."""
    entity_id: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    """Chosen at once when the code comes back (C3); ``""`` the top level."""
    sync_from: date | None = None
    """Set at once when the code comes back (C4; needs the entity)."""


class CallbackQuery(msgspec.Struct, frozen=True, kw_only=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    state: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class AuthorizationView(View, frozen=True):
    authorization_url: str
    """Send the user here to approve the app; Intacct then sends the browser to the callback."""
    state: str
    expires_at: datetime


def start(service: Service, body: AuthorizeBody) -> Result[AuthorizationView, SyncError]:
    """Issue a state for ``body``'s connection (the console's button uses it too)."""
    flow = _flow(service)
    if isinstance(flow, Failure):
        return Failure(flow.failure())
    oauth = OAuthCredentials(
        client_id=body.client_id.strip(),
        client_secret=body.client_secret,
        company_id=body.company_id.strip(),
        user_id=None,
    )
    entity = None if body.entity_id is None else EntityId(body.entity_id.strip())
    state, pending, url = flow.unwrap().authorizations.issue(
        ReleasedCompanyId(body.released_company.strip()),
        oauth,
        api_base=flow.unwrap().api_base,
        redirect_uri=body.redirect_uri,
        choice=Choice(entity=entity, sync_from=body.sync_from),
    )
    return Success(
        AuthorizationView(authorization_url=url, state=state, expires_at=pending.expires_at)
    )


async def authorize(
    call: Call[Empty, NoQuery, AuthorizeBody],
) -> Result[AuthorizationView, SyncError]:
    """Rule C2: start connecting with the user's authorization."""
    return start(call.service, call.body)


async def callback(call: Call[Empty, CallbackQuery, Empty]) -> Result[ConnectedView, SyncError]:
    """Rules C1-C4: the code exchanged for the state issued, the connection stored with its
    refresh token."""
    flow = _flow(call.service)
    if isinstance(flow, Failure):
        return Failure(flow.failure())
    done = await complete(
        flow.unwrap(), call.service.workflow, state=call.query.state, code=Secret(call.query.code)
    )
    return done.map(connected_view)


def _flow(service: Service) -> Result[OAuthFlow, SyncError]:
    if service.oauth is not None:
        return Success(service.oauth)
    return Failure(
        SyncError(
            kind=ErrorKind.REJECTED,
            rule=Rule.C2,
            message="This service cannot connect with a user's authorization: it was built "
            "without the REST API's authorization flow.",
            fix="Connect with a Web Services user instead, or build the service with "
            "build_service (which gives Service its OAuthFlow).",
        )
    )
