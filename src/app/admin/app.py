"""``create_admin_app``: the admin API as a plain Starlette app, mountable under any prefix.

Every route but ``GET /health`` needs ``Authorization: Bearer <token>`` (compared in constant
time); with no token configured every such route answers 401. A request body is read up to
``max_body`` bytes (the ``admin_max_body_bytes`` setting, 1 MiB by default); a larger one is 413.
A handler never lets an exception out as a bare 500: the route answers a generic error and logs
the failure (method, route template and the exception; never the body, so never a credential).
A path with no route (404) and a route asked with a method it does not take (405, with ``Allow``)
answer in the same error envelope as every other error, not Starlette's plain text.

``GET /openapi.json`` (the document of every route, shapes only, no data) needs no token unless
``openapi_public=False`` (the ``admin_openapi_public`` setting); its ``servers`` names the prefix
the app is mounted at, so a generated client calls the right URLs. While it is public the app
also serves its docs pages, Swagger UI at ``/docs`` and ReDoc at ``/redoc`` (``docs``).

``ui=True`` adds the operator's console (``admin.console``) at ``/ui``: its shell page and static
files need no token (they carry no data); each of its screens needs the same bearer token.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from released_intacct.adapters.log import logger
from released_intacct.app.admin import errors
from released_intacct.app.admin.console import console_mount
from released_intacct.app.admin.docs import docs_routes
from released_intacct.app.admin.endpoint import Endpoint, problem_response, respond
from released_intacct.app.admin.openapi import (
    OPENAPI_PATH,
    mount_prefix,
    openapi_document,
    with_servers,
)
from released_intacct.app.admin.routes import endpoints
from released_intacct.app.service import Service
from released_intacct.app.settings import ADMIN_MAX_BODY_BYTES, admin_token_problem
from released_intacct.domain.secret import Secret

__all__ = ["create_admin_app"]

_log = logger(__name__)
_BEARER = "bearer "
_TITLE = "Re-Leased ⇄ Sage Intacct admin API"

Handle = Callable[[Request], Awaitable[Response]]


def create_admin_app(
    service: Service,
    *,
    token: Secret | None,
    max_body: int = ADMIN_MAX_BODY_BYTES,
    openapi_public: bool = True,
    ui: bool = False,
) -> Starlette:
    """The admin API over ``service``; ``token=None`` refuses every route but health (and the
    OpenAPI document and docs pages, unless ``openapi_public=False``). ``ui``: with the
    operator's console at ``/ui``.

    Raises ``ValueError`` for a token too short to guard it (``admin_token_problem``)."""
    problem = None if token is None else admin_token_problem(token)
    if problem is not None:
        msg = f"the admin token {problem}"
        raise ValueError(msg)
    table = endpoints()
    document = openapi_document(table, title=_TITLE, version="1", public=openapi_public)

    async def openapi(request: Request) -> Response:
        return respond(200, with_servers(document, mount_prefix(request.scope)))

    routes: list[BaseRoute] = [
        Route(ep.path, _guarded(_handled(ep, service, max_body), ep, token), methods=[ep.method])
        for ep in table
    ]
    if openapi_public:
        routes.append(Route(OPENAPI_PATH, openapi, methods=["GET"]))
        routes.extend(docs_routes(title=_TITLE))
    else:
        routes.append(Route(OPENAPI_PATH, _guarded(openapi, None, token), methods=["GET"]))
    if ui:
        refuse = _refusal(token)
        routes.append(console_mount(service, table, max_body=max_body, refuse=refuse))
    return Starlette(routes=routes, exception_handlers={404: _no_route, 405: _not_allowed})


async def _no_route(request: Request, _: Exception) -> Response:
    """Starlette's 404 (no route matched) in the error envelope."""
    return problem_response(errors.no_route(request.url.path))


async def _not_allowed(request: Request, error: Exception) -> Response:
    """Starlette's 405 (a route matched, not its method) in the error envelope, with ``Allow``."""
    headers = error.headers if isinstance(error, HTTPException) else None
    given = (headers or {}).get("Allow", "").split(",")  # Starlette's: a set's order
    allow = ", ".join(sorted(method.strip() for method in given if method.strip()))
    return problem_response(errors.not_allowed(request.method, request.url.path, allow))


def _handled(ep: Endpoint, service: Service, max_body: int) -> Handle:
    async def handle(request: Request) -> Response:
        try:
            return await ep.run(service, request, max_body)
        except Exception:
            _log.exception("admin_request_failed", method=ep.method, route=ep.path)
            return problem_response(errors.internal())

    return handle


def _guarded(handle: Handle, ep: Endpoint | None, token: Secret | None) -> Handle:
    if ep is not None and ep.public:
        return handle

    refuse = _refusal(token)

    async def guarded(request: Request) -> Response:
        problem = refuse(request)
        if problem is not None:
            return problem_response(problem)
        return await handle(request)

    return guarded


def _refusal(token: Secret | None) -> Callable[[Request], errors.Problem | None]:
    """The 401 problem for a request without the token, or None (the API's and the console's)."""

    def refuse(request: Request) -> errors.Problem | None:
        if _authorised(request, token):
            return None
        return errors.unauthorized(configured=token is not None)

    return refuse


def _authorised(request: Request, token: Secret | None) -> bool:
    if token is None or not token.reveal():
        return False
    given = request.headers.get("authorization", "")
    if not given.lower().startswith(_BEARER):
        return False
    offered = given[len(_BEARER) :].strip().encode()
    return hmac.compare_digest(offered, token.reveal().encode())
