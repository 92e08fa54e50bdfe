"""The official SDKs' ``ApPaymentCreate`` / ``ApPaymentUpdate`` against the simulator: each request
is built as the JS SDK's ``ApPaymentCreateTest`` / ``ApPaymentUpdateTest`` expect it (2.2.1), with
the demo company's records in place of the tests' keys. The details apply cash and one credit each:
an AP advance (``ApPaymentDetailAdvance``), a debit memo (``ApPaymentDetailDebitMemo``), a negative
bill (``ApPaymentDetailNegativeBill``), to a bill, one of its lines, or a credit memo
(``ApPaymentDetailCreditMemo``, POSADJKEY). Also the AR side's credits (credit memo, negative
invoice) that the same details model consumes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes.sim_calls import call as _call
from released_intacct.fakes.sim_calls import demo_books
from released_intacct.fakes.sim_calls import ok_key as _ok
from released_intacct.fakes.sim_calls import refused as _refused
from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.config import insert_records
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
VENDOR = "VEN-2001"


@pytest.fixture
def books() -> tuple[Simulator, Company]:
    return demo_books(T0)


def _day(tag: str, month: int, day: int) -> str:
    return f"<{tag}><year>2026</year><month>{month:02d}</month><day>{day:02d}</day></{tag}>"


def document(sim: Simulator, function: str, *amounts: str, party: str = VENDOR) -> str:
    """A bill (``create_bill``) or an AP adjustment (``create_apadjustment``) with one line per
    amount; negative amounts make a negative bill or a debit memo."""
    holder = {"create_bill": "billitems", "create_apadjustment": "apadjustmentitems"}[function]
    lines = "".join(
        f"<lineitem><glaccountno>5100</glaccountno><amount>{a}</amount></lineitem>" for a in amounts
    )
    return _ok(
        sim,
        f"<{function}><vendorid>{party}</vendorid>{_day('datecreated', 3, 1)}"
        f"<{holder}>{lines}</{holder}></{function}>",
    )


def advance(company: Company, amount: str, *, vendor: str = VENDOR) -> str:
    """An AP advance already in the company (no SDK class or XML page creates one)."""
    row: Record = {
        "RECORDTYPE": "pr", "STATE": "Posted", "RAWSTATE": "C", "VENDORID": vendor,
        "PAYMENTMETHOD": "EFT", "PAYMENTDATE": "02/01/2026", "TOTALENTERED": amount,
        "TOTALPAID": "0.00", "TOTALDUE": amount, "APPYMTDETAILS": [],
    }  # fmt: skip
    (key,) = insert_records(company, "APPYMT", [row], now=T0)
    return key


def appymt(details: str, *, header: str = "", method: str = "EFT", vendor: str = VENDOR) -> str:
    """``ApPaymentCreate``'s element order: PAYMENTMETHOD, FINANCIALENTITY, VENDORID, (the optional
    header), PAYMENTDATE, ..., APPYMTDETAILS."""
    return (
        f"<create><APPYMT><PAYMENTMETHOD>{method}</PAYMENTMETHOD>"
        f"<FINANCIALENTITY>BA1143</FINANCIALENTITY><VENDORID>{vendor}</VENDORID>{header}"
        f"<PAYMENTDATE>06/30/2026</PAYMENTDATE><APPYMTDETAILS>{details}</APPYMTDETAILS>"
        "</APPYMT></create>"
    )


def detail(*fields: tuple[str, object]) -> str:
    return "<APPYMTDETAIL>" + "".join(f"<{n}>{v}</{n}>" for n, v in fields) + "</APPYMTDETAIL>"


def _get(company: Company, name: str, key: str) -> Record:
    return company.table(name)[int(key)]


def _lines(company: Company, name: str, key: str) -> list[Record]:
    holder = {"APBILL": "APBILLITEMS", "APADJUSTMENT": "APADJUSTMENTITEMS"}[name]
    lines = _get(company, name, key)[holder]
    assert isinstance(lines, list)
    return lines


def _due(company: Company, name: str, key: str) -> tuple[object, object, object]:
    record = _get(company, name, key)
    return record["STATE"], record["TOTALPAID"], record["TOTALDUE"]


def _rows(company: Company, key: str) -> list[Record]:
    rows = _get(company, "APPYMT", key)["APPYMTDETAILS"]
    assert isinstance(rows, list)
    return rows


def test_sdk_payment_of_a_bill_line_pays_that_line_only(books: tuple[Simulator, Company]) -> None:
    sim, company = books
    bill = document(sim, "create_bill", "60.00", "40.00")
    second = str(_lines(company, "APBILL", bill)[1]["RECORDNO"])
    # JS ApPaymentCreateTest "should generate XML with Bill Line"
    payment = _ok(
        sim,
        appymt(
            detail(("RECORDKEY", bill), ("ENTRYKEY", second), ("TRX_PAYMENTAMOUNT", "40")),
            header="<DOCNUMBER>12345</DOCNUMBER>",
        ),
    )
    assert [(x["TOTALPAID"], x["TOTALDUE"]) for x in _lines(company, "APBILL", bill)] == [
        ("0.00", "60.00"),
        ("40.00", "0.00"),
    ]
    assert _due(company, "APBILL", bill) == ("Partially Paid", "40.00", "60.00")
    stored = _get(company, "APPYMT", payment)
    assert (stored["STATE"], stored["RAWSTATE"], stored["DOCNUMBER"]) == ("Posted", "C", "12345")
    (row,) = _rows(company, payment)
    assert (row["RECORDKEY"], row["ENTRYKEY"], row["TRX_PAYMENTAMOUNT"]) == (bill, second, "40.00")
    paid_line = detail(("RECORDKEY", bill), ("ENTRYKEY", second), ("TRX_PAYMENTAMOUNT", "1"))
    assert f"line {second} of APBILL {bill}" in _refused(sim, appymt(paid_line))
    assert "is not a line of" in _refused(
        sim, appymt(detail(("RECORDKEY", bill), ("ENTRYKEY", "999"), ("TRX_PAYMENTAMOUNT", "1")))
    )


ALL_HEADER = (
    "<PAYMENTREQUESTMETHOD>vendorpref</PAYMENTREQUESTMETHOD><GROUPPAYMENTS>true</GROUPPAYMENTS>"
    "<EXCH_RATE_DATE>06/30/2015</EXCH_RATE_DATE><EXCH_RATE_TYPE_ID>Intacct Daily Rate"
    "</EXCH_RATE_TYPE_ID><DOCNUMBER>10000</DOCNUMBER><DESCRIPTION>Memo</DESCRIPTION>"
    "<PAYMENTCONTACT>Jim Smith</PAYMENTCONTACT>"
)


def test_sdk_all_header_parameters_are_stored_and_a_check_waits_until_confirmed(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    bill = document(sim, "create_bill", "294.00")
    # JS ApPaymentCreateTest "all parameters" header; the "Bill Discount" detail (DISCOUNTDATE)
    discounted = detail(
        ("RECORDKEY", bill), ("DISCOUNTDATE", "06/29/2026"), ("TRX_PAYMENTAMOUNT", "294")
    )
    payment = _ok(sim, appymt(discounted, header=ALL_HEADER, method="Printed Check"))
    stored = _get(company, "APPYMT", payment)
    shown = ("PAYMENTREQUESTMETHOD", "GROUPPAYMENTS", "EXCH_RATE_TYPE_ID", "PAYMENTCONTACT")
    assert [stored[name] for name in shown] == [
        "vendorpref",
        "true",
        "Intacct Daily Rate",
        "Jim Smith",
    ]
    assert (stored["STATE"], stored["RAWSTATE"], stored["WHENCREATED"]) == (
        "Approved",
        "A",
        "06/30/2026",
    )
    assert _due(company, "APBILL", bill) == ("Posted", "0.00", "294.00")  # not paid until printed
    assert _rows(company, payment)[0]["DISCOUNTDATE"] == "06/29/2026"


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("DISCOUNTTOAPPLY", "DISCOUNTDATE"),
        ("CREDITTOAPPLY", "ADJUSTMENTKEY"),
        ("OVERPAYMENTKEY", "INLINEKEY"),
        ("NEGATIVEINVOICEKEY", "ADVANCEKEY"),
    ],
)
def test_detail_fields_the_ap_page_does_not_list_are_refused_naming_the_field(
    books: tuple[Simulator, Company], field: str, named: str
) -> None:
    sim, company = books
    bill = document(sim, "create_bill", "120.00")
    # JS ApPaymentCreateTest "all parameters for Bill Discount": DISCOUNTTOAPPLY, CREDITTOAPPLY
    sent = detail(("RECORDKEY", bill), (field, "8.12"), ("TRX_PAYMENTAMOUNT", "100.12"))
    result = _call(sim, appymt(sent, header=ALL_HEADER, method="Printed Check"))
    assert result.findtext("status") == "failure"
    assert result.findtext(".//description2") == f"{field} cannot be used in APPYMTDETAIL"
    assert named in result.findtext(".//correction", "")
    assert company.table("APPYMT") == {}


def test_sdk_use_all_the_things_applies_cash_an_advance_and_a_debit_memo_to_one_line(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    bill = document(sim, "create_bill", "10.00", "5.50")
    line = str(_lines(company, "APBILL", bill)[1]["RECORDNO"])
    prepaid = advance(company, "50.00")
    memo = document(sim, "create_apadjustment", "-3.00", "-4.00")
    memo_line = str(_lines(company, "APADJUSTMENT", memo)[1]["RECORDNO"])
    # JS ApPaymentCreateTest "should generate XML for Bill And Use All the Things"
    details = (
        detail(("RECORDKEY", bill), ("ENTRYKEY", line), ("TRX_PAYMENTAMOUNT", "1")),
        detail(("RECORDKEY", bill), ("ENTRYKEY", line), ("ADVANCEKEY", prepaid),
               ("ADVANCEENTRYKEY", "42931"), ("TRX_POSTEDADVANCEAMOUNT", "2.49")),
        detail(("RECORDKEY", bill), ("ENTRYKEY", line), ("ADJUSTMENTKEY", memo),
               ("ADJUSTMENTENTRYKEY", memo_line), ("TRX_ADJUSTMENTAMOUNT", "2.01")),
    )  # fmt: skip
    payment = _ok(sim, appymt("".join(details)))
    assert _lines(company, "APBILL", bill)[1]["TOTALDUE"] == "0.00"
    assert _due(company, "APBILL", bill) == ("Partially Paid", "5.50", "10.00")
    used = _get(company, "APPYMT", prepaid)
    assert (used["TOTALPAID"], used["TOTALDUE"]) == ("2.49", "47.51")
    assert _due(company, "APADJUSTMENT", memo) == ("Partially Paid", "-2.01", "-4.99")
    assert [(x["TOTALPAID"], x["TOTALDUE"]) for x in _lines(company, "APADJUSTMENT", memo)] == [
        ("0.00", "-3.00"),
        ("-2.01", "-1.99"),
    ]
    stored = _get(company, "APPYMT", payment)
    assert (stored["TOTALENTERED"], stored["TOTALPAID"]) == ("1.00", "1.00")
    credit = _rows(company, payment)[1]
    assert (credit["ADVANCEKEY"], credit["ADVANCEENTRYKEY"], credit["TRX_POSTEDADVANCEAMOUNT"]) == (
        prepaid,
        "42931",
        "2.49",
    )
    assert "TRX_PAYMENTAMOUNT" not in credit
    reverse = f'<reverse_appayment key="{payment}">{_day("datereversed", 7, 1)}</reverse_appayment>'
    reversal = _ok(sim, reverse)
    assert _due(company, "APBILL", bill) == ("Posted", "0.00", "15.50")
    assert _get(company, "APPYMT", prepaid)["TOTALDUE"] == "50.00"
    assert _due(company, "APADJUSTMENT", memo) == ("Posted", "0.00", "-7.00")
    assert _rows(company, reversal)[2]["TRX_ADJUSTMENTAMOUNT"] == "-2.01"


def test_sdk_negative_bill_and_cash_in_one_detail_settle_the_bill(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    bill, negative = document(sim, "create_bill", "78.80"), document(sim, "create_bill", "-70.00")
    # JS ApPaymentCreateTest "should generate XML for Bill And Use Negative Bill"
    sent = detail(("RECORDKEY", bill), ("INLINEKEY", negative), ("TRX_INLINEAMOUNT", "70"),
                  ("TRX_PAYMENTAMOUNT", "8.8"))  # fmt: skip
    payment = _ok(
        sim,
        appymt(sent, method="Cash").replace(
            "<APPYMTDETAILS>", "<CURRENCY>USD</CURRENCY><APPYMTDETAILS>"
        ),
    )
    assert _due(company, "APBILL", bill) == ("Paid", "78.80", "0.00")
    assert _due(company, "APBILL", negative) == ("Paid", "-70.00", "0.00")
    stored = _get(company, "APPYMT", payment)
    assert (stored["STATE"], stored["TOTALENTERED"]) == ("Posted", "8.80")
    (row,) = _rows(company, payment)
    assert (row["INLINEKEY"], row["TRX_INLINEAMOUNT"], row["TRX_PAYMENTAMOUNT"]) == (
        negative,
        "70.00",
        "8.80",
    )


def test_sdk_credit_memo_details_pay_an_adjustment_with_cash_and_a_debit_memo(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    credit_memo = document(sim, "create_apadjustment", "1.50", "2.01")
    line = str(_lines(company, "APADJUSTMENT", credit_memo)[1]["RECORDNO"])
    debit_memo = document(sim, "create_apadjustment", "-1.01")
    # JS ApPaymentCreateTest "all parameters for Bill Discount" (second): ApPaymentDetailCreditMemo
    details = (
        detail(("POSADJKEY", credit_memo), ("POSADJENTRYKEY", line), ("TRX_PAYMENTAMOUNT", "1")),
        detail(("POSADJKEY", credit_memo), ("POSADJENTRYKEY", line), ("ADJUSTMENTKEY", debit_memo),
               ("ADJUSTMENTENTRYKEY", ""), ("TRX_ADJUSTMENTAMOUNT", "1.01")),
    )  # fmt: skip
    payment = _ok(sim, appymt("".join(details)))
    assert _lines(company, "APADJUSTMENT", credit_memo)[1]["TOTALDUE"] == "0.00"
    assert _due(company, "APADJUSTMENT", credit_memo) == ("Partially Paid", "2.01", "1.50")
    assert _due(company, "APADJUSTMENT", debit_memo) == ("Paid", "-1.01", "0.00")
    assert [row.get("POSADJKEY") for row in _rows(company, payment)] == [credit_memo] * 2


def test_credit_only_payment_may_omit_the_method_and_posts_at_once(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    bill, negative = document(sim, "create_bill", "30.00"), document(sim, "create_bill", "-30.00")
    credit = detail(("RECORDKEY", bill), ("INLINEKEY", negative), ("TRX_INLINEAMOUNT", "30"))
    payment = _ok(sim, appymt(credit, method=""))
    stored = _get(company, "APPYMT", payment)
    assert (stored["STATE"], stored["TOTALENTERED"], stored["PAYMENTMETHOD"]) == (
        "Posted",
        "0.00",
        "",
    )
    assert _due(company, "APBILL", bill)[0] == "Paid"
    cash = detail(("RECORDKEY", document(sim, "create_bill", "5")), ("TRX_PAYMENTAMOUNT", "5"))
    assert "PAYMENTMETHOD is missing" in _refused(sim, appymt(cash, method=""))


def test_credits_are_applied_only_while_the_party_has_that_much_unapplied(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    bill = document(sim, "create_bill", "100.00")
    theirs = advance(company, "20.00", vendor="VEN-2002")
    small = advance(company, "20.00")
    memo = document(sim, "create_apadjustment", "-10.00")
    positive = document(sim, "create_apadjustment", "10.00")
    refused = [
        detail(("RECORDKEY", bill), ("ADVANCEKEY", theirs), ("TRX_POSTEDADVANCEAMOUNT", "5")),
        detail(("RECORDKEY", bill), ("ADVANCEKEY", small), ("TRX_POSTEDADVANCEAMOUNT", "25")),
        detail(("RECORDKEY", bill), ("ADJUSTMENTKEY", positive), ("TRX_ADJUSTMENTAMOUNT", "5")),
        detail(("RECORDKEY", bill), ("ADJUSTMENTKEY", memo), ("TRX_ADJUSTMENTAMOUNT", "11")),
        detail(("RECORDKEY", bill), ("ADJUSTMENTKEY", memo), ("TRX_ADJUSTMENTAMOUNT", "6"))
        + detail(("RECORDKEY", bill), ("ADJUSTMENTKEY", memo), ("TRX_ADJUSTMENTAMOUNT", "6")),
    ]
    for details in refused:
        assert "with that much unapplied" in _refused(sim, appymt(details))
    two = detail(("RECORDKEY", bill), ("ADVANCEKEY", small), ("TRX_POSTEDADVANCEAMOUNT", "1"),
                 ("ADJUSTMENTKEY", memo), ("TRX_ADJUSTMENTAMOUNT", "1"))  # fmt: skip
    assert "names ADVANCEKEY and ADJUSTMENTKEY" in _refused(sim, appymt(two))
    twice = detail(("RECORDKEY", bill), ("TRX_PAYMENTAMOUNT", "60")) * 2
    assert "120.00" in _refused(sim, appymt(twice))
    assert _due(company, "APBILL", bill) == ("Posted", "0.00", "100.00")
    assert set(company.table("APPYMT")) == {int(theirs), int(small)}


def _draft(sim: Simulator, bill: str, amount: str, *, method: str = "EFT") -> str:
    sent = detail(("RECORDKEY", bill), ("TRX_PAYMENTAMOUNT", amount))
    action = "<ACTION>Draft</ACTION><APPYMTDETAILS>"
    return _ok(sim, appymt(sent, method=method).replace("<APPYMTDETAILS>", action))


def test_sdk_update_replaces_the_details_of_a_draft_and_submits_it(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    first, second = document(sim, "create_bill", "50.00"), document(sim, "create_bill", "80.00")
    draft = _draft(sim, first, "50")
    assert _get(company, "APPYMT", draft)["RAWSTATE"] == "D"
    # JS ApPaymentUpdateTest "all parameters": RECORDNO ... WHENCREATED, ACTION SUBMIT, details
    _ok(
        sim,
        f"<update><APPYMT><RECORDNO>{draft}</RECORDNO><FINANCIALENTITY>BA1143</FINANCIALENTITY>"
        f"<VENDORID>{VENDOR}</VENDORID><PAYMENTREQUESTMETHOD>vendorpref</PAYMENTREQUESTMETHOD>"
        "<DOCNUMBER>10000</DOCNUMBER><DESCRIPTION>Memo</DESCRIPTION>"
        "<WHENCREATED>07/02/2026</WHENCREATED><ACTION>SUBMIT</ACTION><APPYMTDETAILS>"
        + detail(("RECORDKEY", second), ("TRX_PAYMENTAMOUNT", "80"))
        + "</APPYMTDETAILS></APPYMT></update>",
    )
    stored = _get(company, "APPYMT", draft)
    assert (stored["STATE"], stored["PAYMENTDATE"], stored["WHENCREATED"], stored["DOCNUMBER"]) == (
        "Posted",
        "07/02/2026",
        "07/02/2026",
        "10000",
    )
    assert [row["RECORDKEY"] for row in _rows(company, draft)] == [second]
    assert _due(company, "APBILL", first) == ("Posted", "0.00", "50.00")
    assert _due(company, "APBILL", second) == ("Paid", "80.00", "0.00")
    assert "only a draft" in _refused(
        sim,
        f"<update><APPYMT><RECORDNO>{draft}</RECORDNO><VENDORID>{VENDOR}</VENDORID><APPYMTDETAILS>"
        + detail(("RECORDKEY", second), ("TRX_PAYMENTAMOUNT", "80"))
        + "</APPYMTDETAILS></APPYMT></update>",
    )


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("<VENDORID>VEN-2002</VENDORID>{details}", "is not the vendor"),
        ("<VENDORID>VEN-2001</VENDORID>", "APPYMTDETAILS is missing"),
        ("<CURRENCY>USD</CURRENCY>{details}", "CURRENCY cannot be updated"),
        ("<ACTION>Later</ACTION>{details}", "ACTION must be Draft or Submit"),
    ],
    ids=["other-vendor", "no-details", "unlisted-field", "unknown-action"],
)
def test_update_of_a_draft_is_refused_naming_the_field(
    books: tuple[Simulator, Company], body: str, named: str
) -> None:
    sim, company = books
    bill = document(sim, "create_bill", "50.00")
    draft = _draft(sim, bill, "50")
    paid = detail(("RECORDKEY", bill), ("TRX_PAYMENTAMOUNT", "50"))
    sent = body.format(details=f"<APPYMTDETAILS>{paid}</APPYMTDETAILS>")
    update = f"<update><APPYMT><RECORDNO>{draft}</RECORDNO>{sent}</APPYMT></update>"
    assert named in _refused(sim, update)
    assert _get(company, "APPYMT", draft)["STATE"] == "Draft"


def test_update_without_action_submits_an_ap_draft_but_keeps_an_ar_draft(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books
    bill = document(sim, "create_bill", "50.00")
    draft = _draft(sim, bill, "50", method="Printed Check")
    details = f"<APPYMTDETAILS>{detail(('RECORDKEY', bill), ('TRX_PAYMENTAMOUNT', '50'))}"
    _ok(
        sim,
        f"<update><APPYMT><RECORDNO>{draft}</RECORDNO>{details}</APPYMTDETAILS></APPYMT></update>",
    )
    assert _get(company, "APPYMT", draft)["STATE"] == "Approved"  # a check: printed, then confirmed
    invoice = _ok(
        sim,
        f"<create_invoice><customerid>CUS-1001</customerid>{_day('datecreated', 3, 1)}"
        "<invoiceitems><lineitem><glaccountno>4000</glaccountno><amount>40</amount></lineitem>"
        "</invoiceitems></create_invoice>",
    )
    ar = _ok(
        sim,
        "<create><ARPYMT><PAYMENTMETHOD>Cash</PAYMENTMETHOD><CUSTOMERID>CUS-1001</CUSTOMERID>"
        "<RECEIPTDATE>03/05/2026</RECEIPTDATE><ACTION>Draft</ACTION><ARPYMTDETAILS><ARPYMTDETAIL>"
        f"<RECORDKEY>{invoice}</RECORDKEY><TRX_PAYMENTAMOUNT>40</TRX_PAYMENTAMOUNT>"
        "</ARPYMTDETAIL></ARPYMTDETAILS></ARPYMT></create>",
    )
    before = [row["RECORDNO"] for row in _ar_rows(company, ar)]
    _ok(
        sim, f"<update><ARPYMT><RECORDNO>{ar}</RECORDNO><DOCNUMBER>R9</DOCNUMBER></ARPYMT></update>"
    )
    stored = company.table("ARPYMT")[int(ar)]
    assert (stored["STATE"], stored["DOCNUMBER"]) == ("Draft", "R9")
    assert [row["RECORDNO"] for row in _ar_rows(company, ar)] == before  # details retained


def _ar_rows(company: Company, key: str) -> list[Record]:
    rows = company.table("ARPYMT")[int(key)]["ARPYMTDETAILS"]
    assert isinstance(rows, list)
    return rows


def test_ar_details_consume_credit_memos_and_negative_invoices_and_refuse_inline_credits(
    books: tuple[Simulator, Company],
) -> None:
    sim, company = books

    def ar(function: str, holder: str, amount: str) -> str:
        return _ok(
            sim,
            f"<{function}><customerid>CUS-1001</customerid>{_day('datecreated', 3, 1)}<{holder}>"
            f"<lineitem><glaccountno>4000</glaccountno><amount>{amount}</amount></lineitem>"
            f"</{holder}></{function}>",
        )

    invoice = ar("create_invoice", "invoiceitems", "100.00")
    memo = ar("create_aradjustment", "aradjustmentitems", "-30.00")
    negative = ar("create_invoice", "invoiceitems", "-20.00")

    def arpymt(*rows: str) -> str:
        return (
            "<create><ARPYMT><PAYMENTMETHOD>Cash</PAYMENTMETHOD><CUSTOMERID>CUS-1001</CUSTOMERID>"
            f"<RECEIPTDATE>03/05/2026</RECEIPTDATE><ARPYMTDETAILS>{''.join(rows)}"
            "</ARPYMTDETAILS></ARPYMT></create>"
        )

    def row(*fields: tuple[str, object]) -> str:
        return "<ARPYMTDETAIL>" + "".join(f"<{n}>{v}</{n}>" for n, v in fields) + "</ARPYMTDETAIL>"

    _ok(
        sim,
        arpymt(
            row(("RECORDKEY", invoice), ("ADJUSTMENTKEY", memo), ("TRX_ADJUSTMENTAMOUNT", "30")),
            row(("RECORDKEY", invoice), ("NEGATIVEINVOICEKEY", negative),
                ("TRX_NEGATIVEINVOICEAMOUNT", "20"), ("TRX_PAYMENTAMOUNT", "50")),
        ),
    )  # fmt: skip
    assert company.table("ARINVOICE")[int(invoice)]["STATE"] == "Paid"
    assert company.table("ARADJUSTMENT")[int(memo)]["TOTALDUE"] == "0.00"
    assert company.table("ARINVOICE")[int(negative)]["STATE"] == "Paid"
    other = ar("create_invoice", "invoiceitems", "10.00")
    inline = row(("RECORDKEY", other), ("INLINEKEY", other), ("TRX_INLINEAMOUNT", "1"))
    result = _call(sim, arpymt(inline))
    assert result.findtext(".//description2") == "INLINEKEY cannot be used in ARPYMTDETAIL"
    assert "Inline credits must be enabled" in result.findtext(".//correction", "")
    discount = row(
        ("RECORDKEY", other), ("TRX_TOTALDISCOUNTTOAPPLY", "1"), ("TRX_PAYMENTAMOUNT", "9")
    )
    result = _call(sim, arpymt(discount))
    assert (
        result.findtext(".//description2")
        == "TRX_TOTALDISCOUNTTOAPPLY cannot be used in ARPYMTDETAIL"
    )
    assert company.table("ARINVOICE")[int(other)]["STATE"] == "Posted"
