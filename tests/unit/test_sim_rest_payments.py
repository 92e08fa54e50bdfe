"""AR and AP payments over REST in the simulator: created with their details (``paymentDetails``
/ ``details``), applied to the documents as over XML, shown by GET and the query service with
the payment's fields, and the same payment over both APIs (docs/intacct-rest.md 4.11)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes.restsim import RestSim
from released_intacct.fakes.sim_calls import demo_books
from released_intacct.fakes.sim_calls import ok_key as _ok
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
AR_PAYMENTS = "/objects/accounts-receivable/payment"
AP_PAYMENTS = "/objects/accounts-payable/payment"


@pytest.fixture
def books() -> tuple[Simulator, Company]:
    return demo_books(T0)


@pytest.fixture
def api(books: tuple[Simulator, Company]) -> RestSim:
    api = RestSim(create_app(books[0]))
    assert api.token().status_code == 200
    return api


def _invoice(sim: Simulator, amount: str = "100.00") -> str:
    return _ok(
        sim,
        "<create_invoice><customerid>CUS-1001</customerid><datecreated><year>2026</year>"
        "<month>03</month><day>01</day></datecreated><invoiceitems><lineitem><glaccountno>4000"
        f"</glaccountno><amount>{amount}</amount></lineitem></invoiceitems></create_invoice>",
    )


def _bill(sim: Simulator, amount: str = "80.00") -> str:
    return _ok(
        sim,
        "<create_bill><vendorid>VEN-2001</vendorid><datecreated><year>2026</year><month>03"
        "</month><day>01</day></datecreated><datedue><year>2026</year><month>04</month><day>01"
        "</day></datedue><billitems><lineitem><glaccountno>5000</glaccountno><amount>"
        f"{amount}</amount></lineitem></billitems></create_bill>",
    )


def _ar_payment(invoice: str, amount: str = "60.00") -> dict[str, object]:
    return {
        "paymentMethod": "eft",
        "customer": {"id": "CUS-1001"},
        "documentNumber": "1567",
        "description": "ri-key-1",
        "paymentSummary": {"receiptDate": "2026-03-23"},
        "txnCurrency": {"currency": "USD"},
        "paymentDetails": [
            {"arInvoice": {"id": invoice}, "txnCurrency": {"paymentAmount": amount}}
        ],
    }


def test_an_ar_payment_is_created_with_its_details_and_pays_the_invoice(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    sim, company = books
    invoice = _invoice(sim)
    made = api.post(AR_PAYMENTS, json=_ar_payment(invoice))
    assert made.status_code == 201, made.text
    key = made.json()["ia::result"]["key"]
    shown = api.get(f"{AR_PAYMENTS}/{key}").json()["ia::result"]
    assert (shown["recordType"], shown["state"], shown["paymentMethod"]) == (
        "rp",
        "complete",
        "eft",
    )
    assert shown["customer"]["id"] == "CUS-1001"
    assert shown["paymentSummary"]["receiptDate"] == "2026-03-23"
    assert (shown["description"], shown["documentNumber"]) == ("ri-key-1", "1567")
    assert shown["txnCurrency"]["totalAmount"] == "60.00"
    (detail,) = shown["paymentDetails"]
    assert detail["arInvoice"]["key"] == invoice
    assert detail["txnCurrency"]["paymentAmount"] == "60.00"
    assert detail["arPayment"]["key"] == key
    stored = company.by_recordno("ARINVOICE", invoice)
    assert stored is not None
    assert stored["TOTALDUE"] == "40.00"  # applied as an XML payment is


def test_an_ar_payment_made_over_xml_is_read_over_rest_by_the_query_service(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    sim, _ = books
    invoice = _invoice(sim)
    key = _ok(
        sim,
        "<create><ARPYMT><PAYMENTMETHOD>Credit Card</PAYMENTMETHOD><CUSTOMERID>CUS-1001"
        "</CUSTOMERID><RECEIPTDATE>03/10/2026</RECEIPTDATE><DESCRIPTION>ri-xml</DESCRIPTION>"
        f"<ARPYMTDETAILS><ARPYMTDETAIL><RECORDKEY>{invoice}</RECORDKEY><TRX_PAYMENTAMOUNT>25"
        "</TRX_PAYMENTAMOUNT></ARPYMTDETAIL></ARPYMTDETAILS></ARPYMT></create>",
    )
    rows = api.query(
        object="accounts-receivable/payment",
        fields=["key", "paymentMethod", "description", "txnCurrency.totalAmount"],
        filters=[{"$eq": {"description": "ri-xml"}}],
    ).json()["ia::result"]
    assert rows == [
        {
            "key": key,
            "paymentMethod": "creditCard",
            "description": "ri-xml",
            "txnCurrency.totalAmount": "25.00",
        }
    ]
    details = api.query(
        object="accounts-receivable/payment-detail",
        fields=["arPayment.key", "arInvoice.key", "txnCurrency.paymentAmount"],
        filters=[{"$in": {"arPayment.key": [key]}}],
    ).json()["ia::result"]
    assert details == [
        {"arPayment.key": key, "arInvoice.key": invoice, "txnCurrency.paymentAmount": "25.00"}
    ]


def test_an_ap_payment_is_created_with_details_and_read_with_its_state(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    sim, _ = books
    bill = _bill(sim)
    body = {
        "paymentMethod": "eft",
        "vendor": {"id": "VEN-2001"},
        "paymentDate": "2026-03-24",
        "description": "ri-key-2",
        "txnCurrency": {"currency": "USD"},
        "details": [{"bill": {"key": bill}, "txnCurrency": {"paymentAmount": "80.00"}}],
    }
    made = api.post(AP_PAYMENTS, json=body)
    assert made.status_code == 201, made.text
    shown = api.get(f"{AP_PAYMENTS}/{made.json()['ia::result']['key']}").json()["ia::result"]
    assert (shown["recordType"], shown["state"]) == ("apPayment", "confirmed")
    assert shown["paymentDate"] == "2026-03-24"
    assert [d["bill"]["key"] for d in shown["details"]] == [bill]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"paymentMethod": "Cheque"}, "paymentMethod"),
        ({"state": "complete"}, "state"),
        ({"paymentDetails": [{"arInvoice": {"id": "1"}, "colour": "red"}]}, "colour"),
    ],
)
def test_a_bad_ar_payment_field_is_400_naming_it(
    books: tuple[Simulator, Company], api: RestSim, change: dict[str, object], named: str
) -> None:
    body = {**_ar_payment(_invoice(books[0])), **change}
    response = api.post(AR_PAYMENTS, json=body)
    assert response.status_code == 400
    assert named in response.text


def test_a_payment_of_more_than_is_due_is_a_business_refusal(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    response = api.post(AR_PAYMENTS, json=_ar_payment(_invoice(books[0], "10.00"), "60.00"))
    assert response.status_code == 422, response.text
    assert response.json()["ia::error"]["details"]


def test_an_ar_payment_reversed_by_its_workflow_restores_the_invoice(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    sim, company = books
    invoice = _invoice(sim)
    key = api.post(AR_PAYMENTS, json=_ar_payment(invoice)).json()["ia::result"]["key"]
    body = {"key": key, "reversedDate": "2026-03-30", "memo": "bounced"}
    done = api.post("/workflows/accounts-receivable/payment/reverse", json=body)
    assert done.status_code == 200, done.text
    answer = done.json()["ia::result"]
    assert answer["state"] == "reversal"
    assert answer["key"] != key  # the Reversal record Intacct adds
    assert api.get(f"{AR_PAYMENTS}/{key}").json()["ia::result"]["state"] == "reversed"
    reversal = api.get(f"{AR_PAYMENTS}/{answer['key']}").json()["ia::result"]
    assert (reversal["description"], reversal["txnCurrency"]["totalAmount"]) == (
        "bounced",
        "-60.00",
    )
    stored = company.by_recordno("ARINVOICE", invoice)
    assert stored is not None
    assert stored["TOTALDUE"] == "100.00"


def test_an_ap_payment_reversed_by_its_workflow_answers_it_reversed(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    bill = _bill(books[0])
    body = {
        "paymentMethod": "eft",
        "vendor": {"id": "VEN-2001"},
        "paymentDate": "2026-03-24",
        "details": [{"bill": {"key": bill}, "txnCurrency": {"paymentAmount": "80.00"}}],
    }
    key = api.post(AP_PAYMENTS, json=body).json()["ia::result"]["key"]
    reverse = {"key": key, "paymentDate": "2026-03-30", "description": "void"}
    done = api.post("/workflows/accounts-payable/payment/reverse", json=reverse)
    assert done.status_code == 200, done.text
    assert (done.json()["ia::result"]["key"], done.json()["ia::result"]["state"]) == (
        key,
        "reversed",
    )


@pytest.mark.parametrize(
    ("path", "body", "status", "named"),
    [
        ("accounts-receivable/payment/reverse", {"key": "99999", "reversedDate": "2026-03-30"},
         404, "99999"),
        ("accounts-receivable/payment/reverse", {"key": "{key}"}, 400, "reversedDate"),
        ("accounts-payable/payment/reverse", {"key": "99999", "paymentDate": "2026-03-30"},
         404, "accounts-payable/payment"),
        ("accounts-receivable/payment/approve", {"key": "{key}"}, 404, "approve"),
        ("accounts-receivable/payment/reverse", {"reversedDate": "2026-03-30"}, 400, "key"),
    ],
)  # fmt: skip
def test_a_bad_payment_workflow_is_refused_naming_what(
    books: tuple[Simulator, Company],
    api: RestSim,
    path: str,
    body: dict[str, str],
    status: int,
    named: str,
) -> None:
    key = api.post(AR_PAYMENTS, json=_ar_payment(_invoice(books[0]))).json()["ia::result"]["key"]
    sent = {name: value.replace("{key}", key) for name, value in body.items()}
    response = api.post(f"/workflows/{path}", json=sent)
    assert response.status_code == status, response.text
    assert named in response.text


def test_reversing_a_reversed_payment_is_a_business_refusal(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    key = api.post(AR_PAYMENTS, json=_ar_payment(_invoice(books[0]))).json()["ia::result"]["key"]
    body = {"key": key, "reversedDate": "2026-03-30"}
    assert api.post("/workflows/accounts-receivable/payment/reverse", json=body).status_code == 200
    again = api.post("/workflows/accounts-receivable/payment/reverse", json=body)
    assert again.status_code == 422, again.text


def test_an_ar_advance_is_read_as_its_own_object_and_as_a_payment(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    key = _ok(
        books[0],
        "<create><ARADVANCE><CUSTOMERID>CUS-1001</CUSTOMERID><PAYMENTMETHOD>Cash</PAYMENTMETHOD>"
        "<RECEIPTDATE>03/02/2026</RECEIPTDATE><PAYMENTDATE>03/02/2026</PAYMENTDATE>"
        "<ARADVANCEITEMS><ARADVANCEITEM><TRX_AMOUNT>25</TRX_AMOUNT></ARADVANCEITEM>"
        "</ARADVANCEITEMS></ARADVANCE></create>",
    )
    advance = api.get(f"/objects/accounts-receivable/advance/{key}").json()["ia::result"]
    assert (advance["recordType"], advance["state"], advance["txnTotalEntered"]) == (
        "rr",
        "posted",
        "25.00",
    )
    assert advance["paymentInformation"]["paymentMethod"] == "cash"
    assert advance["paymentInformation"]["totalDue"] == "25.00"
    payment = api.get(f"{AR_PAYMENTS}/{key}").json()["ia::result"]
    assert (payment["recordType"], payment["state"]) == ("rr", "complete")
    refused = api.patch(f"/objects/accounts-receivable/advance/{key}", json={"description": "x"})
    assert refused.status_code == 405


def test_customer_refunds_are_read_as_their_own_object_not_as_payments(
    books: tuple[Simulator, Company], api: RestSim
) -> None:
    refund: dict[str, object] = {
        "CUSTOMERID": "CUS-1001", "RECORDTYPE": "rf", "STATE": "Complete",
        "PAYMENTMETHOD": "EFT", "REFUNDDATE": "01/30/2026", "TOTALENTERED": "75.00",
        "DESCRIPTION": "refund-1",
    }  # fmt: skip
    books[1].insert("CUSTOMERREFUND", refund, now=T0, entity="")
    fields = ["customer.id", "refundDate", "txnCurrency.refundAmount", "paymentMethod", "state"]
    refunds = api.query(object="accounts-receivable/customer-refund", fields=fields).json()
    assert refunds["ia::result"] == [
        {
            "customer.id": "CUS-1001",
            "refundDate": "2026-01-30",
            "txnCurrency.refundAmount": "75.00",
            "paymentMethod": "eft",
            "state": "posted",
        }
    ]
    as_payment = api.query(
        object="accounts-receivable/payment",
        fields=["key"],
        filters=[{"$eq": {"description": "refund-1"}}],
    )
    assert as_payment.json()["ia::result"] == []
