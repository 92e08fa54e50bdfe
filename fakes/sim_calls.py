"""The Intacct simulator driven in process, one function at a time, for tests: the demo company
(with settings changed), a function's one result, and the two outcomes tests look at.

Nothing here is behaviour of the simulator; it saves each test module its own copy.
"""

from __future__ import annotations

from datetime import datetime

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

__all__ = ["ENDPOINT", "call", "demo_books", "ok_key", "refused"]

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"


def demo_books(now: datetime, **settings: object) -> tuple[Simulator, Company]:
    """A simulator at ``now`` holding the demo company's master data, ``settings`` changed."""
    sim = Simulator(clock=lambda: now)
    config = demo_config()
    config["settings"] = {**config["settings"], **settings}  # type: ignore[dict-item]
    return sim, load_company(sim, config, now=now)


def call(sim: Simulator, function: str) -> xmlgw.Element:
    """The one result of a request holding ``function``."""
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    return result


def ok_key(sim: Simulator, function: str) -> str:
    """The key (legacy) or first RECORDNO (generic) of a function that must succeed."""
    result = call(sim, function)
    assert result.findtext("status") == "success", result.findtext(".//description2")
    return result.findtext("key") or result.findtext("data/*/RECORDNO") or ""


def refused(sim: Simulator, function: str) -> str:
    """The description2 of a function that must fail."""
    result = call(sim, function)
    assert result.findtext("status") == "failure"
    return result.findtext("errormessage/error/description2", "")
