"""AR/AP documents over REST (``adapters/intacct_rest/documents.py``) against the simulator's REST
mode, over the same company as its XML gateway: the feed with owned lines, ``transaction_held``,
creates found again by their fields, candidates, an update that posts a draft, and a document
written through one API read through the other (issue 20's acceptance)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import pytest
from returns.future import FutureResult
from returns.io import IOResult
from returns.pipeline import is_successful
from returns.result import Result
from returns.unsafe import unsafe_perform_io

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct_rest import document_fields, document_reads, documents
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.writer import Writer
from released_intacct.adapters.paging import read_all
from released_intacct.domain.actions import CreateInIntacct, UpdateInIntacct
from released_intacct.domain.enums import (
    DimensionKind,
    DocumentKind,
    IntacctState,
    Origin,
    RecordType,
)
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IdempotencyKey, IntacctId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import Transaction, TransactionLine
from released_intacct.domain.money import Currency
from released_intacct.domain.ports import FeedQuery, Page
from released_intacct.fakes.awaiting import outcome
from released_intacct.fakes.restsim import RestSim, company
from released_intacct.fakes.sim_adapters import At, adapters, client
from released_intacct.fakes.simulators.intacct import seed
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.simulator import Simulator

T = TypeVar("T")
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def sim() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    load_company(
        sim,
        company(
            more={
                "VENDOR": [{"VENDORID": "V1", "NAME": "Supplies", "STATUS": "active"}],
                "DEPARTMENT": [{"DEPARTMENTID": "D1", "TITLE": "Ops", "STATUS": "active"}],
                "TAXDETAIL": [{"DETAILID": "VAT20", "VALUE": "20", "STATUS": "active"}],
            }
        ),
        now=NOW,
    )
    return sim


def _run(
    sim: Simulator,
    use: Callable[[Rest, IntacctAdapter], Awaitable[T]],
    sent: list[httpx.Request] | None = None,
) -> T:
    """``use`` against the simulator; ``sent`` collects every request made."""

    async def go() -> T:
        async with client(sim) as to_sim:
            if sent is not None:

                async def seen(request: httpx.Request) -> None:
                    sent.append(request)

                to_sim.event_hooks = {"request": [seen], "response": []}
            both = adapters(to_sim, At(NOW))
            return await use(both.rest.rest, both.xml)

    return asyncio.run(go())


async def _ok(call: FutureResult[T, SyncError]) -> T:
    result: IOResult[T, SyncError] = await call
    assert is_successful(result), result
    return unsafe_perform_io(result.unwrap())


def _invoice(
    *, origin: Origin = Origin.AR, kind: DocumentKind = DocumentKind.INVOICE, **given: Any
) -> Transaction:
    party = "C1" if origin is Origin.AR else "V1"
    fields: dict[str, Any] = {
        "origin": origin,
        "kind": kind,
        "number": "INV-1",
        "state": IntacctState.POSTED,
        "party_id": IntacctId(party),
        "invoice_date": date(2026, 4, 30),
        "gl_date": date(2026, 4, 30),
        "due_date": date(2026, 5, 30) if kind is DocumentKind.INVOICE else None,
        "currency": Currency("USD"),
        "reference": "PO-7" if kind is DocumentKind.INVOICE else "",
        "lines": (
            TransactionLine(
                account_no=IntacctId("4000"),
                amount=Decimal("100.00"),
                memo="rent",
                dimensions=((DimensionKind.DEPARTMENT, IntacctId("D1")),),
                tax_detail_id=IntacctId("VAT20"),
                tax_amount=Decimal("20.00"),
            ),
            TransactionLine(account_no=IntacctId("4000"), amount=Decimal("50.00")),
        ),
    }
    fields.update(given)
    return Transaction(**fields)


def _create(tx: Transaction, key: str = "ri-1") -> CreateInIntacct:
    return CreateInIntacct(
        key=IdempotencyKey(key),
        record_type=RecordType.INVOICE
        if tx.kind is DocumentKind.INVOICE
        else RecordType.CREDIT_NOTE,
        released_id=ReleasedId("r-1"),
        record=tx,
        source_fingerprint="f",
    )


async def _post(rest: Rest, write: CreateInIntacct) -> str:
    family = documents.FAMILY
    sent = await rest.transport.request(
        "POST",
        f"/objects/{family.path(write.record)}",
        body=family.create_body(write),
        key=write.key,
    )
    result = sent.unwrap().envelope.result
    assert isinstance(result, dict)
    return str(result["key"])


def _same(read: Transaction, written: Transaction) -> None:
    assert (read.number, read.party_id, read.invoice_date, read.currency) == (
        written.number,
        written.party_id,
        written.invoice_date,
        written.currency,
    )
    assert [(x.account_no, x.amount, x.memo, x.dimensions) for x in read.lines] == [
        (x.account_no, x.amount, x.memo, x.dimensions) for x in written.lines
    ]
    assert [(x.tax_detail_id, x.tax_amount) for x in read.lines] == [
        (x.tax_detail_id, x.tax_amount) for x in written.lines
    ]


def test_a_batch_of_created_documents_is_read_back_by_one_batch_get(sim: Simulator) -> None:
    """Ten invoices created in one batch are read back together, with their lines: one
    ``GET …/invoice/<k1>,…,<k10>``, no query and no GET of each; every outcome holds the
    invoice as Intacct keeps it, as a read-back of each alone would."""
    writes = [
        _create(_invoice(number=f"INV-{n}", reference=f"PO-{n}"), key=f"ri-{n}") for n in range(10)
    ]
    sent: list[httpx.Request] = []

    async def use(rest: Rest, _: IntacctAdapter) -> tuple[Any, ...]:
        written = (await Writer(rest, [documents.FAMILY]).write(writes)).unwrap()
        return tuple(outcome.result.unwrap() for outcome in written)

    backs = _run(sim, use, sent)
    for back, write in zip(backs, writes, strict=True):
        assert isinstance(back, Transaction)
        assert isinstance(write.record, Transaction)
        _same(back, write.record)
        assert back.record_no is not None
    after = [r for r in sent if r.method != "POST" or not r.url.path.endswith("/oauth2/token")]
    assert [(r.method, r.url.path.rsplit("/", 1)[0]) for r in after] == [
        ("POST", "/ia/api/v1/objects/accounts-receivable"),
        ("GET", "/ia/api/v1/objects/accounts-receivable/invoice"),
    ]
    keys = after[1].url.path.rsplit("/", 1)[1].split(",")
    assert keys == [back.record_no for back in backs]


@pytest.mark.parametrize(
    ("origin", "kind"),
    [
        (Origin.AR, DocumentKind.INVOICE),
        (Origin.AP, DocumentKind.INVOICE),
        (Origin.AR, DocumentKind.CREDIT_NOTE),
        (Origin.AP, DocumentKind.CREDIT_NOTE),
    ],
)
def test_correction_1_a_rest_create_reads_back_with_its_owned_lines(
    sim: Simulator, origin: Origin, kind: DocumentKind
) -> None:
    tx = _invoice(origin=origin, kind=kind)

    async def use(rest: Rest, _: IntacctAdapter) -> tuple[Transaction, Transaction]:
        key = await _post(rest, _create(tx))
        back = (await documents.FAMILY.read_back(rest, _create(tx), key)).unwrap()
        page = (await documents.transactions(rest, origin, kind, FeedQuery())).unwrap()
        assert isinstance(back, Transaction)
        (fed,) = page.items
        return back, fed

    back, fed = _run(sim, use)
    _same(back, tx)
    _same(fed, tx)
    assert back.state is IntacctState.POSTED
    assert back.modified_at is not None
    assert back.modified_at.tzinfo is not None


def test_issue_20_an_xml_created_invoice_is_read_over_rest(sim: Simulator) -> None:
    tx = _invoice()

    async def use(rest: Rest, xml: IntacctAdapter) -> Transaction | None:
        (outcome,) = await _ok(xml.write([_create(tx)]))
        made = outcome.result.unwrap()
        assert isinstance(made, Transaction)
        key = made.link_key
        return (
            await documents.transaction_held(rest, Origin.AR, DocumentKind.INVOICE, key)
        ).unwrap()

    held = _run(sim, use)
    assert held is not None
    _same(held, tx)


def test_issue_20_a_rest_created_invoice_is_read_over_xml(sim: Simulator) -> None:
    tx = _invoice()

    async def use(rest: Rest, xml: IntacctAdapter) -> Transaction | None:
        key = await _post(rest, _create(tx))
        return await _ok(xml.transaction_held(Origin.AR, DocumentKind.INVOICE, IntacctKey(key)))

    held = _run(sim, use)
    assert held is not None
    _same(held, tx)


def test_D20_transaction_held_is_none_for_a_key_intacct_does_not_hold(sim: Simulator) -> None:
    async def use(rest: Rest, _: IntacctAdapter) -> Transaction | None:
        found = await documents.transaction_held(
            rest, Origin.AR, DocumentKind.INVOICE, IntacctKey("999")
        )
        return found.unwrap()

    assert _run(sim, use) is None


def test_F3_find_is_read_only_and_finds_a_create_by_every_field_it_wrote(sim: Simulator) -> None:
    tx = _invoice()
    other = _invoice(number="INV-2", lines=tx.lines[:1])

    async def use(rest: Rest, _: IntacctAdapter) -> tuple[Any, ...]:
        before = (await documents.FAMILY.find(rest, _create(tx))).unwrap()
        key = await _post(rest, _create(tx))
        await _post(rest, _create(other, "ri-2"))
        found = (await documents.FAMILY.find(rest, _create(tx))).unwrap()
        alike = (await documents.FAMILY.candidates(rest, _create(_invoice(number="X")))).unwrap()
        return before, key, found, alike

    before, key, found, alike = _run(sim, use)
    assert before is None
    assert isinstance(found, Transaction)
    assert found.link_key == key
    assert len(alike) == 2  # both share the party and the date


def test_D20_an_update_replaces_a_drafts_lines_and_posts_it(sim: Simulator) -> None:
    draft = _invoice(state=IntacctState.DRAFT)
    edited = _invoice(
        state=IntacctState.POSTED,
        lines=(TransactionLine(account_no=IntacctId("4000"), amount=Decimal("75.00"), memo="new"),),
    )

    async def use(rest: Rest, _: IntacctAdapter) -> Transaction:
        key = await _post(rest, _create(draft))
        held = (
            await documents.transaction_held(rest, Origin.AR, DocumentKind.INVOICE, IntacctKey(key))
        ).unwrap()
        assert held is not None
        assert held.state is IntacctState.DRAFT
        update = UpdateInIntacct(
            key=IdempotencyKey("ru-1"),
            record_type=RecordType.INVOICE,
            released_id=ReleasedId("r-1"),
            intacct_key=IntacctKey(key),
            record=edited,
            source_fingerprint="g",
            post=True,
        )
        sent = await rest.transport.request(
            "PATCH",
            f"/objects/accounts-receivable/invoice/{key}",
            body=documents.FAMILY.update_body(update),
            key=update.key,
        )
        sent.unwrap()
        back = (await documents.FAMILY.read_back(rest, update, key)).unwrap()
        assert isinstance(back, Transaction)
        return back

    back = _run(sim, use)
    assert back.state is IntacctState.POSTED
    assert [(x.amount, x.memo) for x in back.lines] == [(Decimal("75.00"), "new")]


def test_correction_3_a_reversal_through_the_workflow_reads_as_over_xml(sim: Simulator) -> None:
    tx = _invoice()

    async def use(rest: Rest, _: IntacctAdapter) -> tuple[Transaction | None, Transaction | None]:
        key = await _post(rest, _create(tx))
        made = await documents.reverse(
            rest, tx, IntacctKey(key), on=date(2026, 5, 2), memo="undo", idempotency="rv-1"
        )
        reversal = made.unwrap()
        original = await documents.transaction_held(
            rest, Origin.AR, DocumentKind.INVOICE, IntacctKey(key)
        )
        mirror = await documents.transaction_held(rest, Origin.AR, DocumentKind.INVOICE, reversal)
        return original.unwrap(), mirror.unwrap()

    original, mirror = _run(sim, use)
    assert original is not None
    assert original.state is IntacctState.REVERSED
    assert mirror is not None
    assert mirror.state is IntacctState.REVERSAL
    assert sum(x.amount for x in mirror.lines) == Decimal("-150.00")
    assert mirror.reverses == original.link_key  # paired as over XML (correction 3)


FEEDS = [
    (Origin.AR, DocumentKind.INVOICE),
    (Origin.AR, DocumentKind.CREDIT_NOTE),
    (Origin.AP, DocumentKind.INVOICE),
    (Origin.AP, DocumentKind.CREDIT_NOTE),
    (Origin.ORDER_ENTRY, DocumentKind.INVOICE),
    (Origin.PURCHASING, DocumentKind.INVOICE),
]
"""Every feed the demo holds documents of (it has no OE/PO returns)."""


@pytest.mark.parametrize(("origin", "kind"), FEEDS)
def test_D21_every_demo_document_reads_the_same_over_rest_as_over_xml(
    origin: Origin, kind: DocumentKind
) -> None:
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)  # a company in America/Phoenix: REST stamps are UTC

    async def use(rest: Rest, xml: IntacctAdapter) -> tuple[list[Transaction], list[Transaction]]:
        async def over_rest(query: FeedQuery) -> Result[Page[Transaction], SyncError]:
            return await documents.transactions(rest, origin, kind, query)

        async def over_xml(query: FeedQuery) -> Result[Page[Transaction], SyncError]:
            return await outcome(xml.transactions(origin, kind, query))

        by_rest = (await read_all(over_rest, what="documents")).unwrap()
        by_xml = (await read_all(over_xml, what="documents")).unwrap()
        assert not by_rest.problems
        return list(by_rest.items), list(by_xml.items)

    by_rest, by_xml = _run(sim, use)
    assert by_xml  # the demo holds documents of every feed
    assert sorted(by_rest, key=lambda t: t.link_key) == sorted(by_xml, key=lambda t: t.link_key)


def test_D19_an_oe_document_is_created_read_back_and_found_over_rest() -> None:
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)
    tx = Transaction(
        origin=Origin.ORDER_ENTRY,
        kind=DocumentKind.INVOICE,
        number="SI-REST-1",
        state=IntacctState.POSTED,
        party_id=IntacctId("CUS-1001"),
        invoice_date=date(2026, 4, 30),
        gl_date=date(2026, 4, 30),
        due_date=date(2026, 5, 30),
        currency=Currency("USD"),
        reference="PO-9",
        transaction_definition="Sales Invoice",
        lines=(
            TransactionLine(
                item_id=IntacctId("4000-S"), quantity=Decimal(2), price=Decimal("60.00"), memo="m"
            ),
        ),
    )

    async def use(rest: Rest, xml: IntacctAdapter) -> tuple[Any, ...]:
        write = _create(tx, "ri-oe-1")
        assert documents.FAMILY.path(tx) == "order-entry/document::Sales Invoice"
        key = await _post(rest, write)
        back = (await documents.FAMILY.read_back(rest, write, key)).unwrap()
        found = (await documents.FAMILY.find(rest, write)).unwrap()
        assert isinstance(back, Transaction)
        over_xml = await _ok(xml.transaction_held(tx.origin, tx.kind, back.link_key))
        return back, found, over_xml

    back, found, over_xml = _run(sim, use)
    assert back.document_id == "Sales Invoice-SI-REST-1"
    assert [(x.item_id, x.quantity, x.price, x.memo) for x in back.lines] == [
        ("4000-S", Decimal(2), Decimal("60.00"), "m")
    ]
    assert found == back
    assert over_xml == back


def test_an_oe_line_with_a_tax_detail_is_unwritable_over_rest() -> None:
    line = TransactionLine(item_id=IntacctId("X"), tax_detail_id=IntacctId("VAT20"))
    tx = _invoice(origin=Origin.ORDER_ENTRY, lines=(line,), transaction_definition="Sales Invoice")
    assert documents.FAMILY.unwritable(tx) == (
        "line 1: a tax detail on a order-entry/document line (not over REST)"
    )
    ar = _invoice(lines=(TransactionLine(account_no=IntacctId("4000"), rev_rec_template="T"),))
    assert "revenue recognition" in str(documents.FAMILY.unwritable(ar))


def test_the_writer_refuses_a_document_rest_cannot_carry_before_sending(sim: Simulator) -> None:
    tx = _invoice(lines=(TransactionLine(account_no=IntacctId("4000"), rev_rec_template="T"),))

    async def use(rest: Rest, _: IntacctAdapter) -> tuple[Any, int]:
        before = sim.usage["DEMO"].requests
        (outcome,) = (await Writer(rest, (documents.FAMILY,)).write([_create(tx)])).unwrap()
        return outcome.result.failure(), sim.usage["DEMO"].requests - before

    refused, requests = _run(sim, use)
    assert refused.kind is ErrorKind.REJECTED
    assert "revenue recognition" in refused.message
    assert requests == 0


def _oe(**given: Any) -> Transaction:
    fields: dict[str, Any] = {
        "origin": Origin.ORDER_ENTRY,
        "kind": DocumentKind.INVOICE,
        "number": "SI-REST-2",
        "state": IntacctState.DRAFT,
        "party_id": IntacctId("CUS-1001"),
        "invoice_date": date(2026, 4, 30),
        "gl_date": date(2026, 4, 30),
        "due_date": date(2026, 5, 30),
        "currency": Currency("USD"),
        "transaction_definition": "Sales Invoice",
        "lines": (
            TransactionLine(item_id=IntacctId("4000-S"), quantity=Decimal(1), price=Decimal(10)),
        ),
    }
    fields.update(given)
    return Transaction(**fields)


@pytest.mark.parametrize("document", ["ar", "oe"])
def test_D20_the_writer_updates_a_draft_with_new_lines_and_posts_it(document: str) -> None:
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)
    if document == "ar":
        draft = _invoice(
            party_id=IntacctId("CUS-1001"),
            state=IntacctState.DRAFT,
            lines=(TransactionLine(account_no=IntacctId("4000"), amount=Decimal("10.00")),),
        )
        line = TransactionLine(
            account_no=IntacctId("4000"),
            amount=Decimal("80.00"),
            memo="new",
            tax_detail_id=IntacctId("Standard 10%"),
            tax_amount=Decimal("8.00"),
        )
        edited = replace(draft, state=IntacctState.POSTED, lines=(line,))
    else:
        draft = _oe()
        line = TransactionLine(
            item_id=IntacctId("4000-S"), quantity=Decimal(3), price=Decimal(20), memo="new"
        )
        edited = replace(draft, state=IntacctState.POSTED, lines=(line,))  # fmt: skip

    async def use(rest: Rest, xml: IntacctAdapter) -> tuple[Transaction, Transaction | None]:
        writer = Writer(rest, (documents.FAMILY,))
        (made,) = (await writer.write([_create(draft, "ri-d1")])).unwrap()
        held = made.result.unwrap()
        assert isinstance(held, Transaction)
        assert held.state is IntacctState.DRAFT
        update = UpdateInIntacct(
            key=IdempotencyKey("ru-d1"),
            record_type=RecordType.INVOICE,
            released_id=ReleasedId("r-1"),
            intacct_key=held.link_key,
            record=edited,
            source_fingerprint="g",
            post=True,
        )
        (done,) = (await writer.write([update])).unwrap()
        back = done.result.unwrap()
        assert isinstance(back, Transaction)
        over_xml = await _ok(xml.transaction_held(draft.origin, draft.kind, back.link_key))
        return back, over_xml

    back, over_xml = _run(sim, use)
    assert not back.state.is_unposted
    assert [(x.memo, x.line_amount, x.tax_detail_id) for x in back.lines] == [
        (line.memo, line.line_amount, line.tax_detail_id)
    ]
    assert over_xml == back


def test_D20_every_update_of_a_document_goes_under_its_own_idempotency_key() -> None:
    """Each planned update of a record carries that record's outbox key, the one its create was
    sent under. Intacct refuses a key sent again with another body (409; for 60 days whatever the
    body), so each PATCH goes under the key with a fingerprint of what it writes (``controlid``).
    Found by a random run of the simulated stateful test over REST: a Re-Leased user's second
    edit of an unposted invoice stopped the company's sync as a programmer error."""
    sim = Simulator(clock=lambda: NOW)
    seed.load_demo(sim, now=NOW)
    draft = _invoice(
        party_id=IntacctId("CUS-1001"),
        state=IntacctState.DRAFT,
        lines=(TransactionLine(account_no=IntacctId("4000"), amount=Decimal("10.00")),),
    )
    sent: list[httpx.Request] = []

    async def use(rest: Rest, _: IntacctAdapter) -> list[Transaction]:
        writer = Writer(rest, (documents.FAMILY,))
        (made,) = (await writer.write([_create(draft, "ri-u1")])).unwrap()
        held = made.result.unwrap()
        assert isinstance(held, Transaction)
        backs = []
        for n, amount in enumerate(("20.00", "30.00"), start=1):
            line = TransactionLine(account_no=IntacctId("4000"), amount=Decimal(amount))
            update = UpdateInIntacct(
                key=IdempotencyKey("ri-u1"),
                record_type=RecordType.INVOICE,
                released_id=ReleasedId("r-1"),
                intacct_key=held.link_key,
                record=replace(draft, lines=(line,)),
                source_fingerprint=f"{n}" * 16,
            )
            (done,) = (await writer.write([update])).unwrap()
            back = done.result.unwrap()
            assert isinstance(back, Transaction)
            backs.append(back)
        return backs

    backs = _run(sim, use, sent)
    assert [b.lines[0].amount for b in backs] == [Decimal("20.00"), Decimal("30.00")]
    keys = [r.headers.get("Idempotency-Key") for r in sent if r.method in ("POST", "PATCH")]
    keys = [k for k in keys if k]
    assert len(keys) == len(set(keys)), keys  # the create, each PATCH and its line deletes
    assert keys[0] == "ri-u1"
    assert all(k.startswith("ri-u1-u") for k in keys[1:]), keys


