"""What users do on each simulator, as the requests each system's own API takes.

``fakes.user_actions`` acts on the in-memory fakes; these are the same actions as a person makes
them on the simulators (``demo_pair``'s ``IntacctUser`` posts the XML, ``ReleasedUser`` sends
the JSON):

- Intacct (XML functions): create, rename, inactivate, reactivate and delete customers and vendors
  (generic ``create`` / ``update``, ``delete_customer`` / ``delete_vendor``); create AR invoices,
  AP bills and AR / AP adjustments, posted or as drafts (``create_invoice``, ...); edit an
  invoice's or a bill's first line or its description, post a draft (``update_invoice`` /
  ``update_bill``); reverse (``reverse_invoice`` / ``reverse_bill``) and delete them
  (``delete_invoice``, ...); enter Order Entry Sales Invoices and Purchasing Vendor Invoices and
  change a line's price (``create_sotransaction`` / ``update_sotransaction``, and the ``po``
  kin); receive AR payments, applied or as advances (``create_arpayment``), apply an advance
  later (``apply_arpayment``), pay bills (generic ``create`` of APPYMT), reverse payments
  (``reverse_arpayment`` / ``reverse_appayment``) and delete AP payments.
- Re-Leased (REST bodies): a contact, an invoice or credit note.

Documents carry one line at location ``E100`` (the demo connection's entity), on account 4000
(AR) or 5000 (AP); adjustments are credit memos (a negative line), as Intacct users enter them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

__all__ = [
    "ADJUSTMENTS",
    "DOCUMENTS",
    "Document",
    "advance_applied",
    "ap_payment",
    "ar_payment",
    "day",
    "document_create",
    "document_delete",
    "document_post",
    "document_reverse",
    "document_update",
    "order_create",
    "order_update",
    "party_create",
    "party_delete",
    "party_update",
    "payment_delete",
    "payment_reverse",
    "released_contact",
    "released_document",
]


@dataclass(frozen=True, slots=True)
class Document:
    """How an Intacct document object is created, numbered, updated, reversed and deleted."""

    object: str
    noun: str
    """What its legacy functions are named after: ``create_<noun>``, ``delete_<noun>``."""
    party: str
    """``customerid`` or ``vendorid``."""
    number: str
    """The element holding its number."""
    account: str

    @property
    def adjustment(self) -> bool:
        return self.object.endswith("ADJUSTMENT")


DOCUMENTS = {
    "ARINVOICE": Document("ARINVOICE", "invoice", "customerid", "invoiceno", "4000"),
    "APBILL": Document("APBILL", "bill", "vendorid", "billno", "5000"),
}
ADJUSTMENTS = {
    "ARADJUSTMENT": Document("ARADJUSTMENT", "aradjustment", "customerid", "adjustmentno", "4000"),
    "APADJUSTMENT": Document("APADJUSTMENT", "apadjustment", "vendorid", "adjustmentno", "5000"),
}


def day(on: date, tag: str | None = None) -> str:
    """``on`` as the legacy functions' ``<year>/<month>/<day>``, inside ``<tag>`` if given."""
    inner = f"<year>{on.year}</year><month>{on.month:02d}</month><day>{on.day:02d}</day>"
    return f"<{tag}>{inner}</{tag}>" if tag else inner


def _us(on: date) -> str:
    return on.strftime("%m/%d/%Y")


# --- Intacct: customers and vendors ----------------------------------------------------------


def party_create(obj: str, party_id: str, name: str, *, email: str, currency: str = "") -> str:
    """A generic create of a CUSTOMER or VENDOR with its id (in ``currency`` if given)."""
    money = f"<CURRENCY>{currency}</CURRENCY>" if currency else ""
    return (
        f"<create><{obj}><{obj}ID>{party_id}</{obj}ID><NAME>{name}</NAME>{money}"
        f"<DISPLAYCONTACT><PRINTAS>{name}</PRINTAS><EMAIL1>{email}</EMAIL1></DISPLAYCONTACT>"
        f"</{obj}></create>"
    )


