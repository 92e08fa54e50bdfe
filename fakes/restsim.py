"""A blocking client of the simulator's REST API, for tests of the simulator.

Test support: requests written by hand over ``httpx.ASGITransport`` (one event loop per call),
independent of the product's REST adapter, so simulator tests do not depend on the code the
simulator exists to test. ``token`` runs the client-credentials grant of the demo's OAuth client;
``signed_in`` is a client of a simulator holding its token; ``company`` a small company's config;
``ar_advance`` / ``ap_advance`` the pages' advance create samples over the demo company's ids.
"""

from __future__ import annotations

import asyncio
from typing import Final

import httpx
from starlette.types import ASGIApp

from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.simulator import Simulator

API: Final = "/ia/api/v1"
CLIENT: Final = ("demo-client", "demo-client-secret")
USERNAME: Final = "ws_user@DEMO"


class RestSim:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.access_token = ""

    def request(self, method: str, path: str, **options: object) -> httpx.Response:
        """``path`` under ``/ia/api/v1`` (``/_sim/...`` and ``/ia/...`` as they are), with the
        bearer token if any."""
        url = path if path.startswith(("/_sim", "/ia/")) else f"{API}{path}"
        headers = dict(options.pop("headers", {}) or {})  # type: ignore[call-overload]
        if self.access_token and "authorization" not in {h.lower() for h in headers}:
            headers["Authorization"] = f"Bearer {self.access_token}"

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
                return await client.request(method, url, headers=headers, **options)  # type: ignore[arg-type]

        return asyncio.run(send())

    def token(self, **form: str) -> httpx.Response:
        """A token request (form-encoded); the client-credentials grant of the demo client by
        default. A 200 keeps its access token for the next requests."""
        data = form or {
            "grant_type": "client_credentials",
            "client_id": CLIENT[0],
            "client_secret": CLIENT[1],
            "username": USERNAME,
        }
        response = self.request("POST", "/oauth2/token", data=data, headers={"authorization": ""})
        if response.status_code == 200:
            self.access_token = str(response.json()["access_token"])
        return response

    def get(self, path: str, **options: object) -> httpx.Response:
        return self.request("GET", path, **options)

    def post(self, path: str, **options: object) -> httpx.Response:
        return self.request("POST", path, **options)

    def patch(self, path: str, **options: object) -> httpx.Response:
        return self.request("PATCH", path, **options)

    def delete(self, path: str, **options: object) -> httpx.Response:
        return self.request("DELETE", path, **options)

    def query(self, **body: object) -> httpx.Response:
        return self.request("POST", "/services/core/query", json=body)


def signed_in(sim: Simulator) -> RestSim:
    """A client of ``sim``'s app holding the demo client's access token."""
    api = RestSim(create_app(sim))
    granted = api.token()
    if granted.status_code != 200:
        msg = f"the demo client's token was refused: {granted.status_code} {granted.text}"
        raise AssertionError(msg)
    return api


def company(
    *, more: dict[str, list[dict[str, object]]] | None = None, **overrides: object
) -> dict[str, object]:
    """A small company config for REST tests: the demo's credentials and OAuth client, two
    entities, two GL accounts, a contact and a customer; ``more``: records of other objects
    (``{"VENDOR": [...]}``), added to those; ``overrides`` replace the config's keys."""
    config: dict[str, object] = {
        "company_id": "DEMO",
        "senders": {"demo-sender": "demo-sender-pass"},
        "users": {"ws_user": "ws_pass", "admin": "admin_pass"},
        "entities": {"E100": "East", "E200": "West"},
        "oauth_clients": {
            CLIENT[0]: {
                "secret": CLIENT[1],
                "sender": "demo-sender",
                "redirect_uris": ["http://127.0.0.1/oauth/callback"],
                "login": "admin",
            }
        },
        "records": {
            "GLACCOUNT": [
                {"ACCOUNTNO": "1000", "TITLE": "Cash", "ACCOUNTTYPE": "balancesheet",
                 "NORMALBALANCE": "debit", "STATUS": "active"},
                {"ACCOUNTNO": "4000", "TITLE": "Rent", "ACCOUNTTYPE": "incomestatement",
                 "NORMALBALANCE": "credit", "STATUS": "active"},
            ],
            "CONTACT": [
                {"CONTACTNAME": "Ann Bell", "PRINTAS": "Ann Bell", "EMAIL1": "ann@x.example"},
            ],
            "CUSTOMER": [
                {"CUSTOMERID": "C1", "NAME": "Acme", "STATUS": "active",
                 "DISPLAYCONTACT": {"CONTACTNAME": "Acme(CC1)", "EMAIL1": "ap@acme.example"},
                 "BILLTO": {"CONTACTNAME": "Ann Bell"}},
            ],
        },
    }  # fmt: skip
    records = config["records"]
    assert isinstance(records, dict)
    records.update(more or {})
    config.update(overrides)
    return config


def ar_advance(**more: object) -> dict[str, object]:
    """The page's create sample ("POST /objects/accounts-receivable/advance"), the demo's ids."""
    return {
        "customer": {"id": "CUS-1001"},
        "paymentInformation": {
            "paymentDate": "2026-03-13",
            "receiptDate": "2026-03-13",
            "paymentMethod": "printedCheck",
            "financialEntity": {"id": "BOA"},
        },
        "advanceSummary": {"id": "511"},
        "items": [
            {
                "glAccount": {"id": "4000"},
                "accountLabel": {"id": "Travel", "key": "14",
                                 "href": "/objects/accounts-receivable/account-label/14"},
                "txnAmount": "500",
                "dimensions": {"location": {"id": "E100"}},
            },
            {"glAccount": {"id": "4000"}, "txnAmount": 20.5},
        ],
        **more,
    }  # fmt: skip


def ap_advance(**more: object) -> dict[str, object]:
    """The page's create sample ("POST /objects/accounts-payable/advance"), the demo's ids."""
    return {
        "description": "Advance for new equipment",
        "paymentMethod": "cash",
        "financialEntity": {"entityId": "BOA"},
        "advanceDate": "2026-03-23",
        "vendor": {"id": "VEN-2001"},
        "lines": [
            {"baseAmount": "120.00", "memo": "retainer", "txnAmount": "120.00",
             "dimensions": {"department": {"id": "D10"}}, "glAccount": {"id": "5000"}},
        ],
        **more,
    }  # fmt: skip
