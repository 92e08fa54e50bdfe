"""Fault injection: rules that make the gateway fail the way the real one (and its network) does.

A rule names what it matches (a function, an object, a company: ``None`` matches any), how often it
fires (``probability``, drawn from the simulator's seeded RNG, and ``times``, the next N matching
requests; both may be combined) and its ``kind``. What each kind answers is built in
``faultreplies``:

- ``throttle``: HTTP 429, ``Retry-After`` (seconds) and a control-only ``GW-0010`` body
  (``<control><status>failure</status></control><errormessage>``, the shape the error-handling
  page shows for gateway errors; correction 8); nothing done.
- ``service_unavailable``: HTTP 503 with ``Retry-After`` (seconds) and an empty body; nothing
  done. The REST API's 503 ("limits reached for CPU or throttling are 429 and 503", [RESTDOC]
  docs/rest/http-headers.md) is ``rest.refusals``'s; for the XML gateway the empty body is
  **inferred**.
- ``rate_limited_200``: HTTP 200 with the same control-only ``GW-0010`` "API rate limit exceeded"
  body; nothing done. The official Python SDK treats that text anywhere in a 200 body as a server
  error to retry; at which level Intacct puts it is not documented (the control level, like every
  ``GW-`` error, is **inferred**).
- ``temporarily_offline``: HTTP 200; an authenticated request's every function fails with
  description2 "The Service is Temporarily Off-line" (the Python SDK's result-level check; its
  errorno is not documented, so the simulator leaves it empty); nothing done.
- ``processing_error``: HTTP 200; every function of the request fails with DL02000001 "There was
  an error processing the request." (what real clients meet on AUDITHISTORY pages: tap-intacct
  skips them); nothing done. Match it to ``object`` AUDITHISTORY with ``times`` to make a page
  flaky.
- ``stale_session``: only for a request signed with a session id: HTTP 401 with the
  control-only ``XMLGW_JPP0002`` "Sign-in information is incorrect. Please check your request."
  body of the SDKs' tests, and the session is gone; nothing done. The SDKs show that answer to a
  bad *login*; that a stale session id gets it is **inferred**.
- ``timeout_after_commit``: the request runs and commits, then HTTP 524 with an empty body.
- ``server_error``: HTTP 500 with an empty body; nothing done.
- ``drop``: nothing done, and ``ConnectionDroppedError`` is raised (the app closes the connection).
- ``delay``: ``delay_ms`` more before answering; delays of several rules add up.
- ``session_expiry``: the caller's company's sessions expire before the request runs (an
  authentication failure, XL03000006).
- ``malformed``: the request runs, and the reply is a 200 ``text/xml`` body that is not XML.
- ``truncated``: the request runs, and the reply is its first half.

Decisions where the spec is silent: rules are tried in the order they were added; every matching
``delay`` rule fires, but only the first other rule that fires decides the outcome (later ones are
not tried, so their counters do not move). A ``stale_session`` rule does not match a request
signed with a login. A rule with ``probability`` 1 draws nothing from the RNG, so "next N" rules
never disturb the sequence of random draws. Exhausted ``times`` rules stay listed with
``remaining`` 0. Faults and the concurrency limit are not billed in ``Simulator.usage``.
"""

from __future__ import annotations

import random
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

from released_intacct.fakes.simulators.intacct import (
    aprequests,
    catalog,
    docupdates,
    getlist,
    legacydeletes,
    orderupdates,
)
from released_intacct.fakes.simulators.intacct.functions import FUNCTIONS
from released_intacct.fakes.simulators.intacct.rest import registry
from released_intacct.fakes.simulators.intacct.wire import (
    Element,
    MalformedRequestError,
    parse,
    text_of,
)

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator

Kind = Literal[
    "throttle",
    "service_unavailable",
    "rate_limited_200",
    "temporarily_offline",
    "processing_error",
    "stale_session",
    "timeout_after_commit",
    "server_error",
    "drop",
    "delay",
    "session_expiry",
    "malformed",
    "truncated",
]
KINDS: tuple[Kind, ...] = get_args(Kind)

LEGACY_OBJECTS = {
    "create_invoice": "ARINVOICE",
    "reverse_invoice": "ARINVOICE",
    "create_bill": "APBILL",
    "reverse_bill": "APBILL",
    "create_aradjustment": "ARADJUSTMENT",
    "create_apadjustment": "APADJUSTMENT",
    "create_arpayment": "ARPYMT",
    "apply_arpayment": "ARPYMT",
    "reverse_arpayment": "ARPYMT",
    "reverse_appayment": "APPYMT",
    **dict.fromkeys(aprequests.HANDLERS, "APPYMT"),
    "create_sotransaction": "SODOCUMENT",
    "create_potransaction": "PODOCUMENT",
    **legacydeletes.OBJECTS,
    **docupdates.OBJECTS,
    **orderupdates.OBJECTS,
}
"""The object each legacy function writes (for matching rules by object)."""


class ConnectionDroppedError(ConnectionError):
    """A ``drop`` fault: the connection closes with no reply (the request was not run)."""


