"""The payment workflows: ``POST /workflows/accounts-receivable/payment/reverse`` and
``POST /workflows/accounts-payable/payment/reverse`` ([RESTDOC] docs/rest/accounts-receivable.md,
"POST /workflows/accounts-receivable/payment/reverse"; docs/rest/accounts-payable.md, "POST
/workflows/accounts-payable/payment/reverse", "Reverse a payment or void a check";
docs/intacct-rest.md section 8).

Bodies: AR ``{key, reversedDate, memo}``, AP ``{key, paymentDate, description}`` (the date
field's name differs per object: taken from this table). Both run the XML gateway's own
``payments.reverse_payment`` (the payment Reversed, a Reversal record of the opposite amounts,
its documents and credits restored), so a payment reversed over REST reads as one reversed over
XML. The answer is ``{key, id, href, state}``: AR the new Reversal record (state ``reversal``:
the AR sample's answer names another key than the request's), AP the payment itself (state
``reversed``, the AP sample's); which record each answers is **inferred** from the samples.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from released_intacct.fakes.simulators.intacct import payments
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GatewayError
from released_intacct.fakes.simulators.intacct.paysides import AP, AR, Side
from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestReply,
    invalid,
    not_found,
    operation_failed,
    success,
)
from released_intacct.fakes.simulators.intacct.rest.fields import Field, to_rest_value
from released_intacct.fakes.simulators.intacct.rest.registry import OBJECTS

PATHS: Final[dict[str, tuple[Side, str, str]]] = {
    "accounts-receivable/payment": (AR, "reversedDate", "memo"),
    "accounts-payable/payment": (AP, "paymentDate", "description"),
}
"""Each payment object with workflows: its side, the reverse body's date and memo fields."""


def workflow(ctx: Context, path: str, action: str, body: object) -> RestReply:
    """``POST /workflows/<path>/<action>`` for a payment: ``reverse``."""
    if path not in PATHS or action != "reverse":
        raise invalid(f"Malformed URL: /workflows/{path}/{action}", 404)
    side, date_field, memo_field = PATHS[path]
    if not isinstance(body, dict) or not isinstance(body.get("key"), str) or not body["key"]:
        raise invalid(f"the body of /workflows/{path}/{action} needs the payment's key")
    key = str(body["key"])
    record = ctx.company.by_recordno(side.payment, key)
    owner = "" if record is None else str(record.get("MEGAENTITYID", ""))
    if record is None or (ctx.entity and owner not in ("", ctx.entity)):
        raise not_found(path, key)
    on = _date(body.get(date_field), date_field)
    memo = body.get(memo_field)
    if memo is not None and not isinstance(memo, str):
        raise invalid(f"{memo_field} must be text, got {memo!r}")
    try:
        reversal = payments.reverse_payment(ctx, side, record, on=on, memo=memo or "")
    except GatewayError as error:
        raise operation_failed(action, path, error) from error
    answered = reversal if side is AR else ctx.company.by_recordno(side.payment, key) or record
    done = str(answered["RECORDNO"])
    state = to_rest_value(ctx.company, _state(path), answered.get("STATE"))
    return success({"key": done, "id": done, "href": f"/objects/{path}/{done}", "state": state})


def _state(path: str) -> Field:
    found = OBJECTS[path].field("state")
    if found is None:
        msg = f"{path} has no state field"
        raise ValueError(msg)
    return found


def _date(value: object, name: str) -> str:
    """A ``yyyy-mm-dd`` body date as the record stores it (``mm/dd/yyyy``); 400 naming it."""
    try:
        return datetime.strptime(str(value), "%Y-%m-%d").strftime("%m/%d/%Y")  # noqa: DTZ007
    except ValueError as error:
        raise invalid(f"{name}: the reversal's date, yyyy-mm-dd, is required") from error
