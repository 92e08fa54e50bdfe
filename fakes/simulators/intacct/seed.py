"""The ``demo`` seed: the master data of ``seeddata`` plus 2023–2026 of transactions.

Every transaction is written through the simulator's own functions (legacy ``create_invoice``,
``create_bill``, ``create_aradjustment``, ``create_apadjustment``, ``create_arpayment``,
``apply_arpayment``, ``reverse_invoice``, ``reverse_arpayment``, ``create_sotransaction``,
``update_sotransaction``, ``create_potransaction``, generic ``create`` / ``delete``; a refund is
stored as the company's data, as Intacct takes refunds by CSV and REST only), so records are
as consistent as the functions make them. Each runs with the clock at its transaction date, noon
UTC (never later than ``now``), so WHENMODIFIED spreads over the years. Deterministic: the same
``now`` gives the same records and RECORDNOs.

Exactly one instance of each edge case (``EDGE_CASES`` lists the rule ids); the documents involved
have a DESCRIPTION starting with the rule id:

- D7  an invoice reversed (STATE Reversed, plus its Reversal record);
- D8  an invoice deleted (only AUDITHISTORY shows it: ACCESSMODE Delete);
- D9  a payment reversed (ARPYMT STATE Reversed, plus its Reversal record);
- D10 an invoice settled by a journal entry (a GL entry, no payment record: it stays open);
- D11 an unallocated advance (ARADVANCE: an ARPYMT of RECORDTYPE ``rr``, TOTALDUE > 0) and an
  overpayment (RECORDTYPE ``rp`` with 250.00 unapplied) allocated later with ``apply_arpayment``
  (a payment of RECORDTYPE ``ro`` applying it);
- D12 a refund (a CUSTOMERREFUND record: refunds are their own object, not payments);
- D13 a negative invoice (TOTALENTERED < 0);
- D14 a EUR customer (``CUS-1008``) and a EUR invoice (multi-currency is on in the demo);
  D13's and D14's are sync errors by rule, so seed ``demo-blue`` (``make run``) leaves them out;
- D19 an OE ``Sales Invoice`` edited with ``update_sotransaction``, so its ARINVOICE was deleted
  and re-created under a new RECORDNO (SODOCUMENT.PRRECORDKEY points to the new one).

Besides the edge cases: a group payment, one ARPYMT from a payer (PAYERNAME, no CUSTOMERID) for
invoices of two customers, which syncs as one payment of each invoice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from types import MappingProxyType
from typing import Final

from lxml import etree

from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.functions import FUNCTIONS
from released_intacct.fakes.simulators.intacct.seeddata import CUSTOMERS, VENDORS, demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator
from released_intacct.fakes.simulators.intacct.wire import Element

__all__ = ["EDGE_CASES", "OWN_NUMBERS", "demo_config", "load_demo"]

EDGE_CASES = ("D7", "D8", "D9", "D10", "D11", "D12", "D13", "D14", "D19")
OWN_NUMBERS: Final[Mapping[str, str]] = MappingProxyType({"ARINVOICE": "AR-", "APBILL": "AP-"})
"""How the company without Order Entry and Purchasing (seed ``demo-blue-rest``) numbers its own
invoices and bills. Re-Leased's invoices and bills land in the same objects there (with Order
Entry and Purchasing they are Sales / Vendor Invoices, numbered apart), and a number that is
taken is refused ("Another Invoice with the given value(s) INV-0002 already exists"), over either
API: numbered ``INV-`` / ``BILL-`` as Re-Leased numbers them, the company's own would refuse the
demo's invoices and bills."""
Line = tuple[str, str, str]
"""A GL account, an amount and a location (dimension)."""


class _Maker:
    """``E.tag(child, ..., "text", attr=value)`` builds an element, as ``lxml.builder.E`` does."""

    def __call__(self, tag: str, *children: Element | str, **attrs: str) -> Element:
        element = etree.Element(tag, attrs)
        for child in children:
            if isinstance(child, str):
                element.text = child
            else:
                element.append(child)
        return element

    def __getattr__(self, tag: str) -> Callable[..., Element]:
        return partial(self, tag)


E = _Maker()


def _day(tag: str, on: date) -> Element:
    return E(tag, E.year(str(on.year)), E.month(f"{on.month:02d}"), E.day(f"{on.day:02d}"))


