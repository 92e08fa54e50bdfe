"""The fault soak (issue 9): the demo pair served on loopback with every fault kind armed.

``served_pair(store, seed=..., ...)`` is ``demo_pair`` over real sockets: both simulators are
served by uvicorn on 127.0.0.1 (``serving``), and the product's adapters reach them through an
``httpx.AsyncClient`` over TCP; ``api`` chooses the Intacct API the product speaks, as for
``demo_pair`` (over REST the demo company without Order Entry and Purchasing). The users
(``IntacctUser``, ``ReleasedUser``) act in process
through ``httpx.ASGITransport`` on the same simulators, as in ``demo_pair``; while they act, the
fault rules are set aside (``calm``), so a user's change is never refused and never draws from the
fault RNG: the faults meet the sync alone, in the same sequence for the same seed.

``arm(pair, ...)`` adds one rule per fault kind each simulator has, all with one probability;
``tally(pair)`` reads back, through each simulator's control API, how often each kind fired and how
many requests each simulator answered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

import httpx
from starlette.types import ASGIApp

from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.released import ReleasedSettings
from released_intacct.domain.enums import IntacctApi
from released_intacct.domain.state import StateStore
from released_intacct.fakes.demo_pair import (
    DemoPair,
    IntacctUser,
    ReleasedUser,
    Ticking,
    credentials_for,
    demo_company,
    settings_for,
    wired,
)
from released_intacct.fakes.serving import serving
from released_intacct.fakes.simulators.intacct import app as intacct_app
from released_intacct.fakes.simulators.intacct import faults as intacct_faults
from released_intacct.fakes.simulators.intacct.simulator import Simulator as IntacctSimulator
from released_intacct.fakes.simulators.released import app as released_app
from released_intacct.fakes.simulators.released import faults as released_faults
from released_intacct.fakes.simulators.released import seed as released_seed
from released_intacct.fakes.simulators.released.simulator import Simulator as ReleasedSimulator

__all__ = ["Retries", "Served", "Tally", "arm", "calm", "served_pair", "tally"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Retries:
    """The adapters' retry settings: attempts per request (the first included; the products'
    defaults unless given) and the first back-off in seconds (none by default: a test waits for
    nothing but the faults' own delays)."""

    intacct_attempts: int = 6
    released_attempts: int = 5
    backoff: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Served:
    pair: DemoPair
    intacct_url: str
    released_url: str


@asynccontextmanager
async def served_pair(
    store: StateStore,
    *,
    seed: int,
    retries: Retries,
    clock: Ticking | None = None,
    api: IntacctApi = IntacctApi.XML,
) -> AsyncIterator[Served]:
    """Both demo seeds loaded at the clock's time and served on loopback; fault RNGs seeded
    with ``seed`` (Intacct) and ``seed + 1`` (Re-Leased); the service over real adapters,
    speaking ``api`` to Intacct."""
    clock = clock or Ticking()
    isim = IntacctSimulator(clock=clock.now, seed=seed)
    demo_company(isim, api, now=clock.now())
    rsim = ReleasedSimulator(clock=clock.now, fault_seed=seed + 1)
    released_seed.load_demo(rsim, now=clock.now())
    iapp, rapp = intacct_app.create_app(isim), released_app.create_app(rsim)
    with serving(iapp) as intacct_url, serving(rapp) as released_url:
        async with (
            httpx.AsyncClient() as wire,
            _users(iapp, "http://sim") as to_intacct,
            _users(rapp, "http://released.sim") as to_released,
        ):
            service = wired(
                store,
                clock,
                to_intacct=(wire, _intacct_settings(intacct_url, retries)),
                to_released=(wire, released_url, _released_settings(retries)),
            )
            yield Served(
                pair=DemoPair(
                    flow=service.flow,
                    sync=service.sync,
                    store=store,
                    clock=clock,
                    intacct_for=service.intacct_for,
                    released_for=service.released_for,
                    intacct=isim,
                    released=rsim,
                    intacct_user=IntacctUser(to_intacct),
                    released_user=ReleasedUser(to_released),
                    credentials=credentials_for(api),
                ),
                intacct_url=intacct_url,
                released_url=released_url,
            )


def _intacct_settings(url: str, retries: Retries) -> ClientSettings:
    attempts, backoff = retries.intacct_attempts, retries.backoff
    return settings_for(ClientSettings(attempts=attempts, backoff=backoff, timeout=10.0), url)


def _released_settings(retries: Retries) -> ReleasedSettings:
    attempts, backoff = retries.released_attempts, retries.backoff
    return ReleasedSettings(attempts=attempts, backoff=backoff, timeout=10.0)


def _users(app: ASGIApp, base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


# --- faults -----------------------------------------------------------------------------------


def arm(pair: DemoPair, *, probability: float, delay_ms: int) -> None:
    """One rule per fault kind on each simulator, in the order the kinds are listed, each firing
    with ``probability`` on any request (``processing_error`` on AUDITHISTORY reads, where real
    clients meet it); throttling asks for no wait (``Retry-After: 0``)."""
    ibook, rbook = pair.intacct.faults, pair.released.faults
    for ikind in intacct_faults.KINDS:
        ibook.add(
            intacct_faults.FaultRule(
                rule_id=ibook.next_id(),
                kind=ikind,
                object="AUDITHISTORY" if ikind == "processing_error" else None,
                probability=probability,
                retry_after=0,
                delay_ms=delay_ms if ikind == "delay" else 0,
            )
        )
    for rkind in released_faults.KINDS:
        rbook.add(
            released_faults.FaultRule(
                rule_id=rbook.next_id(),
                kind=rkind,
                probability=probability,
                retry_after=0,
                delay_ms=delay_ms if rkind == "delay" else 0,
            )
        )


@contextmanager
def calm(pair: DemoPair) -> Iterator[None]:
    """No fault rule while the block runs (users at work); the same rules, counts kept, after."""
    ibook, rbook = pair.intacct.faults, pair.released.faults
    irules, rrules = list(ibook.rules), list(rbook.rules)
    ibook.rules.clear()
    rbook.rules.clear()
    try:
        yield
    finally:
        ibook.rules[:] = irules
        rbook.rules[:] = rrules


@dataclass(frozen=True, slots=True, kw_only=True)
class Tally:
    """What each simulator's control API says: faults fired per kind; requests Intacct billed
    (those no fault stopped before they ran) and requests Re-Leased counted (every ``/api`` one)."""

    intacct_faults: dict[str, int] = field(default_factory=dict)
    released_faults: dict[str, int] = field(default_factory=dict)
    intacct_requests_billed: int = 0
    released_requests: int = 0


async def tally(served: Served) -> Tally:
    async with httpx.AsyncClient() as client:
        irules = (await client.get(f"{served.intacct_url}/_sim/faults")).json()["faults"]
        rrules = (await client.get(f"{served.released_url}/_sim/faults")).json()["faults"]
        istats = (await client.get(f"{served.intacct_url}/_sim/stats")).json()
        rstats = (await client.get(f"{served.released_url}/_sim/stats")).json()
    return Tally(
        intacct_faults={r["kind"]: int(r["fired"]) for r in irules},
        released_faults={r["kind"]: int(r["fired"]) for r in rrules},
        intacct_requests_billed=int(istats["companies"]["DEMO"]["requests"]),
        released_requests=int(rstats["companies"][released_seed.COMPANY_ID]["requests"]),
    )
