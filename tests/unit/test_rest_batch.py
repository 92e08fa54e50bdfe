"""Batch writes against replies of the documented shapes ([RESTDOC] bulk-requests, "Batch
Requests" (at most 500 records), "Atomic Requests", "Non-Atomic Requests", "Preventing Duplicate
Requests (Idempotency)"; error-handling, 207 Multi-Status)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

import httpx
from returns.pipeline import is_successful
from returns.result import Result

from released_intacct.adapters.failures import uncertain
from released_intacct.adapters.intacct_rest.batch import Batches, Outcome, Record, batch_key
from released_intacct.adapters.intacct_rest.oauth import AccessTokens, TokenClient
from released_intacct.adapters.intacct_rest.transport import RestTransport
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.fakes.rest_stub import Client, Clock, RestStub, body, settings

PATH = "/objects/accounts-receivable/customer"


def _records(n: int) -> list[Record]:
    return [
        Record(key=f"ri-{i:04d}", body={"id": f"C{i}", "name": f"Customer {i}"}) for i in range(n)
    ]


def _created(request: httpx.Request) -> httpx.Response:
    """Every record of the request created, in its place."""
    sent = json.loads(request.content)
    if isinstance(sent, dict):
        return body({"ia::result": {"key": sent["id"][1:], "id": sent["id"]}}, 201)
    result = [{"key": r["id"][1:], "id": r["id"]} for r in sent]
    return body({"ia::result": result, "ia::meta": {"totalCount": len(sent)}}, 201)


def _write(
    stub: RestStub,
    records: list[Record],
    *,
    method: Literal["POST", "PATCH"] = "POST",
    atomic: bool = False,
    **given: Any,
) -> Result[tuple[Outcome, ...], SyncError]:
    async def go() -> Result[tuple[Outcome, ...], SyncError]:
        async with stub.client() as client:
            config, clock = settings(**given), Clock()
            tokens = AccessTokens(TokenClient(client, config, Client(), clock), config, clock)
            transport = RestTransport(client, config, tokens)
            return await Batches(transport, config).write(method, PATH, records, atomic=atomic)

    return asyncio.run(go())


def test_a_write_is_split_into_batches_of_at_most_500_with_a_key_derived_from_its_records() -> None:
    records = _records(1001)
    stub = RestStub([_created] * 3)
    outcomes = _write(stub, records).unwrap()
    assert [o.result.unwrap()["id"] for o in outcomes] == [f"C{i}" for i in range(1001)]
    assert [o.key for o in outcomes] == [r.key for r in records]
    sizes = [len(b) if isinstance(b, list) else 1 for b in (stub.sent(n) for n in range(3))]
    assert sorted(sizes) == [1, 500, 500]
    keys = {r.headers["Idempotency-Key"] for r in stub.requests}
    assert keys == {
        batch_key([r.key for r in records[:500]]),
        batch_key([r.key for r in records[500:1000]]),
        "ri-1000",  # a record alone is sent under its own key, as an object
    }


def test_E2_the_same_records_again_make_the_same_requests_byte_for_byte() -> None:
    records = _records(7)
    first, again = RestStub([_created] * 2), RestStub([_created] * 2)
    _write(first, records, rest_batch_size=4)
    _write(again, records, rest_batch_size=4)
    shown = [
        sorted((r.headers["Idempotency-Key"], r.content) for r in stub.requests)
        for stub in (first, again)
    ]
    assert shown[0] == shown[1]
    assert batch_key(["a", "b"]) != batch_key(["b", "a"])
    assert batch_key(["a", "b"]) != batch_key(["a", "b", "c"])
    assert len(batch_key(["a", "b"])) <= 256  # "Max 256 characters"


def test_a_multi_status_reply_gives_each_record_its_own_outcome_in_order() -> None:
    partial = {
        "ia::result": [
            {"ia::status": 201, "ia::result": {"key": "10", "id": "C0"}},
            {
                "ia::status": 422,
                "ia::error": {
                    "code": "operationFailed",
                    "message": "Operation create failed",
                    "details": [{"code": "BL01001973", "message": "Customer name is required"}],
                },
            },
            {"key": "12", "id": "C2"},
        ],
        "ia::meta": {"totalCount": 3, "totalSuccess": 2, "totalError": 1},
    }
    outcomes = _write(RestStub([body(partial, 207)]), _records(3)).unwrap()
    assert outcomes[0].result.unwrap()["key"] == "10"
    refused = outcomes[1].result.failure()
    assert refused.kind is ErrorKind.REJECTED
    assert refused.message == "Intacct refused this record: Customer name is required."
    assert "BL01001973" in (refused.cause or "")
    assert outcomes[2].result.unwrap()["key"] == "12"


def test_an_answer_that_does_not_match_the_records_leaves_each_uncertain() -> None:
    short = body({"ia::result": [{"key": "1"}]}, 201)
    outcomes = _write(RestStub([short]), _records(2)).unwrap()
    assert all(uncertain(o.result.failure()) for o in outcomes)


def test_a_request_that_failed_gives_its_records_the_failure_and_a_fatal_one_stops() -> None:
    refused = body({"ia::error": {"code": "invalidRequest", "message": "bad"}}, 422)
    outcomes = _write(RestStub([refused]), _records(2)).unwrap()
    assert [o.result.failure().kind for o in outcomes] == [ErrorKind.REJECTED] * 2
    conflict = body({"ia::error": {"code": "conflict", "message": "key used before"}}, 409)
    result = _write(RestStub([conflict]), _records(2))
    assert not is_successful(result)
    assert result.failure().kind is ErrorKind.FATAL


def test_an_atomic_batch_asks_for_one_transaction() -> None:
    stub = RestStub([_created])
    _write(stub, _records(2), atomic=True, method="POST")
    assert stub.requests[0].headers["X-IA-API-Param-Transaction"] == "true"
    plain = RestStub([_created])
    _write(plain, _records(2))
    assert "X-IA-API-Param-Transaction" not in plain.requests[0].headers


def _refusal(number: str) -> dict[str, object]:
    """A record refused as the demo's duplicate numbers are: 409 with the legacy codes."""
    return {
        "ia::status": 409,
        "ia::error": {
            "code": "operationFailed",
            "message": "Operation create object accounts-receivable/invoice failed",
            "details": [
                {
                    "code": "BL34000061",
                    "message": f"Another Invoice with the given value(s) {number}  already exists",
                },
                {"code": "BL01001973", "message": "Could not create ARINVOICE record!"},
            ],
        },
    }


