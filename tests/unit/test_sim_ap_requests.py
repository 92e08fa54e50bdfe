"""The official SDKs' AP payment-request classes against the simulator: ``ApPaymentApprove``,
``ApPaymentDecline``, ``ApPaymentSend``, ``ApPaymentConfirm`` and ``ApPaymentVoid`` send
``<X_appaymentrequest><appaymentkeys><appaymentkey>RECORDNO</appaymentkey></appaymentkeys>``
(their tests in intacct-sdk-js 2.2.1 and intacct-sdk-php 3.2.0). The states follow the AP help's
payment statuses: a payment waits in Submitted for approval when the company uses payment
approvals; EFT, cash and credit card payments post when approved; a check waits Approved until it
is confirmed printed; void undoes a waiting payment or reverses a posted one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from released_intacct.fakes.sim_calls import call as _call
from released_intacct.fakes.sim_calls import demo_books
from released_intacct.fakes.sim_calls import ok_key as _ok
from released_intacct.fakes.sim_calls import refused as _refused
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _books(**settings: bool) -> tuple[Simulator, Company]:
    return demo_books(T0, **settings)


@pytest.fixture
def approvals() -> tuple[Simulator, Company]:
    return _books(ap_payment_approvals=True)


def request(action: str, *keys: str) -> str:
    """What the SDKs' ``ApPayment<Action>`` writes (one key; the page allows several)."""
    inner = "".join(f"<appaymentkey>{key}</appaymentkey>" for key in keys)
    name = f"{action}_appaymentrequest"
    return f"<{name}><appaymentkeys>{inner}</appaymentkeys></{name}>"


def bill(sim: Simulator, amount: str = "100.00") -> str:
    return _ok(
        sim,
        "<create_bill><vendorid>VEN-2001</vendorid><datecreated><year>2026</year><month>03</month>"
        "<day>01</day></datecreated><billitems><lineitem><glaccountno>5100</glaccountno>"
        f"<amount>{amount}</amount></lineitem></billitems></create_bill>",
    )


def pay(sim: Simulator, key: str, *, method: str, amount: str = "100.00") -> str:
    return _ok(
        sim,
        f"<create><APPYMT><PAYMENTMETHOD>{method}</PAYMENTMETHOD><FINANCIALENTITY>BA1143"
        "</FINANCIALENTITY><VENDORID>VEN-2001</VENDORID><PAYMENTDATE>03/15/2026</PAYMENTDATE>"
        f"<APPYMTDETAILS><APPYMTDETAIL><RECORDKEY>{key}</RECORDKEY><TRX_PAYMENTAMOUNT>{amount}"
        "</TRX_PAYMENTAMOUNT></APPYMTDETAIL></APPYMTDETAILS></APPYMT></create>",
    )


def _payment(company: Company, key: str) -> tuple[object, object]:
    stored = company.table("APPYMT")[int(key)]
    return stored["STATE"], stored["RAWSTATE"]


def _bill(company: Company, key: str) -> tuple[object, object]:
    stored = company.table("APBILL")[int(key)]
    return stored["STATE"], stored["TOTALDUE"]


def _modified(company: Company, key: str) -> int:
    wanted = ("appymt", key, "Modify")
    rows = company.table("AUDITHISTORY").values()
    return sum(1 for r in rows if (r["OBJECTTYPE"], r["OBJECTKEY"], r["ACCESSMODE"]) == wanted)


def test_sdk_approve_posts_a_submitted_eft_payment_and_pays_its_bill(
    approvals: tuple[Simulator, Company],
) -> None:
    sim, company = approvals
    owed = bill(sim)
    payment = pay(sim, owed, method="EFT")
    assert _payment(company, payment) == ("Submitted", "S")
    assert _bill(company, owed) == ("Posted", "100.00")  # nothing applied while it waits
    result = _call(sim, request("approve", payment))
    assert (result.findtext("status"), result.findtext("function")) == (
        "success",
        "approve_appaymentrequest",
    )
    assert result.find("data") is None
    assert _payment(company, payment) == ("Posted", "C")
    assert _bill(company, owed) == ("Paid", "0.00")
    assert _modified(company, payment) == 1


def test_sdk_approve_then_confirm_posts_a_printed_check(
    approvals: tuple[Simulator, Company],
) -> None:
    sim, company = approvals
    owed = bill(sim)
    check = pay(sim, owed, method="Printed Check")
    assert f"Cannot confirm APPYMT {check}: it is Submitted" in _refused(
        sim, request("confirm", check)
    )
    _ok(sim, request("approve", check))
    assert _payment(company, check) == ("Approved", "A")
    assert _bill(company, owed) == ("Posted", "100.00")
    _ok(sim, request("confirm", check))
    assert _payment(company, check) == ("Posted", "C")
    assert _bill(company, owed) == ("Paid", "0.00")
    assert "it is Posted" in _refused(sim, request("approve", check))


