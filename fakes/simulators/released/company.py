"""One Re-Leased company: its API key, its records per resource, and its idempotency keys.

Records are plain dicts in wire shape (camelCase keys) holding typed values: ``Decimal`` money,
``date`` dates and an aware ``lastModified``; ``jsonio.encode`` turns them into JSON.

``stamp()`` is the clock reading for a write, moved forward by one microsecond when the clock has
not advanced past the company's last write, so ``lastModified`` is strictly increasing per
company and ``(lastModified, id)`` orders its records totally, even under a frozen test clock.
Generated ids are ``<prefix>-<n>`` from one counter per company (``con-000001``), skipping ids that
were proposed by callers and kept.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

Json = dict[str, Any]
Clock = Callable[[], datetime]

RESOURCES = (
    "contacts",
    "accounts",
    "tax-types",
    "tracking-categories",
    "invoices",
    "credit-notes",
    "payments",
)
"""In dependency order: a record only refers to records of resources listed before it."""

PREFIXES = {
    "contacts": "con",
    "accounts": "acc",
    "tax-types": "tax",
    "tracking-categories": "trc",
    "invoices": "inv",
    "credit-notes": "crn",
    "payments": "pay",
    "options": "opt",
    "lines": "lin",
    "allocations": "alc",
}
REPLAY_TTL = timedelta(hours=24)
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Replay:
    """The first response to a create sent with an idempotency key."""

    request: tuple[str, str, object]
    """Method, path and decoded body: a retry must send the same three."""
    status: int
    body: bytes
    at: datetime


class Company:
    def __init__(self, company_id: str, api_key: str, *, clock: Clock) -> None:
        self.company_id = company_id
        self.api_key = api_key
        self.clock = clock
        self.tables: dict[str, dict[str, Json]] = {name: {} for name in RESOURCES}
        self.keys: dict[tuple[str, str], str] = {}
        """(resource, idempotency key) -> the id of the record created with it (kept for good)."""
        self.replays: dict[str, Replay] = {}
        self.payments_of: dict[tuple[str, str], list[str]] = {}
        """(invoiceId or creditNoteId, the document's id) -> the ids of its payments, in order."""
        self._last: datetime | None = None
        self._counter = 0

    def stamp(self) -> datetime:
        now = self.clock()
        if self._last is not None and now <= self._last:
            now = self._last + TICK
        self._last = now
        return now

    def new_id(self, kind: str, taken: Container[str] = ()) -> str:
        while True:
            self._counter += 1
            candidate = f"{PREFIXES[kind]}-{self._counter:06d}"
            if candidate not in taken and candidate not in self.tables.get(kind, {}):
                return candidate

    def option_ids(self) -> set[str]:
        return {
            option["id"]
            for category in self.tables["tracking-categories"].values()
            for option in category["options"]
        }

    def touch(self, record: Json) -> Json:
        """``record`` stamped as just written: ``version`` + 1 and ``lastModified`` now."""
        record["version"] = record.get("version", 0) + 1
        record["lastModified"] = self.stamp()
        return record

    def ordered(self, resource: str) -> list[Json]:
        rows = self.tables[resource].values()
        return sorted(rows, key=lambda row: (row["lastModified"], row["id"]))

    def replay(self, key: str) -> Replay | None:
        """The stored response for ``key`` while it is fresh (24 h); stale ones are forgotten."""
        found = self.replays.get(key)
        if found is not None and self.clock() - found.at >= REPLAY_TTL:
            del self.replays[key]
            return None
        return found
