"""Payments over REST against the simulator's REST mode, beside the XML adapter on the same
company (issue 20): a payment written over XML is read over REST and one written over REST is
read over XML, found again by its key, and its candidates by party, date and amount
(docs/intacct-rest.md 4.11 and section 10)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

from returns.result import Failure

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct_rest.adapter import IntacctRestAdapter
from released_intacct.adapters.intacct_rest.batch import Record
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.payments import FAMILY, payments
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.diagnosis import Finding, Verdict
from released_intacct.domain.enums import IntacctState, Origin, PaymentKind, RecordType
from released_intacct.domain.errors import ErrorKind
from released_intacct.domain.ids import EntityId, IdempotencyKey, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import IntacctPayment, PaymentApplication
from released_intacct.domain.money import Currency
from released_intacct.domain.ports import FeedQuery
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.sim_adapters import At, served
from released_intacct.fakes.sim_adapters import client as sim_client
from released_intacct.fakes.sim_calls import ok_key
from released_intacct.fakes.simulators.intacct import seed
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T = TypeVar("T")
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
Use = Callable[[Simulator, Rest, IntacctAdapter], Awaitable[T]]


def _run(use: Use[T]) -> T:
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)

    async def go() -> T:
        async with served(sim, At(NOW)) as both:
            return await use(sim, both.rest.rest, both.xml)

    return asyncio.run(go())


def _document(sim: Simulator, origin: Origin, amount: str = "100.00") -> str:
    when = "<datecreated><year>2026</year><month>03</month><day>01</day></datecreated>"
    if origin is Origin.AR:
        return ok_key(
            sim,
            f"<create_invoice><customerid>CUS-1001</customerid>{when}<invoiceitems><lineitem>"
            f"<glaccountno>4000</glaccountno><amount>{amount}</amount></lineitem></invoiceitems>"
            "</create_invoice>",
        )
    return ok_key(
        sim,
        f"<create_bill><vendorid>VEN-2001</vendorid>{when}<datedue><year>2026</year><month>04"
        "</month><day>01</day></datedue><billitems><lineitem><glaccountno>5000</glaccountno>"
        f"<amount>{amount}</amount></lineitem></billitems></create_bill>",
    )


def _create(origin: Origin, document: str, key: str, amount: str = "60.00") -> CreateInIntacct:
    payment = IntacctPayment(
        origin=origin,
        kind=PaymentKind.ORDINARY,
        party_id=IntacctId("CUS-1001" if origin is Origin.AR else "VEN-2001"),
        date=date(2026, 4, 20),
        currency=Currency("USD"),
        amount=Decimal(amount),
        applications=(
            PaymentApplication(document_key=IntacctKey(document), amount=Decimal(amount)),
        ),
        reference="CHQ-1",
    )
    return CreateInIntacct(
        key=IdempotencyKey(key),
        record_type=RecordType.PAYMENT,
        released_id=ReleasedId(f"pay-{key}"),
        record=payment,
        source_fingerprint="f",
    )


async def _over_rest(rest: Rest, write: CreateInIntacct) -> IntacctPayment:
    path = f"/objects/{FAMILY.path(write.record)}"
    record = Record(key=write.key, body=FAMILY.create_body(write))
    (outcome,) = (await rest.batches.write("POST", path, [record])).unwrap()
    key = str(outcome.result.unwrap()["key"])
    written = (await FAMILY.read_back(rest, write, key)).unwrap()
    assert isinstance(written, IntacctPayment)
    return written


def _one(items: Sequence[IntacctPayment], record_no: str | None) -> IntacctPayment:
    (found,) = (p for p in items if p.record_no == record_no)
    return found


def _same(read: IntacctPayment, written: IntacctPayment) -> None:
    assert replace(read, modified_at=None) == replace(written, modified_at=None)


def _each_origin(test: Callable[[Origin], None]) -> Callable[[], None]:
    def run() -> None:
        for origin in (Origin.AR, Origin.AP):
            test(origin)

    run.__name__ = test.__name__
    return run


@_each_origin
def test_a_payment_written_over_xml_is_read_over_rest(origin: Origin) -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> None:
        write = _create(origin, _document(sim, origin), "ri-xml-1")
        (outcome,) = await value(xml.write([write]))
        written = outcome.result.unwrap()
        assert isinstance(written, IntacctPayment)
        page = (await payments(rest, origin, FeedQuery())).unwrap()
        read = _one(page.items, written.record_no)
        _same(read, written)
        assert read.modified_at is not None
        assert read.modified_at.tzinfo is not None

    _run(use)


@_each_origin
def test_a_payment_written_over_rest_is_read_over_xml_and_applied(origin: Origin) -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> None:
        document = _document(sim, origin)
        written = await _over_rest(rest, _create(origin, document, "ri-rest-1"))
        assert written.record_no
        read = _one((await value(xml.payments(origin, FeedQuery()))).items, written.record_no)
        _same(read, written)
        assert read.state is IntacctState.POSTED
        holder = "ARINVOICE" if origin is Origin.AR else "APBILL"
        stored = sim.companies["DEMO"].by_recordno(holder, document)
        assert stored is not None
        assert stored["TOTALDUE"] == "40.00"

    _run(use)


@_each_origin
def test_F3_find_written_is_the_payment_carrying_the_key_in_its_description(
    origin: Origin,
) -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> None:
        write = _create(origin, _document(sim, origin), "ri-find-1")
        assert (await FAMILY.find(rest, write)).unwrap() is None  # never written: None
        written = await _over_rest(rest, write)
        found = (await FAMILY.find(rest, write)).unwrap()
        assert isinstance(found, IntacctPayment)
        _same(found, written)

    _run(use)


def test_F3_candidates_are_payments_of_the_party_on_the_date_for_the_amount() -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> None:
        invoice = _document(sim, Origin.AR, "500.00")
        mine = await _over_rest(rest, _create(Origin.AR, invoice, "ri-c-1", "60.00"))
        await _over_rest(rest, _create(Origin.AR, invoice, "ri-c-2", "70.00"))
        other_day = replace(_create(Origin.AR, invoice, "ri-c-3", "60.00").record)
        assert isinstance(other_day, IntacctPayment)
        moved = replace(
            _create(Origin.AR, invoice, "ri-c-3"), record=replace(other_day, date=date(2026, 4, 21))
        )
        await _over_rest(rest, moved)
        changed_key = _create(Origin.AR, invoice, "ri-c-9", "60.00")
        found = (await FAMILY.candidates(rest, changed_key)).unwrap()
        assert [p.record_no for p in found if isinstance(p, IntacctPayment)] == [mine.record_no]

    _run(use)


def test_a_create_body_is_deterministic_and_carries_the_key_as_description() -> None:
    write = _create(Origin.AR, "2085", "ri-body-1")
    first, again = FAMILY.create_body(write), FAMILY.create_body(write)
    assert first == again
    assert list(first) == list(again)
    assert first == {
        "customer": {"id": "CUS-1001"},
        "paymentMethod": "eft",
        "paymentSummary": {"receiptDate": "2026-04-20"},
        "txnCurrency": {"currency": "USD"},
        "documentNumber": "CHQ-1",
        "description": "ri-body-1",
        "paymentDetails": [
            {"arInvoice": {"id": "2085"}, "txnCurrency": {"paymentAmount": "60.00"}}
        ],
    }


def test_an_advance_is_read_over_rest_as_an_advance() -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> None:
        key = ok_key(
            sim,
            "<create><ARADVANCE><CUSTOMERID>CUS-1001</CUSTOMERID><PAYMENTMETHOD>Cash"
            "</PAYMENTMETHOD><RECEIPTDATE>03/02/2026</RECEIPTDATE><PAYMENTDATE>03/02/2026"
            "</PAYMENTDATE><ARADVANCEITEMS><ARADVANCEITEM><TRX_AMOUNT>25</TRX_AMOUNT>"
            "</ARADVANCEITEM></ARADVANCEITEMS></ARADVANCE></create>",
        )
        read = _one((await payments(rest, Origin.AR, FeedQuery())).unwrap().items, key)
        over_xml = _one((await value(xml.payments(Origin.AR, FeedQuery()))).items, key)
        assert (read.kind, read.amount) == (PaymentKind.ADVANCE, Decimal("25.00"))
        _same(read, over_xml)

    _run(use)


def test_a_payment_that_cannot_be_read_is_a_problem_of_its_page() -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> None:
        write = _create(Origin.AR, _document(sim, Origin.AR), "ri-bad-1")
        written = await _over_rest(rest, write)
        stored = sim.companies["DEMO"].by_recordno("ARPYMT", str(written.record_no))
        assert stored is not None
        stored["RECORDTYPE"] = "zz"
        page = (await payments(rest, Origin.AR, FeedQuery())).unwrap()
        assert written.record_no not in {p.record_no for p in page.items}
        (problem,) = page.problems
        assert "RECORDTYPE" in problem.message or "RECORDTYPE" in str(problem.cause)

    _run(use)


def test_a_payment_feed_of_an_order_module_is_refused() -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> str:
        try:
            await payments(rest, Origin.ORDER_ENTRY, FeedQuery())
        except ValueError as error:
            return str(error)
        return ""

    assert "AR or AP" in _run(use)


def test_a_failed_query_is_the_feed_failure() -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> bool:
        read = await payments(rest, Origin.AR, FeedQuery(token="not-a-start"))
        return isinstance(read, Failure)

    assert _run(use)


@_each_origin
def test_a_reversal_read_over_rest_names_the_payment_it_reverses_as_over_xml(
    origin: Origin,
) -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> None:
        written = await _over_rest(rest, _create(origin, _document(sim, origin), "ri-rev-1"))
        tag = "reverse_arpayment" if origin is Origin.AR else "reverse_appayment"
        reversal = ok_key(
            sim,
            f'<{tag} key="{written.record_no}"><datereversed><year>2026</year><month>04</month>'
            f"<day>25</day></datereversed></{tag}>",
        )
        read = (await payments(rest, origin, FeedQuery())).unwrap().items
        over_rest = _one(read, reversal)
        assert over_rest.state is IntacctState.REVERSAL
        assert over_rest.reverses == written.record_no
        assert _one(read, written.record_no).state is IntacctState.REVERSED
        over_xml = _one((await value(xml.payments(origin, FeedQuery()))).items, reversal)
        _same(over_rest, over_xml)

    _run(use)


@_each_origin
def test_the_rest_adapter_writes_finds_and_feeds_payments_like_the_xml_adapter(
    origin: Origin,
) -> None:
    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> None:
        async with served(sim, At(NOW)) as both:
            adapter = both.rest
            write = _create(origin, _document(sim, origin), "ri-adapter-1")
            (outcome,) = await value(adapter.write([write]))
            written = outcome.result.unwrap()
            assert isinstance(written, IntacctPayment)
            assert await value(adapter.find_written(write)) == _one(
                (await value(adapter.payments(origin, FeedQuery()))).items, written.record_no
            )
            over_xml = _one(
                (await value(xml.payments(origin, FeedQuery()))).items, written.record_no
            )
            _same(over_xml, written)

    _run(use)


def _with_adapter(sim: Simulator, use: Callable[[IntacctRestAdapter], Awaitable[T]]) -> T:
    async def go() -> T:
        async with served(sim, At(NOW)) as both:
            adapter = both.rest
            return await use(adapter)

    return asyncio.run(go())


def _checks(sim: Simulator) -> dict[str, Finding]:
    async def use(adapter: IntacctRestAdapter) -> dict[str, Finding]:
        diagnosis = await value(adapter.diagnose(EntityId("")))
        return {f.check: f for f in diagnosis.findings}

    return _with_adapter(sim, use)


def _demo_sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)
    return sim


def test_doctor_over_rest_reads_the_demos_payments_and_queries_their_key_field() -> None:
    found = _checks(_demo_sim())
    assert (found["payments.kinds"].verdict, found["payments.kinds"].seen) == (
        Verdict.OK,
        "every payment read",
    )
    assert found["payments.key"].verdict is Verdict.OK


def test_doctor_over_rest_warns_of_a_payment_state_the_reader_does_not_know() -> None:
    sim = _demo_sim()
    payment = next(iter(sim.companies["DEMO"].tables["ARPYMT"].values()))
    payment["STATE"] = "Teleported"
    kinds = _checks(sim)["payments.kinds"]
    assert kinds.verdict is Verdict.WARNING
    assert "Teleported".lower() in kinds.seen.lower()
    assert "reported, not synced" in kinds.fix


@_each_origin
def test_a_payment_whose_reply_is_lost_is_written_once_over_rest(origin: Origin) -> None:
    """The create ran but its reply was lost (524): the transport sends the same body under the
    same Idempotency-Key, which Intacct answers from its cache; one payment, found by its key."""
    sim = _demo_sim()
    write = _create(origin, _document(sim, origin), "ri-lost-1")
    table = "ARPYMT" if origin is Origin.AR else "APPYMT"
    rule = {"kind": "timeout_after_commit", "function": "create", "object": table, "times": 1}

    async def use(adapter: IntacctRestAdapter) -> IntacctPayment:
        async with sim_client(sim) as control:
            assert (await control.post("/_sim/faults", json=rule)).status_code == 201
            (outcome,) = await value(adapter.write([write]))
            (fired,) = (await control.get("/_sim/faults")).json()["faults"]
        assert fired["fired"] == 1  # the reply was lost once
        written = outcome.result.unwrap()
        assert isinstance(written, IntacctPayment)
        return written

    written = _with_adapter(sim, use)
    stored = [
        r for r in sim.companies["DEMO"].tables[table].values() if r.get("DESCRIPTION") == write.key
    ]
    assert [str(r["RECORDNO"]) for r in stored] == [written.record_no]


def test_a_payment_created_without_a_key_in_the_answer_is_retriable_never_a_crash() -> None:
    """A 201 naming no ``key`` (never seen; the documented answer has one) fails that payment
    alone, RETRIABLE, as documents and parties do: its ``description`` holds the outbox key, so
    the next run's look-up finds it."""

    async def use(sim: Simulator, rest: Rest, xml: IntacctAdapter) -> None:
        write = _create(Origin.AR, _document(sim, Origin.AR), "ri-pay-keyless")
        failed = await FAMILY.read_back(rest, write, "")
        assert isinstance(failed, Failure)
        assert failed.failure().kind is ErrorKind.RETRIABLE
        assert "description" in failed.failure().fix

    _run(use)
