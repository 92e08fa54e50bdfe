"""The read-only checks ``doctor`` makes, one function per area of the fidelity ledger (see
``doctor``): each reads through ``Reads`` and answers ``Finding`` values, never a failure (what
cannot be read is itself a finding)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Final

from returns.pipeline import is_successful

from released_intacct.adapters.intacct import query as q
from released_intacct.adapters.intacct.classify import AUDIT_PERMISSION_FIX
from released_intacct.adapters.intacct.convert.fields import Row, as_stamp
from released_intacct.adapters.intacct.convert.writing import KEY_FIELDS
from released_intacct.adapters.intacct.reads import Reads
from released_intacct.adapters.intacct.response import rows
from released_intacct.domain.diagnosis import Finding, Verdict
from released_intacct.domain.enums import RecordType

__all__ = ["audit", "key_fields", "lines", "newest_change", "payment_kinds"]

_LEEWAY: Final = timedelta(minutes=5)
_KEYED: Final = (
    ("CUSTOMER", RecordType.CONTACT), ("VENDOR", RecordType.CONTACT),
    ("ARINVOICE", RecordType.INVOICE), ("APBILL", RecordType.INVOICE),
    ("ARADJUSTMENT", RecordType.CREDIT_NOTE), ("APADJUSTMENT", RecordType.CREDIT_NOTE),
    ("ARPYMT", RecordType.PAYMENT), ("APPYMT", RecordType.PAYMENT),
)  # fmt: skip
_KEYED_ORDERS: Final = (("SO", "SODOCUMENT"), ("PO", "PODOCUMENT"))
_NO_KEY: Final = "ri-doctor-finds-nothing"
"""A key no create ever has (a real one is ``ri-`` and 32 hex digits)."""
_NEWEST: Final = ("GLACCOUNT", "CUSTOMER", "VENDOR", "ARINVOICE", "APBILL", "ARPYMT")
_KNOWN_TYPES: Final = frozenset({"rp", "rr", "ro", "pp", "pr"})
_KNOWN_STATES: Final = frozenset(
    {"draft", "d", "complete", "completed", "c", "posted", "confirmed", "reconciled", "reversed",
     "reversal", "voided", "v", "submitted", "s", "approved", "a"}
)  # fmt: skip


async def newest_change(reads: Reads, zone: tzinfo, now: datetime | None) -> Finding:
    """``now``: Intacct's, from the session timestamp (None: it gave none)."""
    expected = "no WHENMODIFIED after Intacct's own 'now' when read in the product's zone"
    if now is None:
        return Finding(check="time.newest_change", verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no session timestamp to compare with")  # fmt: skip
    newest: list[tuple[datetime, str]] = []
    for object_name in _NEWEST:
        select = q.Select(object_name=object_name, fields=("RECORDNO", "WHENMODIFIED"))
        body = q.query(select, page_size=1, order=(("WHENMODIFIED", True),))
        data = await reads.call(body, what=object_name)
        for row in rows(data.unwrap()) if is_successful(data) else ():
            stamp = as_stamp(str(row.get("WHENMODIFIED", "")), zone)
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


async def lines(reads: Reads) -> list[Finding]:
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


async def audit(reads: Reads) -> list[Finding]:
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


async def payment_kinds(reads: Reads) -> Finding:
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


async def key_fields(reads: Reads, subscribed: frozenset[str]) -> Finding:
    """Every object the product creates answers a query on the field its key is written in
    (``writing.KEY_FIELDS``; documents' EXTERNALID is an **inferred** name): the look-up of a
    create whose reply was lost (issue 16, F3). Order Entry / Purchasing documents when subscribed.
    """
    keyed = [(o, KEY_FIELDS[t]) for o, t in _KEYED]
    keyed += [(o, KEY_FIELDS[RecordType.INVOICE]) for app, o in _KEYED_ORDERS if app in subscribed]
    refused: list[str] = []
    for object_name, field in keyed:
        select = q.Select(object_name=object_name, fields=("RECORDNO",), where=q.Eq(field, _NO_KEY))
        read = await reads.call(q.read_by_query(select, page_size=1), what=object_name)
        if not is_successful(read):
            refused.append(f"{object_name}.{field}: {read.failure().message}")
    expected = "each object the product creates is found by the field its key is written in"
    if not refused:
        seen = ", ".join(f"{o}.{f}" for o, f in keyed) + ": queryable"
        return Finding(check="keys.fields", verdict=Verdict.OK, expected=expected, seen=seen)
    return Finding(
        check="keys.fields",
        verdict=Verdict.FAILED,
        expected=expected,
        seen="; ".join(refused),
        fix=(
            "A record of these kinds whose create reply is lost cannot be found by its key: the "
            "sync then stops at it (nothing is created twice) until you answer about it with "
            "`released-intacct resolve`. Tell support the field's name in this company."
        ),
    )
