"""What a function sees while it runs: the company, the caller, the time and the result sets."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from released_intacct.fakes.simulators.intacct.company import Company


@dataclass
class ResultSet:
    """What ``readMore`` continues: the RECORDNOs still to send and how to show them."""

    company_id: str
    object_name: str
    remaining: list[int]
    fields: tuple[str, ...]
    pagesize: int
    total: int
    expires_at: datetime


@dataclass
class ResultSets:
    ttl: timedelta = timedelta(minutes=15)
    open: dict[str, ResultSet] = field(default_factory=dict)

    def add(self, result: ResultSet) -> str:
        token = secrets.token_urlsafe(24)
        self.open[token] = result
        return token

    def take(self, token: str, *, company_id: str, now: datetime) -> ResultSet | None:
        found = self.open.get(token)
        if found is None or found.company_id != company_id:
            return None
        if found.expires_at <= now:
            del self.open[token]
            return None
        return found


@dataclass
class Context:
    company: Company
    user_id: str
    entity: str
    now: datetime
    results: ResultSets
    spent: int = 0
    """API transactions this request spent: one per record written, one per query."""

    def spend(self, count: int = 1) -> None:
        self.spent += count
