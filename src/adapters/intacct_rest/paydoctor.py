"""``doctor``'s payment checks over REST (read-only), for what the payments family relies on and
docs/intacct-rest.md marks **inferred** (sections 4.11 and 10):

- ``payments.kinds``: recent AR and AP payments read as the feed reads them (``payments.sample``):
  their ``recordType`` and ``state`` spellings are ones the reader knows (AP ``apPayment``, AR
  ``complete``); a payment the reader cannot place is reported, not synced;
- ``payments.key``: the query service filters payments on ``description``, where a create's key
  lives; without it a payment whose reply was lost cannot be found again by its key.
"""

from __future__ import annotations

from typing import Final

from returns.result import Failure

from released_intacct.adapters.intacct_rest.family import Rest
from released_intacct.adapters.intacct_rest.payments import PATHS, sample
from released_intacct.adapters.intacct_rest.query import Filter, Select
from released_intacct.domain.diagnosis import Finding, Verdict
from released_intacct.domain.enums import Origin
from released_intacct.domain.ports import FeedQuery

__all__ = ["findings"]

_SAMPLE: Final = 100
_PROBE: Final = "doctor-probe-never-a-payment-key"


async def findings(rest: Rest) -> list[Finding]:
    return [await _kinds(rest), await _key(rest)]


async def _kinds(rest: Rest) -> Finding:
    expected = "AR and AP payments show recordType and state values the reader knows"
    problems: list[str] = []
    read_any = False
    for origin in (Origin.AR, Origin.AP):
        read = await sample(rest, origin, _SAMPLE)
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