class _Books:
    """Runs functions against the demo company as ``ws_user``, each at its own date.

    ``prefixes``: the company numbers its own invoices and bills with these, by object
    (``AR-0001``, ``AP-0001``), sent as the number and counted in the same sequences; else the
    simulator's document sequences number them (``INV-0001``, ``BILL-0001``)."""

    def __init__(
        self,
        sim: Simulator,
        company: Company,
        now: datetime,
        *,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        self.sim, self.company, self.now = sim, company, now
        self.prefixes = prefixes

    def _number(self, tag: str, object_name: str) -> list[Element]:
        """The number element of a create, when the company numbers its own documents."""
        if self.prefixes is None:
            return []
        return [E(tag, self.company.next_id(object_name, self.prefixes[object_name]))]

    def run(self, function: Element, on: date, *, entity: str = "") -> str:
        """Run one function; its ``<key>`` or the first RECORDNO it answers."""
        when = min(datetime(on.year, on.month, on.day, 12, tzinfo=UTC), self.now)
        ctx = Context(self.company, "ws_user", entity, when, self.sim.results)
        outcome = FUNCTIONS[str(function.tag)](ctx, function)
        if outcome is None:
            return ""
        return outcome.text or outcome.findtext("*/RECORDNO") or ""

    def invoice(self, customer: str, on: date, lines: list[Line], **options: str) -> str:
        items = [
            E.lineitem(E.glaccountno(account), E.amount(amount), E.locationid(location))
            for account, amount, location in lines
        ]
        head = [E.customerid(customer), _day("datecreated", on), _day("datedue", _due(on))]
        if options.get("draft"):
            head.append(E.action("Draft"))
        head += self._number("invoiceno", "ARINVOICE")
        tail = [E.description(options.get("memo", ""))]
        if options.get("currency"):
            tail.append(E.currency(options["currency"]))
        function = E.create_invoice(*head, *tail, E.invoiceitems(*items))
        return self.run(function, on, entity=options.get("entity", ""))

    def bill(self, vendor: str, on: date, lines: list[Line], *, memo: str = "") -> str:
        items = [
            E.lineitem(E.glaccountno(account), E.amount(amount), E.locationid(location))
            for account, amount, location in lines
        ]
        function = E.create_bill(
            E.vendorid(vendor), _day("datecreated", on), _day("datedue", _due(on)),
            *self._number("billno", "APBILL"), E.description(memo), E.billitems(*items),
        )  # fmt: skip
        return self.run(function, on)

    def pay(
        self, customer: str, on: date, amount: str, applied: dict[str, str], *, entity: str = ""
    ) -> str:
        """A payment of ``applied`` invoices, entered where they are: an invoice owned by an
        entity is paid at that entity (``entity``), as its own users do, not at the top level."""
        items = [E.arpaymentitem(E.invoicekey(k), E.amount(a)) for k, a in applied.items()]
        function = E.create_arpayment(
            E.customerid(customer), E.paymentamount(amount), _day("datereceived", on),
            E.paymentmethod("EFT"), *items,
        )  # fmt: skip
        return self.run(function, on, entity=entity)

    def generic(self, verb: str, record: Element, on: date) -> str:
        return self.run(E(verb, record), on)


def _due(on: date) -> date:
    return date.fromordinal(on.toordinal() + 30)


def _routine(books: _Books) -> None:
    """Quarterly rent invoices, paid a fortnight later (the last quarters left open or part paid),
    quarterly bills, and a yearly credit memo and vendor adjustment."""
    usd_customers = [c for c, _, currency in CUSTOMERS if currency == "USD"]
    for year in range(2023, 2027):
        for quarter in range(4):
            on = date(year, 1 + 3 * quarter, 5)
            index = (year - 2023) * 4 + quarter
            customer = usd_customers[index % len(usd_customers)]
            rent = f"{1200 + 50 * (index % 5)}.00"
            entity = ("E100", "E200")[index % 2]
            lines = [("4000", rent, entity), ("4100", "150.00", entity)]
            key = books.invoice(customer, on, lines, entity=entity, memo="Quarterly rent")
            total = str(Decimal(rent) + Decimal("150.00"))
            paid_on = date(year, 1 + 3 * quarter, 20)
            if index < 13:
                books.pay(customer, paid_on, total, {key: total}, entity=entity)
            elif index == 13:
                books.pay(customer, paid_on, "500.00", {key: "500.00"}, entity=entity)
            vendor = VENDORS[index % len(VENDORS)][0]
            bill = books.bill(vendor, on, [("5100", f"{300 + 10 * quarter}.00", "E100")])
            if index < 12:
                _pay_bill(books, vendor, bill, f"{300 + 10 * quarter}.00", paid_on)
        _adjustments(books, year, usd_customers[year % len(usd_customers)])


def _pay_bill(books: _Books, vendor: str, bill: str, amount: str, on: date) -> None:
    detail = E.APPYMTDETAIL(E.RECORDKEY(bill), E.TRX_PAYMENTAMOUNT(amount))
    payment = E.APPYMT(
        E.VENDORID(vendor), E.PAYMENTMETHOD("EFT"), E.PAYMENTDATE(on.strftime("%m/%d/%Y")),
        E.APPYMTDETAILS(detail),
    )  # fmt: skip
    books.generic("create", payment, on)


def _adjustments(books: _Books, year: int, customer: str) -> None:
    on = date(year, 6, 15)
    credit = E.create_aradjustment(
        E.customerid(customer), _day("datecreated", on), E.description("Goodwill credit"),
        E.aradjustmentitems(E.lineitem(E.glaccountno("4100"), E.amount("-75.00"))),
    )  # fmt: skip
    books.run(credit, on)
    vendor = VENDORS[year % len(VENDORS)][0]
    debit = E.create_apadjustment(
        E.vendorid(vendor), _day("datecreated", on), E.description("Rebate"),
        E.apadjustmentitems(E.lineitem(E.glaccountno("5000"), E.amount("-40.00"))),
    )  # fmt: skip
    books.run(debit, on)


def _edge_cases(books: _Books, *, sync_errors: bool, order_modules: bool) -> None:
    reversed_key = books.invoice("CUS-1002", date(2025, 3, 3), [("4000", "900.00", "E100")],
                                 memo="D7 invoice reversed")  # fmt: skip
    books.run(E.reverse_invoice(_day("datereversed", date(2025, 3, 10)), key=reversed_key),
              date(2025, 3, 10))  # fmt: skip
    doomed = books.invoice("CUS-1003", date(2025, 6, 2), [("4000", "640.00", "E200")],
                           memo="D8 invoice deleted")  # fmt: skip
    books.run(E.delete(E.object("ARINVOICE"), E.keys(doomed)), date(2025, 6, 9))
    paid = books.invoice("CUS-1004", date(2025, 9, 1), [("4200", "310.00", "E100")],
                         memo="D9 payment reversed")  # fmt: skip
    payment = books.pay("CUS-1004", date(2025, 9, 8), "310.00", {paid: "310.00"})
    books.run(E.reverse_arpayment(_day("datereversed", date(2025, 9, 15)), key=payment),
              date(2025, 9, 15))  # fmt: skip
    _payment_kinds(books)
    if sync_errors:
        books.invoice("CUS-1006", date(2026, 2, 2), [("4100", "-120.00", "E200")],
                      memo="D13 negative invoice")  # fmt: skip
        books.invoice("CUS-1008", date(2026, 2, 9), [("4000", "2500.00", "E100")],
                      memo="D14 invoice in EUR", currency="EUR")  # fmt: skip
    books.invoice("CUS-1007", date(2026, 3, 2), [("4000", "800.00", "E100")],
                  memo="Draft awaiting approval", draft="yes")  # fmt: skip
    if order_modules:
        _orders(books)
    _group_payment(books)


def _payment_kinds(books: _Books) -> None:
    books.invoice("CUS-1005", date(2025, 11, 3), [("4100", "210.00", "E100")],
                  memo="D10 settled by a journal entry: no payment record")  # fmt: skip
    advance = E.ARADVANCE(
        E.CUSTOMERID("CUS-1006"), E.PAYMENTMETHOD("Printed Check"), E.RECEIPTDATE("01/12/2026"),
        E.PAYMENTDATE("01/12/2026"), E.DOCNUMBER("D11 advance"),
        E.ARADVANCEITEMS(E.ARADVANCEITEM(E.ACCOUNTNO("4000"), E.TRX_AMOUNT("1000.00"))),
    )  # fmt: skip
    books.generic("create", advance, date(2026, 1, 12))
    first = books.invoice("CUS-1007", date(2026, 1, 5), [("4000", "700.00", "E200")],
                          memo="D11 overpaid")  # fmt: skip
    second = books.invoice("CUS-1007", date(2026, 1, 19), [("4100", "250.00", "E200")],
                           memo="D11 allocated later")  # fmt: skip
    over = books.pay("CUS-1007", date(2026, 1, 9), "950.00", {first: "700.00"})
    books.run(
        E.apply_arpayment(E.arpaymentkey(over), _day("paymentdate", date(2026, 1, 26)),
                          E.arpaymentitems(E.arpaymentitem(E.invoicekey(second),
                                                           E.amount("250.00")))),
        date(2026, 1, 26),
    )  # fmt: skip
    refund: Record = {
        "RECORDTYPE": "rf", "STATE": "Complete", "CUSTOMERID": "CUS-1003",
        "PAYMENTMETHOD": "EFT", "REFUNDDATE": "01/30/2026", "TOTALENTERED": "75.00",
        "DOCNUMBER": "RF-1", "DESCRIPTION": "D12 refund of a credit",
    }  # fmt: skip
    books.company.insert("CUSTOMERREFUND", refund, now=books.now, entity="")


def _group_payment(books: _Books) -> None:
    """One payment from a payer for the invoices of two customers (no CUSTOMERID)."""
    on = date(2026, 2, 16)
    owed = [
        books.invoice(customer, date(2026, 2, 2), [("4200", amount, "E100")],
                      memo="Paid by a group payment")
        for customer, amount in (("CUS-1001", "120.00"), ("CUS-1002", "80.00"))
    ]  # fmt: skip
    details = [
        E.ARPYMTDETAIL(E.RECORDKEY(key), E.TRX_PAYMENTAMOUNT(amount))
        for key, amount in zip(owed, ("120.00", "80.00"), strict=True)
    ]
    payment = E.ARPYMT(
        E.PAYMENTMETHOD("EFT"), E.DOCNUMBER("GROUP-1"), E.RECEIPTDATE(on.strftime("%m/%d/%Y")),
        E.PAYERNAME("Harbourside Holdings (group payment)"), E.ARPYMTDETAILS(*details),
    )  # fmt: skip
    books.generic("create", payment, on)


def _so_line(item: str, quantity: str, price: str) -> Element:
    return E.sotransitem(E.itemid(item), E.quantity(quantity), E.price(price),
                         E.locationid("E100"), E.departmentid("D100"))  # fmt: skip


def _orders(books: _Books) -> None:
    for month, customer in ((4, "CUS-1001"), (5, "CUS-1002")):
        on = date(2026, month, 1)
        books.run(
            E.create_sotransaction(E.transactiontype("Sales Invoice"), _day("datecreated", on),
                                   E.customerid(customer), _day("datedue", _due(on)),
                                   E.sotransitems(_so_line("4000-S", "1", "1500.00"))),
            on,
        )  # fmt: skip
    edited_on = date(2026, 4, 15)
    created = E.create_sotransaction(
        E.transactiontype("Sales Invoice"), _day("datecreated", edited_on),
        E.customerid("CUS-1003"), E.message("D19 OE invoice edited, AR record re-keyed"),
        E.sotransitems(_so_line("4100-S", "2", "180.00"), _so_line("4200-S", "1", "95.00")),
    )  # fmt: skip
    docid = books.run(created, edited_on)
    change = E.updatesotransitem(E.quantity("3"), line_num="1")
    books.run(E.update_sotransaction(E.updatesotransitems(change), key=docid), date(2026, 4, 20))
    on = date(2026, 4, 8)
    books.run(
        E.create_potransaction(E.transactiontype("Vendor Invoice"), _day("datecreated", on),
                               E.vendorid("VEN-2002"),
                               E.potransitems(E.potransitem(E.itemid("5000-P"), E.quantity("4"),
                                                            E.price("85.00")))),
        on,
    )  # fmt: skip


def load_demo(
    sim: Simulator, *, now: datetime, sync_errors: bool = True, order_modules: bool = True
) -> Company:
    """Add the demo company to ``sim`` with its master data and transactions.

    ``sync_errors=False`` (seed ``demo-blue``) leaves out the three records that are sync errors
    by rule (D13's negative invoice, D14's EUR customer and its invoice): rule E3 makes every run
    that meets them red, so only without them can the demo's runs end blue.
    ``order_modules=False`` (seed ``demo-blue-rest``) is the company without Order Entry and
    Purchasing (their subscriptions off, no OE / PO documents, D19's among them): what a REST
    connection can sync whole, since Sage's REST pages show no way to create an Item with its
    accounts (D17) nor a tax detail on an OE / PO line (docs/intacct-rest.md, "Gaps"). Its own
    invoices and bills are numbered ``OWN_NUMBERS``, apart from the Re-Leased demo's."""
    start = min(now, datetime(2023, 1, 2, 9, tzinfo=UTC))
    config = demo_config(sync_errors=sync_errors, order_modules=order_modules)
    company = load_company(sim, config, now=start)
    books = _Books(sim, company, now, prefixes=None if order_modules else OWN_NUMBERS)
    _routine(books)
    _edge_cases(books, sync_errors=sync_errors, order_modules=order_modules)
    return company
