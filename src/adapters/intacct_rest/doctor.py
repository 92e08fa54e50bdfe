"""``doctor`` over REST: read-only checks of what the REST adapter relies on, most of them facts
docs/intacct-rest.md marks **inferred** (its section 13), each a ``Finding``:

- ``time.zone``: REST timestamps are UTC (an account's ``audit.modifiedDateTime`` carries its
  zone), so no company zone is calibrated;
- ``feeds.cursor``: every master-data feed's object takes the ``audit.modifiedDateTime`` filter
  (shown for GL accounts only; **inferred** for the others, docs/intacct-rest.md section 5);
- ``contacts.key``: customers can be queried on ``contacts.default.id``, where a create's key
  lives (section 10); without it a created party cannot be found again;
- ``lines.read``: a bill read by its key shows its owned ``lines``;
- ``audit.permission`` and ``audit.modes``: the audit history can be read, and which
  ``actionPerformed`` values it shows (a deletion's spelling, ``delete``, is inferred);
- ``payments.kinds``, ``payments.key``, ``rest.date_filter``: the payments the reader can place,
  the field their key lives in, and their candidates' date filter (``paydoctor``);
- ``rest.entity_header``, ``rest.composite_entity``: no entity header reads the top level, and
  a composite's sub-request reads at the entity its own header names (``entitydoctor``);
- ``rest.document_find``, ``rest.dimension_ids``, ``rest.module_key``: recent AR invoices and AP
  bills are each found once by the look-up of a create whose reply was lost, recent documents'
  lines name dimension values by their ids, and the AR / AP records OE / PO documents posted
  show a ``moduleKey`` the AR / AP feed leaves to the OE / PO feed (``docdoctor``);
- ``rest.states``: the states recent documents and payments show are ones the readers know
  (``statedoctor``).
"""

from __future__ import annotations

from typing import Final

from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct_rest import docdoctor, entitydoctor, paydoctor, statedoctor
from released_intacct.adapters.intacct_rest.directory import RestAt
from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.feeds import (
    ACCOUNT_PATH,
    AUDIT_PATH,
    DELETED,
    DIMENSION_PATHS,
)
from released_intacct.adapters.intacct_rest.parties import KEY_FIELD, PARTY_PATHS
from released_intacct.adapters.intacct_rest.query import Filter, Row, Select, field, stamp
from released_intacct.domain.diagnosis import Diagnosis, Finding, Verdict
from released_intacct.domain.enums import ContactRole
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import FeedQuery

__all__ = ["diagnose"]

_PROBE: Final = "doctor-probe-never-a-contact"
_TELL: Final = "The REST API does not do as the product relies on: tell support, with this report."


async def _rows(rest: Rest, select: Select, size: int) -> Result[tuple[Row, ...], SyncError]:
    page = await rest.pages.page(select, FeedQuery(size=size), feed="doctor")
    return page.map(lambda read: read.items)


async def diagnose(
    rest_at: RestAt, company_id: str, entity: EntityId
) -> Result[Diagnosis, SyncError]:
    rest = rest_at(entity or None)
    findings = [
        await _zone(rest),
        await _cursor(rest),
        await _contacts_key(rest),
        await _lines(rest),
        *await _audit(rest),
        *await paydoctor.findings(rest),
        *await docdoctor.findings(rest),
        *await statedoctor.findings(rest),
        *await entitydoctor.findings(rest_at, entity),
    ]
    return Success(
        Diagnosis(
            company_id=company_id,
            entity=entity,
            session_timestamp=rest.clock.now().isoformat(timespec="seconds"),
            zone="UTC: REST timestamps are UTC (no company zone to calibrate)",
            subscriptions=(),
            preferences=(),
            findings=tuple(findings),
        )
    )


