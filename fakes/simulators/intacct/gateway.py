"""One request through the gateway: control, authentication, then each function in order.

Error levels as the real gateway: a control failure means nothing runs (``<errormessage>`` beside
``<control>``, no ``<operation>``); an authentication failure means no function runs
(``<errormessage>`` beside ``<authentication>``, no ``<result>``); a function failure fails only
that function, unless the operation is a transaction, where everything is rolled back and the other
results are ``aborted``.

``<uniqueid>`` defaults to true (spec correction 6; D-req: "When set to ``true``, which is the
default, a request cannot be repeated"): a control without it, or with an empty one, refuses a
function whose ``controlid`` already executed and completed; only ``false`` turns the check off.
The reply echoes the value in force (what the real gateway echoes when the element is absent is
not documented: inferred).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from lxml import etree

from released_intacct.fakes.simulators.intacct.auth import Caller, authenticate
from released_intacct.fakes.simulators.intacct.company import zone_of
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import (
    ErrorDetail,
    GatewayError,
    failure,
    hide_additional_info,
    write_errors,
)
from released_intacct.fakes.simulators.intacct.functions import FUNCTIONS, api_session
from released_intacct.fakes.simulators.intacct.wire import (
    FRAGMENT,
    Element,
    MalformedRequestError,
    parse,
    serialize,
    sub,
    text_of,
)

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator

ROLLED_BACK = ErrorDetail(
    "XL03000009",
    description2="The entire transaction in this operation has been rolled back due to an error.",
)


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "text/xml"})


def respond(
    sim: Simulator, body: bytes, *, endpoint: str, unavailable: ErrorDetail | None = None
) -> Reply:
    """The gateway's reply to ``body``. With ``unavailable`` (a fault: the service off-line), an
    authenticated request's functions each fail with that error; none runs, nothing is billed."""
    try:
        root = parse(body)
    except MalformedRequestError as error:
        return _control_failure(ErrorDetail("XL03000003", "XML Parse schema error", error.message))
    control = root.find("control")
    if root.tag != "request" or control is None:
        detail = ErrorDetail("XL03000003", "XML Parse schema error", "Missing <request><control>")
        return _control_failure(detail)
    refused = _check_control(sim, control)
    if refused is not None:
        return _control_failure(refused, control=control)
    operation = root.find("operation")
    if operation is None:
        detail = ErrorDetail("XL03000003", "XML Parse schema error", "Missing <operation>")
        return _control_failure(detail, control=control)
    response = _operate(sim, control, operation, endpoint, unavailable=unavailable)
    hide_additional_info(response, control)
    return Reply(200, serialize(response))


def _check_control(sim: Simulator, control: Element) -> ErrorDetail | None:
    sender = text_of(control, "senderid")
    if sim.senders.get(sender) != text_of(control, "password") or not sender:
        return ErrorDetail("XL03000006", "", "Incorrect Intacct XML Partner ID or password.")
    if text_of(control, "dtdversion", "3.0") not in ("3.0", "2.1"):
        return ErrorDetail("XL03000003", "XML Parse schema error", "dtdversion must be 3.0")
    if not 1 <= len(text_of(control, "controlid")) <= 256:
        return ErrorDetail("XL03000003", "XML Parse schema error", "controlid must be 1-256 chars")
    return None


def _operate(
    sim: Simulator,
    control: Element,
    operation: Element,
    endpoint: str,
    *,
    unavailable: ErrorDetail | None,
) -> Element:
    response = etree.Element("response")
    _echo_control(response, control)
    block = sub(response, "operation")
    now = sim.clock()
    caller = authenticate(sim, operation.find("authentication"), text_of(control, "senderid"))
    if isinstance(caller, GatewayError):
        _auth_block(block, operation, None, now, status="failure")
        write_errors(block, caller.details)
        return response
    _auth_block(block, operation, caller, now, status="success")
    if unavailable is not None:
        _fail_all(block, _functions(operation), unavailable)
        return response
    usage = sim.usage[caller.company.company_id]
    usage.requests += 1
    ctx = Context(caller.company, caller.user_id, caller.entity, now, sim.results)
    functions = _functions(operation)
    usage.functions += len(functions)
    unique = _unique_id(control)
    if operation.get("transaction", "false").lower() == "true":
        _run_transaction(sim, ctx, caller, block, functions, endpoint=endpoint, unique=unique)
    else:
        for function in functions:
            _run_one(sim, ctx, caller, block, function, endpoint=endpoint, unique=unique)
    usage.transactions += ctx.spent
    return response


def _fail_all(block: Element, functions: list[Element], detail: ErrorDetail) -> None:
    for function in functions:
        name, controlid = _name(function), function.get("controlid", "")
        _result(block, "failure", name, controlid, (detail,), data=_empty_data(name))


def _functions(operation: Element) -> list[Element]:
    content = operation.find("content")
    return [] if content is None else [f for f in content if f.tag == "function"]


