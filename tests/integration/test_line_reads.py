"""Spec correction 1: the two ways of reading a page's lines, measured against the simulator.

``objects`` queries the line object by the page's header keys; ``read`` reads the headers again,
100 a call, with their lines nested. Both must give the same documents; the one the adapter uses
by default must cost fewer API transactions (the figures go to docs/intacct-fidelity.md).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from lxml import etree

from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.enums import DocumentKind, Origin
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.ports import FeedQuery, IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.simulators.intacct.app import create_app
from released_intacct.fakes.simulators.intacct.config import load_company
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.functions import FUNCTIONS
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
INVOICES = 250
LINES = 3
CREDENTIALS = IntacctCredentials(
    sender_id="s",
    sender_password=Secret("sender-pass"),
    company_id="BULK",
    user_id="u",
    user_password=Secret("user-pass"),
)


def _company() -> Simulator:
    sim = Simulator(clock=lambda: NOW)
    company = load_company(
        sim,
        {
            "company_id": "BULK",
            "senders": {"s": "sender-pass"},
            "users": {"u": "user-pass"},
            "records": {
                "GLACCOUNT": [{"ACCOUNTNO": "4000", "TITLE": "Rent"}],
                "CUSTOMER": [{"CUSTOMERID": "C1", "NAME": "Acme"}],
            },
        },
        now=NOW,
    )
    items = "".join(
        f"<lineitem><glaccountno>4000</glaccountno><amount>{n + 1}00.00</amount></lineitem>"
        for n in range(LINES)
    )
    for number in range(INVOICES):
        function = etree.fromstring(
            "<create_invoice><customerid>C1</customerid><datecreated><year>2026</year>"
            "<month>04</month><day>01</day></datecreated>"
            f"<invoiceno>INV-{number:04d}</invoiceno><invoiceitems>{items}</invoiceitems>"
            "</create_invoice>"
        )
        FUNCTIONS["create_invoice"](Context(company, "u", "", NOW, sim.results), function)
    return sim


def _read_all(line_reads: str) -> tuple[list[Transaction], int, int]:
    async def main() -> tuple[list[Transaction], int, int]:
        sim = _company()
        transport = httpx.ASGITransport(app=create_app(sim))
        async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
            settings = ClientSettings(
                endpoint="http://sim/ia/xml/xmlgw.phtml",
                line_reads=line_reads,  # type: ignore[arg-type]
            )
            adapter = IntacctAdapter(client, CREDENTIALS, entity=None, settings=settings)
            read: list[Transaction] = []
            query = FeedQuery()
            while True:
                page = await value(adapter.transactions(Origin.AR, DocumentKind.INVOICE, query))
                read.extend(page.items)
                if page.next_token is None:
                    break
                query = FeedQuery(token=page.next_token)
            return read, adapter.transactions_spent(), adapter.gateway.requests

    return asyncio.run(main())


@pytest.mark.parametrize("line_reads", ["objects", "read"])
def test_correction_1_every_invoice_reads_back_with_every_line(line_reads: str) -> None:
    read, _, _ = _read_all(line_reads)
    assert len(read) == INVOICES
    assert {len(tx.lines) for tx in read} == {LINES}
    assert all([line.amount for line in tx.lines] == [100, 200, 300] for tx in read)


def test_correction_1_line_objects_cost_fewer_transactions_than_read() -> None:
    by_objects, spent_objects, requests_objects = _read_all("objects")
    by_read, spent_read, requests_read = _read_all("read")
    assert by_objects == by_read
    # one page of headers, then 750 lines in one line query / three reads of 100 keys
    assert (spent_objects, requests_objects) == (2, 3)  # + the log-in
    assert (spent_read, requests_read) == (4, 5)
    print(
        f"\n{INVOICES} invoices of {LINES} lines: line objects {spent_objects} transactions, "
        f"read {spent_read} transactions"
    )
