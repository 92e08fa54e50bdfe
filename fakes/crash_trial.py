"""The demo's initial sync in a process of its own, to be killed mid-run (the sync crash test).

What a trial of ``tests/integration/test_sync_crash.py`` is made of:

- ``World.start(folder)``: both simulators with their demo seeds, each in a process of its own
  (``demo_processes.Simulators``), so they outlive the sync's process; ``reset()`` reloads both
  demo seeds (``POST /_sim/reset``) between trials; ``records()`` reads every record of both
  through their control APIs; ``fault(...)`` adds an Intacct fault rule, ``fired(id)`` counts
  its firings.
- ``write_settings(folder, world, timeout=...)``: the settings of a fresh SQLite store in
  ``folder`` (with ``timeout``, both clients' time-out; the crash test's is ``TIMEOUT``), with
  the simulator's XML gateway and REST API both.
- ``onboard(settings, decisions, api)``: the demo's onboarding over ``api`` (``IntacctApi``: the
  XML gateway with ``DEMO``, the REST API with the demo OAuth client ``DEMO_OAUTH``; ``SEEDS``
  names the Intacct seed each needs, ``World.reset(api)`` loads it) (decisions from
  ``examples/demo/decisions.toml``) and confirm, in the caller's process, with the initial sync
  left queued. The connection id is fixed (``CONNECTION``), so every trial's idempotency keys,
  and the Re-Leased ids and Intacct references written from them, are the same.
- ``python -m released_intacct.fakes.crash_trial``: the sync's process. It imports everything
  (so it can be started ahead of time), says ``ready``, reads the path of a settings file from
  its input, says ``start``, runs the initial sync (``Service.run_now``, through
  ``app.bootstrap.open_service``) and says ``done <status>``.
- ``recover(settings)``: what a process restarted after the crash does: the run the dead process
  left open is released (it would otherwise lock the company out until it is stale, E4), then
  two syncs run to their end. A write the dead process sent and that is not found yet may still
  be running in a simulator: the first sync waits the clients' time-out for it
  (``RunPolicy.attempt``), then looks it up again. ``stored(settings)``: the store's links and
  open intents.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import httpx
from returns.pipeline import is_successful

from released_intacct.adapters.state import generate_key
from released_intacct.app.bootstrap import open_service
from released_intacct.app.connection import ConnectionWorkflow
from released_intacct.app.decisions import Decisions, apply_decisions
from released_intacct.app.settings import Settings, settings_from_toml
from released_intacct.domain.enums import IntacctApi, RecordType
from released_intacct.domain.ids import ConnectionId, EntityId
from released_intacct.domain.links import Link
from released_intacct.domain.rules.prerequisites import Status
from released_intacct.domain.state import Intent, Run
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DEMO, RL_DEMO, SYNC_FROM, credentials_for
from released_intacct.fakes.demo_processes import Simulators
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH
from released_intacct.fakes.simulators.intacct.catalog import OBJECTS
from released_intacct.fakes.simulators.intacct.rest.routes import PREFIX as REST_PREFIX
from released_intacct.fakes.simulators.released import seed as released_seed
from released_intacct.fakes.simulators.released.company import RESOURCES

__all__ = [
    "CONNECTION",
    "SEEDS",
    "TIMEOUT",
    "Records",
    "World",
    "listed",
    "main",
    "onboard",
    "recover",
    "refuse_then_fix",
    "stored",
    "write_settings",
]

HOST = "127.0.0.1"
CONNECTION = ConnectionId("conn-crash-trial")
Records = dict[str, list[dict[str, Any]]]
"""Every record of one simulated company, by Intacct object or Re-Leased resource."""
SEEDS = {IntacctApi.XML: "demo", IntacctApi.REST: "demo-blue-rest"}
"""The Intacct simulator's seed a trial over each API starts from: over REST the demo company
without Order Entry and Purchasing (the REST pages show no way to create the Items their lines
name, D17), and without D13's and D14's sync errors, which that seed leaves out too."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class World:
    """Both simulators, each in its own process, and a client of their control APIs."""

    simulators: Simulators
    http: httpx.Client

    @classmethod
    def start(cls, logs: Path) -> World:
        ports = {"intacct": _free_port(), "released": _free_port()}
        simulators = Simulators(HOST, ports, logs=logs)
        simulators.start()
        return cls(simulators, httpx.Client(timeout=30.0))

    def stop(self) -> None:
        self.http.close()
        self.simulators.stop()

    @property
    def intacct(self) -> str:
        return self.simulators.url("intacct")

    @property
    def released(self) -> str:
        return self.simulators.url("released")

    def reset(self, api: IntacctApi = IntacctApi.XML) -> None:
        """Both demo seeds loaded afresh, Intacct's the one ``api`` needs (``SEEDS``)."""
        for url, seed in ((self.intacct, SEEDS[api]), (self.released, "demo")):
            self.http.post(f"{url}/_sim/reset", json={"seed": seed}).raise_for_status()

    def fault(self, **rule: object) -> str:
        """A fault rule added to the Intacct simulator (``POST /_sim/faults``); its id."""
        reply = self.http.post(f"{self.intacct}/_sim/faults", json=rule)
        reply.raise_for_status()
        return str(reply.json()["rule_id"])

    def fired(self, rule_id: str) -> int:
        """How many times the Intacct simulator's fault rule ``rule_id`` fired."""
        reply = self.http.get(f"{self.intacct}/_sim/faults")
        reply.raise_for_status()
        (rule,) = [r for r in reply.json()["faults"] if r["rule_id"] == rule_id]
        return int(rule["fired"])

    def records(self) -> tuple[Records, Records]:
        """Every record of Intacct's ``DEMO`` (by object) and of Re-Leased's ``RL-DEMO`` (by
        resource), as each simulator holds it."""
        intacct = {obj: listed(self.http, self.intacct, DEMO.company_id, obj) for obj in OBJECTS}
        released = {res: listed(self.http, self.released, RL_DEMO, res) for res in RESOURCES}
        return intacct, released


