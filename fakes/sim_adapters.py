"""Both Intacct adapters against the Intacct simulator's app, in process: the one harness of the
tests that drive the product's XML or REST adapter over the simulator (and of ``demo_pair``).

``DEMO`` and ``DEMO_OAUTH`` are the demo company's credentials (its sender and Web Services user
for XML; its OAuth client for that user, the client-credentials grant, for REST); ``settings``
points both APIs at the simulator served at ``SIM_URL`` with no back-off; ``client`` serves a
simulator (or a wrapped app) through ``httpx.ASGITransport``; ``adapters`` builds the XML and the
REST adapter over one client, which ``served`` does for a simulator, closing the client after.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import httpx
from starlette.types import ASGIApp

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct_rest.adapter import IntacctRestAdapter
from released_intacct.domain.enums import IntacctApi
from released_intacct.domain.ports import Clock, Credentials, IntacctCredentials, OAuthCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct import seed
from released_intacct.fakes.simulators.intacct.seeddata import OAUTH_CLIENT, SENDER, USER
from released_intacct.fakes.simulators.intacct.simulator import Simulator

__all__ = [
    "DEMO",
    "DEMO_OAUTH",
    "SIM_URL",
    "Adapters",
    "At",
    "adapters",
    "client",
    "credentials_for",
    "demo_company",
    "served",
    "settings",
    "settings_for",
]

DEMO = IntacctCredentials(
    sender_id=SENDER[0],
    sender_password=Secret(SENDER[1]),
    company_id="DEMO",
    user_id=USER[0],
    user_password=Secret(USER[1]),
)
"""The demo company over XML: its sender and Web Services user."""
DEMO_OAUTH = OAuthCredentials(
    client_id=OAUTH_CLIENT[0],
    client_secret=Secret(OAUTH_CLIENT[1]),
    company_id="DEMO",
    user_id=USER[0],
)
"""The demo company over REST (``--intacct-api rest``): the simulator's OAuth client, for the
Web Services user ``ws_user`` (the client-credentials grant)."""
SIM_URL = "http://sim"


class At:
    """A clock standing at ``at`` until set: a callable for the simulator, ``now()`` for the
    adapters (the ``Clock`` port)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def now(self) -> datetime:
        return self.at


def settings(**changes: Any) -> ClientSettings:
    """Both APIs at the simulator, with no back-off; ``changes`` as ``ClientSettings`` takes
    them."""
    return settings_for(replace(ClientSettings(backoff=0.0), **changes), SIM_URL)


def settings_for(settings: ClientSettings, base: str) -> ClientSettings:
    """``settings`` pointed at the simulator served at ``base``: its XML gateway and REST API."""
    return replace(
        settings, endpoint=base + intacct_app.GATEWAY_PATH, api_base=base + intacct_app.REST_PREFIX
    )


def credentials_for(api: IntacctApi) -> Credentials:
    """The demo company's credentials over ``api``: ``DEMO`` (XML) or ``DEMO_OAUTH`` (REST)."""
    return DEMO_OAUTH if api is IntacctApi.REST else DEMO


def client(served: Simulator | ASGIApp) -> httpx.AsyncClient:
    """A client of the simulator's app (or of an app wrapping it), at ``SIM_URL``."""
    app = intacct_app.create_app(served) if isinstance(served, Simulator) else served
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SIM_URL)


@dataclass(frozen=True, slots=True)
class Adapters:
    client: httpx.AsyncClient
    xml: IntacctAdapter
    rest: IntacctRestAdapter


def adapters(
    to_sim: httpx.AsyncClient,
    clock: Clock,
    *,
    with_settings: ClientSettings | None = None,
    xml: IntacctCredentials = DEMO,
    rest: OAuthCredentials = DEMO_OAUTH,
) -> Adapters:
    """The XML and the REST adapter of the company, at the top level, over one client."""
    chosen = with_settings or settings()
    return Adapters(
        to_sim,
        IntacctAdapter(to_sim, xml, entity=None, settings=chosen),
        IntacctRestAdapter(to_sim, rest, entity=None, settings=chosen, clock=clock),
    )


@asynccontextmanager
async def served(
    sim: Simulator, clock: Clock, *, with_settings: ClientSettings | None = None
) -> AsyncIterator[Adapters]:
    """``adapters`` over a client of ``sim``, closed after."""
    async with client(sim) as to_sim:
        yield adapters(to_sim, clock, with_settings=with_settings)


def demo_company(
    sim: Simulator, api: IntacctApi, *, now: datetime, sync_errors: bool = True
) -> None:
    """The Intacct demo company (with D13's and D14's sync errors, unless ``sync_errors`` is
    False) a connection over ``api`` syncs: over REST without Order Entry and Purchasing
    (``seed.load_demo``: the REST pages show no way to create the Items their lines name, D17,
    so a REST connection cannot sync them)."""
    seed.load_demo(sim, now=now, sync_errors=sync_errors, order_modules=api is IntacctApi.XML)
