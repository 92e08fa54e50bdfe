"""The REST query service's stamp index (``fakes/simulators/intacct/rest/stamps.py``): a query
filtered ``$gte`` / ``$gt`` on a stamp looks only at the records at or after it, and answers
the same rows, in the same order, with the same ``totalCount``, as the scan of every record
(asked here with ``filterExpression: "1 and 2"``, which the index leaves alone), through
inserts, updates, deletes, lines kept and dropped with their header, the audit history, an
entity, a change of the company's zone and a record stored without the company's writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from released_intacct.fakes.restsim import RestSim, company, signed_in
from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.config import insert_records, load_company
from released_intacct.fakes.simulators.intacct.rest import stamps
from released_intacct.fakes.simulators.intacct.rest.fields import Field
from released_intacct.fakes.simulators.intacct.rest.registry import OBJECTS
from released_intacct.fakes.simulators.intacct.simulator import Simulator

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ACCOUNT = "general-ledger/account"
AUDIT = "company-config/audit-history"
MODIFIED = "audit.modifiedDateTime"
ACCESSED = "changeSource.accessDateTime"


def _at(hours: int) -> datetime:
    return NOW + timedelta(hours=hours)


def _iso(hours: int) -> str:
    return _at(hours).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def held() -> tuple[Simulator, Company]:
    sim = Simulator(clock=lambda: NOW)
    found = load_company(sim, company(settings={"timezone": "Europe/London"}), now=NOW)
    for hour in range(12):  # several accounts a stamp, so keys order the ties
        rows = [
            {"ACCOUNTNO": f"{hour:02d}{n}0", "TITLE": f"A {hour}-{n}", "STATUS": "active"}
            for n in range(3)
        ]
        insert_records(found, "GLACCOUNT", rows, now=_at(hour))
    return sim, found


def _both(
    api: RestSim, obj: str, cursor: str, operator: str, since: str
) -> tuple[list[Any], list[Any]]:
    """One query answered through the index, and the same answered by a scan: each page's rows
    and ``ia::meta``, every page."""

    def pages(**extra: object) -> list[Any]:
        answered: list[Any] = []
        start: object = 1
        while start is not None:
            reply = api.query(
                object=obj,
                fields=["key", cursor],
                filters=[
                    {"field": cursor, "operator": operator, "value": since},
                    {"field": "key", "operator": "$ne", "value": None},
                ],
                orderBy=[{cursor: "asc"}, {"key": "asc"}],
                start=start,
                size=4,
                **extra,
            )
            assert reply.status_code == 200, reply.text
            body = reply.json()
            answered.append((body["ia::result"], body["ia::meta"]))
            start = body["ia::meta"]["next"]
        return answered

    return pages(), pages(filterExpression="1 and 2")


def _same(api: RestSim, obj: str = ACCOUNT, cursor: str = MODIFIED) -> None:
    for hours in (-1, 0, 3, 7, 11, 30, 50):
        for operator in ("$gte", "$gt"):
            by_index, by_scan = _both(api, obj, cursor, operator, _iso(hours))
            assert by_index == by_scan, (obj, operator, hours)


def test_a_stamp_filter_answered_by_the_index_returns_the_rows_of_a_full_scan(
    held: tuple[Simulator, Company],
) -> None:
    sim, found = held
    api = signed_in(sim)
    _same(api)
    accounts = {str(r["ACCOUNTNO"]): n for n, r in found.table("GLACCOUNT").items()}
    found.update("GLACCOUNT", accounts["0000"], {"TITLE": "moved"}, now=_at(20))
    found.update("GLACCOUNT", accounts["1110"], {"TITLE": "moved"}, now=_at(30))
    found.delete("GLACCOUNT", accounts["0520"], now=_at(21))
    insert_records(found, "GLACCOUNT", [{"ACCOUNTNO": "9999", "TITLE": "new"}], now=_at(25))
    _same(api)
    _same(api, AUDIT, ACCESSED)
    _same(api, AUDIT, MODIFIED)
    assert {"stamps:GLACCOUNT:WHENMODIFIED", "stamps:AUDITHISTORY:ACCESSTIME"} <= set(found.derived)


def test_the_index_follows_the_zone_an_entity_and_a_record_stored_behind_its_back(
    held: tuple[Simulator, Company],
) -> None:
    sim, found = held
    api = signed_in(sim)
    _same(api)
    found.settings.timezone = "America/Phoenix"  # every stamp shown moves 8 hours later
    _same(api)
    table = found.table("GLACCOUNT")
    first = min(table)
    table[first] = {**table[first], "MEGAENTITYID": "E200"}  # an entity's record
    table[10_000] = {**table[first], "RECORDNO": "10000", "WHENMODIFIED": "05/03/2026 01:00:00"}
    _same(api)
    assert [row["key"] for row in _both(api, ACCOUNT, MODIFIED, "$gte", _iso(30))[0][0][0]] == [
        "10000"
    ]


def test_lines_kept_and_dropped_with_their_header_are_indexed_as_written() -> None:
    sim = Simulator(clock=lambda: NOW)
    found = load_company(sim, company(), now=NOW)
    header: dict[str, object] = {
        "RECORDID": "INV-1",
        "CUSTOMERID": "CUS-1",
        "ARINVOICEITEMS": [{"ACCOUNTNO": "4000", "AMOUNT": "1"} for _ in range(3)],
    }
    made = found.insert("ARINVOICE", header, now=_at(1), entity="")
    api = signed_in(sim)
    _same(api, "accounts-receivable/invoice-line")
    number = int(str(made["RECORDNO"]))
    lines = made["ARINVOICEITEMS"]
    assert isinstance(lines, list)
    kept = lines[:1]
    found.update("ARINVOICE", number, {"ARINVOICEITEMS": kept}, now=_at(5))
    _same(api, "accounts-receivable/invoice-line")
    lines = stamps.since(found, "ARINVOICEITEM", _line_stamp(), _iso(4))
    assert [line["RECORDNO"] for line in lines] == [kept[0]["RECORDNO"]]


def _line_stamp() -> Field:
    spec = OBJECTS["accounts-receivable/invoice-line"].field(MODIFIED)
    assert spec is not None
    return spec


def test_a_long_log_starts_again_and_the_tables_indexes_follow(
    held: tuple[Simulator, Company], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A company written to for long keeps no more than ``LOG_KEPT`` writes a table: the log
    starts again, the index that read it keeps up, the table's others are made again."""
    sim, found = held
    monkeypatch.setattr(stamps, "LOG_KEPT", 5)
    api = signed_in(sim)
    _same(api, AUDIT, ACCESSED)
    _same(api, AUDIT, MODIFIED)
    for hour in range(20, 26):
        insert_records(found, "GLACCOUNT", [{"ACCOUNTNO": f"9{hour}", "TITLE": "x"}], now=_at(hour))
    _same(api, AUDIT, ACCESSED)
    assert len(found.changed["AUDITHISTORY"]) == 0
    assert "stamps:AUDITHISTORY:WHENMODIFIED" not in found.derived
    _same(api, AUDIT, MODIFIED)
    _same(api)
