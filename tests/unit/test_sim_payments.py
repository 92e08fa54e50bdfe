"""Simulator payments: application to invoices and the STATE machine, advances and overpayments
allocated later, reversal, refunds and journal-entry payments, AP payments, deletion."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes import xmlgw
from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

ENDPOINT = "http://sim/ia/xml/xmlgw.phtml"
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def books() -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: T0)
    return sim, load_company(sim, demo_config(), now=T0)


def _call(sim: Simulator, function: str) -> xmlgw.Element:
    (result,) = xmlgw.results(sim.handle(xmlgw.request(function), endpoint=ENDPOINT).body)
    return result


def _ok(sim: Simulator, function: str) -> str:
    result = _call(sim, function)
    assert result.findtext("status") == "success", result.findtext(".//description2")
    return result.findtext("key") or result.findtext("data/*/RECORDNO") or ""


def _refused(sim: Simulator, function: str) -> str:
    result = _call(sim, function)
    assert result.findtext("status") == "failure"
    return result.findtext("errormessage/error/description2", "")


def _day(tag: str, month: int, day: int) -> str:
    return f"<{tag}><year>2026</year><month>{month:02d}</month><day>{day:02d}</day></{tag}>"


def invoice(sim: Simulator, *amounts: str, customer: str = "CUS-1001") -> str:
    lines = "".join(
        f"<lineitem><glaccountno>4000</glaccountno><amount>{a}</amount></lineitem>" for a in amounts
    )
    return _ok(
        sim,
        f"<create_invoice><customerid>{customer}</customerid>{_day('datecreated', 3, 1)}"
        f"<invoiceitems>{lines}</invoiceitems></create_invoice>",
    )


def arpayment(amount: str, applied: dict[str, str], *, customer: str = "CUS-1001") -> str:
    items = "".join(
        f"<arpaymentitem><invoicekey>{k}</invoicekey><amount>{a}</amount></arpaymentitem>"
        for k, a in applied.items()
    )
    return (
        f"<create_arpayment><customerid>{customer}</customerid><paymentamount>{amount}"
        f"</paymentamount><refid>R1</refid>{_day('datereceived', 3, 10)}"
        f"<paymentmethod>EFT</paymentmethod>{items}</create_arpayment>"
    )


def apply(payment: str, applied: dict[str, str]) -> str:
    items = "".join(
        f"<arpaymentitem><invoicekey>{k}</invoicekey><amount>{a}</amount></arpaymentitem>"
        for k, a in applied.items()
    )
    return (
        f"<apply_arpayment><arpaymentkey>{payment}</arpaymentkey>{_day('paymentdate', 4, 2)}"
        f"<arpaymentitems>{items}</arpaymentitems></apply_arpayment>"
    )


def _get(company: Company, name: str, key: str) -> Record:
    return company.table(name)[int(key)]


def _totals(record: Record) -> tuple[object, ...]:
    return record["STATE"], record["TOTALPAID"], record["TOTALDUE"], record.get("WHENPAID")


def test_payments_move_an_invoice_from_posted_to_partially_paid_to_paid(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    key = invoice(sim, "60.00", "40.00")
    first = _ok(sim, arpayment("70.00", {key: "70.00"}))
    stored = _get(company, "ARINVOICE", key)
    assert _totals(stored) == ("Partially Paid", "70.00", "30.00", "")
    lines = stored["ARINVOICEITEMS"]
    assert isinstance(lines, list)
    assert [(line["TOTALPAID"], line["TOTALDUE"]) for line in lines] == [
        ("60.00", "0.00"),
        ("10.00", "30.00"),
    ]
    _ok(sim, arpayment("30.00", {key: "30.00"}))
    assert _totals(stored) == ("Paid", "100.00", "0.00", "03/10/2026")
    payment = _get(company, "ARPYMT", first)
    assert (payment["PAYMENTTYPE"], payment["RECORDTYPE"], payment["DOCNUMBER"]) == (
        "Payment",
        "rp",
        "R1",
    )
    assert _applied(payment) == [
        {"RECORDKEY": key, "TRX_PAYMENTAMOUNT": "70.00", "PAYMENTDATE": "03/10/2026"}
    ]


@pytest.mark.parametrize(
    ("amount", "applied", "named"),
    [
        ("50", "80", "cover"),
        ("200", "150", "amount due"),
    ],
    ids=["applied-more-than-paid", "more-than-due"],
)
def test_impossible_applications_are_refused(
    books: tuple[Simulator, Company], amount: str, applied: str, named: str
) -> None:
    sim, company = books
    key = invoice(sim, "100.00")
    assert named in _refused(sim, arpayment(amount, {key: applied}))
    assert _totals(_get(company, "ARINVOICE", key))[0] == "Posted"
    assert company.table("ARPYMT") == {}


def test_paying_a_draft_or_another_customers_invoice_is_refused(
    books: tuple[Simulator, Company],
) -> None:
    sim, _ = books
    draft = _ok(
        sim,
        f"<create_invoice><customerid>CUS-1001</customerid>{_day('datecreated', 3, 1)}"
        "<action>Draft</action><invoiceitems><lineitem><glaccountno>4000</glaccountno>"
        "<amount>10</amount></lineitem></invoiceitems></create_invoice>",
    )
    assert "Draft" in _refused(sim, arpayment("10", {draft: "10"}))
    other = invoice(sim, "10", customer="CUS-1002")
    assert "CUS-1001" in _refused(sim, arpayment("10", {other: "10"}))


def test_D11_advance_is_unallocated_until_applied(books: tuple[Simulator, Company]) -> None:
    sim, company = books
    advance = _ok(sim, arpayment("500.00", {}))
    stored = _get(company, "ARPYMT", advance)
    assert (stored["PAYMENTTYPE"], stored["TOTALPAID"], stored["TOTALDUE"]) == (
        "Advance",
        "0.00",
        "500.00",
    )
    key = invoice(sim, "300.00")
    assert "unapplied" in _refused(sim, apply(advance, {key: "600.00"}))
    assert _ok(sim, apply(advance, {key: "300.00"})) == advance
    assert (stored["TOTALPAID"], stored["TOTALDUE"]) == ("300.00", "200.00")
    assert _applied(stored) == [
        {"RECORDKEY": key, "TRX_PAYMENTAMOUNT": "300.00", "PAYMENTDATE": "04/02/2026"}
    ]
    assert _totals(_get(company, "ARINVOICE", key)) == ("Paid", "300.00", "0.00", "04/02/2026")


def test_D11_overpayment_is_allocated_later(books: tuple[Simulator, Company]) -> None:
    sim, company = books
    first, second = invoice(sim, "100.00"), invoice(sim, "50.00")
    over = _ok(sim, arpayment("150.00", {first: "100.00"}))
    stored = _get(company, "ARPYMT", over)
    assert (stored["PAYMENTTYPE"], stored["TOTALDUE"]) == ("Overpayment", "50.00")
    _ok(sim, apply(over, {second: "50.00"}))
    assert (stored["PAYMENTTYPE"], stored["TOTALDUE"]) == ("Overpayment", "0.00")
    assert _get(company, "ARINVOICE", second)["STATE"] == "Paid"
    assert "0.00 is unapplied" in _refused(sim, apply(over, {second: "1"}))
    ordinary = _ok(sim, arpayment("1.00", {invoice(sim, "1.00"): "1.00"}))
    assert "only a posted advance or overpayment" in _refused(sim, apply(ordinary, {first: "1"}))


def test_D9_reversing_a_payment_unpays_its_invoices(books: tuple[Simulator, Company]) -> None:
    sim, company = books
    key = invoice(sim, "80.00")
    payment = _ok(sim, arpayment("80.00", {key: "80.00"}))
    reversal = _ok(
        sim,
        f'<reverse_arpayment key="{payment}">{_day("datereversed", 3, 20)}'
        "<description>bounced</description></reverse_arpayment>",
    )
    assert _get(company, "ARPYMT", payment)["STATE"] == "Reversed"
    new = _get(company, "ARPYMT", reversal)
    assert (new["STATE"], new["TOTALENTERED"], new["PARENTPAYMENTKEY"]) == (
        "Reversal",
        "-80.00",
        payment,
    )
    assert _totals(_get(company, "ARINVOICE", key)) == ("Posted", "0.00", "80.00", "")
    assert "Reversed" in _refused(
        sim, f'<reverse_arpayment key="{payment}">{_day("datereversed", 3, 21)}</reverse_arpayment>'
    )


def test_D10_D12_journal_entry_and_refund_payments_by_generic_create(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    key = invoice(sim, "25.00")
    journal = _ok(
        sim,
        "<create><ARPYMT><CUSTOMERID>CUS-1001</CUSTOMERID><PAYMENTTYPE>Journal Entry</PAYMENTTYPE>"
        "<RECEIPTDATE>03/12/2026</RECEIPTDATE><ARPYMTDETAILS><ARPYMTDETAIL>"
        f"<RECORDKEY>{key}</RECORDKEY><TRX_PAYMENTAMOUNT>25.00</TRX_PAYMENTAMOUNT></ARPYMTDETAIL>"
        "</ARPYMTDETAILS></ARPYMT></create>",
    )
    stored = _get(company, "ARPYMT", journal)
    assert (stored["PAYMENTTYPE"], stored["PAYMENTMETHOD"]) == ("Journal Entry", "Journal Entry")
    assert _get(company, "ARINVOICE", key)["STATE"] == "Paid"
    refund = _ok(
        sim,
        "<create><ARPYMT><CUSTOMERID>CUS-1001</CUSTOMERID><PAYMENTTYPE>Refund</PAYMENTTYPE>"
        "<TOTALENTERED>12.50</TOTALENTERED><RECEIPTDATE>03/13/2026</RECEIPTDATE>"
        "<DESCRIPTION>refund</DESCRIPTION></ARPYMT></create>",
    )
    stored = _get(company, "ARPYMT", refund)
    assert (stored["PAYMENTTYPE"], stored["TOTALENTERED"], stored["DESCRIPTION"]) == (
        "Refund",
        "12.50",
        "refund",
    )
    assert "PAYMENTTYPE" in _refused(
        sim,
        "<create><ARPYMT><CUSTOMERID>CUS-1001</CUSTOMERID><PAYMENTTYPE>Gift</PAYMENTTYPE>"
        "<TOTALENTERED>1</TOTALENTERED><RECEIPTDATE>03/13/2026</RECEIPTDATE></ARPYMT></create>",
    )


def test_ap_payment_pays_a_bill_and_deleting_it_unpays(books: tuple[Simulator, Company]) -> None:
    sim, company = books
    bill = _ok(
        sim,
        f"<create_bill><vendorid>VEN-2001</vendorid>{_day('datecreated', 2, 1)}<billno>B1</billno>"
        "<billitems><lineitem><glaccountno>5100</glaccountno><amount>40</amount></lineitem>"
        "</billitems></create_bill>",
    )
    payment = _ok(
        sim,
        "<create><APPYMT><VENDORID>VEN-2001</VENDORID><PAYMENTMETHOD>EFT</PAYMENTMETHOD>"
        "<PAYMENTDATE>02/15/2026</PAYMENTDATE><APPYMTDETAILS><APPYMTDETAIL>"
        f"<RECORDKEY>{bill}</RECORDKEY><TRX_PAYMENTAMOUNT>40</TRX_PAYMENTAMOUNT></APPYMTDETAIL>"
        "</APPYMTDETAILS></APPYMT></create>",
    )
    assert _totals(_get(company, "APBILL", bill)) == ("Paid", "40.00", "0.00", "02/15/2026")
    assert _get(company, "APPYMT", payment)["RECORDTYPE"] == "pp"
    _ok(sim, f"<delete><object>APPYMT</object><keys>{payment}</keys></delete>")
    assert _totals(_get(company, "APBILL", bill)) == ("Posted", "0.00", "40.00", "")


def test_payment_in_a_foreign_currency_needs_multi_currency() -> None:
    sim = Simulator(clock=lambda: T0)
    config = demo_config()
    config["settings"] = {**config["settings"], "multi_currency": False}  # type: ignore[dict-item]
    load_company(sim, config, now=T0)
    assert "multi-currency" in _refused(sim, arpayment("5", {}, customer="CUS-1008"))


def _applied(payment: dict[str, object]) -> list[dict[str, object]]:
    """What a payment's details apply (each detail also has its own RECORDNO, PAYMENTKEY and
    timestamps, as a line object's row)."""
    details = payment["ARPYMTDETAILS"]
    assert isinstance(details, list)
    shown = ("RECORDKEY", "TRX_PAYMENTAMOUNT", "PAYMENTDATE")
    return [{name: detail[name] for name in shown} for detail in details]