def listed(http: httpx.Client, url: str, company: str, what: str) -> list[dict[str, Any]]:
    """Every record of one Intacct object or Re-Leased resource of ``company``, as the simulator
    at ``url`` holds it (its control API)."""
    reply = http.get(f"{url}/_sim/companies/{company}/records/{what}")
    reply.raise_for_status()
    records: list[dict[str, Any]] = reply.json()["records"]
    return records


TIMEOUT = 3.0
"""Both clients' time-out in the crash test, seconds. The simulators answer in milliseconds (the
F2 variant's held create in ``REFUSED_HELD_MS``); a process restarted after a kill waits this
long for a write of the killed one that is not found yet (``RunPolicy.attempt``), so it is
short."""


def write_settings(folder: Path, world: World, *, timeout: float | None = None) -> Path:
    """The settings file of a fresh store in ``folder`` over ``world``'s simulators; with
    ``timeout``, both clients' time-out (seconds), else the defaults."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "settings.toml"
    limit = "" if timeout is None else f"timeout = {timeout}\n"
    path.write_text(
        f'database = "{folder / "state.sqlite3"}"\n'
        f'encryption_key = "{generate_key().reveal()}"\n\n'
        f'[intacct]\nendpoint = "{world.intacct}{GATEWAY_PATH}"\n'
        f'api_base = "{world.intacct}{REST_PREFIX}"\n{limit}\n'
        f'[released]\nbase_url = "{world.released}"\napi_key = "{released_seed.API_KEY}"\n'
        f"{limit}",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


async def onboard(
    settings: Settings, decisions: Decisions, api: IntacctApi = IntacctApi.XML
) -> ConnectionId:
    """Connect over ``api``, match, decide and confirm the demo pair; the initial sync is left
    queued."""
    async with open_service(settings) as service:
        ports = service.ports
        flow = ConnectionWorkflow(
            ports.store,
            intacct_for=ports.intacct_for,
            released_for=ports.released_for,
            clock=ports.clock,
            new_id=lambda: CONNECTION,
        )
        id = (await value(flow.connect(RL_DEMO, credentials_for(api)))).connection.id
        await value(flow.choose_entity(id, EntityId("E100")))
        await value(flow.set_sync_from(id, SYNC_FROM))
        if any(a.status is Status.FAILS for a in await value(flow.prerequisites(id))):
            raise AssertionError("the demo's Intacct set-up should pass C5")
        await value(flow.start_matching(id))
        taken = await apply_decisions(flow, id, decisions)
        if not is_successful(taken):
            raise AssertionError(taken.failure())
        await value(flow.confirm(id))
        await flow.background()
        return id


REFUSED = "inv-0003"
"""The Re-Leased invoice of the refused-then-fixed variant (issue 16, F2): approved, no payment."""
REFUSED_HELD_MS = 400
"""How long the simulator holds the fixed invoice's create before it runs."""


