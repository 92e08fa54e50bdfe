"""Simulator payments as Intacct documents them (correction 2): RECORDTYPE ``rp`` / ``rr`` /
``ro``, details applying cash or earlier credits, advances and overpayments allocated later,
payments of several customers, drafts, reversal with no link field, AP payments, deletion, and
the JS SDK's online card / ACH blocks of ``create_arpayment``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from released_intacct.fakes.sim_calls import demo_books
from released_intacct.fakes.sim_calls import ok_key as _ok
from released_intacct.fakes.sim_calls import refused as _refused
from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.seeddata import demo_config
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def books() -> tuple[Simulator, Company]:
    return demo_books(T0)


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
    assert (payment["RECORDTYPE"], payment["STATE"], payment["DOCNUMBER"]) == (
        "rp",
        "Complete",
        "R1",
    )
    assert "PAYMENTTYPE" not in payment
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


def test_correction_2_D11_advance_is_rr_and_unallocated_until_applied(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    advance = _ok(sim, arpayment("500.00", {}))  # no items: an advance (Open Item)
    stored = _get(company, "ARPYMT", advance)
    assert (stored["RECORDTYPE"], stored["TOTALPAID"], stored["TOTALDUE"]) == (
        "rr",
        "0.00",
        "500.00",
    )
    key = invoice(sim, "300.00")
    assert "unapplied" in _refused(sim, apply(advance, {key: "600.00"}))
    assert _ok(sim, apply(advance, {key: "300.00"})) == advance
    assert (stored["TOTALPAID"], stored["TOTALDUE"]) == ("300.00", "200.00")
    (application,) = [p for p in company.table("ARPYMT").values() if p is not stored]
    assert (application["RECORDTYPE"], application["TOTALENTERED"]) == ("rp", "0.00")
    (detail,) = _details(application)
    assert (detail["RECORDKEY"], detail["ADVANCEKEY"], detail["TRX_POSTEDADVANCEAMOUNT"]) == (
        key,
        advance,
        "300.00",
    )
    assert _totals(_get(company, "ARINVOICE", key)) == ("Paid", "300.00", "0.00", "04/02/2026")


def test_correction_2_an_advance_is_created_with_aradvance_and_applied_by_a_new_arpymt(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    advance = _ok(
        sim,
        "<create><ARADVANCE><CUSTOMERID>CUS-1001</CUSTOMERID><PAYMENTMETHOD>Cash</PAYMENTMETHOD>"
        "<RECEIPTDATE>03/02/2026</RECEIPTDATE><PAYMENTDATE>03/02/2026</PAYMENTDATE>"
        "<ARADVANCEITEMS><ARADVANCEITEM><ACCOUNTNO>4000</ACCOUNTNO><TRX_AMOUNT>90</TRX_AMOUNT>"
        "</ARADVANCEITEM></ARADVANCEITEMS></ARADVANCE></create>",
    )
    stored = _get(company, "ARPYMT", advance)
    assert (stored["RECORDTYPE"], stored["TOTALENTERED"], stored["TOTALDUE"]) == (
        "rr",
        "90.00",
        "90.00",
    )
    assert list(company.table("ARADVANCE")) == [int(advance)]
    key = invoice(sim, "60.00")
    applied = _ok(
        sim,
        "<create><ARPYMT><PAYMENTMETHOD>Cash</PAYMENTMETHOD><CUSTOMERID>CUS-1001</CUSTOMERID>"
        "<RECEIPTDATE>03/05/2026</RECEIPTDATE><ARPYMTDETAILS><ARPYMTDETAIL>"
        f"<RECORDKEY>{key}</RECORDKEY><ADVANCEKEY>{advance}</ADVANCEKEY>"
        "<TRX_POSTEDADVANCEAMOUNT>60</TRX_POSTEDADVANCEAMOUNT></ARPYMTDETAIL></ARPYMTDETAILS>"
        "</ARPYMT></create>",
    )
    assert _get(company, "ARPYMT", applied)["TOTALENTERED"] == "0.00"
    assert stored["TOTALDUE"] == "30.00"
    assert _get(company, "ARINVOICE", key)["STATE"] == "Paid"


def test_correction_2_D11_overpayment_is_rp_with_a_due_and_applied_later_as_ro(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    first, second = invoice(sim, "100.00"), invoice(sim, "50.00")
    over = _ok(sim, arpayment("150.00", {first: "100.00"}))
    stored = _get(company, "ARPYMT", over)
    assert (stored["RECORDTYPE"], stored["TOTALPAID"], stored["TOTALDUE"]) == (
        "rp",
        "100.00",
        "50.00",
    )
    _ok(sim, apply(over, {second: "50.00"}))
    assert (stored["RECORDTYPE"], stored["TOTALDUE"]) == ("rp", "0.00")
    (applied,) = [p for p in company.table("ARPYMT").values() if p["RECORDTYPE"] == "ro"]
    (detail,) = _details(applied)
    assert (detail["OVERPAYMENTKEY"], detail["TRX_POSTEDOVERPAYMENTAMOUNT"]) == (over, "50.00")
    assert _get(company, "ARINVOICE", second)["STATE"] == "Paid"
    assert "unapplied" in _refused(sim, apply(over, {second: "1"}))


def test_correction_2_a_payment_of_several_customers_names_a_payer_not_a_customer(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    mine, theirs = invoice(sim, "10.00"), invoice(sim, "20.00", customer="CUS-1002")
    details = "".join(
        f"<ARPYMTDETAIL><RECORDKEY>{k}</RECORDKEY><TRX_PAYMENTAMOUNT>{a}</TRX_PAYMENTAMOUNT>"
        "</ARPYMTDETAIL>"
        for k, a in ((mine, "10"), (theirs, "20"))
    )
    header = "<PAYMENTMETHOD>Cash</PAYMENTMETHOD><RECEIPTDATE>03/05/2026</RECEIPTDATE>"
    group = _ok(
        sim,
        f"<create><ARPYMT>{header}<PAYERNAME>Group</PAYERNAME>"
        f"<ARPYMTDETAILS>{details}</ARPYMTDETAILS></ARPYMT></create>",
    )
    stored = _get(company, "ARPYMT", group)
    assert (stored["CUSTOMERID"], stored["PAYERNAME"], stored["TOTALENTERED"]) == (
        "",
        "Group",
        "30.00",
    )
    assert {_get(company, "ARINVOICE", k)["STATE"] for k in (mine, theirs)} == {"Paid"}
    refused = f"<create><ARPYMT>{header}<ARPYMTDETAILS>{details}</ARPYMTDETAILS></ARPYMT></create>"
    assert "PAYERNAME" in _refused(sim, refused)


def test_D9_reversing_a_payment_unpays_its_invoices_with_no_link_field(
    books: tuple[Simulator, Company],
) -> None:
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
        "",
    )
    assert payment not in str(new)  # correction 3: nothing links the reversal to the original
    assert _totals(_get(company, "ARINVOICE", key)) == ("Posted", "0.00", "80.00", "")
    assert "Reversed" in _refused(
        sim, f'<reverse_arpayment key="{payment}">{_day("datereversed", 3, 21)}</reverse_arpayment>'
    )


def test_a_draft_payment_applies_nothing_until_submitted_and_only_a_draft_is_deleted(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    key = invoice(sim, "40.00")
    body = (
        "<PAYMENTMETHOD>Cash</PAYMENTMETHOD><CUSTOMERID>CUS-1001</CUSTOMERID>"
        "<RECEIPTDATE>03/05/2026</RECEIPTDATE><ACTION>Draft</ACTION><ARPYMTDETAILS><ARPYMTDETAIL>"
        f"<RECORDKEY>{key}</RECORDKEY><TRX_PAYMENTAMOUNT>40</TRX_PAYMENTAMOUNT>"
        "</ARPYMTDETAIL></ARPYMTDETAILS>"
    )
    draft = _ok(sim, f"<create><ARPYMT>{body}</ARPYMT></create>")
    assert (
        _get(company, "ARPYMT", draft)["STATE"],
        _get(company, "ARPYMT", draft)["RAWSTATE"],
    ) == (
        "Draft",
        "D",
    )
    assert _get(company, "ARINVOICE", key)["STATE"] == "Posted"
    submit = (
        f"<update><ARPYMT><RECORDNO>{draft}</RECORDNO><ACTION>Submit</ACTION></ARPYMT></update>"
    )
    _ok(sim, submit)
    assert _get(company, "ARINVOICE", key)["STATE"] == "Paid"
    assert "only draft" in _refused(
        sim, f"<delete><object>ARPYMT</object><keys>{draft}</keys></delete>"
    )
    other = _ok(sim, f"<create><ARPYMT>{body}</ARPYMT></create>".replace(key, invoice(sim, "40")))
    _ok(sim, f"<delete><object>ARPYMT</object><keys>{other}</keys></delete>")


def test_correction_2_refunds_are_their_own_object_and_not_created_by_xml(
    books: tuple[Simulator, Company],
) -> None:
    sim, _ = books
    assert "not writable" in _refused(
        sim,
        "<create><CUSTOMERREFUND><CUSTOMERID>CUS-1001</CUSTOMERID></CUSTOMERREFUND></create>",
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


ONLINE_CARD = (
    "<onlinecardpayment><cardnum>12345678</cardnum><expirydate>7/22/2022</expirydate>"
    "<cardtype>visa</cardtype><securitycode>1234</securitycode><usedefaultcard>true"
    "</usedefaultcard></onlinecardpayment>"
)
ONLINE_ACH = (
    "<onlineachpayment><bankname>National</bankname><accounttype>checking</accounttype>"
    "<accountnumber>456123789</accountnumber><routingnumber>987321654</routingnumber>"
    "<accountholder>Jeff</accountholder><usedefaultcard>true</usedefaultcard></onlineachpayment>"
)


def online(method: str, block: str, first: str, second: str) -> str:
    """JS ArPaymentCreateTest "should generate all XML with Online Card / ACH Payment"."""
    return (
        "<create_arpayment><customerid>CUS-1001</customerid><paymentamount>100.99</paymentamount>"
        "<undepfundsacct>1030</undepfundsacct><refid>123456789</refid><overpaylocid>US"
        f"</overpaylocid><overpaydeptid>CS</overpaydeptid>{_day('datereceived', 6, 30)}"
        f"<paymentmethod>{method}</paymentmethod><arpaymentitem><invoicekey>{first}</invoicekey>"
        f"<amount>75</amount></arpaymentitem><arpaymentitem><invoicekey>{second}</invoicekey>"
        f"<amount>25.99</amount></arpaymentitem>{block}</create_arpayment>"
    )


@pytest.mark.parametrize(
    ("method", "block", "missing", "secret"),
    [
        ("Online Charge Card", ONLINE_CARD, "cardnum", "visa"),
        ("Online ACH Debit", ONLINE_ACH, "bankname", "National"),
    ],
    ids=["OnlineCardPayment", "OnlineAchPayment"],
)
def test_js_online_payments_are_accepted_with_their_required_fields_and_not_stored(
    books: tuple[Simulator, Company], method: str, block: str, missing: str, secret: str
) -> None:
    sim, company = books
    first, second = invoice(sim, "75.00"), invoice(sim, "25.99")
    payment = _ok(sim, online(method, block, first, second))
    stored = _get(company, "ARPYMT", payment)
    assert (stored["PAYMENTMETHOD"], stored["TOTALENTERED"]) == (method, "100.99")
    assert {_get(company, "ARINVOICE", k)["STATE"] for k in (first, second)} == {"Paid"}
    assert secret not in str(stored)  # the card / bank details are not kept
    unnamed = block.replace(f"<{missing}>", "<x>").replace(f"</{missing}>", "</x>")
    assert "<x> is not allowed" in _refused(sim, online(method, unnamed, first, second))
    without = re.sub(f"<{missing}>[^<]*</{missing}>", f"<{missing}/>", block)
    assert f"Required field {missing} is missing" in _refused(
        sim, online(method, without, invoice(sim, "75.00"), invoice(sim, "25.99"))
    )


def test_an_online_block_is_ignored_with_another_method(books: tuple[Simulator, Company]) -> None:
    sim, company = books
    first, second = invoice(sim, "75.00"), invoice(sim, "25.99")
    sent = online("Printed Check", "<onlinecardpayment><cardtype>visa</cardtype>"
                  "</onlinecardpayment>", first, second)  # fmt: skip
    assert _get(company, "ARPYMT", _ok(sim, sent))["PAYMENTMETHOD"] == "Printed Check"


def test_payment_in_a_foreign_currency_needs_multi_currency() -> None:
    sim = Simulator(clock=lambda: T0)
    config = demo_config()
    config["settings"] = {**config["settings"], "multi_currency": False}  # type: ignore[dict-item]
    load_company(sim, config, now=T0)
    assert "multi-currency" in _refused(sim, arpayment("5", {}, customer="CUS-1008"))


def _details(payment: dict[str, object]) -> list[dict[str, object]]:
    details = payment["ARPYMTDETAILS"]
    assert isinstance(details, list)
    return details


def _applied(payment: dict[str, object]) -> list[dict[str, object]]:
    """What a payment's details apply (each detail also has its own RECORDNO, PAYMENTKEY and
    timestamps, as a line object's row)."""
    shown = ("RECORDKEY", "TRX_PAYMENTAMOUNT", "PAYMENTDATE")
    return [{name: detail[name] for name in shown} for detail in _details(payment)]
