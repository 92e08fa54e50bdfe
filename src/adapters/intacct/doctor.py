"""``doctor``: read-only checks of a real company against the fidelity ledger (rule 14).

Every check reads; nothing is written. Each names the ledger behaviour it checks:

- ``time.zone``: the session timestamp's offset against the configured zone, if any;
  ``time.newest_change``: the newest WHENMODIFIED of a few objects, read in the product's zone,
  is not after the session's "now" (a later one means the zone is wrong: correction 11).
- ``lines.list_functions``: a ``readByQuery`` of one invoice answers its header only;
  ``lines.line_object``: its lines come from ARINVOICEITEM; ``lines.read``: ``read`` nests them,
  as many (correction 1).
- ``audit.permission``: AUDITHISTORY can be read (the custom-reports permission);
  ``audit.modes``: deletions come with ``query`` by ACCESSMODE ``D`` (how the feed reads them),
  as by ``Delete`` with readByQuery; ``audit.object_keys``: a deleted invoice's OBJECTKEY is a
  record number (correction 4).
- ``payments.kinds``: the RECORDTYPE and STATE values of recent AR payments are ones the reader
  knows (correction 2).
- ``keys.fields``: every object the product creates answers a query on the field the key of a
  create is written in (issue 16, F3; the documents' EXTERNALID is an inferred name).

The company's subscriptions and preferences (every documented application it answers for) come
with the findings, as seen (correction 5).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import doctorchecks as checks
from released_intacct.adapters.intacct.convert import setup as facts
from released_intacct.adapters.intacct.directory import Directory
from released_intacct.adapters.intacct.envelope import Function
from released_intacct.adapters.intacct.reads import result_data
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.domain.diagnosis import Diagnosis, Finding, Verdict
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import EntityId

__all__ = ["Doctor"]

_OPTIONAL = ("ME", "SO", "PO")


class Doctor:
    def __init__(self, directory: Directory) -> None:
        self._directory = directory

    async def diagnose(self, entity: EntityId) -> Result[Diagnosis, SyncError]:
        sessions = self._directory.sessions(entity)
        opened = await sessions.login()
        if not is_successful(opened):
            return Failure(opened.failure())
        company = await self._company(sessions)
        if not is_successful(company):
            return Failure(company.failure())
        subscribed, prefs = company.unwrap()
        zone = await sessions.zone()
        if not is_successful(zone):
            return Failure(zone.failure())
        reads = self._directory.reads(sessions)
        findings = [self._zone(sessions)]
        findings.append(await checks.newest_change(reads, zone.unwrap(), sessions.stamped_at))
        findings += await checks.lines(reads)
        findings += await checks.audit(reads)
        findings.append(await checks.payment_kinds(reads))
        findings.append(await checks.key_fields(reads, subscribed))
        return Success(
            Diagnosis(
                company_id=self._directory.company_id,
                entity=entity,
                session_timestamp=_iso(sessions.stamped_at),
                zone=_zone_words(self._directory.settings.company_tz, zone.unwrap()),
                subscriptions=tuple(sorted(subscribed)),
                preferences=tuple(sorted((a, n, v) for (a, n), v in prefs.items())),
                findings=tuple(findings),
            )
        )

    async def _company(
        self, sessions: Sessions
    ) -> Result[tuple[frozenset[str], dict[tuple[str, str], str]], SyncError]:
        """Subscriptions, then every documented application's preferences it answers for."""
        sent = await sessions.call(
            [Function("apps", facts.applications_request())], unique=False, idempotent=True
        )
        if not is_successful(sent):
            return Failure(sent.failure())
        (answered,) = sent.unwrap().results or (None,)
        apps = result_data(answered, what="get_applications")
        if not is_successful(apps):
            return Failure(apps.failure())
        subscribed = facts.applications(apps.unwrap())
        wanted = [a for a in facts.APPLICATIONS if a not in _OPTIONAL or a in subscribed]
        functions = [Function(f"prefs-{a}", facts.prefs_request(a)) for a in wanted]
        asked = await sessions.call(functions, unique=False, idempotent=True)
        if not is_successful(asked):
            return Failure(asked.failure())
        self._directory.spend(1 + len(wanted))
        prefs: dict[tuple[str, str], str] = {}
        for result in asked.unwrap().results:
            if result.ok and result.data is not None:
                prefs.update(facts.preferences(result.data))
        return Success((subscribed, prefs))

    def _zone(self, sessions: Sessions) -> Finding:
        expected = "the zone WHENMODIFIED is read in has the session timestamp's UTC offset"
        at, offset, configured = (
            sessions.stamped_at,
            sessions.offset,
            self._directory.settings.company_tz,
        )
        if at is None or offset is None:
            seen = "no usable session timestamp (''); timestamps read as UTC"
            return Finding(
                check="time.zone",
                verdict=Verdict.WARNING,
                expected=expected,
                seen=seen,
                fix="Set intacct.company_timezone to the company's IANA time zone.",
            )
        if configured is None:
            seen = f"calibrated from the session timestamp: UTC{_hours(offset)}"
            return Finding(check="time.zone", verdict=Verdict.OK, expected=expected, seen=seen)
        configured_offset = at.astimezone(configured).utcoffset()
        seen = (
            f"configured {configured}: UTC{_hours(configured_offset)}; session UTC{_hours(offset)}"
        )
        same = configured_offset == offset
        return Finding(
            check="time.zone",
            verdict=Verdict.OK if same else Verdict.FAILED,
            expected=expected,
            seen=seen,
            fix=""
            if same
            else "Set intacct.company_timezone to the company's time zone, or "
            "leave it unset to calibrate from the session.",
        )


def _iso(when: datetime | None) -> str:
    return "" if when is None else when.isoformat(timespec="seconds")


def _hours(offset: timedelta | None) -> str:
    if offset is None:
        return "?"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _zone_words(configured: tzinfo | None, zone: tzinfo) -> str:
    return f"configured {configured}" if configured is not None else f"calibrated {zone}"
