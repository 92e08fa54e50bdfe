"""``GET /api/<resource>``: one page of a company's records in ``(lastModified, id)`` order.

Query: ``modifiedSince`` (ISO-8601 with a zone, inclusive), ``page`` (from 1), ``pageSize``
(1-500, default 100), ``includeArchived`` (``true``/``false``, default false: Archived, Voided and
Deleted records are left out), ``type`` (``Income``/``Expense``, invoices and credit notes only),
``idempotencyKey`` (the record created with that key, whatever its status: 0 or 1 item). A bad
value is 400 ``validation_failed`` naming the parameter; unknown parameters are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from released_intacct.fakes.simulators.released.checks import Checker, Json
from released_intacct.fakes.simulators.released.company import Company
from released_intacct.fakes.simulators.released.documents import DOCUMENTS
from released_intacct.fakes.simulators.released.jsonio import parse_timestamp

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100
HIDDEN = ("Archived", "Voided", "Deleted")


def _whole(check: Checker, query: Mapping[str, str], name: str, *, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        check.fail(name, f"must be a whole number >= 1, got {raw!r}")
        return default
    return int(raw)


def _since(check: Checker, query: Mapping[str, str]) -> datetime | None:
    raw = query.get("modifiedSince")
    if raw is None:
        return None
    found = parse_timestamp(raw)
    if found is None:
        check.fail("modifiedSince", "must be an ISO-8601 timestamp with a zone, e.g. ...Z")
    return found


def _flag(check: Checker, query: Mapping[str, str], name: str) -> bool:
    raw = query.get(name, "false")
    if raw not in ("true", "false"):
        check.fail(name, "must be true or false")
    return raw == "true"


def _type(check: Checker, query: Mapping[str, str], resource: str) -> str | None:
    raw = query.get("type")
    if raw is not None and (resource not in DOCUMENTS or raw not in ("Income", "Expense")):
        check.fail("type", "must be Income or Expense (on invoices and credit notes)")
    return raw


def _rows(company: Company, resource: str, query: Mapping[str, str], check: Checker) -> list[Json]:
    since = _since(check, query)
    include = _flag(check, query, "includeArchived")
    kind = _type(check, query, resource)
    check.done()
    key = query.get("idempotencyKey")
    if key is not None:
        found = company.keys.get((resource, key))
        return [row for row in company.ordered(resource) if row["id"] == found]
    return [
        row
        for row in company.ordered(resource)
        if (since is None or row["lastModified"] >= since)
        and (include or row.get("status") not in HIDDEN)
        and (kind is None or row.get("type") == kind)
    ]


def list_page(company: Company, resource: str, query: Mapping[str, str]) -> Json:
    """The page the query asks for; 400 ``validation_failed`` naming every bad parameter."""
    check = Checker()
    page = _whole(check, query, "page", default=1)
    size = _whole(check, query, "pageSize", default=DEFAULT_PAGE_SIZE)
    if size > MAX_PAGE_SIZE:
        check.fail("pageSize", f"must be at most {MAX_PAGE_SIZE}, got {size}")
    rows = _rows(company, resource, query, check)
    start = (page - 1) * size
    return {
        "items": rows[start : start + size],
        "page": page,
        "pageSize": size,
        "totalCount": len(rows),
        "hasMore": start + size < len(rows),
    }
