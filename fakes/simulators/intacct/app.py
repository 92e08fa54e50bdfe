"""The simulator over HTTP: the gateway at ``POST /ia/xml/xmlgw.phtml`` (replies ``text/xml``)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from released_intacct.fakes.simulators.intacct.simulator import Simulator

GATEWAY_PATH = "/ia/xml/xmlgw.phtml"


def create_app(simulator: Simulator) -> Starlette:
    async def gateway(request: Request) -> Response:
        body = await request.body()
        endpoint = str(request.url.replace(query=""))
        reply = simulator.handle(body, endpoint=endpoint)
        return Response(reply.body, status_code=reply.status, headers=reply.headers)

    app = Starlette(routes=[Route(GATEWAY_PATH, gateway, methods=["POST"])])
    app.state.simulator = simulator
    return app
