"""Reading Intacct replies (spec §2) and classifying failures by what the engine does next."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree
from returns.result import Failure, Success

from released_intacct.adapters import retrying
from released_intacct.adapters.intacct import classify, envelope, errortext, response, written
from released_intacct.adapters.intacct.classify import (
    already_executed,
    auth_error,
    control_error,
    function_error,
    http_error,
    uncertain,
)
from released_intacct.adapters.intacct.envelope import Function, child, element, session_request
from released_intacct.adapters.intacct.reply import FunctionResult, IntacctError, PageInfo, Response
from released_intacct.adapters.intacct.response import (
    api_session,
    page_info,
    parse_response,
    rows,
)
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.faults import FaultRule, Kind
from released_intacct.fakes.simulators.intacct.simulator import Simulator

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
ENDPOINT = "http://127.0.0.1:8001/ia/xml/xmlgw.phtml"

# fixture -> (HTTP status, control_ok, auth_ok, result statuses)
EXPECTED: dict[str, tuple[int, bool, bool | None, tuple[str, ...]]] = {
    "response-auth-failure.xml": (200, True, False, ()),
    "response-control-failure.xml": (200, False, None, ()),
    "response-create-failure-duplicate.xml": (200, True, True, ("failure",)),
    "response-create-success.xml": (200, True, True, ("success",)),
    "response-delete-failure-not-found.xml": (200, True, True, ("failure",)),
    "response-delete-success.xml": (200, True, True, ("success",)),
    "response-getapisession-success.xml": (200, True, True, ("success",)),
    "response-http401-xmlgw-jpp0002.xml": (401, False, None, ()),
    "response-inspect-customer.xml": (200, True, True, ("success",)),
    "response-legacy-create-class-key.xml": (200, True, True, ("success",)),
    "response-multiple-results.xml": (200, True, True, ("success",) * 3),
    "response-read-success.xml": (200, True, True, ("success",)),
    "response-readbyquery-empty.xml": (200, True, True, ("success",)),
    "response-readbyquery-first-page.xml": (200, True, True, ("success",)),
    "response-readmore-last-page.xml": (200, True, True, ("success",)),
    "response-transaction-rollback.xml": (200, True, True, ("aborted", "failure")),
    "response-update-success.xml": (200, True, True, ("success",)),
}
RECORD = RecordRef(record_type=RecordType.INVOICE, direction=Direction.OUTGOING, label="INV-7")


def fixture(name: str) -> Response:
    status = EXPECTED[name][0]
    return parse_response((FIXTURES / name).read_bytes(), status=status).unwrap()


def failure_of(result: object) -> SyncError:
    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, SyncError)
    return error


def test_every_response_fixture_is_covered() -> None:
    assert set(EXPECTED) == {path.name for path in FIXTURES.glob("response-*.xml")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_fixture_parses_into_its_blocks(name: str) -> None:
    _, control_ok, auth_ok, statuses = EXPECTED[name]
    parsed = fixture(name)
    assert (parsed.control_ok, parsed.auth_ok) == (control_ok, auth_ok)
    assert tuple(result.status for result in parsed.results) == statuses


def test_control_failure_keeps_its_errors_and_is_fatal() -> None:
    parsed = fixture("response-control-failure.xml")
    assert parsed.control_errors == (
        IntacctError("PL04000055", "", "This company is a demo company and has expired.", ""),
    )
    error = control_error(parsed.control_errors)
    assert error.kind is ErrorKind.FATAL
    assert error.cause == "PL04000055: This company is a demo company and has expired."


def test_C2_a_401_with_xml_is_parsed_and_names_the_sign_in() -> None:
    error = control_error(fixture("response-http401-xmlgw-jpp0002.xml").control_errors)
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
    assert error.cause is not None
    assert error.cause.startswith("XMLGW_JPP0002: Sign-in information")


def test_C2_auth_failure_is_fatal_with_a_fix_for_the_bookkeeper() -> None:
    parsed = fixture("response-auth-failure.xml")
    assert parsed.results == ()
    error = auth_error(parsed.auth_errors)
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
    assert "Web Services user" in error.fix
    assert error.cause == "XL03000006: Sign-in information is incorrect"


def test_transaction_rollback_retries_the_aborted_and_rejects_the_culprit() -> None:
    aborted, culprit = fixture("response-transaction-rollback.xml").results
    assert aborted.errors[0].errorno == "XL03000009"
    assert function_error(aborted, record=None).kind is ErrorKind.RETRIABLE
    error = function_error(culprit, record=RECORD)
    assert error.kind is ErrorKind.REJECTED
    assert error.message == "Intacct refused this record: Something went wrong."
    assert error.record == RECORD
    assert error.cause == (
        "Get API Session Failed: Something went wrong; XL03000009: The entire transaction in this "
        "operation has been rolled back due to an error."
    )


def test_E1_duplicate_create_is_rejected_with_intacct_s_correction() -> None:
    (result,) = fixture("response-create-failure-duplicate.xml").results
    assert result.data is not None
    assert rows(result.data) == []
    error = function_error(result, record=RECORD)
    assert error.kind is ErrorKind.REJECTED
    assert error.message == (
        "Intacct refused this record: Another Class with the given value(s) UT01 already exists. "
        "Could not create class record!"
    )
    assert error.fix == "Use a unique value instead."
    assert error.cause is not None
    assert error.cause.count("BL01001973") == 2
    assert not already_executed(result)
    assert not uncertain(error)


def test_numeric_entities_in_descriptions_are_decoded() -> None:
    (result,) = fixture("response-delete-failure-not-found.xml").results
    assert result.errors[0].description2 == "Cannot find class with key 'UT01' to delete."
    assert fixture("response-delete-success.xml").results[0].data is None


def test_legacy_create_returns_its_key() -> None:
    (result,) = fixture("response-legacy-create-class-key.xml").results
    assert (result.ok, result.function, result.key, result.data) == (
        True,
        "create_class",
        "C1234",
        None,
    )
    assert result.controlid == "d4814563-1e97-4708-b9c5-9a49569d2a0d"


def test_multiple_results_stay_in_order_with_their_own_data() -> None:
    session, legacy, query = fixture("response-multiple-results.xml").results
    assert [r.controlid for r in (session, legacy, query)] == ["testControlId", "test2", "test3"]
    assert api_session(session) == (
        "fAkESesSiOnId..",
        "https://unittest.intacct.com/ia/xml/xmlgw.phtml",
        "",
    )
    assert legacy.data is not None
    assert rows(legacy.data)[0]["vendorid"] == "V0004"
    assert query.data is not None
    assert rows(query.data)[0]["ACHENABLED"] == "true"


def test_api_session_reads_the_session_and_refuses_a_failure() -> None:
    (result,) = fixture("response-getapisession-success.xml").results
    assert api_session(result) == (
        "fAkESesSiOnId..",
        "https://api.intacct.com/ia/xml/xmlgw.phtml",
        "",
    )
    assert api_session(fixture("response-transaction-rollback.xml").results[0]) is None
    assert api_session(fixture("response-read-success.xml").results[0]) is None


def test_readbyquery_pages_and_the_empty_page() -> None:
    first = fixture("response-readbyquery-first-page.xml").results[0].data
    last = fixture("response-readmore-last-page.xml").results[0].data
    empty = fixture("response-readbyquery-empty.xml").results[0].data
    assert first is not None
    assert last is not None
    assert empty is not None
    token = "7765623330Vqb8pMCoA4IAAEnuglgAAAAL5"
    assert page_info(first) == PageInfo(count=1, total=2, remaining=1, result_id=token, offset=None)
    assert page_info(last) == PageInfo(count=1, total=2, remaining=0, result_id=token, offset=None)
    assert page_info(empty) == PageInfo(count=0, total=0, remaining=0, result_id="", offset=None)
    assert rows(first) == [
        {"RECORDNO": "47", "ACCOUNTNO": "1010", "TITLE": "Cash in Bank, Checking, BA1145"}
    ]
    assert rows(empty) == []


def test_page_info_of_a_query_page_and_of_odd_attributes() -> None:
    query = etree.fromstring(
        b'<data listtype="APBILL" totalcount="5" offset="2000" count="2" numremaining="3">'
        b"<APBILL/><APBILL/></data>"
    )
    assert page_info(query) == PageInfo(count=2, total=5, remaining=3, result_id="", offset=2000)
    odd = etree.fromstring(b'<data count="x" totalcount="-1"><a/><a/><a/></data>')
    assert page_info(odd) == PageInfo(count=3, total=None, remaining=0, result_id="", offset=None)


def test_rows_nest_blocks_and_list_line_holders() -> None:
    data = etree.fromstring(
        b"<data><APBILL><RECORDNO>1</RECORDNO><!-- c -->"
        b"<APBILLITEMS><APBILLITEM><AMOUNT>10.00</AMOUNT></APBILLITEM></APBILLITEMS>"
        b"<DISPLAYCONTACT><MAILADDRESS><CITY>Leeds</CITY></MAILADDRESS><EMAIL1/></DISPLAYCONTACT>"
        b"<EMPTY/></APBILL>"
        b"<sodocument><SODOCUMENTENTRIES><sodocumententry><ITEMID>I1</ITEMID></sodocumententry>"
        b"</SODOCUMENTENTRIES><ARINVOICEITEMS><arinvoiceitem><A>1</A></arinvoiceitem>"
        b"<arinvoiceitem><A>2</A></arinvoiceitem></ARINVOICEITEMS>"
        b"<invoiceitems><lineitem><amount>5</amount></lineitem></invoiceitems>"
        b"<NOTE>a</NOTE><NOTE>b</NOTE></sodocument></data>"
    )
    bill, order = rows(data)
    assert bill == {
        "RECORDNO": "1",
        "APBILLITEMS": [{"AMOUNT": "10.00"}],
        "DISPLAYCONTACT": {"MAILADDRESS": {"CITY": "Leeds"}, "EMAIL1": ""},
        "EMPTY": "",
    }
    assert order == {
        "SODOCUMENTENTRIES": [{"ITEMID": "I1"}],
        "ARINVOICEITEMS": [{"A": "1"}, {"A": "2"}],
        "invoiceitems": [{"amount": "5"}],
        "NOTE": ["a", "b"],
    }


def test_rows_keep_field_text_exactly() -> None:
    data = etree.fromstring(b"<data><c><NAME>  Two  spaces </NAME></c></data>")
    assert rows(data) == [{"NAME": "  Two  spaces "}]


def test_http_statuses_without_a_usable_reply() -> None:
    throttled = failure_of(parse_response(b"<response/>", status=429, retry_after="7"))
    assert (throttled.kind, throttled.rule) == (ErrorKind.RETRIABLE, None)
    assert throttled.retry_after == 7.0
    assert http_error(429, retry_after=None).retry_after is None
    assert http_error(429, retry_after="Wed, 21 Oct 2026 07:28:00 GMT").retry_after is None
    for status in (500, 502, 524):
        error = failure_of(parse_response(b"", status=status))
        assert error.kind is ErrorKind.RETRIABLE
        assert uncertain(error)
        assert error.cause == f"uncertain: the request may have been processed; HTTP {status}"
    assert http_error(408, retry_after=None).kind is ErrorKind.RETRIABLE
    assert (http_error(401, retry_after=None).rule, http_error(403, retry_after=None).rule) == (
        Rule.C2,
        Rule.C2,
    )
    for status in (302, 404, 101):
        error = failure_of(parse_response(b"", status=status))
        assert error.kind is ErrorKind.FATAL
        assert not uncertain(error)


def test_a_4xx_without_xml_is_fatal_and_shows_the_status_and_first_bytes() -> None:
    error = failure_of(parse_response(b"Not Found", status=404))
    assert error.kind is ErrorKind.FATAL
    assert error.cause is not None
    assert "HTTP 404" in error.cause
    assert "Not Found" in error.cause


def test_a_200_without_the_required_blocks_is_uncertain() -> None:
    for body in (
        b"<response/>",
        b"<response><control><status>success</status></control></response>",
        b"<response><control><status>success</status></control><operation/></response>",
        b"<response><control><status>success</status></control><operation><authentication>"
        b"<status>success</status></authentication><result><function>x</function></result>"
        b"</operation></response>",
        b"<request/>",
    ):
        error = failure_of(parse_response(body, status=200))
        assert error.kind is ErrorKind.RETRIABLE
        assert uncertain(error)
        assert error.cause is not None
        assert error.cause.startswith("malformed response: HTTP 200")


@pytest.mark.parametrize(
    ("errorno", "text", "kind", "rule"),
    [
        ("XL03000006", "Incorrect Intacct XML Partner ID or password.", ErrorKind.FATAL, Rule.C2),
        ("XL03000003", "XML Parse schema error", ErrorKind.FATAL, None),
        ("GW-0011", "Invalid Request", ErrorKind.FATAL, None),
        ("GW-0010", "API rate limit exceeded", ErrorKind.RETRIABLE, None),
        ("X1", "API rate limit exceeded (too many)", ErrorKind.RETRIABLE, None),
        ("", "The Service is Temporarily Off-line", ErrorKind.RETRIABLE, None),
        ("X2", "Something else", ErrorKind.FATAL, None),
    ],
)
def test_control_errors_by_what_the_engine_does_next(
    errorno: str, text: str, kind: ErrorKind, rule: Rule | None
) -> None:
    error = control_error([IntacctError(errorno, "", text, "")])
    assert (error.kind, error.rule) == (kind, rule)
    assert error.cause == f"{errorno}: {text}"
    assert control_error([]).cause == "no error details"


def test_C2_auth_errors_distinguish_authorization_and_expired_sessions() -> None:
    refused = auth_error([IntacctError("XL03000006", "", "Invalid Web Services Authorization", "")])
    assert (refused.kind, refused.rule) == (ErrorKind.FATAL, Rule.C2)
    assert "Web Services authorizations" in refused.fix
    expired = [IntacctError("XL03000006", "", "Invalid session: it has expired", "")]
    assert classify.session_expired(expired)
    assert auth_error(expired).kind is ErrorKind.RETRIABLE


def test_function_errors_rate_limit_and_already_executed() -> None:
    busy = FunctionResult(
        "failure", "create", "c", None, None, (IntacctError("GW-0010", "", "", ""),)
    )
    assert function_error(busy, record=None).kind is ErrorKind.RETRIABLE
    text = IntacctError("BL0", "", "Control ID 'ri-1' was already executed and completed.", "")
    for error in (text, IntacctError("XL03000014", "", "", "")):
        result = FunctionResult("failure", "create", "ri-1", None, None, (error,))
        assert already_executed(result)
        classified = function_error(result, record=RECORD)
        assert classified.kind is ErrorKind.RETRIABLE
        assert uncertain(classified)
        assert classified.record == RECORD
    silent = function_error(FunctionResult("failure", "x", "c", None, None, ()), record=None)
    assert silent.message == "Intacct refused this record: no reason given."


def test_correction_8_rate_limits_and_the_service_off_line_are_retriable_at_every_level() -> None:
    for text in ("The Service is Temporarily Off-line", "API rate limit exceeded"):
        errors = [IntacctError("XL03000006", "", text, "")]
        result = FunctionResult("failure", "create", "c", None, None, tuple(errors))
        for error in (
            control_error(errors),
            auth_error(errors),
            function_error(result, record=None),
        ):
            assert (error.kind, error.rule) == (ErrorKind.RETRIABLE, None), text
            assert not uncertain(error)


def test_correction_8_a_503_is_retriable_and_keeps_its_wait() -> None:
    error = failure_of(parse_response(b"", status=503, retry_after="30"))
    assert error.kind is ErrorKind.RETRIABLE
    assert uncertain(error)
    assert error.retry_after == 30.0
    assert failure_of(parse_response(b"", status=500, retry_after="30")).retry_after is None


def test_correction_8_the_wait_is_the_longest_of_the_three_headers() -> None:
    header = retrying.retry_after_header
    assert header(httpx.Headers({"Retry-After": "5"})) == "5"
    both = {"retry-after": "5", "X-IA-Throttle-Limit-RetryAfter": "60"}
    assert header(httpx.Headers(both)) == "60"
    tenant = {"X-IA-TENANT-Throttle-Limit-Retry-After": "1.5"}
    assert header(httpx.Headers(tenant)) == "1.5"
    date = "Wed, 21 Oct 2026 07:28:00 GMT"
    assert header(httpx.Headers({"Retry-After": date})) == date
    assert header(httpx.Headers({})) is None


def test_correction_6_any_failure_of_a_function_sent_again_is_uncertain() -> None:
    refused = IntacctError("BL01001973", "", "Enter a valid customer name", "")
    result = FunctionResult("failure", "create", "ri-1", None, None, (refused,))
    assert not already_executed(result)
    first = function_error(result, record=RECORD)
    assert (first.kind, uncertain(first)) == (ErrorKind.REJECTED, False)
    again = function_error(result, record=RECORD, resent=True)
    assert (again.kind, uncertain(again)) == (ErrorKind.RETRIABLE, True)
    assert again.record == RECORD
    assert again.cause is not None
    assert "Enter a valid customer name" in again.cause


def test_correction_8_session_refused_names_what_a_fresh_login_may_cure() -> None:
    jpp = fixture("response-http401-xmlgw-jpp0002.xml")
    expired = Response(
        True, (), False, (IntacctError("XL03000006", "", "Invalid session", ""),), ()
    )
    busy = Response(
        True, (), False, (IntacctError("GW-0010", "", "API rate limit exceeded", ""),), ()
    )
    for refused in (Success(jpp), Success(expired), parse_response(b"Unauthorized", status=401)):
        error = classify.session_refused(refused)
        assert error is not None
        assert (error.kind, error.rule) == (ErrorKind.RETRIABLE, None)
    assert classify.session_refused(Success(busy)) is None
    assert classify.session_refused(parse_response(b"", status=500)) is None
    assert classify.session_refused(Success(fixture("response-control-failure.xml"))) is None
    assert classify.session_refused(Success(fixture("response-read-success.xml"))) is None


def test_support_ids_are_kept_in_the_cause_but_not_the_message() -> None:
    error = IntacctError(
        "BL03002128", "", "Enter a Bill number, and try again. [Support ID: ab@cd]", ""
    )
    classified = function_error(
        FunctionResult("failure", "create", "c", None, None, (error,)), record=None
    )
    assert classified.message == "Intacct refused this record: Enter a Bill number, and try again."
    assert classified.cause is not None
    assert "Support ID: ab@cd" in classified.cause


# --- against the simulator ------------------------------------------------------------------


@pytest.fixture
def sim() -> Simulator:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    simulator = Simulator(clock=lambda: now)
    config = {
        "company_id": "DEMO",
        "senders": {"demo-sender": "demo-sender-pass"},
        "users": {"ws_user": "ws_pass"},
    }
    load_company(simulator, config, now=now)
    return simulator


CREDENTIALS = IntacctCredentials(
    sender_id="demo-sender",
    sender_password=Secret("demo-sender-pass"),
    company_id="DEMO",
    user_id="ws_user",
    user_password=Secret("ws_pass"),
)


def session_of(sim: Simulator) -> str:
    reply = sim.handle(
        envelope.login_request(CREDENTIALS, entity=EntityId(""), controlid="login"),
        endpoint=ENDPOINT,
    )
    opened = api_session(parse_response(reply.body, status=reply.status).unwrap().results[0])
    assert opened is not None
    return opened[0]


def create_customer(sim: Simulator, session: str, controlid: str) -> Response | SyncError:
    create = element("create")
    customer = child(create, "CUSTOMER")
    child(customer, "CUSTOMERID", "C1")
    child(customer, "NAME", "Acme")
    body = session_request(
        CREDENTIALS, session, [Function(controlid, create)], controlid="w", unique=True
    )
    reply = sim.handle(body, endpoint=ENDPOINT)
    parsed = parse_response(
        reply.body, status=reply.status, retry_after=reply.headers.get("retry-after")
    )
    return parsed.unwrap() if isinstance(parsed, Success) else failure_of(parsed)


def add_fault(sim: Simulator, kind: Kind, *, retry_after: int = 1) -> None:
    rule = FaultRule(f"f-{kind}", kind, function="create", remaining=1, retry_after=retry_after)
    sim.faults.add(rule)


def test_simulated_throttle_is_retriable_with_its_retry_after(sim: Simulator) -> None:
    add_fault(sim, "throttle", retry_after=5)
    error = create_customer(sim, session_of(sim), "ri-1")
    assert isinstance(error, SyncError)
    assert error.kind is ErrorKind.RETRIABLE
    assert error.retry_after == 5.0


@pytest.mark.parametrize("kind", ["timeout_after_commit", "malformed", "truncated", "server_error"])
def test_simulated_faults_after_a_write_are_uncertain(sim: Simulator, kind: Kind) -> None:
    add_fault(sim, kind)
    error = create_customer(sim, session_of(sim), "ri-1")
    assert isinstance(error, SyncError)
    assert error.kind is ErrorKind.RETRIABLE
    assert uncertain(error)


def test_correction_8_the_simulator_s_transient_faults_read_as_retriable(sim: Simulator) -> None:
    session = session_of(sim)
    add_fault(sim, "rate_limited_200")
    limited = create_customer(sim, session, "ri-1")
    assert isinstance(limited, Response)
    assert classify.busy(limited) is not None
    assert control_error(limited.control_errors).kind is ErrorKind.RETRIABLE
    add_fault(sim, "temporarily_offline")
    offline = create_customer(sim, session, "ri-2")
    assert isinstance(offline, Response)
    (result,) = offline.results
    error = function_error(result, record=None)
    assert (error.kind, uncertain(error)) == (ErrorKind.RETRIABLE, False)
    add_fault(sim, "stale_session")
    stale = create_customer(sim, session, "ri-3")
    assert isinstance(stale, Response)
    assert classify.session_refused(Success(stale)) is not None
    assert sim.companies["DEMO"].table("CUSTOMER") == {}


def test_a_resent_control_id_is_recognised_as_already_executed(sim: Simulator) -> None:
    session = session_of(sim)
    first = create_customer(sim, session, "ri-1")
    assert isinstance(first, Response)
    assert first.results[0].ok
    again = create_customer(sim, session, "ri-1")
    assert isinstance(again, Response)
    assert already_executed(again.results[0])
    assert uncertain(function_error(again.results[0], record=None))


def test_an_expired_session_is_an_auth_failure_that_asks_for_a_new_login(sim: Simulator) -> None:
    session = session_of(sim)
    sim.expire_sessions("DEMO")
    reply = create_customer(sim, session, "ri-1")
    assert isinstance(reply, Response)
    assert reply.auth_ok is False
    assert classify.session_expired(reply.auth_errors)
    assert auth_error(reply.auth_errors).kind is ErrorKind.RETRIABLE


def _ruff_order(names: list[str]) -> list[str]:
    def group(name: str) -> int:
        return 0 if name.isupper() else 1 if name[0].isupper() else 2

    return sorted(names, key=lambda name: (group(name), name))


@pytest.mark.parametrize("module", [envelope, response, classify, errortext, written])
def test_public_names_exist_and_are_sorted(module: object) -> None:
    names: list[str] = module.__all__  # type: ignore[attr-defined]
    assert names == _ruff_order(names)
    assert all(hasattr(module, name) for name in names)
