"""The official Intacct SDKs run unmodified calls against the simulator over real HTTP.

JavaScript: ``@intacct/intacct-sdk`` 2.2.1 (pinned in ``tests/e2e/sdk_js/package-lock.json``),
driven by ``tests/e2e/sdk_js/driver.js`` in one Node process that prints what each call returned
as JSON; its endpoint-domain check is relaxed exactly as the spec's section 7 shows. Python:
``sageintacctsdk`` 1.28.1 with the spec's tested URL patch (it has no endpoint option).

Decisions where the spec is silent:
- The seed has 2,345 GLACCOUNTs (every tenth inactive) so that every pager pages for real:
  readByQuery + readMore take three pages of at most 1000, the JS ``query`` takes five pages of
  500 over the 2,111 active accounts, and the Python SDK's ``get_all`` (pagesize 2000 with an
  offset loop) takes two.
- Each SDK gets its own simulator and server, so one SDK's writes never change what the other
  counts.
- The delete scenarios (JS ``CustomerDelete``, ``VendorDelete``, ``BillDelete``,
  ``ContactDelete``, ``InvoiceDelete``; Python ``vendors`` / ``bills`` / ``contacts.delete``, which
  are generic deletes) delete records they create themselves, so the earlier scenarios' records
  stay for their own assertions.
- The company uses AP payment approvals (``ap_payment_approvals``), so the JS AP payment
  scenario's payments wait for ``ApPaymentApprove``; no other scenario pays a bill.
- The JS tests skip when ``node`` is not on PATH, and when ``npm ci`` cannot install the pinned SDK
  (no registry); the Python tests skip when ``sageintacctsdk`` is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from released_intacct.fakes.serving import serving
from released_intacct.fakes.simulators.intacct.app import GATEWAY_PATH, create_app
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

SDK_JS = Path(__file__).resolve().parent / "sdk_js"
ACCOUNTS = 2345
ACTIVE = ACCOUNTS - ACCOUNTS // 10
INVOICE_CUSTOMER = "CUST-ACME"
INVOICE_ACCOUNT = "4000"
CREDENTIALS = {
    "senderId": "demo-sender",
    "senderPassword": "demo-sender-pass",
    "companyId": "DEMO",
    "userId": "ws_user",
    "userPassword": "ws_pass",
}


@contextmanager
def _serving(sim: Simulator) -> Iterator[str]:
    """The simulator served by uvicorn in a thread on an ephemeral port; yields the gateway URL."""
    with serving(create_app(sim)) as base:
        yield f"{base}{GATEWAY_PATH}"


def _seed(sim: Simulator) -> None:
    accounts = [
        {
            "ACCOUNTNO": str(4000 + n),
            "TITLE": f"Account {n}",
            "ACCOUNTTYPE": "incomestatement",
            "NORMALBALANCE": "credit",
            "STATUS": "inactive" if n % 10 == 9 else "active",
        }
        for n in range(ACCOUNTS)
    ]
    load_company(
        sim,
        {
            "company_id": "DEMO",
            "senders": {"demo-sender": "demo-sender-pass"},
            "users": {"ws_user": "ws_pass"},
            "entities": {"E100": "East"},
            "settings": {"ap_payment_approvals": True},
            "records": {
                "GLACCOUNT": accounts,
                "CUSTOMER": [{"CUSTOMERID": INVOICE_CUSTOMER, "NAME": "Acme Lettings"}],
                "WAREHOUSE": [{"WAREHOUSEID": "WH1", "NAME": "Main store"}],
            },
        },
        now=datetime.now(UTC),
    )


def _one(sim: Simulator, object_name: str, field: str, value: str) -> dict[str, object]:
    found = sim.companies["DEMO"].by_field(object_name, field, value)
    assert found is not None, f"no {object_name} with {field}={value}"
    return found


# --- JavaScript: @intacct/intacct-sdk ------------------------------------------------------


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the JS SDK conformance tests need Node.js 18 or later")
    if not (SDK_JS / "node_modules" / "@intacct" / "intacct-sdk" / "package.json").exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not on PATH: it installs the pinned @intacct/intacct-sdk")
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", *_NPM_FAIL_FAST],
            cwd=SDK_JS,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"npm ci could not install @intacct/intacct-sdk: {_npm_error(done.stderr)}")
    return node


_NPM_FAIL_FAST = (
    "--fetch-retries=2",
    "--fetch-retry-mintimeout=1000",
    "--fetch-retry-maxtimeout=5000",
)
"""npm's default retries wait over a minute when the registry cannot be reached."""


