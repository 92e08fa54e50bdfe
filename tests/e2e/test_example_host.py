"""The embedding example (``examples/sqlite_host``) run in process: its host's tables afterwards.

The host builds the product's service (``build_service``) over its own Re-Leased port, onboards
the Intacct simulator's demo company and syncs twice, with no network: Intacct's lists, customers
and vendors are rows of the host's tables, and the host's own contacts, invoices and payment are
records of the Intacct company. The demo company uses Order Entry and Purchasing, so the host's
invoice and bill go out as OE / PO documents and come back with the tax Intacct calculated (D17).
"""

from __future__ import annotations

import asyncio
import importlib
import sqlite3
import sys
from pathlib import Path
from typing import Any

from released_intacct.domain.enums import RecordType

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sqlite_host"
DEMO_ACCOUNTS = {"1000", "1100", "2000", "2200", "4000", "4100", "4200", "5000", "5100", "5200"}


def _run(db_path: Path) -> tuple[Any, list[str]]:
    if str(EXAMPLE) not in sys.path:
        sys.path.insert(0, str(EXAMPLE))
    module: Any = importlib.import_module("run_example")
    printed: list[str] = []
    example = asyncio.run(module.run_example(db_path, out=printed.append))
    return example, printed


def _rows(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as db:
        return list(db.execute(sql))


def test_one_pass_brings_intacct_lists_and_contacts_into_the_host_tables(tmp_path: Path) -> None:
    db_path = tmp_path / "host.sqlite3"
    _run(db_path)
    accounts = _rows(db_path, "SELECT code, name, idempotency_key FROM accounts")
    assert {code for code, _, _ in accounts} == DEMO_ACCOUNTS
    assert all(key and key.startswith("ri-") for _, _, key in accounts)
    assert _rows(db_path, "SELECT COUNT(*) FROM tax_types")[0][0] > 0
    names = {name for (name,) in _rows(db_path, "SELECT name FROM contacts")}
    assert {"CUS-1001 - Harbour Cafe Ltd", "VEN-2001 - City Power & Light"} <= names
    assert any(name.endswith(" - Lighthouse Florist") for name in names)  # its Intacct id (M1)
    categories = {name for (name,) in _rows(db_path, "SELECT name FROM tracking_categories")}
    assert {"Department", "Location", "Class"} <= categories


def test_D17_the_hosts_contact_invoice_and_payment_reach_intacct(tmp_path: Path) -> None:
    example, printed = _run(tmp_path / "host.sqlite3")
    demo = example.intacct.companies["DEMO"]
    florist = demo.by_field("CUSTOMER", "NAME", "Lighthouse Florist")
    assert florist is not None
    assert demo.by_field("VENDOR", "NAME", "Swift Plumbing") is not None
    rent = demo.by_field("SODOCUMENT", "DOCNO", "LF-2026-02")
    assert rent is not None
    assert (rent["CUSTVENDID"], rent["SUBTOTAL"]) == (florist["CUSTOMERID"], "1450.00")
    posted = demo.by_recordno("ARINVOICE", rent["PRRECORDKEY"])
    assert posted is not None
    assert (posted["TOTALENTERED"], posted["TOTALPAID"]) == (rent["TOTAL"], "450.00")
    assert demo.by_field("PODOCUMENT", "DOCNO", "SP-778") is not None
    second = example.runs[1]
    assert second.status.colour == "blue"
    assert second.counts.of(RecordType.INVOICE).created == 2
    assert second.counts.of(RecordType.PAYMENT).created == 1
    assert any(line.startswith("  invoice ") and "created    2" in line for line in printed)


def test_D17_the_hosts_invoice_keeps_intacct_tax_and_its_amount_paid_as_exact_text(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "host.sqlite3"
    example, _ = _run(db_path)
    rent = example.intacct.companies["DEMO"].by_field("SODOCUMENT", "DOCNO", "LF-2026-02")
    # M1: an OE invoice's number is its transaction type and document number
    sql = "SELECT total, amount_paid FROM invoices WHERE invoice_number = ?"
    with sqlite3.connect(db_path) as db:
        rows = list(db.execute(sql, (rent["DOCID"],)))
    assert rent["DOCID"] == "Sales Invoice-LF-2026-02"
    assert rows == [(rent["TOTAL"], "450.00")]
    assert rent["TOTAL"] == "1595.00"  # 1450.00 and the tax Intacct calculated
