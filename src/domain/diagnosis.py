"""What ``doctor`` finds out about a real Intacct company, by reading only (house style rule 14).

Each ``Finding`` checks one behaviour of the fidelity ledger (``docs/intacct-fidelity.md``) that
reading can check: what the product relies on (``expected``), what the company showed (``seen``)
and, when they differ, what to do (``fix``). A ``Diagnosis`` is every finding of one company at
one entity, with the facts a support engineer asks for first (subscriptions, preferences,
session time and zone, currencies).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["Diagnosis", "Finding", "Verdict"]


class Verdict(Enum):
    OK = "ok"
    """The company does as the product relies on."""
    WARNING = "warning"
    """It differs, and the product copes (a fallback the ledger names); worth knowing."""
    FAILED = "failed"
    """It differs in a way the product cannot cope with until fixed."""
    UNKNOWN = "unknown"
    """Nothing to read it from (no record of the kind yet)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    check: str
    """A stable name: ``lines.list_functions``, ``audit.permission``, ``time.zone``..."""
    verdict: Verdict
    expected: str
    seen: str
    fix: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnosis:
    company_id: str
    entity: str
    """``""``: the top level."""
    session_timestamp: str
    """Intacct's "now" as its log-in answered it, with its UTC offset."""
    zone: str
    """The zone the product reads timestamps in, and how it was chosen."""
    subscriptions: tuple[str, ...]
    preferences: tuple[tuple[str, str, str], ...]
    """(application, preference, value), as get_companyprefs answered them."""
    findings: tuple[Finding, ...]

    @property
    def failed(self) -> bool:
        return any(f.verdict is Verdict.FAILED for f in self.findings)