@dataclass
class FaultRule:
    rule_id: str
    kind: Kind
    function: str | None = None
    object: str | None = None
    company: str | None = None
    probability: float = 1.0
    remaining: int | None = None
    """Matching requests it still fires on (``times``); None: no limit."""
    retry_after: int = 1
    delay_ms: int = 0
    fired: int = 0

    def matches(self, info: RequestInfo) -> bool:
        if self.company is not None and self.company != info.company:
            return False
        if self.kind == "stale_session" and not info.session_id:
            return False
        if self.function is None and self.object is None:
            return True
        return any(
            self.function in (None, name) and self.object in (None, obj) for name, obj in info.calls
        )


@dataclass(frozen=True)
class Fired:
    rule_id: str
    kind: Kind
    company: str | None
    delay_ms: int


@dataclass(frozen=True)
class RequestInfo:
    """What fault matching needs of a request, read without running it."""

    company: str | None = None
    sender: str = ""
    controlid: str = ""
    session_id: str = ""
    """The session id the request is signed with ("" for a login)."""
    calls: tuple[tuple[str, str | None], ...] = ()
    """(function element, object name) pairs; the object is None when the function has none."""


@dataclass(frozen=True)
class Decision:
    info: RequestInfo
    rule: FaultRule | None = None
    delay_ms: int = 0


@dataclass
class FaultBook:
    """The rules, the seeded RNG that draws their probabilities, and what fired."""

    seed: int | str | None = None
    rules: list[FaultRule] = field(default_factory=list)
    log: deque[Fired] = field(default_factory=lambda: deque(maxlen=1000))
    by_company: Counter[str] = field(default_factory=Counter)
    total: int = 0
    _counter: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - simulated faults, not security

    def next_id(self) -> str:
        self._counter += 1
        return f"fault-{self._counter}"

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def clear(self) -> int:
        count = len(self.rules)
        self.rules.clear()
        return count

    def reset(self) -> None:
        """No rules, nothing fired, the RNG back at the start of its seed."""
        self.clear()
        self.log.clear()
        self.by_company.clear()
        self.total = 0
        self.rng.seed(self.seed)

    def draw(self, rule: FaultRule) -> bool:
        if rule.remaining == 0:
            return False
        return rule.probability >= 1 or self.rng.random() < rule.probability

    def record(self, rule: FaultRule, company: str | None) -> None:
        rule.fired += 1
        if rule.remaining is not None:
            rule.remaining -= 1
        self.total += 1
        if company is not None:
            self.by_company[company] += 1
        self.log.append(Fired(rule.rule_id, rule.kind, company, rule.delay_ms))


def summarize(sim: Simulator, body: bytes) -> RequestInfo:
    """The company (from the login or the session), the sender and the calls of a request."""
    try:
        root = parse(body)
    except MalformedRequestError:
        return RequestInfo()
    control = root.find("control")
    operation = root.find("operation")
    sender = "" if control is None else text_of(control, "senderid")
    controlid = "" if control is None else text_of(control, "controlid")
    if operation is None:
        return RequestInfo(sender=sender, controlid=controlid)
    return RequestInfo(
        company=_company(sim, operation),
        sender=sender,
        controlid=controlid,
        session_id=text_of(operation, "authentication/sessionid"),
        calls=tuple(
            pair for f in operation.iterfind("content/function") for pair in _calls(sim, f)
        ),
    )


def _company(sim: Simulator, operation: Element) -> str | None:
    session_id = text_of(operation, "authentication/sessionid")
    if session_id:
        session = sim.sessions.get(session_id)
        return None if session is None else session.company_id
    company = text_of(operation, "authentication/login/companyid")
    return company if company in sim.companies else None


def _calls(sim: Simulator, function: Element) -> list[tuple[str, str | None]]:
    children = list(function)
    if len(children) != 1:
        return []
    (child,) = children
    name = str(child.tag)
    if name in ("create", "update", "approve", "decline"):
        return [(name, str(obj.tag).upper()) for obj in child] or [(name, None)]
    if name in LEGACY_OBJECTS:
        return [(name, LEGACY_OBJECTS[name])]
    if name == "readMore" and not text_of(child, "object"):
        found = sim.results.open.get(text_of(child, "resultId"))
        return [(name, None if found is None else found.object_name)]
    if name == "get_list":
        return [(name, getlist.object_name(child.get("object") or ""))]
    obj = text_of(child, "object").upper()
    return [(name, obj or None)]


def known_functions() -> set[str]:
    return {*FUNCTIONS, *LEGACY_OBJECTS, "getAPISession"}


def known_object(name: str) -> str | None:
    """The XML object a rule's ``object`` names: an XML name (``CUSTOMER``) or a REST object's
    path (``accounts-receivable/customer``), which matches the same requests of both APIs."""
    rest = registry.OBJECTS.get(name.strip())
    found = catalog.lookup(name if rest is None else rest.xml)
    return None if found is None else found.name


def decide(sim: Simulator, info: RequestInfo) -> Decision:
    """Which rules fire for this request: the added delay and the one rule that decides."""
    book = sim.faults
    delay, chosen = 0, None
    for rule in list(book.rules):
        if chosen is not None and rule.kind != "delay":
            continue
        if not rule.matches(info) or not book.draw(rule):
            continue
        book.record(rule, info.company)
        if rule.kind == "delay":
            delay += rule.delay_ms
        else:
            chosen = rule
    return Decision(info, chosen, delay)
