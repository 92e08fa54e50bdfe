"""Issue 20's acceptance through the whole sync: one Intacct company, two APIs.

The demo pair with the Intacct company as seed ``demo-blue-rest`` keeps it (no Order Entry or
Purchasing), connected over REST (``DEMO_OAUTH``): the service's initial sync writes the Re-Leased
invoices to Intacct over REST, and the XML API reads them back as Intacct holds them, lines and
tax and all; an invoice a user then enters through the XML gateway reaches Re-Leased through the
next sync, which reads it over REST.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

from released_intacct.domain.enums import DocumentKind, IntacctApi, Origin, RecordType
from released_intacct.domain.ids import EntityId, IntacctKey, ReleasedId
from released_intacct.domain.intacct import Transaction
from released_intacct.domain.results import RunStatus
from released_intacct.domain.state import ResultFilter
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.demo_pair import DEMO, confirmed, demo_pair
from released_intacct.fakes.state_store import FakeStateStore


def test_issue_20_an_invoice_crosses_from_rest_to_xml_and_back_through_the_sync() -> None:
    async def scenario() -> tuple[Any, ...]:
        async with demo_pair(FakeStateStore(), sync_errors=False, api=IntacctApi.REST) as pair:
            id = await confirmed(pair)
            connection = await value(pair.store.connection(id))
            assert connection is not None
            assert connection.api.value == "rest"
            pair.clock.advance()
            initial = await value(pair.sync.run(id))
            (link,) = await value(
                pair.store.links(id, RecordType.INVOICE, released_ids=(ReleasedId("inv-0005"),))
            )
            xml = pair.intacct_for(DEMO, EntityId("E100"))
            held = await value(
                xml.transaction_held(Origin.AR, DocumentKind.INVOICE, link.intacct_key)
            )
            sent = pair.released.companies["RL-DEMO"].tables["invoices"]["inv-0005"]
            pair.clock.advance()
            key = await pair.intacct_user.invoice("CUS-1001", "640.00", on=date(2026, 4, 20))
            pair.clock.advance()
            run = await value(pair.sync.run(id))
            (incoming,) = await value(
                pair.store.links(id, RecordType.INVOICE, intacct_keys=(IntacctKey(key),))
            )
            received = pair.released.companies["RL-DEMO"].tables["invoices"][incoming.released_id]
            results = await value(pair.store.results(id, ResultFilter(limit=1000)))
            problems = [r for r in results if r.kind.value != "skipped"]
            return held, sent, (initial, run), received, problems

    held, sent, runs, received, problems = asyncio.run(scenario())
    assert isinstance(held, Transaction)
    assert held.number == sent["invoiceNumber"] == "INV-0005"
    assert [(line.line_amount, line.tax_amount) for line in held.lines] == [
        (Decimal("1200.00"), Decimal("120.00")),
        (Decimal("151.00"), Decimal("0.00")),
    ]
    assert held.total == Decimal("1471.00")
    assert [run.status for run in runs] == [RunStatus.SUCCEEDED] * 2, problems
    assert Decimal(str(received["total"])) == Decimal("640.00")
    assert [Decimal(str(line["unitPrice"])) for line in received["lines"]] == [Decimal("640.00")]
