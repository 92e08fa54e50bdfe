"""The embedding example (``examples/sqlite_host``) run in process: its host's tables afterwards.

One pass against the Intacct simulator's demo company, with no network: Intacct's lists, customers
and vendors are rows of the host's tables, and the host's own contacts, invoices and payment are
records of the Intacct company.
"""

from __future__ import annotations

import asyncio
import importlib
import sqlite3
import sys
from pathlib import Path
from typing import Any

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
    assert "Lighthouse Florist" in names
    categories = {name for (name,) in _rows(db_path, "SELECT name FROM tracking_categories")}
    assert {"Department", "Location", "Class"} <= categories


def test_one_pass_sends_the_hosts_contact_invoice_and_payment_to_intacct(tmp_path: Path) -> None:
    example, printed = _run(tmp_path / "host.sqlite3")
    demo = example.intacct.companies["DEMO"]
    florist = demo.by_field("CUSTOMER", "NAME", "Lighthouse Florist")
    assert florist is not None
    assert demo.by_field("VENDOR", "NAME", "Swift Plumbing") is not None
    rent = demo.by_field("ARINVOICE", "RECORDID", "LF-2026-02")
    assert rent is not None
    assert (rent["CUSTOMERID"], rent["TOTALENTERED"], rent["TOTALPAID"]) == (
        florist["CUSTOMERID"],
        "1450.00",
        "450.00",
    )
    assert demo.by_field("APBILL", "RECORDID", "SP-778") is not None
    assert any("CreateInIntacct invoice" in line for line in printed)


def test_the_hosts_invoice_keeps_its_amount_paid_as_exact_decimal_text(tmp_path: Path) -> None:
    db_path = tmp_path / "host.sqlite3"
    _run(db_path)
    rows = _rows(
        db_path, "SELECT total, amount_paid FROM invoices WHERE invoice_number = 'LF-2026-02'"
    )
    assert rows == [("1450.00", "450.00")]
