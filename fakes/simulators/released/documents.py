"""Invoices and credit notes: totals, the state machine, payments and credit-note allocations.

    Draft --submit--> AwaitingApproval --approve--> Approved --(payments)--> Paid
    Draft | AwaitingApproval | Approved --void--> Voided

``recompute`` works out what the server owns: ``subTotal``, ``totalTax``, ``total``, ``amountPaid``
(active payments plus credit-note allocations), ``amountDue`` and, on credit notes,
``remainingCredit`` (``= amountDue``: what is left after allocations and refunds). An Approved
document becomes Paid when ``amountDue`` reaches 0 with something paid, and a Paid one goes back to
Approved when a payment is deleted. Writes to a document bump its ``version`` and
``lastModified``, so the change feed shows a payment's effect on what it paid.

Decisions where the contract is silent: payments and allocations need an Approved document (422
``not_payable``) and may not exceed what is due or left (422 ``amount_exceeds_due``); an
allocation needs an invoice of the same type, contact and currency (422
``allocation_mismatch``); voiding a document with payments or allocations is 422 ``has_payments``
(delete them first); deleting a deleted payment is 422 ``invalid_transition``.
"""

from __future__ import annotations

from decimal import Decimal

from released_intacct.fakes.simulators.released.checks import Json
from released_intacct.fakes.simulators.released.company import Company
from released_intacct.fakes.simulators.released.errors import business

DOCUMENTS = ("invoices", "credit-notes")
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": (("Draft",), "AwaitingApproval"),
    "approve": (("AwaitingApproval",), "Approved"),
    "void": (("Draft", "AwaitingApproval", "Approved"), "Voided"),
}
PAYABLE = ("Approved", "Paid")
ZERO = Decimal("0.00")


def _total(items: list[Json], name: str) -> Decimal:
    return sum((item[name] for item in items), ZERO)


def _paid(company: Company, resource: str, doc: Json) -> Decimal:
    doc_id = doc["id"]
    field = "invoiceId" if resource == "invoices" else "creditNoteId"
    stored = company.tables["payments"]
    payments = [
        stored[p]
        for p in company.payments_of.get((field, doc_id), ())
        if stored[p]["status"] == "Active"
    ]
    if resource == "invoices":
        allocated = [
            a
            for note in company.tables["credit-notes"].values()
            for a in note["allocations"]
            if a["invoiceId"] == doc_id
        ]
    else:
        allocated = doc["allocations"]
    return _total(payments, "amount") + _total(allocated, "amount")


def recompute(company: Company, resource: str, doc: Json) -> Json:
    """``doc`` with its totals, amounts paid and due, and Paid/Approved status recomputed."""
    doc["subTotal"] = _total(doc["lines"], "lineAmount")
    doc["totalTax"] = _total(doc["lines"], "taxAmount")
    doc["total"] = doc["subTotal"] + doc["totalTax"]
    doc["amountPaid"] = _paid(company, resource, doc)
    doc["amountDue"] = doc["total"] - doc["amountPaid"]
    if resource == "credit-notes":
        doc["remainingCredit"] = doc["amountDue"]
    if doc["status"] in PAYABLE:
        paid_off = doc["amountPaid"] > 0 and doc["amountDue"] <= 0
        doc["status"] = "Paid" if paid_off else "Approved"
    return doc


def act(company: Company, resource: str, doc: Json, action: str) -> Json:
    """Run ``submit``, ``approve`` or ``void`` on ``doc``; 422 when its state does not allow it."""
    sources, target = ACTIONS[action]
    if doc["status"] not in sources:
        raise business(
            "invalid_transition", f"cannot {action} a document in status {doc['status']}"
        )
    if action == "void" and doc["amountPaid"] != 0:
        raise business("has_payments", "delete its payments and allocations before voiding it")
    doc["status"] = target
    return company.touch(doc)


def pay(company: Company, fields: Json, *, payment_id: str) -> Json:
    """Store a payment of an invoice (or a refund of a credit note) and recompute what it pays."""
    resource = "invoices" if fields["invoiceId"] is not None else "credit-notes"
    doc = company.tables[resource][fields["invoiceId"] or fields["creditNoteId"]]
    _check_payable(doc, fields["amount"])
    payment = {"id": payment_id, **fields, "status": "Active", "currency": doc["currency"]}
    company.tables["payments"][payment_id] = company.touch(payment)
    field = "invoiceId" if resource == "invoices" else "creditNoteId"
    company.payments_of.setdefault((field, doc["id"]), []).append(payment_id)
    company.touch(recompute(company, resource, doc))
    return payment


def _check_payable(doc: Json, amount: Decimal) -> None:
    if doc["status"] not in PAYABLE:
        raise business("not_payable", f"a document in status {doc['status']} cannot be paid")
    if amount > doc["amountDue"]:
        raise business(
            "amount_exceeds_due", f"{amount} is more than the {doc['amountDue']} still due"
        )


def delete_payment(company: Company, payment: Json) -> Json:
    """Mark ``payment`` Deleted and reverse its effect on what it paid."""
    if payment["status"] == "Deleted":
        raise business("invalid_transition", "the payment is already deleted")
    payment["status"] = "Deleted"
    company.touch(payment)
    resource = "invoices" if payment["invoiceId"] is not None else "credit-notes"
    doc = company.tables[resource][payment["invoiceId"] or payment["creditNoteId"]]
    company.touch(recompute(company, resource, doc))
    return payment


def allocate(company: Company, note: Json, fields: Json) -> Json:
    """Allocate part of credit note ``note`` to an invoice; both are settled."""
    invoice = company.tables["invoices"][fields["invoiceId"]]
    if note["status"] not in PAYABLE:
        raise business("not_payable", f"a credit note in status {note['status']} has no credit")
    _check_payable(invoice, fields["amount"])
    if fields["amount"] > note["remainingCredit"]:
        raise business("amount_exceeds_due", f"{fields['amount']} is more than the credit left")
    for name in ("type", "contactId", "currency"):
        if invoice[name] != note[name]:
            raise business("allocation_mismatch", f"the invoice's {name} is not the credit note's")
    note["allocations"].append({"id": company.new_id("allocations"), **fields})
    company.touch(recompute(company, "credit-notes", note))
    company.touch(recompute(company, "invoices", invoice))
    return note
