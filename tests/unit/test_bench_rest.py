"""The bench's REST accounting (``bench/_rest_tally.py``, ``bench/bench.py``'s ``rest_minimum``):
what each request to ``/ia/api/v1`` counts as, and the fewest requests a REST sync could make
(pages of up to 4,000 rows, batches of up to 500 records of one object, one token a run), which
``docs/benchmarks.md`` sets the measured requests against."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _script(name: str) -> ModuleType:
    """``bench/<name>.py``: the bench is scripts that import each other by their bare names, so
    its folder goes first on the path while it is imported (a module there wins over the
    ``bench`` folder itself)."""
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCH))


_tally = _script("_rest_tally")
RestCall, rest_call = _tally.RestCall, _tally.rest_call
rest_minimum = _script("bench").rest_minimum
_tables = _script("_sync_tables")


def _query(**body: object) -> bytes:
    return json.dumps(body).encode()


def test_a_token_request_is_auth() -> None:
    assert rest_call("POST", "/oauth2/token", b"grant_type=client_credentials").kind == "auth"


def test_a_query_on_the_cursor_is_a_feed_page_of_its_object() -> None:
    since = [{"field": "audit.modifiedDateTime", "operator": "$gte", "value": "2025-01-01"}]
    page = rest_call(
        "POST", "/services/core/query", _query(object="general-ledger/account", filters=since)
    )
    assert page == RestCall("read", "general-ledger/account", cursored=True)
    by_id = [{"field": "id", "operator": "$in", "value": ["C1"]}]
    look_up = rest_call(
        "POST", "/services/core/query", _query(object="accounts-receivable/customer", filters=by_id)
    )
    assert look_up == RestCall("read", "accounts-receivable/customer", cursored=False)


def test_the_first_page_of_the_tax_details_read_whole_is_a_feed_page() -> None:
    """``tax/tax-detail`` cannot be filtered on ``audit.modifiedDateTime``: its feed reads every
    row each run, its first page a feed's page as the XML feed's filtered one is; a further
    page, or a look-up of some tax details, is not."""
    tax = "tax/tax-detail"
    first = rest_call("POST", "/services/core/query", _query(object=tax, start=1))
    assert first == RestCall("read", tax, cursored=True)
    second = rest_call("POST", "/services/core/query", _query(object=tax, start=4001))
    assert second == RestCall("read", tax, cursored=False)
    by_id = [{"field": "id", "operator": "$eq", "value": "VAT20"}]
    look_up = rest_call("POST", "/services/core/query", _query(object=tax, filters=by_id))
    assert look_up == RestCall("read", tax, cursored=False)


def test_a_rest_batch_of_new_invoices_costs_its_create_and_its_read_back() -> None:
    """Ten new invoices: one batch; over REST its create and the GET reading it back (D21)."""
    run = {"changes_10": {"requests": {"intacct_read": 24, "intacct_write": 1, "intacct_auth": 1,
                                       "released_read": 4},
                          "feeds": {"intacct:x": 22, "released:y": 4}}}  # fmt: skip
    (rest,) = _tables.incremental_targets("REST", {"2000": run})
    assert "30 requests, 26 feeds (target 28)" in rest
    assert rest.endswith("| met |")
    (xml,) = _tables.incremental_targets("XML", {"2000": run})
    assert "(target 27)" in xml


def test_a_get_by_keys_reads_its_object() -> None:
    read = rest_call("GET", "/objects/accounts-receivable/invoice/1,2,3", b"")
    assert read == RestCall("read", "accounts-receivable/invoice")


def test_a_composite_of_reads_is_one_read_and_one_holding_a_write_is_a_write() -> None:
    reads = [
        {"method": "POST", "path": "/services/core/query", "body": {"object": "x"}},
        {"method": "GET", "path": "/objects/company-config/entity/1"},
    ]
    composite = "/services/core/composite"
    assert rest_call("POST", composite, json.dumps(reads).encode()) == RestCall("read", "composite")
    mixed = [*reads, {"method": "POST", "path": "/objects/company-config/contact", "body": {}}]
    written = rest_call("POST", composite, json.dumps(mixed).encode())
    assert written == RestCall("write", "composite", 3)


def test_a_write_counts_the_records_it_holds_by_method_and_object() -> None:
    batch = json.dumps([{"id": "a"}, {"id": "b", "lines": [{"x": 1}]}, {}]).encode()
    assert rest_call("POST", "/objects/accounts-receivable/invoice", batch) == RestCall(
        "write", "POST accounts-receivable/invoice", 3
    )
    one = rest_call("PATCH", "/objects/accounts-receivable/customer/12", b'{"name": "A"}')
    assert one == RestCall("write", "PATCH accounts-receivable/customer", 1)
    gone = rest_call("DELETE", "/objects/accounts-receivable/invoice-line/4,5", b"")
    assert gone == RestCall("write", "DELETE accounts-receivable/invoice-line", 2)
    flow = rest_call("POST", "/workflows/accounts-receivable/invoice/submit", b'{"key": "7"}')
    assert flow == RestCall("write", "accounts-receivable/invoice:submit", 1)


def test_the_rest_minimum_batches_each_object_by_500_and_allows_one_token() -> None:
    sync = {
        "by_resource": {
            "released:GET:invoices": 4,
            "released:GET:contacts": 1,
            "intacct:general-ledger/account": 1,
            "intacct:accounts-receivable/invoice": 2002,
        },
        "functions": {
            "POST accounts-receivable/customer": 100,
            "POST accounts-receivable/invoice": 1001,
            "POST accounts-receivable/payment": 500,
        },
        "requests": {"released_write": 7},
    }
    least = rest_minimum(1001, sync)
    # Re-Leased: ceil(1001 / 500) invoice pages, one contacts page; Intacct: one page an object
    assert least == {"reads": 3 + 1 + 2, "intacct_writes": 1 + 3 + 1, "released_writes": 7,
                     "sessions": 1}  # fmt: skip
