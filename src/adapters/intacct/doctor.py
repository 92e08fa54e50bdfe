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

The company's subscriptions and preferences (every documented application it answers for) come
with the findings, as seen (correction 5).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Final

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.classify import AUDIT_PERMISSION_FIX, function_error
from released_intacct.adapters.intacct.convert import setup as facts
from released_intacct.adapters.intacct.convert.fields import STAMP, Row
from released_intacct.adapters.intacct.envelope import Function
from released_intacct.adapters.intacct.reads import Reads
from released_intacct.adapters.intacct.response import rows
from released_intacct.adapters.intacct.session import Sessions
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.adapters.intacct.transport import Gateway
from released_intacct.domain.diagnosis import Diagnosis, Finding, Verdict
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import IntacctCredentials

__all__ = ["Doctor"]

_LEEWAY: Final = timedelta(minutes=5)
_NEWEST: Final = ("GLACCOUNT", "CUSTOMER", "VENDOR", "ARINVOICE", "APBILL", "ARPYMT")
_KNOWN_TYPES: Final = frozenset({"rp", "rr", "ro", "pp", "pr"})
_KNOWN_STATES: Final = frozenset(
    {"draft", "d", "complete", "completed", "c", "posted", "confirmed", "reconciled", "reversed",
     "reversal", "voided", "v", "submitted", "s", "approved", "a"}
)  # fmt: skip
_OPTIONAL = ("ME", "SO", "PO")


