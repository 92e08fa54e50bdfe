"""A fleet of small confirmed companies (issue 17): N pairs in the simulators and in a store.

The many-worker tests and the worker benchmark need hundreds of companies, each its own Intacct
company and Re-Leased company, each confirmed and due. Onboarding each through the workflow would
cost a login and a matching per company; instead the pairs are made so that onboarding has nothing
to decide (rule O1: nothing in Re-Leased to match against Intacct), and stored straight as
CONFIRMED, as ``sync_world`` does for one.

Company ``i`` (0-based; ``FLEET-0007`` for 7):

- Intacct ``FLEET-0007``: one sender and user for every company (``SENDER``, ``USER``), no
  entities (the top level, entity ``""``), the simulator's default settings (USD, sequencing on)
  without Order Entry or Purchasing, ``ACCOUNTS`` GL accounts and one customer
  (``Fleet Customer 0007``);
- Re-Leased ``RL-FLEET-0007`` (API key ``API_KEY``, the same for all): ``CONTACTS`` customer
  contacts (``Fleet Tenant 0007-1`` ...), nothing else;
- connection ``fleet-0007``, CONFIRMED, sync from ``SYNC_FROM``, never run (so due at once).

Its first sync writes the accounts, the customer and a tracking category "Customer" (its one
option the customer) into Re-Leased, and ``CONTACTS`` customers into Intacct: about ten writes,
in well under a second against the simulators. A second sync adds the new customers as options
of the category; a third writes nothing.

API (kept small and stable; the worker benchmark uses it too):

- ``Fleet(count, start=0)``: companies ``start`` to ``start + count - 1``; ``fleet.connections``
  their connection ids, in order; ``connection_of(i)``, ``intacct_company(i)``,
  ``released_company(i)``, ``credentials_of(i)``;
- ``fleet.seed_simulators(http, intacct_url, released_url)``: each company added to both running
  simulators through their control APIs (``POST /_sim/companies``), in one pass;
- ``await fleet.seed_store(store, at=...)``: each connection stored as CONFIRMED with its
  credentials (``add_connection``);
- ``Fleet.holdings(http, intacct_url, released_url, i)``: what company ``i`` holds on both sides
  now, as two ``crash_trial.Records`` (for ``crash_state.duplicates``); ``expected()`` how many
  records of each kind a company's first sync leaves;
- ``settings_toml(database, intacct_url, released_url, **tables)``: a settings file's text for
  processes that sync the fleet (a fresh encryption key: write it once, share it), with more
  tables (``sync={"stale_after": 3}``, ``worker=...``, ``intacct=...``, ``released=...``);
- ``empty_simulators(http, intacct_url, released_url)``: both simulators reset to no company.

The simulators run in processes of their own (``crash_trial.World.start``), emptied first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

import httpx
from returns.pipeline import is_successful

from released_intacct.adapters.state import generate_key
from released_intacct.domain.ids import (
    ConnectionId,
    EntityId,
    IntacctCompanyId,
    ReleasedCompanyId,
)
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection, Phase, StateStore
from released_intacct.fakes.awaiting import settled
from released_intacct.fakes.crash_trial import Records, listed
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH

__all__ = [
    "ACCOUNTS",
    "API_KEY",
    "CONTACTS",
    "INTACCT_OBJECTS",
    "RELEASED_RESOURCES",
    "SENDER",
    "SYNC_FROM",
    "USER",
    "Fleet",
    "Holdings",
    "connection_of",
    "credentials_of",
    "empty_simulators",
    "expected",
    "intacct_company",
    "released_company",
    "settings_toml",
]

SENDER: Final = ("fleet-sender", "fleet-sender-pass")
USER: Final = ("ws_user", "ws_pass")
API_KEY: Final = "fleet-api-key"
SYNC_FROM: Final = date(2024, 1, 1)
ACCOUNTS: Final = (("4000", "Rental Income", "credit"), ("5000", "Repairs", "debit"))
CONTACTS: Final = 2
"""Customer contacts each Re-Leased company holds (created in Intacct by the first sync)."""
INTACCT_OBJECTS: Final = ("CUSTOMER", "GLACCOUNT")
"""The Intacct objects a fleet company's syncs read or write (``holdings``)."""
RELEASED_RESOURCES: Final = ("contacts", "accounts", "tracking-categories")
"""The Re-Leased resources a fleet company's syncs write (``holdings``)."""

Scalar = str | int | float | bool
"""A setting's value in ``settings_toml``."""
Holdings = tuple[Records, Records]
"""Company ``i``'s records: Intacct's by object, Re-Leased's by resource."""


def expected() -> dict[str, int]:
    """How many records of each ``holdings`` kind every company holds after its first sync."""
    return {
        "CUSTOMER": 1 + CONTACTS,
        "GLACCOUNT": len(ACCOUNTS),
        "contacts": CONTACTS + 1,
        "accounts": len(ACCOUNTS),
        "tracking-categories": 1,
    }


