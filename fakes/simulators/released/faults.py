"""Fault injection: rules that make the API fail the way a real service and its network do.

A rule names what it matches (``method``, ``resource``, ``company``: ``None`` matches any), how
often it fires (``probability``, drawn from the simulator's seeded RNG, and ``times``, the next N
matching requests; both may be combined) and its ``kind``:

- ``throttle``: 429 ``rate_limited`` with ``Retry-After`` (seconds); nothing done.
- ``server_error``: 500 with an error body (code ``server_error``); nothing done.
- ``timeout_after_commit``: the request runs and commits, then 524 with an empty body.
- ``drop``: nothing done; the reply breaks off after its status line (see ``app``).
- ``delay``: ``delayMs`` more before answering; the delays of several rules add up.
- ``malformed``: the request runs; the reply is a 200 ``application/json`` body that is not JSON.
- ``truncated``: the request runs; the reply keeps its status and loses the second half of its body.

Rules apply to ``/api/...`` only, never to ``/_sim/...``. Rules are tried in the order they were
added: every matching ``delay`` rule fires, and the first other rule that fires decides (later
ones are not tried, so their counters do not move). A rule with probability 1 draws nothing from
the RNG, so "next N" rules never disturb the sequence of random draws. Spent rules stay listed
with ``remaining`` 0.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, get_args

Kind = Literal[
    "throttle",
    "server_error",
    "timeout_after_commit",
    "drop",
    "delay",
    "malformed",
    "truncated",
]
KINDS: tuple[Kind, ...] = get_args(Kind)
NOT_JSON = b"<html><body>502 Bad Gateway: the upstream reply was cut off</body"


class ConnectionDroppedError(ConnectionError):
    """A ``drop`` fault: the connection closed before a reply body (the request was not run)."""


@dataclass(frozen=True)
class Call:
    """What fault matching sees of a request."""

    method: str
    resource: str
    company: str | None


@dataclass
class FaultRule:
    rule_id: str
    kind: Kind
    method: str | None = None
    resource: str | None = None
    company: str | None = None
    probability: float = 1.0
    remaining: int | None = None
    """Matching requests it still fires on (``times``); None: no limit."""
    retry_after: int = 1
    delay_ms: int = 0
    fired: int = 0

    def matches(self, call: Call) -> bool:
        return (
            self.method in (None, call.method)
            and self.resource in (None, call.resource)
            and self.company in (None, call.company)
        )

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.rule_id,
            "kind": self.kind,
            "method": self.method,
            "resource": self.resource,
            "company": self.company,
            "probability": self.probability,
            "remaining": self.remaining,
            "retryAfter": self.retry_after,
            "delayMs": self.delay_ms,
            "fired": self.fired,
        }


@dataclass(frozen=True)
class Decision:
    rule: FaultRule | None = None
    delay_ms: int = 0

    @property
    def kind(self) -> Kind | None:
        return None if self.rule is None else self.rule.kind


@dataclass
class FaultBook:
    """The rules, the seeded RNG their probabilities draw from, and what fired per company."""

    seed: int | str | None = None
    rules: list[FaultRule] = field(default_factory=list)
    by_company: Counter[str] = field(default_factory=Counter)
    total: int = 0
    _counter: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 - simulated faults, not security

    def next_id(self) -> str:
        self._counter += 1
        return f"fault-{self._counter}"

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def clear(self) -> int:
        count = len(self.rules)
        self.rules.clear()
        return count

    def remove(self, rule_id: str) -> bool:
        kept = [rule for rule in self.rules if rule.rule_id != rule_id]
        found = len(kept) < len(self.rules)
        self.rules[:] = kept
        return found

    def reset(self) -> None:
        """No rules, nothing fired, the RNG back at the start of its seed."""
        self.clear()
        self.by_company.clear()
        self.total = 0
        self.rng.seed(self.seed)

    def _draw(self, rule: FaultRule) -> bool:
        if rule.remaining == 0:
            return False
        return rule.probability >= 1 or self.rng.random() < rule.probability

    def _record(self, rule: FaultRule, company: str | None) -> None:
        rule.fired += 1
        if rule.remaining is not None:
            rule.remaining -= 1
        self.total += 1
        if company is not None:
            self.by_company[company] += 1

    def decide(self, call: Call) -> Decision:
        """The added delay and the one rule that decides this request's fate (or None)."""
        delay, chosen = 0, None
        for rule in list(self.rules):
            if chosen is not None and rule.kind != "delay":
                continue
            if not rule.matches(call) or not self._draw(rule):
                continue
            self._record(rule, call.company)
            if rule.kind == "delay":
                delay += rule.delay_ms
            else:
                chosen = rule
        return Decision(chosen, delay)