def test_without_payment_approvals_a_check_is_approved_at_once_and_eft_posts() -> None:
    sim, company = _books()
    owed, other = bill(sim), bill(sim)
    assert _payment(company, pay(sim, owed, method="Printed Check")) == ("Approved", "A")
    assert _payment(company, pay(sim, other, method="EFT")) == ("Posted", "C")
    assert _bill(company, other) == ("Paid", "0.00")


def test_sdk_decline_leaves_the_bill_unpaid_and_the_payment_declined(
    approvals: tuple[Simulator, Company],
) -> None:
    sim, company = approvals
    owed = bill(sim)
    payment = pay(sim, owed, method="Cash")
    _ok(sim, request("decline", payment))
    assert _payment(company, payment) == ("Declined", "")
    assert _bill(company, owed) == ("Posted", "100.00")
    refusal = _call(sim, request("approve", payment))
    assert refusal.findtext(".//description2") == f"Cannot approve APPYMT {payment}: it is Declined"
    assert refusal.findtext(".//correction") == "Only a submitted payment waits for approval."


def test_sdk_send_needs_vendor_payment_services_then_confirm_posts() -> None:
    sim, company = _books()
    owed = bill(sim)
    check = pay(sim, owed, method="Printed Check")
    assert "Vendor Payment Services" in _refused(sim, request("send", check))
    assert _payment(company, check) == ("Approved", "A")
    sim, company = _books(vendor_payment_services=True)
    owed = bill(sim)
    check = pay(sim, owed, method="Printed Check")
    _ok(sim, request("send", check))
    assert _payment(company, check) == ("Delivered", "")
    assert _bill(company, owed) == ("Posted", "100.00")
    _ok(sim, request("confirm", check))
    assert _bill(company, owed) == ("Paid", "0.00")


def test_sdk_void_undoes_a_waiting_check_and_reverses_a_posted_payment() -> None:
    sim, company = _books()
    owed = bill(sim)
    check = pay(sim, owed, method="Printed Check")
    _ok(sim, request("void", check))
    assert _payment(company, check) == ("Voided", "V")
    assert "it is Voided" in _refused(sim, request("confirm", check))
    posted = pay(sim, owed, method="EFT")
    assert _bill(company, owed) == ("Paid", "0.00")
    _ok(sim, request("void", posted))
    assert _payment(company, posted) == ("Reversed", "V")
    (reversal,) = [
        r for r in company.table("APPYMT").values() if r["STATE"] == "Reversal"
    ]  # no field links it to the voided payment (correction 3)
    assert (reversal["TOTALENTERED"], reversal["WHENCREATED"]) == ("-100.00", "05/01/2026")
    assert _bill(company, owed) == ("Posted", "100.00")


def test_a_request_changes_nothing_unless_every_key_can_be_acted_on(
    approvals: tuple[Simulator, Company],
) -> None:
    sim, company = approvals
    first, second = bill(sim), bill(sim)
    waiting = pay(sim, first, method="EFT")
    again = pay(sim, first, method="EFT")  # pays the same bill: only one can be approved
    other = pay(sim, second, method="EFT")
    assert "amount due is 100.00" in _refused(sim, request("approve", waiting, again))
    assert "Cannot find appymt with key '999'" in _refused(sim, request("approve", other, "999"))
    assert "more than once" in _refused(sim, request("approve", other, other))
    assert {_payment(company, k)[0] for k in (waiting, again, other)} == {"Submitted"}
    assert _bill(company, first) == ("Posted", "100.00")
    _ok(sim, request("approve", waiting, other))
    assert _bill(company, second) == ("Paid", "0.00")
    assert "amount due is 0.00" in _refused(sim, request("approve", again))  # checked again


@pytest.mark.parametrize(
    ("function", "named"),
    [
        ("<approve_appaymentrequest/>", "appaymentkey is missing"),
        (
            "<approve_appaymentrequest><appaymentkeys><appaymentkey/></appaymentkeys>"
            "</approve_appaymentrequest>",
            "appaymentkey is missing",
        ),
        (
            "<void_appaymentrequest><appaymentkey>1</appaymentkey></void_appaymentrequest>",
            "<appaymentkey> is not allowed",
        ),
    ],
    ids=["no-keys", "empty-key", "key-outside-appaymentkeys"],
)
def test_a_request_without_its_keys_is_refused(
    approvals: tuple[Simulator, Company], function: str, named: str
) -> None:
    sim, _ = approvals
    assert named in _refused(sim, function)
