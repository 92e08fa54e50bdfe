"""What the admin API answers about connections and onboarding: response Structs (camelCase).

Datetimes are timezone-aware ISO 8601; enums are their values; nothing here ever holds a
credential (a connection's view has no credentials field at all).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import msgspec

from released_intacct.app.admin.errors import ErrorDetail, detail_of
from released_intacct.app.doctor import DoctorReport
from released_intacct.domain.matching import Archive, Candidate, CreateAs, Decision, Match, Target
from released_intacct.domain.onboarding import Onboarding, StepState
from released_intacct.domain.ports import Entity
from released_intacct.domain.rules.prerequisites import Assessment, blocking
from released_intacct.domain.state import Acknowledgement, Connection

__all__ = [
    "AcknowledgementView",
    "AcknowledgementsView",
    "ConfirmingView",
    "ConnectedView",
    "ConnectionView",
    "ConnectionsView",
    "DisconnectedView",
    "DoctorView",
    "EntitiesView",
    "FindingView",
    "Health",
    "OnboardingView",
    "PreferenceView",
    "PrerequisiteView",
    "PrerequisitesView",
    "View",
]


class View(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    pass


class Health(View, frozen=True):
    status: str = "ok"


class ConfirmingView(View, frozen=True):
    """Rule O5: the confirm under way (phase ``confirming``): since when, by which process
    (``host/pid``), and until when it holds the connection unless that process renews it (after
    that, confirming again takes it over)."""

    since: datetime
    holder: str
    held_until: datetime

    @classmethod
    def of(cls, c: Connection) -> ConfirmingView | None:
        held = c.confirming
        if held is None:
            return None
        return cls(since=held.since, holder=held.holder, held_until=held.until)


class ConnectionView(View, frozen=True):
    id: str
    released_company: str
    intacct_company: str
    phase: str
    entity: str | None
    sync_from: date | None
    created_at: datetime
    confirmed_at: datetime | None
    confirming: ConfirmingView | None
    api: str
    """Its setting ``intacct.api``: ``xml`` or ``rest``, the API its credentials log in to."""

    @classmethod
    def of(cls, c: Connection) -> ConnectionView:
        return cls(
            id=c.id,
            released_company=c.released_company,
            intacct_company=c.intacct_company,
            phase=c.phase.value,
            entity=c.entity,
            sync_from=c.sync_from,
            created_at=c.created_at,
            confirmed_at=c.confirmed_at,
            confirming=ConfirmingView.of(c),
            api=c.api.value,
        )


class DisconnectedView(View, frozen=True):
    id: str
    disconnected: bool = True


class ConnectionsView(View, frozen=True):
    connections: tuple[ConnectionView, ...]


class EntityView(View, frozen=True):
    id: str
    name: str
    currency: str | None


class EntitiesView(View, frozen=True):
    entities: tuple[EntityView, ...]

    @classmethod
    def of(cls, entities: tuple[Entity, ...]) -> EntitiesView:
        return cls(
            entities=tuple(EntityView(id=e.id, name=e.name, currency=e.currency) for e in entities)
        )


class ConnectedView(View, frozen=True):
    connection: ConnectionView
    entities: tuple[EntityView, ...]


class PrerequisiteView(View, frozen=True):
    """One prerequisite: ``holds``, ``fails`` (``fix`` says what to change) or ``unknown``
    (Intacct cannot report it: ``fix`` says where to check it and how to acknowledge it)."""

    prerequisite: str
    status: Literal["holds", "fails", "unknown"]
    acknowledged: bool
    rule: str
    message: str
    fix: str
    source: str

    @classmethod
    def of(cls, assessment: Assessment) -> PrerequisiteView:
        return cls(
            prerequisite=assessment.prerequisite.value,
            status=assessment.status.value,
            acknowledged=assessment.acknowledged,
            rule=assessment.rule.value,
            message=assessment.message,
            fix=assessment.fix,
            source=assessment.source,
        )


class PrerequisitesView(View, frozen=True):
    """Rule C5: ready when nothing blocks; ``problems`` are what blocks (a failure, or an unknown
    prerequisite not yet acknowledged), ``checks`` every prerequisite that applies."""

    ready: bool
    problems: tuple[ErrorDetail, ...]
    checks: tuple[PrerequisiteView, ...]

    @classmethod
    def of(cls, assessments: tuple[Assessment, ...]) -> PrerequisitesView:
        problems = blocking(assessments)
        return cls(
            ready=not problems,
            problems=tuple(detail_of(p) for p in problems),
            checks=tuple(PrerequisiteView.of(a) for a in assessments),
        )


class FindingView(View, frozen=True):
    check: str
    verdict: Literal["ok", "warning", "failed", "unknown"]
    expected: str
    seen: str
    fix: str


class PreferenceView(View, frozen=True):
    application: str
    preference: str
    value: str


class DoctorView(View, frozen=True):
    """``doctor``: the company checked against the fidelity ledger by reading, and rule C5's
    prerequisites as they stand; ``healthy`` when nothing failed or blocks."""

    connection: str
    checked_at: datetime
    healthy: bool
    company_id: str
    entity: str
    session_timestamp: str
    zone: str
    subscriptions: tuple[str, ...]
    preferences: tuple[PreferenceView, ...]
    findings: tuple[FindingView, ...]
    prerequisites: tuple[PrerequisiteView, ...]

    @classmethod
    def of(cls, report: DoctorReport) -> DoctorView:
        found = report.diagnosis
        return cls(
            connection=report.connection,
            checked_at=report.checked_at,
            healthy=report.healthy,
            company_id=found.company_id,
            entity=found.entity,
            session_timestamp=found.session_timestamp,
            zone=found.zone,
            subscriptions=found.subscriptions,
            preferences=tuple(
                PreferenceView(application=a, preference=p, value=v)
                for a, p, v in found.preferences
            ),
            findings=tuple(
                FindingView(
                    check=f.check,
                    verdict=f.verdict.value,
                    expected=f.expected,
                    seen=f.seen,
                    fix=f.fix,
                )
                for f in found.findings
            ),
            prerequisites=tuple(PrerequisiteView.of(a) for a in report.prerequisites),
        )


class AcknowledgementView(View, frozen=True):
    prerequisite: str
    at: datetime


class AcknowledgementsView(View, frozen=True):
    """Rule C5: the prerequisites the user acknowledged, each with when."""

    acknowledged: tuple[AcknowledgementView, ...]

    @classmethod
    def of(cls, found: tuple[Acknowledgement, ...]) -> AcknowledgementsView:
        return cls(
            acknowledged=tuple(
                AcknowledgementView(prerequisite=a.prerequisite.value, at=a.at) for a in found
            )
        )


# --- onboarding (O1-O5) ---------------------------------------------------------------------------


class DecisionView(View, frozen=True):
    kind: Literal["auto_match", "match", "archive", "create"]
    intacct_key: str | None = None
    role: str | None = None


class CandidateView(View, frozen=True):
    released_id: str
    label: str
    group: str
    archived: bool
    decision: DecisionView | None


class TargetView(View, frozen=True):
    intacct_key: str
    label: str
    group: str
    held_by: str | None
    """The Re-Leased record matched to it (rule O4), if any."""


class StepView(View, frozen=True):
    step: str
    title: str
    continued: bool
    candidates: tuple[CandidateView, ...]
    targets: tuple[TargetView, ...]


class OnboardingView(View, frozen=True):
    steps: tuple[StepView, ...]

    @classmethod
    def of(cls, onboarding: Onboarding) -> OnboardingView:
        return cls(steps=tuple(_step(state) for state in onboarding.steps))


def _step(state: StepState) -> StepView:
    return StepView(
        step=state.step.value,
        title=state.step.title,
        continued=state.continued,
        candidates=tuple(
            _candidate(c, state.decisions.get(c.released_id)) for c in state.candidates
        ),
        targets=tuple(_target(t, state) for t in state.targets),
    )


def _candidate(candidate: Candidate, decision: Decision | None) -> CandidateView:
    return CandidateView(
        released_id=candidate.released_id,
        label=candidate.label,
        group=candidate.group,
        archived=candidate.archived,
        decision=None if decision is None else _decision(decision),
    )


def _decision(decision: Decision) -> DecisionView:
    if isinstance(decision, Match):
        kind: Literal["auto_match", "match"] = "auto_match" if decision.auto else "match"
        return DecisionView(kind=kind, intacct_key=decision.intacct_key)
    if isinstance(decision, Archive):
        return DecisionView(kind="archive")
    created: CreateAs = decision
    return DecisionView(kind="create", role=created.role.value)


def _target(target: Target, state: StepState) -> TargetView:
    return TargetView(
        intacct_key=target.intacct_key,
        label=target.label,
        group=target.group,
        held_by=state.holder(target.intacct_key),
    )
