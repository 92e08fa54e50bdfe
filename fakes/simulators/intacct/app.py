"""The simulator over HTTP: the gateway at ``POST /ia/xml/xmlgw.phtml``, the REST API under
``/ia/api/v1`` (``rest.routes``, over the same companies) and the control API.

The gateway replies ``text/xml``. Before a request runs, the app counts it in flight for its
company (from the login's ``companyid`` or the session id) and answers HTTP 429 ``GW-0010`` when
the company already has its limit in flight; then the fault rules decide, the app sleeps the
company's fixed latency plus any ``delay``, and runs the request.

A ``drop`` fault sends the status line and headers of a 200 reply, then raises
``ConnectionDroppedError``: no body byte goes out. Over a socket, uvicorn closes the connection
(and logs the exception), so an httpx client gets ``httpx.RemoteProtocolError`` ("peer closed
connection without sending complete message body"); ASGI gives an app no way to close a
connection before the status line. Through ``httpx.ASGITransport``, the client's call raises
``ConnectionDroppedError``.
"""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from released_intacct.fakes.simulators.intacct import control
from released_intacct.fakes.simulators.intacct.faultreplies import answer, throttled
from released_intacct.fakes.simulators.intacct.faults import (
    ConnectionDroppedError,
    decide,
    summarize,
)
from released_intacct.fakes.simulators.intacct.rest import routes as rest
from released_intacct.fakes.simulators.intacct.rest.envelope import RestReply
from released_intacct.fakes.simulators.intacct.simulator import Simulator

GATEWAY_PATH = "/ia/xml/xmlgw.phtml"
CONTROL_PREFIX = "/_sim"
REST_PREFIX = rest.PREFIX


class _Dropped(Response):
    """Starts a reply, then breaks off: the server closes the connection without a body."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/xml")],
            }
        )
        msg = "the simulator dropped the connection (fault rule)"
        raise ConnectionDroppedError(msg)


def create_app(simulator: Simulator) -> Starlette:
    async def gateway(request: Request) -> Response:
        body = await request.body()
        endpoint = str(request.url.replace(query=""))
        info = summarize(simulator, body)
        if not simulator.admit(info.company):
            reply = throttled(retry_after=1)
            return Response(reply.body, status_code=reply.status, headers=reply.headers)
        try:
            decision = decide(simulator, info)
            wait_ms = simulator.latency_for(info.company) + decision.delay_ms
            if wait_ms > 0:
                await asyncio.sleep(wait_ms / 1000)
            reply = answer(simulator, body, decision, endpoint=endpoint)
        except ConnectionDroppedError:
            return _Dropped()
        finally:
            simulator.release(info.company)
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    def respond(reply: RestReply) -> Response:
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    app = Starlette(
        routes=[
            Route(GATEWAY_PATH, gateway, methods=["POST"]),
            Mount(REST_PREFIX, routes=rest.routes(simulator, respond, _Dropped)),
            Mount(CONTROL_PREFIX, routes=control.routes(simulator)),
        ]
    )
    app.state.simulator = simulator
    return app
