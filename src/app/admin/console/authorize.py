"""The console's "Connect with Sage Intacct" (issue 20, rule C2): the OAuth 2 authorization code
from the onboarding page.

1. ``start`` (``POST /ui/authorizations``, the admin token): the form's OAuth client goes to the
   API's ``POST /authorizations`` with this console's callback as the redirect URI, and the
   browser is sent to the address Intacct approves the app at (``HX-Redirect``).
2. ``back`` (``GET /ui/oauth/callback``, no token: the browser Intacct sends back carries none;
   the state, issued once behind the token, is the credential): the API's ``GET /oauth/callback``
   completes the connection, then the browser goes back to the console (its token is still in
   the tab), which lists the new connection; a refusal is a page of its own with the API's words.

The OAuth client must have this console's callback (``…/ui/oauth/callback`` at the admin API's
public address) among its redirect URIs.
"""

from __future__ import annotations

from returns.pipeline import is_successful
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from released_intacct.app.admin.authorizations import AuthorizationView
from released_intacct.app.admin.console.page import Page
from released_intacct.app.admin.views import ConnectedView

__all__ = ["CALLBACK", "back", "start"]

CALLBACK = "oauth_callback"
"""The console route's name Intacct sends the browser back to."""
_FIELDS = ("releasedCompany", "clientId", "clientSecret", "companyId", "entityId")


async def start(page: Page, request: Request) -> Response:
    """Rule C2: the approval address for the form's OAuth client; the browser goes there."""
    form = await page.form(request)
    if not is_successful(form):
        return page.problem(request, form.failure())
    body = form.unwrap().body(*_FIELDS)
    if not body.get("entityId"):
        body.pop("entityId", None)
    base = f"{request.url.scheme}://{request.url.netloc}"
    body["redirectUri"] = base + page.url(request)(CALLBACK)
    issued = await page.ask(("POST", "/authorizations"), AuthorizationView, params={}, body=body)
    if not is_successful(issued):
        return page.problem(request, issued.failure())
    address = issued.unwrap().authorization_url
    shown = page.render(request, "authorizing.html", address=address)
    shown.headers["HX-Redirect"] = address
    return shown


async def back(page: Page, request: Request) -> Response:
    """Rules C1-C4: the code of the state issued exchanged and the connection stored; back to
    the console, or the refusal in a page."""
    query = {k: v for k in ("code", "state") if (v := request.query_params.get(k)) is not None}
    done = await page.ask(("GET", "/oauth/callback"), ConnectedView, params={}, query=query)
    if not is_successful(done):
        problem = done.failure()
        return page.render(
            request, "authorized.html", code=problem.status, error=problem.body.error
        )
    return RedirectResponse(page.url(request)("shell"), status_code=303)