def test_D8_documents_deleted_between_the_query_and_their_get_are_left_to_the_deletions(
    sim: Simulator,
) -> None:
    doc = document_fields.DOCUMENTS[Origin.AR, DocumentKind.INVOICE]

    async def use(rest: Rest, _: IntacctAdapter) -> dict[str, Any]:
        found = await document_reads.read_whole(rest, doc, ["998", "999"])
        return found.unwrap()

    assert _run(sim, use) == {}


@pytest.mark.parametrize("fault", ["timeout_after_commit", "processing_error"])
def test_E1_a_document_create_whose_reply_is_lost_is_written_once(
    sim: Simulator, fault: str
) -> None:
    tx = _invoice()
    sim_api = RestSim(create_app(sim))
    rule = {"kind": fault, "object": "accounts-receivable/invoice", "function": "create"}
    assert sim_api.post("/_sim/faults", json={**rule, "times": 1}).status_code == 201

    async def use(rest: Rest, _: IntacctAdapter) -> Any:
        (outcome,) = (await Writer(rest, (documents.FAMILY,)).write([_create(tx)])).unwrap()
        return outcome.result

    result = _run(sim, use)
    assert isinstance(result.unwrap(), Transaction)
    held = sim.companies["DEMO"].records("ARINVOICE", entity="")
    assert [r["RECORDID"] for r in held] == ["INV-1"]  # the re-sent key was replayed, not run