class Doctor:
    def __init__(
        self,
        gateway: Gateway,
        credentials: IntacctCredentials,
        settings: ClientSettings,
        *,
        spend: Callable[[int], None],
    ) -> None:
        self._gateway = gateway
        self._credentials = credentials
        self._settings = settings
        self._spend = spend

    async def diagnose(self, entity: EntityId) -> Result[Diagnosis, SyncError]:
        sessions = Sessions(self._gateway, self._credentials, self._settings, entity=entity)
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
        reads = Reads(sessions, self._settings, spend=self._spend)
        findings = [self._zone(sessions)]
        findings.append(await _newest(reads, zone.unwrap(), sessions.timestamp))
        findings += await _lines(reads)
        findings += await _audit(reads)
        findings.append(await _payments(reads))
        return Success(
            Diagnosis(
                company_id=self._credentials.company_id,
                entity=entity,
                session_timestamp=sessions.timestamp,
                zone=_zone_words(self._settings.company_tz, zone.unwrap()),
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
        (apps,) = sent.unwrap().results or (None,)
        if apps is None or not apps.ok or apps.data is None:
            return Failure(function_error(apps, record=None)) if apps else Failure(_silent())
        subscribed = facts.applications(apps.data)
        wanted = [a for a in facts.APPLICATIONS if a not in _OPTIONAL or a in subscribed]
        functions = [Function(f"prefs-{a}", facts.prefs_request(a)) for a in wanted]
        asked = await sessions.call(functions, unique=False, idempotent=True)
        if not is_successful(asked):
            return Failure(asked.failure())
        self._spend(1 + len(wanted))
        prefs: dict[tuple[str, str], str] = {}
        for result in asked.unwrap().results:
            if result.ok and result.data is not None:
                prefs.update(facts.preferences(result.data))
        return Success((subscribed, prefs))

    def _zone(self, sessions: Sessions) -> Finding:
        expected = "the zone WHENMODIFIED is read in has the session timestamp's UTC offset"
        offset, configured = sessions.offset, self._settings.company_tz
        if offset is None:
            seen = f"no usable session timestamp ({sessions.timestamp!r}); timestamps read as UTC"
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
        at = datetime.fromisoformat(sessions.timestamp)
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


async def _newest(reads: Reads, zone: tzinfo, timestamp: str) -> Finding:
    expected = "no WHENMODIFIED after Intacct's own 'now' when read in the product's zone"
    try:
        now = datetime.fromisoformat(timestamp)
    except ValueError:
        return Finding(check="time.newest_change", verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no session timestamp to compare with")  # fmt: skip
    newest: list[tuple[datetime, str]] = []
    for object_name in _NEWEST:
        select = q.Select(object_name=object_name, fields=("RECORDNO", "WHENMODIFIED"))
        body = q.query(select, page_size=1, order=(("WHENMODIFIED", True),))
        data = await reads.call(body, what=object_name)
        for row in rows(data.unwrap()) if is_successful(data) else ():
            stamp = _stamp(row, zone)
            if stamp is not None:
                newest.append((stamp, f"{object_name} {row.get('RECORDNO', '')}"))
    if not newest:
        return Finding(check="time.newest_change", verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no record with a WHENMODIFIED")  # fmt: skip
    when, which = max(newest)
    ahead = when - now
    seen = f"newest: {which} at {when.isoformat()}; Intacct's now {now.isoformat()}"
    if ahead <= _LEEWAY:
        return Finding(check="time.newest_change", verdict=Verdict.OK, expected=expected, seen=seen)
    return Finding(
        check="time.newest_change",
        verdict=Verdict.FAILED,
        expected=expected,
        seen=f"{seen}: {ahead} in the future",
        fix="The zone is wrong: set intacct.company_timezone to the company's time zone.",
    )


async def _lines(reads: Reads) -> list[Finding]:
    listed = await reads.call(
        q.read_by_query(q.Select(object_name="ARINVOICE"), page_size=1), what="ARINVOICE"
    )
    first = rows(listed.unwrap())[:1] if is_successful(listed) else []
    if not first:
        seen = "no invoice to check" if is_successful(listed) else str(listed.failure())
        checks = ("lines.list_functions", "lines.line_object", "lines.read")
        expected = "an invoice's lines come from its line object and read, not a list function"
        return [
            Finding(check=check, verdict=Verdict.UNKNOWN, expected=expected, seen=seen)
            for check in checks
        ]
    header = first[0]
    key = str(header.get("RECORDNO", ""))
    carried = "ARINVOICEITEMS" in header
    findings = [
        Finding(
            check="lines.list_functions",
            verdict=Verdict.WARNING if carried else Verdict.OK,
            expected="readByQuery answers an invoice's header only (its lines are read apart)",
            seen=f"ARINVOICE {key}: " + ("lines came with the header" if carried else "header"),
        )
    ]
    select = q.Select(object_name="ARINVOICEITEM", where=q.Eq("RECORDKEY", key))
    items = await reads.call(q.read_by_query(select, page_size=1000), what="ARINVOICEITEM")
    counted = len(rows(items.unwrap())) if is_successful(items) else None
    findings.append(
        Finding(
            check="lines.line_object",
            verdict=Verdict.OK if counted is not None else Verdict.WARNING,
            expected="ARINVOICEITEM answers an invoice's lines by RECORDKEY",
            seen=f"{counted} line(s)" if counted is not None else str(items.failure()),
            fix="" if counted is not None else "Nothing to do: lines are read with read instead.",
        )
    )
    whole = await reads.call(q.read("ARINVOICE", [key]), what="ARINVOICE")
    nested = _nested(rows(whole.unwrap())) if is_successful(whole) else None
    agree = nested is not None and (counted is None or nested == counted)
    findings.append(
        Finding(
            check="lines.read",
            verdict=Verdict.OK if agree else Verdict.FAILED,
            expected="read nests the invoice's lines (ARINVOICEITEMS), as many as the line object",
            seen=f"{nested} nested line(s)" if nested is not None else str(whole.failure()),
            fix="" if agree else "Report to support: lines cannot be read as documented.",
        )
    )
    return findings


def _nested(found: Sequence[Row]) -> int | None:
    if not found:
        return None
    holder = next((v for k, v in found[0].items() if k.upper() == "ARINVOICEITEMS"), None)
    if isinstance(holder, list):
        return len(holder)
    if isinstance(holder, dict):
        return sum(len(v) if isinstance(v, list) else 1 for v in holder.values())
    return 0


async def _audit(reads: Reads) -> list[Finding]:
    """The trail can be read; deletions come by the letter ``D`` with ``query`` (how the feed
    reads them) as by the word ``Delete`` with readByQuery; an invoice's OBJECTKEY is a number."""
    fields = ("OBJECTTYPE", "OBJECTKEY", "ACCESSMODE", "ACCESSTIME")
    by_letter = q.Select(object_name="AUDITHISTORY", fields=fields, where=q.Eq("ACCESSMODE", "D"))
    newest = (("ACCESSTIME", True),)
    lettered = await reads.call(q.query(by_letter, page_size=20, order=newest), what="AUDITHISTORY")
    if not is_successful(lettered):
        return [Finding(check="audit.permission", verdict=Verdict.FAILED,
                        expected="AUDITHISTORY can be read (View permission for custom reports)",
                        seen=lettered.failure().message, fix=AUDIT_PERMISSION_FIX)]  # fmt: skip
    by_word = q.Select(
        object_name="AUDITHISTORY", fields=fields, where=q.Eq("ACCESSMODE", "Delete")
    )
    worded = await reads.call(q.read_by_query(by_word, page_size=20), what="AUDITHISTORY")
    letters = rows(lettered.unwrap())
    words = rows(worded.unwrap()) if is_successful(worded) else []
    return [
        Finding(check="audit.permission", verdict=Verdict.OK,
                expected="AUDITHISTORY can be read", seen="read"),
        _modes(len(letters), len(words)),
        _object_keys(letters),
    ]  # fmt: skip


def _modes(letters: int, words: int) -> Finding:
    expected = "deletions come with query by ACCESSMODE 'D' (readByQuery: 'Delete')"
    seen = f"query, ACCESSMODE 'D': {letters} recent; readByQuery, 'Delete': {words} recent"
    if letters:
        return Finding(check="audit.modes", verdict=Verdict.OK, expected=expected, seen=seen)
    if words:
        return Finding(
            check="audit.modes",
            verdict=Verdict.FAILED,
            expected=expected,
            seen=seen,
            fix="Deletions in Intacct would not be seen: tell support, with this report.",
        )
    return Finding(check="audit.modes", verdict=Verdict.UNKNOWN, expected=expected,
                   seen=f"{seen}: no deletion in the trail yet")  # fmt: skip


def _object_keys(deletions: Sequence[Row]) -> Finding:
    expected = "a deleted invoice's or bill's OBJECTKEY is its RECORDNO"
    keys = [r for r in deletions if str(r.get("OBJECTTYPE", "")).lower() in ("arinvoice", "apbill")]
    if not keys:
        return Finding(check="audit.object_keys", verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no deleted invoice or bill in the trail yet")  # fmt: skip
    numbered = all(str(r.get("OBJECTKEY", "")).isdigit() for r in keys)
    return Finding(
        check="audit.object_keys",
        verdict=Verdict.OK if numbered else Verdict.FAILED,
        expected=expected,
        seen=", ".join(f"{r.get('OBJECTTYPE')} {r.get('OBJECTKEY')}" for r in keys[:5]),
        fix="" if numbered else "Deleted invoices could not be matched: tell support.",
    )


async def _payments(reads: Reads) -> Finding:
    select = q.Select(object_name="ARPYMT", fields=("RECORDNO", "RECORDTYPE", "STATE"))
    read = await reads.call(q.read_by_query(select, page_size=100), what="ARPYMT")
    expected = "AR payments show RECORDTYPE rp / rr / ro and the documented STATE values"
    if not is_successful(read):
        return Finding(check="payments.kinds", verdict=Verdict.UNKNOWN, expected=expected,
                       seen=str(read.failure()))  # fmt: skip
    found = rows(read.unwrap())
    types = sorted({str(r.get("RECORDTYPE", "")) for r in found})
    states = sorted({str(r.get("STATE", "")) for r in found})
    unknown = [t for t in types if t.lower() not in _KNOWN_TYPES]
    unknown += [s for s in states if s.lower() not in _KNOWN_STATES]
    seen = f"RECORDTYPE {', '.join(types) or 'none'}; STATE {', '.join(states) or 'none'}"
    if not found:
        return Finding(check="payments.kinds", verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no AR payment yet")  # fmt: skip
    return Finding(
        check="payments.kinds",
        verdict=Verdict.WARNING if unknown else Verdict.OK,
        expected=expected,
        seen=seen,
        fix=f"Payments of {', '.join(unknown)} are reported, not synced: tell support."
        if unknown
        else "",
    )


def _stamp(row: Row, zone: tzinfo) -> datetime | None:
    try:
        naive = datetime.strptime(str(row.get("WHENMODIFIED", "")), STAMP)  # noqa: DTZ007
    except ValueError:
        return None
    return naive.replace(tzinfo=zone)


def _hours(offset: timedelta | None) -> str:
    if offset is None:
        return "?"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _zone_words(configured: tzinfo | None, zone: tzinfo) -> str:
    return f"configured {configured}" if configured is not None else f"calibrated {zone}"


def _silent() -> SyncError:
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message="Sage Intacct answered get_applications with no result.",
        fix="Run doctor again.",
    )