async def _zone(rest: Rest) -> Finding:
    expected = "audit.modifiedDateTime is a UTC timestamp (2024-09-24T14:18:20Z)"
    read = await _rows(rest, Select(object_name="general-ledger/account", fields=("id",)), 1)
    if isinstance(read, Failure):
        return Finding(check="time.zone", verdict=Verdict.FAILED, expected=expected,
                       seen=read.failure().message, fix=_TELL)  # fmt: skip
    if not read.unwrap():
        return Finding(check="time.zone", verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no GL account yet")  # fmt: skip
    raw = field(read.unwrap()[0], "audit.modifiedDateTime")
    fine = stamp(raw) is not None
    return Finding(check="time.zone", verdict=Verdict.OK if fine else Verdict.FAILED,
                   expected=expected, seen=repr(raw), fix="" if fine else _TELL)  # fmt: skip


async def _cursor(rest: Rest) -> Finding:
    objects = sorted({ACCOUNT_PATH, *DIMENSION_PATHS.values()})
    expected = "every feed's object can be filtered on audit.modifiedDateTime"
    since = FeedQuery(since=rest.clock.now(), size=1)
    refused: list[str] = []
    for name in objects:
        read = await rest.pages.page(Select(object_name=name, fields=("id",)), since, feed="doctor")
        if isinstance(read, Failure):
            refused.append(f"{name} ({read.failure().message})")
    if refused:
        return Finding(check="feeds.cursor", verdict=Verdict.FAILED, expected=expected,
                       seen="refused: " + "; ".join(refused), fix=_TELL)  # fmt: skip
    seen = f"{len(objects)} objects filtered: {', '.join(objects)}"
    return Finding(check="feeds.cursor", verdict=Verdict.OK, expected=expected, seen=seen)


async def _contacts_key(rest: Rest) -> Finding:
    expected = f"customers can be queried on {KEY_FIELD} (where a create's key is written)"
    probe = Filter(field=KEY_FIELD, operator="$eq", value=_PROBE)
    select = Select(object_name=PARTY_PATHS[ContactRole.CUSTOMER], fields=("id",), filters=(probe,))
    read = await _rows(rest, select, 1)
    if isinstance(read, Failure):
        return Finding(check="contacts.key", verdict=Verdict.FAILED, expected=expected,
                       seen=read.failure().message,
                       fix="Customers and vendors created over REST could not be found again: "
                       'use intacct.api = "xml" and tell support.')  # fmt: skip
    return Finding(check="contacts.key", verdict=Verdict.OK, expected=expected, seen="queried")


async def _lines(rest: Rest) -> Finding:
    expected = "a bill read by its key shows its owned lines"
    read = await _rows(rest, Select(object_name="accounts-payable/bill", fields=("id",)), 1)
    if isinstance(read, Failure) or not read.unwrap():
        seen = read.failure().message if isinstance(read, Failure) else "no bill yet"
        return Finding(check="lines.read", verdict=Verdict.UNKNOWN, expected=expected, seen=seen)
    key = field(read.unwrap()[0], "key")
    got = await rest.transport.request("GET", f"/objects/accounts-payable/bill/{key}")
    if isinstance(got, Failure):
        return Finding(check="lines.read", verdict=Verdict.UNKNOWN, expected=expected,
                       seen=got.failure().message)  # fmt: skip
    result = got.unwrap().envelope.result
    shown = isinstance(result, dict) and isinstance(result.get("lines"), list)
    return Finding(check="lines.read", verdict=Verdict.OK if shown else Verdict.FAILED,
                   expected=expected, seen=f"bill {key}: lines {'shown' if shown else 'absent'}",
                   fix="" if shown else _TELL)  # fmt: skip


async def _audit(rest: Rest) -> list[Finding]:
    fields = ("changeDetails.objectName", "changeSource.actionPerformed")
    select = Select(object_name=AUDIT_PATH, fields=fields, cursor="changeSource.accessDateTime")
    read = await _rows(rest, select, 100)
    if isinstance(read, Failure):
        return [Finding(check="audit.permission", verdict=Verdict.FAILED,
                        expected=f"{AUDIT_PATH} can be read", seen=read.failure().message,
                        fix="Give the Web Services user the audit-trail permission (the View "
                        "permission for custom reports), then run doctor again.")]  # fmt: skip
    actions = sorted({str(field(row, "changeSource.actionPerformed")) for row in read.unwrap()})
    expected = f"a deletion's changeSource.actionPerformed is {DELETED!r} (inferred)"
    seen = f"actions in the trail: {', '.join(actions) or 'none'}"
    mode = Verdict.OK if DELETED in actions else Verdict.UNKNOWN
    return [
        Finding(check="audit.permission", verdict=Verdict.OK,
                expected=f"{AUDIT_PATH} can be read", seen="read"),
        Finding(check="audit.modes", verdict=mode, expected=expected, seen=seen),
    ]  # fmt: skip
