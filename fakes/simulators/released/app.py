"""The simulator over HTTP: the REST API under ``/api`` and the control API under ``/_sim``.

Every ``/api/<resource>...`` request (for a known resource) is counted for its resource and for
the company its ``X-Company-Id`` names, then the fault rules decide (matching the method, the
resource and that header), the app sleeps any ``delay``, and the request runs. Refusals raised as
``errors.ApiError`` become the JSON error body; unknown paths and methods also get one (404
``not_found``, 405 ``method_not_allowed``).

A ``drop`` fault sends the status line and headers of a 200 reply, then raises
``ConnectionDroppedError``: no body byte goes out. Over a socket uvicorn closes the connection, so
an httpx client gets ``httpx.RemoteProtocolError``; through ``httpx.ASGITransport`` the client's
call raises ``ConnectionDroppedError``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from released_intacct.fakes.simulators.released import control
from released_intacct.fakes.simulators.released.api import (
    JSON,
    Api,
    error_response,
    json_response,
)
from released_intacct.fakes.simulators.released.company import RESOURCES
from released_intacct.fakes.simulators.released.errors import ApiError
from released_intacct.fakes.simulators.released.faults import (
    NOT_JSON,
    Call,
    ConnectionDroppedError,
    Decision,
)
from released_intacct.fakes.simulators.released.simulator import Simulator

API_PREFIX = "/api"
CONTROL_PREFIX = "/_sim"
Endpoint = Callable[[Request], Awaitable[Response]]


class _Dropped(Response):
    """Starts a reply, then breaks off: the server closes the connection without a body."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", JSON.encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        msg = "the simulator dropped the connection (fault rule)"
        raise ConnectionDroppedError(msg)


def _before(decision: Decision) -> Response | None:
    """The reply of a fault that stops the request before it runs."""
    rule = decision.rule
    if rule is None:
        return None
    if rule.kind == "throttle":
        error = ApiError(
            429,
            "rate_limited",
            f"too many requests: retry after {rule.retry_after}s",
            headers={"Retry-After": str(rule.retry_after)},
        )
        return error_response(error)
    if rule.kind == "server_error":
        return error_response(ApiError(500, "server_error", "the server failed (fault rule)"))
    if rule.kind == "drop":
        return _Dropped()
    return None


def _after(decision: Decision, reply: Response) -> Response:
    """The reply as a fault that lets the request run changes it."""
    if decision.kind == "timeout_after_commit":
        return Response(b"", status_code=524)
    if decision.kind == "malformed":
        return Response(NOT_JSON, status_code=200, media_type=JSON)
    if decision.kind == "truncated":
        body = bytes(reply.body)
        return Response(body[: len(body) // 2], status_code=reply.status_code, media_type=JSON)
    return reply


def _served(sim: Simulator, handler: Endpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        resource = str(request.path_params["resource"])
        if resource not in RESOURCES:
            return error_response(ApiError(404, "not_found", f"no resource {resource!r}"))
        company = request.headers.get("x-company-id")
        sim.count(company, resource)
        decision = sim.faults.decide(Call(request.method, resource, company))
        if decision.delay_ms:
            await asyncio.sleep(decision.delay_ms / 1000)
        early = _before(decision)
        if early is not None:
            return early
        try:
            reply = await handler(request)
        except ApiError as error:
            reply = error_response(error)
        return _after(decision, reply)

    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http_error")
    return json_response(
        ApiError(status, code, f"{request.method} {request.url.path}").body(), status
    )


def create_app(sim: Simulator) -> Starlette:
    """The ASGI app serving ``sim``; ``app.state.simulator`` is ``sim``."""
    api = Api(sim)
    app = Starlette(
        routes=[
            Route(
                f"{API_PREFIX}/{{resource}}", _served(sim, api.collection), methods=["GET", "POST"]
            ),
            Route(
                f"{API_PREFIX}/{{resource}}/{{record_id}}",
                _served(sim, api.item),
                methods=["GET", "PUT"],
            ),
            Route(
                f"{API_PREFIX}/{{resource}}/{{record_id}}/{{action}}",
                _served(sim, api.action),
                methods=["POST"],
            ),
            Mount(CONTROL_PREFIX, routes=control.routes(sim)),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.simulator = sim
    return app
