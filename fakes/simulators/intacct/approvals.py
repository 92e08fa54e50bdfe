"""Purchasing approvals: ``<approve><PODOCUMENT>`` and ``<decline><PODOCUMENT>``.

Shape (Sage's "Approve / Decline Purchasing Transactions" page; the SDKs'
``PurchasingTransactionApprove`` / ``PurchasingTransactionDecline``, inventory §2.33): one
``PODOCUMENT`` holding ``DOCID`` (required by the page; the SDKs write it only when set) and an
optional ``COMMENT``, in that order.

States: the page's PODOCUMENT STATE values include Submitted, Approved, Partially Approved and
Declined. A document in STATE ``Submitted`` or ``Partially Approved`` is approved (STATE
``Approved``) or declined (STATE ``Declined``); the change is a write (AUDITHISTORY ``Modify``,
one API transaction) and the answer has no ``<data>``.

Decisions where no source says what Intacct does (**inferred**):

- approval has one level: ``approve`` goes straight to Approved;
- the simulator has no approval policy, so nothing it creates waits for approval by itself: a
  document waits when it was created (or seeded) with STATE ``Submitted``
  (``<state>Submitted</state>``); the approval changes only STATE (an invoice definition posts its
  AP bill at create as usual);
- a document not waiting for approval is refused with BL01001973 naming its state; an unknown or
  missing DOCID as ``errors.not_found``; ``COMMENT`` is accepted and not stored;
- any other object (TIMESHEET, ...) is refused with BL01001973: the simulator approves only
  PODOCUMENT.
"""

from __future__ import annotations

from released_intacct.fakes.simulators.intacct import legacy
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GENERIC, failure, not_found
from released_intacct.fakes.simulators.intacct.generic import Handler, Outcome
from released_intacct.fakes.simulators.intacct.wire import Element, text_of

WAITING = frozenset({"Submitted", "Partially Approved"})
"""The states of a document awaiting approval."""

OUTCOMES = {"approve": "Approved", "decline": "Declined"}


def decider(action: str) -> Handler:
    def decide(ctx: Context, function: Element) -> Outcome:
        children = list(function)
        if len(children) != 1 or children[0].tag != "PODOCUMENT":
            found = ", ".join(str(child.tag) for child in children) or "nothing"
            raise failure(
                GENERIC,
                f"<{action}> takes one <PODOCUMENT>, found {found}",
                correction="The simulator approves and declines purchasing transactions only.",
            )
        (document,) = children
        legacy.check_order(document, ("DOCID", "COMMENT"))
        docid = text_of(document, "DOCID")
        record = ctx.company.by_field("PODOCUMENT", "DOCID", docid) if docid else None
        if record is None:
            raise not_found("PODOCUMENT", docid, action=action)
        state = str(record.get("STATE", ""))
        if state not in WAITING:
            raise failure(
                GENERIC,
                f"Cannot {action} {docid}: it is not awaiting approval (state {state})",
                correction="Only Submitted or Partially Approved transactions can be decided.",
            )
        recordno = int(str(record["RECORDNO"]))
        ctx.company.update("PODOCUMENT", recordno, {"STATE": OUTCOMES[action]}, now=ctx.now)
        ctx.spend()
        return None

    return decide


HANDLERS: dict[str, Handler] = {action: decider(action) for action in OUTCOMES}
