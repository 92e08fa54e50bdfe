"""``doctor``'s payment checks over REST (read-only), for what the payments family relies on and
docs/intacct-rest.md marks **inferred** (sections 4.11 and 10):

- ``payments.kinds``: recent AR and AP payments read as the feed reads them (``payments.sample``):
  their ``recordType`` and ``state`` spellings are ones the reader knows (AP ``apPayment``, AR
  ``complete``); a payment the reader cannot place is reported, not synced;
- ``payments.key``: the query service filters payments on ``description``, where a create's key
  lives; without it a payment whose reply was lost cannot be found again by its key;
- ``rest.date_filter``: the candidates of a payment create (``payments.PaymentFamily.candidates``:
  the party's payments whose date ``$eq`` ``YYYY-MM-DD``, then the amount) find the AR and the AP
  payment modified last, through that very look-up; were Intacct to match no date so
  (**inferred**, docs/intacct-rest.md section 10), a payment whose key was lost would have none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from returns.result import Failure, Result

from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.payments import FAMILY, PATHS, sample
from released_intacct.adapters.intacct_rest.query import Filter, Select
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.diagnosis import Finding, Verdict
from released_intacct.domain.enums import Origin, RecordType
from released_intacct.domain.errors import SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.intacct import IntacctPayment
from released_intacct.domain.ports import FeedQuery, Page

__all__ = ["findings"]

_SAMPLE: Final = 100
_PROBE: Final = "doctor-probe-never-a-payment-key"
_DATE: Final = "rest.date_filter"


Samples = Mapping[Origin, Result[Page[IntacctPayment], SyncError]]


async def findings(rest: Rest) -> list[Finding]:
    samples = {origin: await sample(rest, origin, _SAMPLE) for origin in (Origin.AR, Origin.AP)}
    return [_kinds(samples), await _key(rest), await _date_filter(rest, samples)]


def _kinds(samples: Samples) -> Finding:
    expected = "AR and AP payments show recordType and state values the reader knows"
    problems: list[str] = []
    read_any = False
    for read in samples.values():
        if isinstance(read, Failure):
            return Finding(check="payments.kinds", verdict=Verdict.UNKNOWN, expected=expected,
                           seen=read.failure().message)  # fmt: skip
        page = read.unwrap()
        read_any = read_any or bool(page.items or page.problems)
        problems += [
            f"{problem.message} [{problem.cause}]" if problem.cause else problem.message
            for problem in page.problems
        ]
    if not read_any:
        return Finding(check="payments.kinds", verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no payment yet")  # fmt: skip
    if not problems:
        return Finding(check="payments.kinds", verdict=Verdict.OK, expected=expected,
                       seen="every payment read")  # fmt: skip
    return Finding(
        check="payments.kinds",
        verdict=Verdict.WARNING,
        expected=expected,
        seen="; ".join(problems[:3])
        + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""),
        fix="Those payments are reported, not synced: tell support, with this report.",
    )


async def _key(rest: Rest) -> Finding:
    expected = "payments can be queried on description (where a create's key is written)"
    for origin in (Origin.AR, Origin.AP):
        probe = Select(
            object_name=PATHS[origin],
            fields=("description",),
            filters=(Filter(field="description", operator="$eq", value=_PROBE),),
        )
        read = await rest.pages.page(probe, FeedQuery(size=1), feed="doctor")
        if isinstance(read, Failure):
            return Finding(
                check="payments.key",
                verdict=Verdict.WARNING,
                expected=expected,
                seen=f"{PATHS[origin]}: {read.failure().message}",
                fix="A payment whose reply is lost cannot be found again by its key, so the sync "
                "cannot tell whether it was written: tell support, with this report.",
            )
    return Finding(check="payments.key", verdict=Verdict.OK, expected=expected, seen="answered")


async def _date_filter(rest: Rest, samples: Samples) -> Finding:
    expected = (
        "a payment is among the candidates of its own create: its party's payments on its date "
        "($eq YYYY-MM-DD) for its amount"
    )
    asked: list[str] = []
    missed: list[str] = []
    for origin, read in samples.items():
        if isinstance(read, Failure):
            return Finding(check=_DATE, verdict=Verdict.UNKNOWN, expected=expected,
                           seen=read.failure().message)  # fmt: skip
        payment = next((p for p in reversed(read.unwrap().items) if p.party_id), None)
        if payment is None:
            continue
        what = f"{PATHS[origin]} {payment.record_no} of {payment.date.isoformat()}"
        asked.append(what)
        found = await FAMILY.candidates(rest, _as_create(payment))
        if isinstance(found, Failure):
            error: SyncError = found.failure()
            missed.append(f"{what}: {error.message}")
        elif not any(
            isinstance(p, IntacctPayment) and p.record_no == payment.record_no
            for p in found.unwrap()
        ):
            missed.append(f"{what}: not among its candidates")
    if not asked:
        return Finding(check=_DATE, verdict=Verdict.UNKNOWN, expected=expected,
                       seen="no payment of one party yet")  # fmt: skip
    if missed:
        return Finding(
            check=_DATE,
            verdict=Verdict.WARNING,
            expected=expected,
            seen="; ".join(missed),
            fix="A payment whose create reply is lost is still found by the key in its "
            "description; were that key edited away in Intacct, it would not be found by its "
            "date, and could be sent again: tell support, with this report.",
        )
    return Finding(check=_DATE, verdict=Verdict.OK, expected=expected,
                   seen="found: " + "; ".join(asked))  # fmt: skip


def _as_create(payment: IntacctPayment) -> CreateInIntacct:
    """``payment`` as the create that would have written it (what ``candidates`` reads)."""
    return CreateInIntacct(
        key=IdempotencyKey("ri-doctor-finds-by-date"),
        record_type=RecordType.PAYMENT,
        released_id=ReleasedId("doctor"),
        record=payment,
        source_fingerprint="",
    )