def party_update(obj: str, party_id: str, *, name: str = "", active: bool | None = None) -> str:
    """A generic update of a CUSTOMER or VENDOR: its name (and print-as) or its status."""
    fields = f"<NAME>{name}</NAME>" if name else ""
    if active is not None:
        fields += f"<STATUS>{'active' if active else 'inactive'}</STATUS>"
    if name:
        fields += f"<DISPLAYCONTACT><PRINTAS>{name}</PRINTAS></DISPLAYCONTACT>"
    return f"<update><{obj}><{obj}ID>{party_id}</{obj}ID>{fields}</{obj}></update>"


def party_delete(obj: str, party_id: str) -> str:
    tag = obj.lower()
    return f'<delete_{tag} {tag}id="{party_id}"/>'


# --- Intacct: documents ------------------------------------------------------------------------


def document_create(
    kind: Document,
    party_id: str,
    number: str,
    amount: Decimal,
    *,
    on: date,
    currency: str = "",
    draft: bool = False,
) -> str:
    """``create_invoice`` / ``create_bill`` / ``create_aradjustment`` / ``create_apadjustment``
    of one line of ``amount``."""
    items = f"{kind.object.lower()}items" if kind.adjustment else f"{kind.noun}items"
    action = "<action>Draft</action>" if draft else ""
    money = f"<currency>{currency}</currency>" if currency else ""
    if kind.adjustment:
        head = f"{day(on, 'datecreated')}<{kind.number}>{number}</{kind.number}>{action}"
    else:
        head = f"{day(on, 'datecreated')}{day(on, 'datedue')}{action}"
        head += f"<{kind.number}>{number}</{kind.number}>"
    return (
        f"<create_{kind.noun}><{kind.party}>{party_id}</{kind.party}>{head}{money}<{items}>"
        f"<lineitem><glaccountno>{kind.account}</glaccountno><amount>{amount}</amount>"
        f"<locationid>E100</locationid></lineitem></{items}></create_{kind.noun}>"
    )


def document_update(
    kind: Document, recordno: str, *, amount: Decimal | None, description: str
) -> str:
    """``update_invoice`` / ``update_bill``: the description, and the first line's amount if
    given."""
    lines = (
        f'<update{kind.noun}items><updatelineitem line_num="1"><amount>{amount}</amount>'
        f"</updatelineitem></update{kind.noun}items>"
        if amount is not None
        else ""
    )
    return (
        f'<update_{kind.noun} key="{recordno}"><description>{description}</description>{lines}'
        f"</update_{kind.noun}>"
    )


def document_post(kind: Document, recordno: str) -> str:
    """Post a draft invoice or bill."""
    return f'<update_{kind.noun} key="{recordno}"><action>Submit</action></update_{kind.noun}>'


def document_reverse(kind: Document, recordno: str, *, on: date) -> str:
    return f'<reverse_{kind.noun} key="{recordno}">{day(on, "datereversed")}</reverse_{kind.noun}>'


def document_delete(kind: Document, recordno: str) -> str:
    return f'<delete_{kind.noun} key="{recordno}"/>'


def order_create(sales: bool, party_id: str, number: str, amount: Decimal, *, on: date) -> str:
    """``create_sotransaction`` of a Sales Invoice / ``create_potransaction`` of a Vendor Invoice
    numbered ``number``: one of the demo's items (``4000-S`` / ``5000-P``) at ``amount``."""
    tag, party = ("so", "customerid") if sales else ("po", "vendorid")
    kind, item = ("Sales Invoice", "4000-S") if sales else ("Vendor Invoice", "5000-P")
    return (
        f"<create_{tag}transaction><transactiontype>{kind}</transactiontype>"
        f"{day(on, 'datecreated')}<{party}>{party_id}</{party}><documentno>{number}</documentno>"
        f"{day(on, 'datedue')}<{tag}transitems><{tag}transitem><itemid>{item}</itemid>"
        f"<quantity>1</quantity><price>{amount}</price><locationid>E100</locationid>"
        f"</{tag}transitem></{tag}transitems></create_{tag}transaction>"
    )


def order_update(sales: bool, docid: str, price: Decimal) -> str:
    """``update_sotransaction`` / ``update_potransaction``: the first line's price."""
    tag = "so" if sales else "po"
    return (
        f'<update_{tag}transaction key="{docid}"><update{tag}transitems>'
        f'<update{tag}transitem line_num="1"><price>{price}</price></update{tag}transitem>'
        f"</update{tag}transitems></update_{tag}transaction>"
    )


