"""Spec corrections 6 and 8 in the adapter, against a scripted gateway (``fakes.gateway_stub``):
a stale session is replaced before the credentials are judged; a rate limit or the service
off-line inside an HTTP 200 is waited out; a write sent again that fails is looked up first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import ContactRole, RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.intacct import GlAccount, IntacctRecord, Party
from released_intacct.domain.ports import FeedQuery, IntacctCredentials, Page, WriteOutcome
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import settled
from released_intacct.fakes.gateway_stub import LOGIN_OK, Call, Stub, data, failure, result, rows

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
JPP0002 = (FIXTURES / "response-http401-xmlgw-jpp0002.xml").read_bytes()
CREDENTIALS = IntacctCredentials(
    sender_id="s",
    sender_password=Secret("sender-pass"),
    company_id="C",
    user_id="u",
    user_password=Secret("user-pass"),
)
ACCOUNT: dict[str, str | bytes] = {
    "RECORDNO": "7",
    "ACCOUNTNO": "4000",
    "TITLE": "Rent",
    "ACCOUNTTYPE": "incomestatement",
}
OFFLINE = "The Service is Temporarily Off-line"
GW_0010_200 = (
    b"<response><control><status>failure</status></control><errormessage><error>"
    b"<errorno>GW-0010</errorno><description>API rate limit exceeded</description></error>"
    b"</errormessage></response>"
)


def _accounts() -> bytes:
    return result("readByQuery", data("glaccount", rows("glaccount", ACCOUNT), count=1))


def _scripted(*replies: bytes | httpx.Response) -> Callable[[Call], bytes | httpx.Response]:
    """Answers in order, the last one again once they run out."""
    queue = list(replies)

    def answer(_: Call) -> bytes | httpx.Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return answer


def _adapter(client: httpx.AsyncClient, attempts: int) -> tuple[IntacctAdapter, list[float]]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    settings = ClientSettings(endpoint="http://gw/ia/xml/xmlgw.phtml", attempts=attempts)
    return IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings, sleep=sleep), sleeps


def _read(stub: Stub, *, attempts: int = 3) -> tuple[Result[Page[GlAccount], SyncError], int]:
    async def main() -> tuple[Result[Page[GlAccount], SyncError], int]:
        async with httpx.AsyncClient(transport=stub.transport()) as client:
            adapter, _ = _adapter(client, attempts)
            return await settled(adapter.accounts(FeedQuery())), adapter.sessions.logins

    return asyncio.run(main())


# --- a stale session (HTTP 401 XMLGW_JPP0002 after a session id) ----------------------------------


def test_correction_8_a_401_after_a_session_id_logs_in_again_and_sends_again() -> None:
    stub = Stub(_scripted(httpx.Response(401, content=JPP0002), _accounts()))
    read, logins = _read(stub)
    assert is_successful(read)
    assert [account.account_no for account in read.unwrap().items] == ["4000"]
    assert (logins, stub.logins, len(stub.named("readByQuery"))) == (2, 2, 2)


def test_C2_a_401_is_a_credentials_problem_only_when_the_fresh_login_fails_too() -> None:
    def login(n: int) -> httpx.Response:
        return (
            httpx.Response(200, content=LOGIN_OK)
            if n == 1
            else httpx.Response(401, content=JPP0002)
        )

    stub = Stub(_scripted(httpx.Response(401, content=JPP0002), _accounts()), login=login)
    read, _ = _read(stub)
    assert not is_successful(read)
    error = read.failure()
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C2)
    assert error.cause is not None
    assert error.cause.startswith("XMLGW_JPP0002")
    assert (stub.logins, len(stub.named("readByQuery"))) == (2, 1)


def test_correction_8_a_session_refused_after_every_fresh_login_is_retriable_not_c2() -> None:
    stub = Stub(_scripted(httpx.Response(401, content=JPP0002)))
    read, _ = _read(stub, attempts=3)
    assert not is_successful(read)
    error = read.failure()
    assert (error.kind, error.rule) == (ErrorKind.RETRIABLE, None)
    assert "session" in error.message
    assert (stub.logins, len(stub.named("readByQuery"))) == (3, 3)


def test_correction_8_a_401_without_xml_after_a_session_id_also_logs_in_again() -> None:
    stub = Stub(_scripted(httpx.Response(401, content=b"Unauthorized"), _accounts()))
    read, logins = _read(stub)
    assert is_successful(read)
    assert logins == 2


# --- rate limits and the service off-line inside an HTTP 200 --------------------------------------


def test_correction_8_an_offline_result_in_a_200_is_waited_out_for_a_read() -> None:
    stub = Stub(_scripted(failure("readByQuery", "", OFFLINE), _accounts()))
    read, logins = _read(stub)
    assert is_successful(read)
    assert (logins, len(stub.named("readByQuery"))) == (1, 2)


def test_correction_8_an_offline_result_is_retriable_when_the_attempts_run_out() -> None:
    stub = Stub(_scripted(failure("readByQuery", "", OFFLINE)))
    read, _ = _read(stub, attempts=2)
    assert not is_successful(read)
    error = read.failure()
    assert (error.kind, error.rule) == (ErrorKind.RETRIABLE, None)
    assert "off-line" in error.message
    assert len(stub.named("readByQuery")) == 2


def test_correction_8_api_rate_limit_exceeded_in_a_200_is_waited_out_at_either_level() -> None:
    control = Stub(_scripted(httpx.Response(200, content=GW_0010_200), _accounts()))
    function = Stub(
        _scripted(failure("readByQuery", "XL03000001", "API rate limit exceeded"), _accounts())
    )
    for stub in (control, function):
        read, logins = _read(stub)
        assert is_successful(read)
        assert (logins, len(stub.named("readByQuery"))) == (1, 2)


# --- writes ---------------------------------------------------------------------------------------


def _customer(key: str = "ri-0001") -> CreateInIntacct:
    return CreateInIntacct(
        key=IdempotencyKey(key),
        record_type=RecordType.CONTACT,
        released_id=ReleasedId("rl-1"),
        record=Party(role=ContactRole.CUSTOMER, party_id=None, name="Harbour Cafe"),
        source_fingerprint="fp",
    )


CREATED = result(
    "create", data("objects", rows("customer", {"RECORDNO": "41", "CUSTOMERID": "C41"}), count=1)
)


def _found(*found: dict[str, str | bytes]) -> bytes:
    return result("readByQuery", data("customer", rows("customer", *found), count=len(found)))


def _write(
    stub: Stub, *, attempts: int = 4
) -> tuple[Result[IntacctRecord, SyncError], list[float]]:
    async def main() -> tuple[tuple[WriteOutcome, ...], list[float]]:
        async with httpx.AsyncClient(transport=stub.transport()) as client:
            adapter, sleeps = _adapter(client, attempts)
            written = await settled(adapter.write([_customer()]))
            assert is_successful(written)
            return written.unwrap(), sleeps

    (outcome,), sleeps = asyncio.run(main())
    return outcome.result, sleeps


def _writes(stub: Stub) -> list[str]:
    return [call.name for call in stub.calls]


def test_correction_6_a_create_sent_again_that_fails_is_found_by_its_key_first() -> None:
    """Intacct's refusal of a control id already executed has no documented errorno: whatever
    the second send answers, the record is looked up before anything else."""
    stub = Stub(
        _scripted(
            httpx.Response(524),  # the first send may have run
            _found(),  # not found (yet)
            failure("create", "BL99999999", "Something Intacct did not document"),
            _found({"RECORDNO": "41", "CUSTOMERID": "C41", "COMMENTS": "ri-0001"}),
        )
    )
    written, _ = _write(stub)
    assert is_successful(written)
    party = written.unwrap()
    assert isinstance(party, Party)
    assert (party.party_id, party.record_no) == ("C41", "41")
    assert _writes(stub) == ["create", "readByQuery", "create", "readByQuery"]


def test_correction_6_a_create_sent_again_and_not_found_keeps_intacct_s_refusal() -> None:
    stub = Stub(
        _scripted(
            httpx.Response(524),
            _found(),
            failure("create", "BL01001973", "Enter a valid customer name"),
            _found(),
        )
    )
    written, _ = _write(stub)
    assert not is_successful(written)
    error = written.failure()
    assert error.kind is ErrorKind.REJECTED
    assert "Enter a valid customer name" in error.message
    assert _writes(stub) == ["create", "readByQuery", "create", "readByQuery"]


def test_correction_6_a_first_send_refused_is_not_looked_up() -> None:
    stub = Stub(_scripted(failure("create", "BL01001973", "Enter a valid customer name")))
    written, _ = _write(stub)
    assert not is_successful(written)
    assert written.failure().kind is ErrorKind.REJECTED
    assert _writes(stub) == ["create"]


def test_correction_8_a_create_refused_as_off_line_is_sent_again_after_a_pause() -> None:
    stub = Stub(_scripted(failure("create", "", OFFLINE), CREATED))
    written, sleeps = _write(stub)
    assert is_successful(written)
    assert _writes(stub) == ["create", "create"]
    assert len(sleeps) == 1


def test_correction_8_a_rate_limit_in_a_200_is_sent_again_even_for_a_write() -> None:
    """The control block refused it, so nothing ran: the transport repeats it."""
    stub = Stub(_scripted(httpx.Response(200, content=GW_0010_200), CREATED))
    written, _ = _write(stub)
    assert is_successful(written)
    assert _writes(stub) == ["create", "create"]


# --- a request that never left (issue 16, F13) ----------------------------------------------------


def _pool_timeout(times: int) -> Callable[[Call], bytes | httpx.Response]:
    """Every write first finds no connection free in the pool, ``times`` times, then is created."""
    left = [times]

    def answer(call: Call) -> bytes | httpx.Response:
        if call.name == "create" and left[0]:
            left[0] -= 1
            raise httpx.PoolTimeout("no connection free in the pool")
        return CREATED if call.name == "create" else _found()

    return answer


def test_F13_pool_timeout_a_create_that_never_left_is_sent_again_without_a_look_up() -> None:
    stub = Stub(_pool_timeout(times=1))
    written, _ = _write(stub)
    assert is_successful(written)
    assert _writes(stub) == ["create", "create"]  # not uncertain: no readByQuery before


def test_F13_pool_timeout_a_create_never_sent_fails_unsent_and_is_never_looked_up() -> None:
    stub = Stub(_pool_timeout(times=1000))
    written, sleeps = _write(stub, attempts=3)
    assert not is_successful(written)
    error = written.failure()
    assert (error.kind, error.unsent, error.cause) == (ErrorKind.RETRIABLE, True, "PoolTimeout")
    assert "no connection to Sage Intacct was free in time" in error.message
    assert "not sent" in error.message
    assert error.record is not None  # the write's record, for its sync result
    assert set(_writes(stub)) == {"create"}
    assert sleeps  # waited between tries, as for a throttle
