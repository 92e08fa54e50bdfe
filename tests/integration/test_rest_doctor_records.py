"""``doctor`` over REST on the records a company holds (issue 20): the checks of facts
docs/intacct-rest.md marks **inferred** that recent documents and payments show, each against
the REST simulator's demo company and, with the simulator made to behave the other way (a
wrapped app rewriting a query or an answer), failing or warning."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from released_intacct.adapters.intacct_rest.document_reads import recent, transactions
from released_intacct.domain.diagnosis import Finding, Verdict
from released_intacct.domain.enums import DocumentKind, Origin
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import FeedQuery
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.sim_adapters import At, adapters, client, served
from released_intacct.fakes.simulators.intacct import seed
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
QUERY = "/services/core/query"
Wrap = Callable[[ASGIApp], ASGIApp]
Change = Callable[[Any], Any]


def _diagnosed(wrap: Wrap | None = None) -> dict[str, Finding]:
    """Every finding of ``doctor`` over REST on the demo company (at the top level)."""
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)

    async def go() -> dict[str, Finding]:
        async with client(wrap(create_app(sim)) if wrap else sim) as to_sim:
            rest = adapters(to_sim, At(NOW)).rest
            diagnosis = await value(rest.diagnose(EntityId("")))
        return {f.check: f for f in diagnosis.findings}

    return asyncio.run(go())


async def _body(receive: Receive) -> bytes:
    """A request's whole body."""
    body: bytes = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


def _asked(path: str, change: Change) -> Wrap:
    """Intacct as if it read a request to ``path`` (its end) as ``change`` makes its JSON."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def served_(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or not scope["path"].endswith(path):
                await app(scope, receive, send)
                return
            body = await _body(receive)
            sent = json.dumps(change(json.loads(body))).encode()

            async def replay() -> Message:
                return {"type": "http.request", "body": sent, "more_body": False}

            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            length = (b"content-length", str(len(sent)).encode())
            await app({**scope, "headers": [*headers, length]}, replay, send)

        return served_

    return wrap


def _answered(path: str, change: Callable[[Any, Any], Any]) -> Wrap:
    """Intacct as if it answered a request to a path holding ``path`` with what ``change``
    makes of the simulator's JSON answer, given the JSON asked (None for none)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def served_(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or path not in scope["path"]:
                await app(scope, receive, send)
                return
            body = await _body(receive)
            asked = json.loads(body) if body else None
            start: dict[str, Any] = {}
            answer = b""

            async def replay() -> Message:
                return {"type": "http.request", "body": body, "more_body": False}

            async def keep(message: Message) -> None:
                nonlocal answer
                if message["type"] == "http.response.start":
                    start.update(message)
                else:
                    answer += message.get("body", b"")

            await app(scope, replay, keep)
            sent = json.dumps(change(asked, json.loads(answer))).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            length = (b"content-length", str(len(sent)).encode())
            await send({**start, "headers": [*headers, length]})
            await send({"type": "http.response.body", "body": sent})

        return served_

    return wrap


