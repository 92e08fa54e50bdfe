"""The console's routes: the shell page and its static files (no data, no token), and every
screen, each a fragment that needs the admin token like the API's routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from importlib.resources import files
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, Router

from released_intacct.adapters.log import logger
from released_intacct.app.admin import errors
from released_intacct.app.admin.console import authorize
from released_intacct.app.admin.console import monitoring as watch
from released_intacct.app.admin.console import onboarding as onboard
from released_intacct.app.admin.console.page import Page
from released_intacct.app.admin.endpoint import Endpoint
from released_intacct.app.admin.errors import Problem
from released_intacct.app.service import Service

__all__ = ["ASSETS", "PREFIX", "SHELL_POLICY", "console_mount"]

_log = logger(__name__)

PREFIX: Final = "/ui"
"""Where ``create_admin_app(..., ui=True)`` mounts the console, under the admin API's prefix."""
ASSETS: Final = {
    "htmx.min.js": ("htmx/htmx.min.js", "text/javascript; charset=utf-8"),
    "console.js": ("console.js", "text/javascript; charset=utf-8"),
    "console.css": ("console.css", "text/css; charset=utf-8"),
}
"""The static files the shell loads, by the name in their URL: (file under static/, type)."""

SHELL_POLICY: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'"
)
"""The shell's Content-Security-Policy: only its own scripts, styles and requests (htmx runs with
eval off and injects no style), so markup that slipped past escaping could run nothing. Framing is
left to the host, which embeds the page."""

Screen = Callable[[Page, Request], Awaitable[Response]]
Refuse = Callable[[Request], Problem | None]
"""The admin API's bearer-token check: the 401 problem, or None when the token is right."""

_C: Final = "/connections/{id}"
_SCREENS: Final[Sequence[tuple[str, str, str, Screen]]] = (
    ("GET", "/connections", "connections", onboard.connections),
    ("POST", "/connections", "connect", onboard.connect),
    ("POST", "/authorizations", "authorize", authorize.start),
    ("GET", _C, "connection", onboard.open_connection),
    ("GET", f"{_C}/setup", "setup", onboard.setup),
    ("POST", f"{_C}/setup", "save_setup", onboard.save_setup),
    ("GET", f"{_C}/prerequisites", "prerequisites", onboard.prerequisites),
    ("POST", f"{_C}/acknowledgements", "acknowledge", onboard.acknowledge),
    ("POST", f"{_C}/matching", "start_matching", onboard.start_matching),
    ("GET", f"{_C}/matching", "matching_next", onboard.matching),
    ("POST", f"{_C}/matching/contacts/create", "create_as", onboard.create_as),
    ("GET", f"{_C}/matching/{{step}}", "matching", onboard.matching),
    ("POST", f"{_C}/matching/{{step}}/match", "match", onboard.match),
    ("POST", f"{_C}/matching/{{step}}/archive", "archive", onboard.archive),
    ("POST", f"{_C}/matching/{{step}}/continue", "continue_step", onboard.continue_step),
    ("GET", f"{_C}/confirm", "confirm_screen", onboard.confirm_screen),
    ("POST", f"{_C}/confirm", "confirm", onboard.confirm),
    ("GET", f"{_C}/status", "status", watch.status),
    ("GET", f"{_C}/status/panel", "status_panel", watch.status_panel),
    ("POST", f"{_C}/sync", "sync_now", watch.sync_now),
    ("GET", f"{_C}/results", "results", watch.results),
    ("POST", f"{_C}/unlink", "unlink", watch.unlink),
    ("POST", f"{_C}/relink", "relink", watch.relink),
    ("GET", f"{_C}/notifications", "notifications", watch.notifications),
    ("POST", f"{_C}/notifications/{{n}}/read", "mark_read", watch.mark_read),
)


def console_mount(
    service: Service, table: Sequence[Endpoint], *, max_body: int, refuse: Refuse
) -> Mount:
    """The console under ``PREFIX``: every screen asks ``table``'s endpoints of ``service``."""
    router = Router()  # the console's own routes, for its links (``Page.url``)
    page = Page(service, table, router, max_body=max_body)
    assets = {name: (_asset(path), kind) for name, (path, kind) in ASSETS.items()}

    async def shell(request: Request) -> Response:
        shown = page.render(request, "shell.html")
        shown.headers["Content-Security-Policy"] = SHELL_POLICY
        return shown

    async def static(request: Request) -> Response:
        found = assets.get(request.path_params["name"])
        if found is None:
            raise HTTPException(404)
        content, kind = found
        return Response(
            content, headers={"Content-Type": kind, "X-Content-Type-Options": "nosniff"}
        )

    async def oauth_back(request: Request) -> Response:  # no token: the state is the credential
        shown = await authorize.back(page, request)
        shown.headers["Content-Security-Policy"] = SHELL_POLICY
        shown.headers["Cache-Control"] = "no-store"
        return shown

    routes: list[BaseRoute] = [
        Route("/", shell, methods=["GET"], name="shell"),
        Route("/static/{name}", static, methods=["GET"], name="static"),
        Route("/oauth/callback", oauth_back, methods=["GET"], name=authorize.CALLBACK),
        *(
            Route(path, _guarded(page, screen, refuse), methods=[method], name=name)
            for method, path, name, screen in _SCREENS
        ),
    ]
    router.routes.extend(routes)
    return Mount(PREFIX, routes=routes, name="console")


def _asset(path: str) -> bytes:
    return files("released_intacct.app.admin.console").joinpath("static", path).read_bytes()


def _guarded(
    page: Page, screen: Screen, refuse: Refuse
) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        problem = refuse(request)
        if problem is not None:
            return page.problem(request, problem)
        try:
            shown = await screen(page, request)
        except Exception:
            path = request.scope.get("route_path", request.url.path)
            _log.exception("console_request_failed", method=request.method, path=path)
            shown = page.problem(request, errors.internal())
        shown.headers["Cache-Control"] = "no-store"
        return shown

    return handle