def refuse_then_fix(world: World, settings: Settings) -> None:
    """Issue 16, F2: Intacct already holds a Sales Invoice numbered as Re-Leased's ``REFUSED``
    (entered by hand, dated long before the sync-from date, so never synced), so the initial sync
    (run here, to its end) has Intacct refuse that invoice's create: its intent is FAILED. The
    user then renumbers the invoice in Re-Leased, so the next sync plans its create again."""
    number = REFUSED.upper()
    held = {
        "DOCID": f"Sales Invoice-{number}",
        "DOCPARID": "Sales Invoice",
        "DOCNO": number,
        "STATE": "Pending",
        "CUSTVENDID": "CUS-1001",
        "WHENCREATED": "2020-01-15",
        "CURRENCY": "USD",
    }
    url = f"{world.intacct}/_sim/companies/{DEMO.company_id}/records/SODOCUMENT"
    world.http.post(url, json={"records": [held]}).raise_for_status()
    asyncio.run(_sync_once(settings))
    invoice = f"{world.released}/api/invoices/{REFUSED}"
    headers = {"Authorization": f"Bearer {released_seed.API_KEY}", "X-Company-Id": RL_DEMO}
    current = world.http.get(invoice, headers=headers)
    current.raise_for_status()
    body = {**current.json(), "invoiceNumber": f"{number}-A"}
    world.http.put(invoice, headers=headers, json=body).raise_for_status()
    # The fixed invoice's create is the one write of the next sync: held a while on its way (as
    # a slow Intacct would), so that the kills land before, during and after it, not only in the
    # reads around it.
    rule = {"kind": "delay", "function": "create_sotransaction", "delay_ms": REFUSED_HELD_MS}
    world.http.post(f"{world.intacct}/_sim/faults", json=rule).raise_for_status()


async def _sync_once(settings: Settings) -> None:
    async with open_service(settings) as service:
        await service.run_now(CONNECTION)


async def recover(settings: Settings) -> tuple[Run, ...]:
    """As a process restarted after a crash: release the run the dead one left open, then sync
    to the end twice; the runs released and the two syncs."""
    async with open_service(settings) as service:
        store, now = service.ports.store, service.ports.clock.now()
        released = await value(store.release_stale_runs(before=now, at=now))
        first = await value(service.run_now(CONNECTION))
        second = await value(service.run_now(CONNECTION))
        return (*released, first, second)


async def stored(settings: Settings) -> tuple[tuple[Link, ...], tuple[Intent, ...]]:
    """Every link of the connection, and the intents still open (PENDING or SENT)."""
    async with open_service(settings) as service:
        store = service.ports.store
        links = [await value(store.links(CONNECTION, kind)) for kind in RecordType]
        return tuple(chain.from_iterable(links)), await value(store.open_intents(CONNECTION))


async def _initial_sync(settings: Settings) -> None:
    async with open_service(settings) as service:
        print("start", flush=True)
        outcome = await service.run_now(CONNECTION)
        if is_successful(outcome):
            print(f"done {outcome.unwrap().status.value}", flush=True)
        else:
            print(f"refused {outcome.failure()}", flush=True)


def main() -> int:
    """The sync's process: ``ready``, a settings path in, ``start``, the initial sync, ``done``."""
    print("ready", flush=True)
    settings = settings_from_toml(sys.stdin.readline().strip())
    asyncio.run(_initial_sync(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
