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
from released_intacct.fakes.simulators.intacct.faultreplies import answer
from released_intacct.fakes.simulators.intacct.faults import FaultBook, decide, summarize
from released_intacct.fakes.simulators.intacct.gateway import Reply
from released_intacct.fakes.simulators.intacct.rest.state import RestState

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
    """The gateway's state.

    ``seed`` seeds the RNG that fault probabilities draw from; ``concurrency`` is the default limit
    of requests in flight per company over HTTP, and ``latency_ms`` the default fixed latency the
    app adds to every gateway reply (both can be set per company). ``clock`` reads the injected
    clock moved forward by what ``advance`` added (``shifted``); assigning it replaces the injected
    clock and keeps the shift.
    """

    def __init__(
        self,
        *,
        clock: Clock = utc_now,
        result_ttl: timedelta | None = None,
        seed: int | str | None = None,
        concurrency: int = 2,
        latency_ms: int = 0,
    ) -> None:
        self._clock = clock
        self.shifted = timedelta(0)
        """How far ``advance`` has moved the clock past the injected one."""
        self.senders: dict[str, str] = {}
        self.companies: dict[str, Company] = {}
        self.sessions: dict[str, Session] = {}
        self.results = ResultSets(ttl=result_ttl or timedelta(minutes=15))
        self.usage: dict[str, Usage] = {}
        self.faults = FaultBook(seed=seed)
        self.concurrency = concurrency
        self.latency_ms = latency_ms
        self.company_concurrency: dict[str, int] = {}
        self.company_latency_ms: dict[str, int] = {}
        self.in_flight: dict[str, int] = {}
        self.refused: dict[str, int] = {}
        """Requests refused with 429 by the concurrency limit, per company."""
        self.rest = RestState()
        """The REST API's OAuth clients, tokens and idempotency keys (``rest``)."""

    @property
    def clock(self) -> Clock:
        return self._now

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._clock = clock

    def _now(self) -> datetime:
        return self._clock() + self.shifted

    def advance(self, by: timedelta) -> datetime:
        """Move the clock forward by ``by`` (never back, so every stamp stays monotonic): what
        is written from now on, sessions' and result sets' lifetimes, read the later time."""
        if by < timedelta(0):
            msg = f"by: the clock only moves forward, got {by}"
            raise ValueError(msg)
        self.shifted += by
        return self.clock()

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
        """One gateway request with its fault rules applied: the reply's status and XML body.

        Raises ``faults.ConnectionDroppedError`` for a ``drop`` rule; a ``delay`` is not slept here
        but recorded in ``self.faults.log``. Latency and the concurrency limit apply over HTTP only.
        """
        decision = decide(self, summarize(self, body))
        return answer(self, body, decision, endpoint=endpoint)

    def concurrency_for(self, company_id: str) -> int:
        return self.company_concurrency.get(company_id, self.concurrency)

    def latency_for(self, company_id: str | None) -> int:
        if company_id is None:
            return self.latency_ms
        return self.company_latency_ms.get(company_id, self.latency_ms)

    def admit(self, company_id: str | None) -> bool:
        """Count a request in flight for the company; False (and counted refused) over its limit."""
        if company_id is None:
            return True
        if self.in_flight.get(company_id, 0) >= self.concurrency_for(company_id):
            self.refused[company_id] = self.refused.get(company_id, 0) + 1
            return False
        self.in_flight[company_id] = self.in_flight.get(company_id, 0) + 1
        return True

    def release(self, company_id: str | None) -> None:
        if company_id is not None and self.in_flight.get(company_id, 0) > 0:
            self.in_flight[company_id] -= 1

    def reset(self) -> None:
        self.senders.clear()
        self.companies.clear()
        self.sessions.clear()
        self.results.open.clear()
        self.usage.clear()
        self.faults.reset()
        self.company_concurrency.clear()
        self.company_latency_ms.clear()
        self.refused.clear()
        self.rest.reset()