def _run_one(
    sim: Simulator,
    ctx: Context,
    caller: Caller,
    block: Element,
    function: Element,
    *,
    endpoint: str,
    unique: bool,
) -> bool:
    """Run one function and write its result; True when it succeeded."""
    name, controlid = _name(function), function.get("controlid", "")
    try:
        data = _execute(sim, ctx, caller, function, endpoint=endpoint, unique=unique)
    except GatewayError as error:
        _result(block, "failure", name, controlid, error.details, data=_empty_data(name))
        return False
    if unique:
        ctx.company.executed.add(controlid)
    _result(block, "success", name, controlid, (), data=data)
    return True


def _execute(
    sim: Simulator,
    ctx: Context,
    caller: Caller,
    function: Element,
    *,
    endpoint: str,
    unique: bool,
) -> Element | None:
    children = list(function)
    controlid = function.get("controlid", "")
    if len(children) != 1 or not 1 <= len(controlid) <= 256:
        raise failure("XL03000003", "A function needs a controlid and exactly one child element")
    if unique and controlid in ctx.company.executed:
        raise failure(
            "XL03000014",
            f"A function with control ID '{controlid}' was already executed and completed.",
            correction="Use a new control ID, or look up the record the first call created.",
        )
    (child,) = children
    if child.tag == "getAPISession":
        return api_session(sim, caller, child, endpoint=endpoint)
    handler = FUNCTIONS.get(str(child.tag))
    if handler is None:
        raise failure("XL03000003", f"Unknown function '{child.tag}'")
    return handler(ctx, child)


def _run_transaction(
    sim: Simulator,
    ctx: Context,
    caller: Caller,
    block: Element,
    functions: list[Element],
    *,
    endpoint: str,
    unique: bool,
) -> None:
    saved = ctx.company.snapshot()
    scratch = etree.Element("operation")
    for index, function in enumerate(functions):
        if _run_one(sim, ctx, caller, scratch, function, endpoint=endpoint, unique=unique):
            continue
        ctx.company.restore(saved)
        ctx.spent = 0
        for position, other in enumerate(functions):
            if position == index:
                failed = scratch[-1]
                write_errors(failed, (ROLLED_BACK,))
                block.append(failed)
            else:
                _result(block, "aborted", _name(other), other.get("controlid", ""), (ROLLED_BACK,))
        return
    for result in list(scratch):
        block.append(result)


def _name(function: Element) -> str:
    children = list(function)
    return str(children[0].tag) if children else ""


def _empty_data(name: str) -> Element | None:
    if name in ("create", "update"):
        return etree.Element("data", listtype="objects", count="0")
    return None


def _result(
    block: Element,
    status: str,
    name: str,
    controlid: str,
    details: tuple[ErrorDetail, ...],
    *,
    data: Element | None = None,
) -> None:
    result = sub(block, "result")
    sub(result, "status", status)
    sub(result, "function", name)
    sub(result, "controlid", controlid)
    if data is not None and data.tag == FRAGMENT:
        result.extend(list(data))
    elif data is not None:
        result.append(data)
    if details:
        write_errors(result, details)


def _echo_control(response: Element, control: Element) -> None:
    block = sub(response, "control")
    sub(block, "status", "success")
    sub(block, "senderid", text_of(control, "senderid"))
    sub(block, "controlid", text_of(control, "controlid"))
    sub(block, "uniqueid", _echo_unique(control))
    sub(block, "dtdversion", text_of(control, "dtdversion", "3.0"))


def _unique_id(control: Element) -> bool:
    """Whether ``<uniqueid>`` is in force: anything but ``false`` (absent and empty included)."""
    return text_of(control, "uniqueid", "true").lower() != "false"


def _echo_unique(control: Element) -> str:
    return "true" if _unique_id(control) else "false"


def _auth_block(
    block: Element, operation: Element, caller: Caller | None, now: datetime, *, status: str
) -> None:
    auth = sub(block, "authentication")
    sub(auth, "status", status)
    login = operation.find("authentication/login")
    sub(auth, "userid", caller.user_id if caller else _login_text(login, "userid"))
    sub(auth, "companyid", caller.company.company_id if caller else _login_text(login, "companyid"))
    sub(auth, "locationid", caller.entity if caller else _login_text(login, "locationid"))
    if caller is not None:
        zone = zone_of(caller.company.settings)
        sub(auth, "sessiontimestamp", now.astimezone(zone).isoformat(timespec="seconds"))
        timeout = caller.expires_at.astimezone(zone)
        sub(auth, "sessiontimeout", timeout.isoformat(timespec="seconds"))


def _login_text(login: Element | None, tag: str) -> str:
    return "" if login is None else text_of(login, tag)


def _control_failure(detail: ErrorDetail, *, control: Element | None = None) -> Reply:
    response = etree.Element("response")
    block = sub(response, "control")
    sub(block, "status", "failure")
    sub(block, "senderid", "" if control is None else text_of(control, "senderid"))
    sub(block, "controlid", "" if control is None else text_of(control, "controlid"))
    if control is not None:
        sub(block, "uniqueid", _echo_unique(control))
        sub(block, "dtdversion", text_of(control, "dtdversion", "3.0"))
    write_errors(response, (detail,))
    hide_additional_info(response, control)
    return Reply(200, serialize(response))
