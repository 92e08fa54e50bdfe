"""The simulator's state: senders, companies, sessions, open result sets and usage counters.

``Simulator.handle`` is the whole gateway without HTTP (the in-process API); ``app.create_app``
serves it over HTTP.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from released_intacct.fakes.simulators.intacct.company import Company
from released_intacct.fakes.simulators.intacct.context import ResultSets
from released_intacct.fakes.simulators.intacct.gateway import Reply, respond

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Session:
    session_id: str
    company_id: str
    user_id: str
    entity: str
    expires_at: datetime


@dataclass
class Usage:
    """Per company: HTTP requests, functions run, and API transactions spent."""

    requests: int = 0
    functions: int = 0
    transactions: int = 0


class Simulator:
    def __init__(self, *, clock: Clock = utc_now, result_ttl: timedelta | None = None) -> None:
        self.clock = clock
        self.senders: dict[str, str] = {}
        self.companies: dict[str, Company] = {}
        self.sessions: dict[str, Session] = {}
        self.results = ResultSets(ttl=result_ttl or timedelta(minutes=15))
        self.usage: dict[str, Usage] = {}

    def add_sender(self, sender_id: str, password: str) -> None:
        self.senders[sender_id] = password

    def add_company(self, company: Company) -> None:
        self.companies[company.company_id] = company
        self.usage.setdefault(company.company_id, Usage())

    def open_session(self, company: Company, user_id: str, entity: str) -> Session:
        now = self.clock()
        session = Session(
            session_id=secrets.token_urlsafe(24),
            company_id=company.company_id,
            user_id=user_id,
            entity=entity,
            expires_at=now + timedelta(minutes=company.settings.session_minutes),
        )
        self.sessions[session.session_id] = session
        return session

    def live_session(self, session_id: str) -> Session | None:
        """The session, its timeout moved forward, or None when unknown or expired."""
        session = self.sessions.get(session_id)
        now = self.clock()
        if session is None or session.expires_at <= now:
            self.sessions.pop(session_id, None)
            return None
        company = self.companies[session.company_id]
        session.expires_at = now + timedelta(minutes=company.settings.session_minutes)
        return session

    def expire_sessions(self, company_id: str | None = None) -> int:
        doomed = [sid for sid, s in self.sessions.items() if company_id in (None, s.company_id)]
        for sid in doomed:
            del self.sessions[sid]
        return len(doomed)

    def handle(self, body: bytes, *, endpoint: str) -> Reply:
        """One gateway request: the reply's status and XML body."""
        return respond(self, body, endpoint=endpoint)

    def reset(self) -> None:
        self.senders.clear()
        self.companies.clear()
        self.sessions.clear()
        self.results.open.clear()
        self.usage.clear()