def _npm_error(stderr: str) -> str:
    """npm's own error lines (code and message), without its stack trace."""
    lines = [line.removeprefix("npm error").strip() for line in stderr.splitlines()]
    kept = [line for line in lines if line and not line.startswith(("at ", "npm warn"))]
    return " | ".join(kept[:4]) or stderr[-400:]


@pytest.fixture(scope="module")
def js() -> Iterator[tuple[Simulator, dict[str, Any]]]:
    """What each JS SDK scenario returned, after all of them ran against one simulator."""
    node = _node()
    sim = Simulator()
    _seed(sim)
    with _serving(sim) as endpoint:
        yield sim, _drive_js(node, sim, endpoint)


def _drive_js(node: str, sim: Simulator, endpoint: str) -> dict[str, Any]:
    options = {
        **CREDENTIALS,
        "endpoint": endpoint,
        "glObject": "GLACCOUNT",
        "warehouseRecordNo": str(_one(sim, "WAREHOUSE", "WAREHOUSEID", "WH1")["RECORDNO"]),
        "invoiceCustomerId": INVOICE_CUSTOMER,
        "invoiceAccountNo": INVOICE_ACCOUNT,
    }
    done = subprocess.run(
        [node, "driver.js", json.dumps(options)],
        cwd=SDK_JS,
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    report["_endpoint"] = endpoint
    return report


def _scenario(js: tuple[Simulator, dict[str, Any]], name: str) -> dict[str, Any]:
    outcome: dict[str, Any] = js[1][name]
    assert outcome["ok"], f"JS SDK {name} failed: {outcome['error']}"
    return outcome


def test_js_session_provider_logs_in_and_follows_the_returned_endpoint(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "session")
    assert outcome["endpointUrl"] == js[1]["_endpoint"]  # the login URL had "?via=login"
    assert outcome["sessionId"] in js[0].sessions
    assert (outcome["companyId"], outcome["userId"], outcome["entityId"]) == ("DEMO", "ws_user", "")


def test_js_read_by_query_and_read_more_page_through_every_record(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "read_by_query")
    assert outcome["pages"] == [1000, 1000, ACCOUNTS - 2000]
    assert (outcome["rows"], outcome["distinct"], outcome["totalCount"]) == (
        ACCOUNTS,
        ACCOUNTS,
        ACCOUNTS,
    )
    assert outcome["listType"] == "glaccount"
    assert len(set(outcome["resultIds"])) == 1  # readMore keeps the first resultId


def test_js_query_pages_by_offset_with_a_filter_and_an_order(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "query")
    assert outcome["pages"] == [500, 500, 500, 500, ACTIVE - 2000]
    assert (outcome["rows"], outcome["distinct"], outcome["totalCount"]) == (ACTIVE, ACTIVE, ACTIVE)
    assert (outcome["first"], outcome["last"]) == (str(4000 + ACCOUNTS - 1), "4000")


def test_js_customer_create_without_an_id_gets_the_next_sequenced_id(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "customer_create")
    assert outcome["listType"] == "objects"
    assert outcome["customerId"] == "C0001"
    stored = _one(js[0], "CUSTOMER", "CUSTOMERID", "C0001")
    assert stored["RECORDNO"] == outcome["recordNo"]


def test_js_customer_update_changes_the_name_and_keeps_the_contact(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "customer_update")
    assert outcome["updated"]["CUSTOMERID"] == "C0001"
    assert outcome["after"]["NAME"] == "Harbour Cafe Ltd"
    assert outcome["after"]["DISPLAYCONTACT"]["PRINTAS"] == "Harbour Cafe"


def test_js_generic_delete_removes_the_record_and_a_second_delete_fails(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "delete")
    assert outcome["status"] == "success"
    assert outcome["second"]["name"] == "ResultException"
    assert any("BL01001973" in error for error in outcome["second"]["errors"])
    assert js[0].companies["DEMO"].by_field("WAREHOUSE", "WAREHOUSEID", "WH1") is None


def test_js_invoice_create_returns_the_new_invoice_key(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "invoice_create")
    assert outcome["functionName"] == "create_invoice"
    stored = js[0].companies["DEMO"].by_recordno("ARINVOICE", outcome["key"])
    assert stored is not None
    assert stored["CUSTOMERID"] == INVOICE_CUSTOMER


def test_js_invoice_reverse_marks_the_original_reversed(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "invoice_reverse")
    assert outcome["functionName"] == "reverse_invoice"
    key = _scenario(js, "invoice_create")["key"]
    invoices = js[0].companies["DEMO"].table("ARINVOICE").values()
    states = {str(r["RECORDNO"]): r.get("STATE") for r in invoices}
    assert states.pop(key) == "Reversed"
    assert list(states.values()) == ["Reversal"]


def test_correction_14_js_customer_delete_sends_delete_customer_and_removes_the_customer(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "customer_delete")
    assert (outcome["status"], outcome["functionName"]) == ("success", "delete_customer")
    assert js[0].companies["DEMO"].by_field("CUSTOMER", "CUSTOMERID", "C1234") is None


def test_correction_14_js_customer_delete_without_an_id_is_a_result_exception_not_a_crash(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    unnamed = _scenario(js, "customer_delete")["unnamed"]
    assert unnamed["name"] == "ResultException"
    assert any("BL01001973" in error for error in unnamed["errors"])


def test_correction_14_js_vendor_delete_is_refused_while_a_bill_names_the_vendor(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    vendor_id = _scenario(js, "vendor_create")["vendorId"]
    assert vendor_id == "V0001"
    assert _scenario(js, "bill_create")["functionName"] == "create_bill"
    refused = _scenario(js, "vendor_delete_refused")
    assert refused["name"] == "ResultException"
    assert any("BL01001973" in error for error in refused["errors"])


def test_correction_14_js_bill_delete_then_vendor_delete_remove_both(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    assert _scenario(js, "bill_delete")["functionName"] == "delete_bill"
    assert _scenario(js, "vendor_delete")["functionName"] == "delete_vendor"
    company = js[0].companies["DEMO"]
    assert company.by_recordno("APBILL", _scenario(js, "bill_create")["key"]) is None
    assert company.by_field("VENDOR", "VENDORID", "V0001") is None


def test_js_contact_create_then_contact_delete(js: tuple[Simulator, dict[str, Any]]) -> None:
    outcome = _scenario(js, "contact_create_delete")
    assert outcome["created"]["CONTACTNAME"] == "Harbour Accounts"
    assert outcome["functionName"] == "delete_contact"
    assert js[0].companies["DEMO"].by_field("CONTACT", "CONTACTNAME", "Harbour Accounts") is None


def test_js_invoice_delete_removes_the_invoice_and_audits_it(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "invoice_delete")
    assert outcome["functionName"] == "delete_invoice"
    company = js[0].companies["DEMO"]
    assert company.by_recordno("ARINVOICE", outcome["key"]) is None
    audit = company.table("AUDITHISTORY").values()
    assert any(
        (row["OBJECTTYPE"], row["OBJECTKEY"], row["ACCESSMODE"])
        == ("arinvoice", outcome["key"], "Delete")
        for row in audit
    )


def test_js_ap_payment_approve_posts_an_eft_payment_and_void_undoes_both_payments(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "ap_payment_approve_void")
    eft, check = str(outcome["eft"]), str(outcome["check"])
    first, second = (str(key) for key in outcome["bills"])
    assert outcome["functions"] == [
        "approve_appaymentrequest",
        "approve_appaymentrequest",
        "void_appaymentrequest",
        "void_appaymentrequest",
    ]
    assert outcome["created"] == {eft: "Submitted", check: "Submitted"}
    assert outcome["approved"] == {eft: "Posted", check: "Approved"}  # a check waits to print
    assert outcome["billsApproved"] == {first: "Paid", second: "Posted"}
    assert outcome["declineRefused"]["name"] == "ResultException"
    assert any("BL01001973" in error for error in outcome["declineRefused"]["errors"])
    assert outcome["voided"] == {eft: "Reversed", check: "Voided"}
    assert outcome["billsVoided"] == {first: "Posted", second: "Posted"}
    payments = js[0].companies["DEMO"].table("APPYMT").values()
    (reversal,) = [p for p in payments if p["STATE"] == "Reversal"]
    assert reversal["TOTALENTERED"] == "-250.00"


def test_js_wrong_password_raises_the_sdks_response_exception(
    js: tuple[Simulator, dict[str, Any]],
) -> None:
    outcome = _scenario(js, "auth_failure")
    assert outcome["name"] == "ResponseException"
    assert outcome["isResponseException"]
    assert "authentication status failure" in outcome["message"]
    assert any("XL03000006" in error for error in outcome["errors"])


# --- Python: sageintacctsdk ----------------------------------------------------------------


class PySdk:
    """The Python SDK's module, its exceptions, and a logged-in client, with the URL patched."""

    def __init__(self, module: Any, exceptions: Any, sim: Simulator, endpoint: str) -> None:
        self.module = module
        self.exceptions = exceptions
        self.sim = sim
        self.endpoint = endpoint

    def connect(self, password: str = CREDENTIALS["userPassword"]) -> Any:
        return self.module.SageIntacctSDK(
            sender_id=CREDENTIALS["senderId"],
            sender_password=CREDENTIALS["senderPassword"],
            user_id=CREDENTIALS["userId"],
            company_id=CREDENTIALS["companyId"],
            user_password=password,
        )


@pytest.fixture(scope="module")
def py() -> Iterator[PySdk]:
    module = pytest.importorskip("sageintacctsdk")
    apis = pytest.importorskip("sageintacctsdk.apis")
    exceptions = pytest.importorskip("sageintacctsdk.exceptions")
    sim = Simulator()
    _seed(sim)
    with _serving(sim) as endpoint, pytest.MonkeyPatch.context() as patch:
        login_url = endpoint + "?via=login"  # the simulator's <endpoint> has no query
        patch.setattr(apis.ApiBase, "__init__", _fixed_url(apis.ApiBase.__init__, login_url))
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")
        yield PySdk(module, exceptions, sim, endpoint)


def _fixed_url(original: Any, endpoint: str) -> Any:
    """The spec's tested patch: the SDK has no endpoint option, so every API object gets ours."""

    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self._ApiBase__api_url = endpoint

    return patched


@pytest.fixture(scope="module")
def py_client(py: PySdk) -> Any:
    return py.connect()


def test_py_constructor_opens_a_session_and_adopts_the_endpoint(py: PySdk, py_client: Any) -> None:
    session_id = py_client.api_base._ApiBase__session_id
    assert session_id in py.sim.sessions
    assert py_client.api_base._ApiBase__api_url == py.endpoint  # adopted from getAPISession
    assert py_client.customers._ApiBase__api_url == py.endpoint + "?via=login"  # the patch's


def test_py_get_reads_by_query(py_client: Any) -> None:
    data = py_client.accounts.get(field="ACCOUNTNO", value=INVOICE_ACCOUNT, fields=["ACCOUNTNO"])
    assert data["@listtype"] == "glaccount"
    assert data["glaccount"] == {"ACCOUNTNO": INVOICE_ACCOUNT}
    first_page = py_client.accounts.get(field="STATUS", value="active", fields=["RECORDNO"])
    assert (first_page["@count"], first_page["@totalcount"]) == ("1000", str(ACTIVE))
    assert first_page["@numremaining"] == str(ACTIVE - 1000)
    assert first_page["@resultId"]


def test_py_count_and_get_all_page_by_offset_over_every_record(py_client: Any) -> None:
    assert py_client.accounts.count() == ACTIVE
    assert py_client.accounts.count(None) == ACCOUNTS
    rows = py_client.accounts.get_all(fields=["RECORDNO", "ACCOUNTNO", "STATUS"])
    assert len(rows) == ACCOUNTS
    assert len({row["ACCOUNTNO"] for row in rows}) == ACCOUNTS


def test_correction_14_py_post_update_and_delete_a_customer(py: PySdk, py_client: Any) -> None:
    created = py_client.customers.post({"NAME": "Quay Books", "DISPLAYCONTACT": {"PRINTAS": "Q"}})
    row = created["data"]["customer"]
    assert row["CUSTOMERID"] == "C0001"
    py_client.customers.update({"CUSTOMERID": "C0001", "NAME": "Quay Books Ltd"})
    assert _one(py.sim, "CUSTOMER", "CUSTOMERID", "C0001")["NAME"] == "Quay Books Ltd"
    py_client.customers.delete(row["RECORDNO"])
    assert py.sim.companies["DEMO"].by_field("CUSTOMER", "CUSTOMERID", "C0001") is None


def test_py_ar_invoice_post_uses_legacy_create_invoice(py: PySdk, py_client: Any) -> None:
    result = py_client.ar_invoices.post(
        {
            "customerid": INVOICE_CUSTOMER,
            "datecreated": {"year": "2026", "month": "05", "day": "01"},
            "datedue": {"year": "2026", "month": "05", "day": "31"},
            "invoiceno": "INV-PY-1",
            "invoiceitems": {"lineitem": [{"glaccountno": INVOICE_ACCOUNT, "amount": "75.25"}]},
        }
    )
    stored = py.sim.companies["DEMO"].by_recordno("ARINVOICE", result["key"])
    assert stored is not None
    assert stored["CUSTOMERID"] == INVOICE_CUSTOMER


def test_py_wrong_password_raises_the_sdks_invalid_token_error(py: PySdk) -> None:
    with pytest.raises(py.exceptions.InvalidTokenError) as raised:
        py.connect(password="not-the-password")
    assert "XL03000006" in str(raised.value.response)


def test_correction_14_py_vendor_post_and_delete_refused_while_a_bill_names_it(
    py: PySdk, py_client: Any
) -> None:
    created = py_client.vendors.post({"NAME": "Quay Supplies", "DISPLAYCONTACT": {"PRINTAS": "Q"}})
    vendor = created["data"]["vendor"]
    assert vendor["VENDORID"] == "V0001"
    bill = py_client.bills.post(
        {
            "VENDORID": "V0001",
            "RECORDID": "BILL-PY-1",
            "WHENCREATED": "05/01/2026",
            "APBILLITEMS": {"APBILLITEM": [{"ACCOUNTNO": INVOICE_ACCOUNT, "TRX_AMOUNT": "42"}]},
        }
    )["data"]["apbill"]
    with pytest.raises(py.exceptions.WrongParamsError) as refused:
        py_client.vendors.delete(vendor["RECORDNO"])
    error = refused.value.response["error"][0]
    assert error["errorno"] == "BL01001973"
    assert "names it" in error["description2"]
    py_client.bills.delete(bill["RECORDNO"])  # the Python SDK deletes bills with generic delete
    py_client.vendors.delete(vendor["RECORDNO"])
    company = py.sim.companies["DEMO"]
    assert company.by_recordno("APBILL", bill["RECORDNO"]) is None
    assert company.by_field("VENDOR", "VENDORID", "V0001") is None


def test_py_contact_post_and_delete(py: PySdk, py_client: Any) -> None:
    created = py_client.contacts.post({"CONTACTNAME": "Quay Accounts", "PRINTAS": "Quay"})
    contact = created["data"]["contact"]
    py_client.contacts.delete(contact["RECORDNO"])
    assert py.sim.companies["DEMO"].by_field("CONTACT", "CONTACTNAME", "Quay Accounts") is None


def test_py_get_lookup_reads_the_object_definition(py_client: Any) -> None:
    data = py_client.vendors.get_lookup()
    kind = data["Type"]
    assert kind["@Name"] == "VENDOR"
    assert "VENDORID" in {field["ID"] for field in kind["Fields"]["Field"]}