def test_E1_a_batch_whose_records_all_failed_keeps_each_records_reason() -> None:
    """Every record refused alike: the reply's status is theirs (409 here, or 422) and it has no
    ``ia::error`` of its own; each record's reason is in its place ([RESTDOC] bulk-requests,
    "Atomic Requests": "Each individual response contains ia::status and ia::error")."""
    for status in (409, 422):
        failed = {
            "ia::result": [_refusal("C0"), _refusal("C1")],
            "ia::meta": {"totalCount": 2, "totalSuccess": 0, "totalError": 2},
        }
        outcomes = _write(RestStub([body(failed, status)]), _records(2)).unwrap()
        errors = [o.result.failure() for o in outcomes]
        assert [e.kind for e in errors] == [ErrorKind.REJECTED] * 2
        assert [e.message for e in errors] == [
            f"Intacct refused this record: Another Invoice with the given value(s) C{i} already"
            " exists. Could not create ARINVOICE record!"
            for i in range(2)
        ]
        assert all("BL34000061" in (e.cause or "") for e in errors)


def test_E1_a_record_refused_without_a_reason_says_so_with_its_status() -> None:
    """An entry with a failure status and no ``ia::error`` is refused, never read as created,
    and its message names the status (the reply is logged): a refusal is never silent."""
    bare = body({"ia::result": [{"ia::status": 400}, {"ia::status": 400}]}, 400)
    outcomes = _write(RestStub([bare]), _records(2)).unwrap()
    assert [o.result.failure().message for o in outcomes] == [
        "Intacct refused this record: no reason given (HTTP 400)."
    ] * 2
    blank = {"code": "operationFailed", "message": "Customer name is required", "details": [{}]}
    mixed = body({"ia::result": [{"ia::status": 422, "ia::error": blank}, {"key": "1"}]}, 207)
    first, second = _write(RestStub([mixed]), _records(2)).unwrap()
    assert (
        first.result.failure().message == "Intacct refused this record: Customer name is required."
    )
    assert second.result.unwrap() == {"key": "1"}