# --- Intacct: payments -------------------------------------------------------------------------


def ar_payment(
    customer: str, amount: Decimal, *, on: date, invoice: str | None, reference: str
) -> str:
    """``create_arpayment`` of ``amount`` applied to the invoice of RECORDNO ``invoice``, or an
    advance (no invoice)."""
    item = (
        f"<arpaymentitem><invoicekey>{invoice}</invoicekey><amount>{amount}</amount>"
        "</arpaymentitem>"
        if invoice
        else ""
    )
    return (
        f"<create_arpayment><customerid>{customer}</customerid><paymentamount>{amount}"
        f"</paymentamount><refid>{reference}</refid>{day(on, 'datereceived')}"
        f"<paymentmethod>EFT</paymentmethod>{item}</create_arpayment>"
    )


def advance_applied(advance: str, invoice: str, amount: Decimal, *, on: date) -> str:
    """``apply_arpayment``: ``amount`` of the advance ``advance`` applied to ``invoice``."""
    return (
        f"<apply_arpayment><arpaymentkey>{advance}</arpaymentkey>{day(on, 'paymentdate')}"
        f"<arpaymentitems><arpaymentitem><invoicekey>{invoice}</invoicekey><amount>{amount}"
        "</amount></arpaymentitem></arpaymentitems></apply_arpayment>"
    )


def ap_payment(vendor: str, amount: Decimal, *, on: date, bill: str, reference: str) -> str:
    """A generic create of an APPYMT paying ``amount`` of the bill of RECORDNO ``bill`` (EFT:
    posted at once)."""
    return (
        f"<create><APPYMT><VENDORID>{vendor}</VENDORID><PAYMENTMETHOD>EFT</PAYMENTMETHOD>"
        f"<PAYMENTDATE>{_us(on)}</PAYMENTDATE><DOCNUMBER>{reference}</DOCNUMBER><APPYMTDETAILS>"
        f"<APPYMTDETAIL><RECORDKEY>{bill}</RECORDKEY><TRX_PAYMENTAMOUNT>{amount}"
        "</TRX_PAYMENTAMOUNT></APPYMTDETAIL></APPYMTDETAILS></APPYMT></create>"
    )


def payment_reverse(obj: str, recordno: str, *, on: date) -> str:
    tag = "reverse_arpayment" if obj == "ARPYMT" else "reverse_appayment"
    return f'<{tag} key="{recordno}">{day(on, "datereversed")}</{tag}>'


def payment_delete(obj: str, recordno: str) -> str:
    return f"<delete><object>{obj}</object><keys>{recordno}</keys></delete>"


# --- Re-Leased ---------------------------------------------------------------------------------


def released_contact(name: str, *, role: str | None, currency: str) -> dict[str, Any]:
    """A contact's body: ``role`` Customer, Vendor or none."""
    email = f"{name.lower().replace(' ', '.')}@example.com"
    return {"name": name, "email": email, "role": role, "currency": currency}


def released_document(
    number: str,
    *,
    contact: str,
    income: bool,
    amount: Decimal,
    status: str,
    on: date,
    currency: str,
    credit_note: bool = False,
) -> dict[str, Any]:
    """An invoice's or credit note's body: one line of ``amount`` (rent, or repairs for an
    expense), its tax left at 0.00 (Intacct calculates it), at location East Region."""
    line: dict[str, Any] = {"description": "Rent" if income else "Repairs", "quantity": "1"}
    line |= {"accountId": "acc-4000" if income else "acc-5000", "unitPrice": str(amount)}
    line |= {"taxTypeId": "tax-standard", "taxAmount": "0.00"}
    line["tracking"] = [{"categoryId": "trc-location", "optionId": "opt-loc-east"}]
    body: dict[str, Any] = {
        "type": "Income" if income else "Expense",
        "invoiceNumber": number,
        "contactId": contact,
        "currency": currency,
        "status": status,
        "issueDate": on.isoformat(),
        "lines": [line],
    }
    return body if credit_note else body | {"dueDate": on.isoformat()}