def _orders_refused(app: ASGIApp) -> ASGIApp:
    """Intacct as if the company did not subscribe to Order Entry / Purchasing: a query of their
    documents is refused (400, as a query of an object it does not serve)."""

    async def served_(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith(QUERY):
            await app(scope, receive, send)
            return
        body = await _body(receive)
        if json.loads(body).get("object", "").startswith(("order-entry/", "purchasing/")):
            error = {"code": "invalidRequest", "message": "Unknown object"}
            sent = json.dumps({"ia::error": error}).encode()
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": sent})
            return

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        await app(scope, replay, send)

    return served_


def _states(spelled: dict[str, str]) -> Callable[[Any, Any], Any]:
    """A query of an object in ``spelled`` answers its rows' ``state`` as spelled there."""

    def change(asked: Any, answer: Any) -> Any:
        state = spelled.get(asked.get("object", "")) if isinstance(asked, dict) else None
        if state is None or not isinstance(answer.get("ia::result"), list):
            return answer
        rows = [{**row, "state": state} if "state" in row else row for row in answer["ia::result"]]
        return {**answer, "ia::result": rows}

    return change


def _module_keys(spelled: dict[str, str]) -> Callable[[Any, Any], Any]:
    """A query answering ``moduleKey`` values as ``spelled`` maps them (none shown: ``""``)."""

    def change(asked: Any, answer: Any) -> Any:
        rows = answer.get("ia::result")
        for row in rows if isinstance(rows, list) else []:
            if "moduleKey" in row:
                was = row["moduleKey"] or ""
                row["moduleKey"] = spelled.get(was, was)
        return answer

    return change


def _named_ids(asked: Any, answer: Any) -> Any:
    """A document GET answering its lines' location ids as ``id--name``."""
    found = answer.get("ia::result")
    for record in found if isinstance(found, list) else [found]:
        for line in record.get("lines", []) if isinstance(record, dict) else []:
            location = line.get("dimensions", {}).get("location")
            if isinstance(location, dict) and location.get("id"):
                location["id"] = f"{location['id']}--East"
    return answer


def _filters(keep: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Change:
    """A query whose filters are each what ``keep`` makes of them (None: left out)."""

    def change(body: Any) -> Any:
        if not isinstance(body, dict) or "filters" not in body:
            return body
        return {**body, "filters": [k for f in body["filters"] if (k := keep(f)) is not None]}

    return change


_DOCUMENT_DATES = frozenset({"invoiceDate", "createdDate"})
_PAYMENT_DATES = frozenset({"paymentSummary.receiptDate", "paymentDate"})
_DOCUMENT_NUMBERS = frozenset({"invoiceNumber", "billNumber"})


def _dates_never_equal(one: dict[str, Any]) -> dict[str, Any]:
    """Intacct as if a date never equalled ``YYYY-MM-DD`` (a date-time compared, say)."""
    if one.get("operator") == "$eq" and one.get("field") in _DOCUMENT_DATES:
        return {**one, "value": f"{one['value']}T00:00:00Z"}
    return one


def _payment_dates_never_equal(one: dict[str, Any]) -> dict[str, Any]:
    if one.get("operator") == "$eq" and one.get("field") in _PAYMENT_DATES:
        return {**one, "value": f"{one['value']}T00:00:00Z"}
    return one


def _numbers_and_dates_ignored(one: dict[str, Any]) -> dict[str, Any] | None:
    """Intacct as if it ignored a document's number and date filters."""
    return None if one.get("field") in _DOCUMENT_NUMBERS | _DOCUMENT_DATES else one


def test_doctors_samples_are_the_records_modified_last() -> None:
    """``rows.newest``: the last rows of the feeds' order, from the query's ``totalCount``."""
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)

    async def go() -> tuple[list[str], list[str]]:
        async with served(sim, At(NOW)) as both:
            rest = both.rest.rest
            every = (
                await transactions(rest, Origin.AP, DocumentKind.INVOICE, FeedQuery())
            ).unwrap()
            last = (await recent(rest, Origin.AP, DocumentKind.INVOICE, 2)).unwrap()
            return [tx.link_key for tx in every.items], [tx.link_key for tx in last.items]

    every, last = asyncio.run(go())
    assert len(every) > 2
    assert last == every[-2:]


def test_F3_doctor_over_rest_finds_recent_documents_again_by_the_fields_a_create_wrote() -> None:
    found = _diagnosed()["rest.document_find"]
    assert found.verdict is Verdict.OK, found
    assert "accounts-receivable/invoice" in found.seen
    assert "accounts-payable/bill" in found.seen


def test_F3_doctor_over_rest_fails_a_document_its_look_up_misses() -> None:
    found = _diagnosed(_asked(QUERY, _filters(_dates_never_equal)))["rest.document_find"]
    assert found.verdict is Verdict.FAILED, found
    assert "not found" in found.seen
    assert 'intacct.api = "xml"' in found.fix


def test_F3_doctor_over_rest_fails_a_look_up_that_finds_several_documents() -> None:
    found = _diagnosed(_asked(QUERY, _filters(_numbers_and_dates_ignored)))["rest.document_find"]
    assert found.verdict is Verdict.FAILED, found
    assert "Several" in found.seen


def test_doctor_over_rest_finds_the_states_records_show_are_known_to_the_readers() -> None:
    found = _diagnosed()["rest.states"]
    assert found.verdict is Verdict.OK, found
    assert "accounts-receivable/invoice: draft, paid, partiallyPaid" in found.seen
    assert "accounts-payable/payment: confirmed" in found.seen


def test_doctor_over_rest_warns_of_a_state_the_readers_do_not_know_saying_what_they_take() -> None:
    spelled = {
        "accounts-payable/bill": "approved",  # in the pages' approval workflow: not a read state
        "order-entry/document": "onHold",
        "accounts-receivable/payment": "settled",
    }
    found = _diagnosed(_answered(QUERY, _states(spelled)))["rest.states"]
    assert found.verdict is Verdict.WARNING, found
    assert "accounts-payable/bill 'approved' (read as a problem of its page" in found.seen
    assert "order-entry/document 'onHold' (taken as in the books (posted))" in found.seen
    assert "accounts-receivable/payment 'settled' (read as a problem" in found.seen
    assert "support" in found.fix


def test_F3_doctor_over_rest_finds_recent_payments_among_their_candidates_by_date() -> None:
    found = _diagnosed()["rest.date_filter"]
    assert found.verdict is Verdict.OK, found
    assert "accounts-receivable/payment" in found.seen
    assert "accounts-payable/payment" in found.seen


def test_F3_doctor_over_rest_warns_when_a_date_with_eq_matches_no_payment() -> None:
    found = _diagnosed(_asked(QUERY, _filters(_payment_dates_never_equal)))["rest.date_filter"]
    assert found.verdict is Verdict.WARNING, found
    assert "not among its candidates" in found.seen
    assert "accounts-payable/payment" in found.seen
    assert "support" in found.fix


def test_doctor_over_rest_finds_recent_lines_dimension_ids_are_dimension_values() -> None:
    found = _diagnosed()["rest.dimension_ids"]
    assert found.verdict is Verdict.OK, found
    assert "department 1, location 2" in found.seen


def test_doctor_over_rest_fails_a_line_dimension_id_in_the_id_name_form() -> None:
    found = _diagnosed(_answered("/objects/order-entry/document", _named_ids))
    named = found["rest.dimension_ids"]
    assert named.verdict is Verdict.FAILED, named
    assert "location 'E100--East' (the id--name form)" in named.seen
    assert 'intacct.api = "xml"' in named.fix
    assert found["rest.document_find"].verdict is Verdict.OK  # AR/AP lines were not touched


def test_doctor_over_rest_says_order_documents_it_cannot_read_without_judging_them() -> None:
    found = _diagnosed(_orders_refused)
    for check in ("rest.dimension_ids", "rest.states"):
        assert found[check].verdict is Verdict.OK, found[check]
        assert "order-entry/document" in found[check].seen
        assert "not read" in found[check].seen


def test_D19_doctor_over_rest_finds_order_posted_invoices_left_to_the_order_feeds() -> None:
    found = _diagnosed()["rest.module_key"]
    assert found.verdict is Verdict.OK, found
    assert "3 accounts-receivable/invoice posted by 3 OE documents" in found.seen
    assert "1 accounts-payable/bill posted by 1 PO documents" in found.seen


def test_D19_doctor_over_rest_fails_an_order_posted_invoice_whose_module_key_is_not_known() -> None:
    found = _diagnosed(_answered(QUERY, _module_keys({"8.SO": "salesOrder"})))["rest.module_key"]
    assert found.verdict is Verdict.FAILED, found
    assert "moduleKey 'salesOrder'" in found.seen
    assert "synced twice" in found.fix


def test_D19_doctor_over_rest_warns_of_a_module_key_neither_plain_nor_an_order_modules() -> None:
    found = _diagnosed(_answered(QUERY, _module_keys({"": "5.CM"})))["rest.module_key"]
    assert found.verdict is Verdict.WARNING, found
    assert "accounts-receivable/invoice '5.CM'" in found.seen
