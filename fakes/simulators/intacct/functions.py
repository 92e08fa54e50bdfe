"""Every function the gateway runs, by element name, plus getAPISession."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from released_intacct.fakes.simulators.intacct import (
    approvals,
    aprequests,
    arpayments,
    definitions,
    docupdates,
    generic,
    getlist,
    invoices,
    legacydeletes,
    orders,
    orderupdates,
    prefs,
    writes,
)
from released_intacct.fakes.simulators.intacct.auth import SIGN_IN, Caller
from released_intacct.fakes.simulators.intacct.errors import failure
from released_intacct.fakes.simulators.intacct.generic import Handler
from released_intacct.fakes.simulators.intacct.wire import Element, has, sub, text_of

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator


def api_session(sim: Simulator, caller: Caller, function: Element, *, endpoint: str) -> Element:
    entity = text_of(function, "locationid") if has(function, "locationid") else caller.entity
    if entity and entity not in caller.company.entities:
        raise failure(SIGN_IN, f"Entity '{entity}' does not exist or cannot be accessed")
    session = sim.open_session(caller.company, caller.user_id, entity)
    data = etree.Element("data")
    api = sub(data, "api")
    sub(api, "sessionid", session.session_id)
    sub(api, "endpoint", endpoint)
    sub(api, "locationid", entity)
    return data


FUNCTIONS: dict[str, Handler] = {
    **generic.HANDLERS,
    **writes.HANDLERS,
    **invoices.HANDLERS,
    **arpayments.HANDLERS,
    **aprequests.HANDLERS,
    **orders.HANDLERS,
    **prefs.HANDLERS,
    **legacydeletes.HANDLERS,
    **docupdates.HANDLERS,
    **orderupdates.HANDLERS,
    **approvals.HANDLERS,
    **getlist.HANDLERS,
    **definitions.HANDLERS,
}