@dataclass(frozen=True, slots=True)
class Fleet:
    """Companies ``start`` to ``start + count - 1`` (see the module)."""

    count: int
    start: int = 0

    def __post_init__(self) -> None:
        if self.count < 1 or self.start < 0:
            msg = f"a fleet needs count >= 1 and start >= 0, got {self.count} and {self.start}"
            raise ValueError(msg)

    @property
    def indices(self) -> range:
        return range(self.start, self.start + self.count)

    @property
    def connections(self) -> tuple[ConnectionId, ...]:
        return tuple(connection_of(i) for i in self.indices)

    def seed_simulators(self, http: httpx.Client, intacct_url: str, released_url: str) -> None:
        """Every company added to both simulators (``POST /_sim/companies``)."""
        for i in self.indices:
            added = http.post(f"{intacct_url}/_sim/companies", json=_intacct_config(i))
            added.raise_for_status()
            body = {"companyId": released_company(i), "apiKey": API_KEY, "records": _released(i)}
            added = http.post(f"{released_url}/_sim/companies", json=body)
            added.raise_for_status()

    async def seed_store(self, store: StateStore, *, at: datetime) -> tuple[ConnectionId, ...]:
        """Every connection stored CONFIRMED with its credentials; their ids."""
        for i in self.indices:
            added = await settled(store.add_connection(_connection(i, at), credentials_of(i)))
            if not is_successful(added):
                msg = f"fleet company {i} could not be stored: {added.failure().message}"
                raise AssertionError(msg)
        return self.connections

    @staticmethod
    def holdings(http: httpx.Client, intacct_url: str, released_url: str, i: int) -> Holdings:
        """What company ``i`` holds now on both sides, read through the control APIs."""
        intacct = {
            obj: listed(http, intacct_url, intacct_company(i), obj) for obj in INTACCT_OBJECTS
        }
        released = {
            res: listed(http, released_url, released_company(i), res) for res in RELEASED_RESOURCES
        }
        return intacct, released


def connection_of(i: int) -> ConnectionId:
    return ConnectionId(f"fleet-{i:04d}")


def intacct_company(i: int) -> IntacctCompanyId:
    return IntacctCompanyId(f"FLEET-{i:04d}")


def released_company(i: int) -> ReleasedCompanyId:
    return ReleasedCompanyId(f"RL-FLEET-{i:04d}")


def credentials_of(i: int) -> IntacctCredentials:
    return IntacctCredentials(
        sender_id=SENDER[0],
        sender_password=Secret(SENDER[1]),
        company_id=intacct_company(i),
        user_id=USER[0],
        user_password=Secret(USER[1]),
    )


def _connection(i: int, at: datetime) -> Connection:
    return Connection(
        id=connection_of(i),
        released_company=released_company(i),
        intacct_company=intacct_company(i),
        phase=Phase.CONFIRMED,
        entity=EntityId(""),
        sync_from=SYNC_FROM,
        created_at=at,
        confirmed_at=at,
    )


def _intacct_config(i: int) -> dict[str, object]:
    accounts = [
        {"ACCOUNTNO": number, "TITLE": title, "ACCOUNTTYPE": "incomestatement",
         "NORMALBALANCE": balance, "STATUS": "active"}
        for number, title, balance in ACCOUNTS
    ]  # fmt: skip
    customer = {
        "CUSTOMERID": f"CUS-{i:04d}",
        "NAME": f"Fleet Customer {i:04d}",
        "CURRENCY": "USD",
        "STATUS": "active",
        "DISPLAYCONTACT": {"CONTACTNAME": f"Fleet Customer {i:04d}",
                           "PRINTAS": f"Fleet Customer {i:04d}"},
    }  # fmt: skip
    return {
        "company_id": intacct_company(i),
        "senders": {SENDER[0]: SENDER[1]},
        "users": {USER[0]: USER[1]},
        "settings": {"base_currency": "USD", "order_entry": False, "purchasing": False},
        "records": {"GLACCOUNT": accounts, "CUSTOMER": [customer]},
    }


def _released(i: int) -> dict[str, Sequence[dict[str, str]]]:
    return {
        "contacts": [
            {
                "id": f"con-{i:04d}-{n}",
                "name": f"Fleet Tenant {i:04d}-{n}",
                "email": f"tenant{n}@fleet{i:04d}.example",
                "role": "Customer",
                "currency": "USD",
                "status": "Active",
            }
            for n in range(1, CONTACTS + 1)
        ]
    }


def empty_simulators(http: httpx.Client, intacct_url: str, released_url: str) -> None:
    """Both simulators reset to hold no company (``POST /_sim/reset`` without a seed)."""
    for url in (intacct_url, released_url):
        http.post(f"{url}/_sim/reset", json={"seed": "none"}).raise_for_status()


def settings_toml(
    database: str, intacct_url: str, released_url: str, **tables: Mapping[str, Scalar]
) -> str:
    """The settings of a process syncing the fleet: ``database`` (a path or a URL), a fresh
    encryption key, both simulators, and ``tables`` (``sync={"stale_after": 3}``; an
    ``intacct`` table adds to the endpoint, a ``released`` one to the base URL and key)."""
    intacct: dict[str, Scalar] = {"endpoint": f"{intacct_url}{GATEWAY_PATH}"}
    intacct |= tables.pop("intacct", {})
    released: dict[str, Scalar] = {"base_url": released_url, "api_key": API_KEY}
    released |= tables.pop("released", {})
    body = [f"database = {_toml(database)}", f"encryption_key = {_toml(generate_key().reveal())}"]
    for name, table in {"intacct": intacct, "released": released, **tables}.items():
        body += ["", f"[{name}]", *(f"{key} = {_toml(value)}" for key, value in table.items())]
    return "\n".join(body) + "\n"


def _toml(value: Scalar) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value).lower()
