"""One bad record is a result, not an outage (rule E1; issue 16, F5).

Planning is pure and done per page: a planner turns a page of records of each side (with their
links and the settings) into actions, mapping each record on the way. A record that makes it raise
(data no rule foresaw, or a bug of ours) would stop the run at that page, and every later run at
the same page. ``planned`` is the one place that keeps it from doing so:

1. the page is planned whole, as always;
2. when that raises, each record of the page is planned alone, to find the ones that raise: each
   of those becomes its own sync result (REJECTED, rule E1, the record named, the exception's
   type and words kept as the cause), and the exception is logged with its traceback
   (``event=record_not_planned``), so a programmer error is never caught silently;
3. the rest of the page is planned together again (a record planned alone could miss a change of
   its counterpart on the other side, rule D20), and the run goes on. Should the rest still raise
   together, none of it can be told apart: each of its records becomes a result the same way and
   nothing of that page is written.

A record refused so is read again when it next changes (its feed's cursor moves on, as for any
record with a result), and the same failure again updates its result's row (E1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final, TypeVar

from released_intacct.adapters.log import logger
from released_intacct.domain.actions import Action, RecordResult
from released_intacct.domain.errors import ErrorKind, RecordRef, Rule, SyncError
from released_intacct.domain.ids import IntacctKey, ReleasedId
from released_intacct.domain.intacct import Deletion, IntacctRecord
from released_intacct.domain.released import ReleasedRecord
from released_intacct.domain.rules.about import record_ref
from released_intacct.domain.rules.ownership import record_noun

__all__ = ["Plan", "planned", "planned_one_side"]

Record = ReleasedRecord | IntacctRecord | Deletion
"""What a feed brings."""
T = TypeVar("T", bound=Record)
R = TypeVar("R", bound=Record)
I = TypeVar("I", bound=Record)  # noqa: E741 - the Intacct side, beside R
Plan = Callable[[Sequence[R], Sequence[I]], Sequence[Action]]
"""A page's planning: the Re-Leased records and the Intacct records of the page to actions."""

_log = logger(__name__)
_CAUSE_CHARS: Final = 300


def planned(plan: Plan[R, I], released: Sequence[R], intacct: Sequence[I]) -> tuple[Action, ...]:
    """The actions of ``plan`` over the page, each record that makes it raise as its result."""
    try:
        return tuple(plan(released, intacct))
    except Exception:  # each record that raises is found, logged and reported below
        _log.warning("page_not_planned", records=len(released) + len(intacct))
    results: list[Action] = []
    bad_r = [r for r in released if _raises(plan, r, [r], (), results)]
    bad_i = [i for i in intacct if _raises(plan, i, (), [i], results)]
    rest_r = [r for r in released if not any(r is bad for bad in bad_r)]
    rest_i = [i for i in intacct if not any(i is bad for bad in bad_i)]
    try:
        return (*results, *plan(rest_r, rest_i))
    except Exception as error:  # logged, and every record of the rest reported
        _log.exception("page_rest_not_planned", records=len(rest_r) + len(rest_i))
        rest: list[Record] = [*rest_r, *rest_i]
        return (*results, *(RecordResult(error=_not_planned(r, error)) for r in rest))


def planned_one_side(
    plan: Callable[[Sequence[T]], Sequence[Action]], records: Sequence[T]
) -> tuple[Action, ...]:
    """``planned`` for a planner of one side's records (accounts, tax details, deletions...)."""
    return planned(lambda page, _: plan(page), records, ())


def _raises(
    plan: Plan[R, I],
    record: Record,
    released: Sequence[R],
    intacct: Sequence[I],
    results: list[Action],
) -> bool:
    """Whether ``record`` planned alone raises; if so its result is added to ``results``."""
    try:
        plan(released, intacct)
    except Exception as error:
        ref = _ref(record)
        _log.exception("record_not_planned", record=ref)
        results.append(RecordResult(error=_not_planned(record, error, ref=ref)))
        return True
    return False


def _not_planned(
    record: Record,
    error: Exception,
    *,
    ref: RecordRef | None = None,
) -> SyncError:
    ref = ref or _ref(record)
    source = "Sage Intacct" if isinstance(record, IntacctRecord | Deletion) else "Re-Leased"
    label = f" {ref.label}" if ref.label else ""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.E1,
        message=(
            f"The {source} {record_noun(ref.record_type)}{label} could not be synced: the sync "
            f"met an error it does not handle while working on it ({type(error).__name__}). "
            "The rest of the sync went on."
        ),
        fix=(
            "Check the record for unusual values and correct it; it is tried again when it next "
            "changes. If it looks right, contact support with this result."
        ),
        record=ref,
        cause=_cause(error),
    )


def _ref(record: Record) -> RecordRef:
    """The record's reference, its text fields plain ``str`` (whatever the record holds, the
    result that names it must be storable)."""
    ref = record_ref(record)
    released_id, intacct_key = _plain(ref.released_id), _plain(ref.intacct_key)
    return RecordRef(
        record_type=ref.record_type,
        direction=ref.direction,
        released_id=ReleasedId(released_id) if released_id else None,
        intacct_key=IntacctKey(intacct_key) if intacct_key else None,
        label=_plain(ref.label),
    )


def _plain(value: object) -> str:
    return str.__str__(value)[:200] if isinstance(value, str) else ""


def _cause(error: Exception) -> str:
    """The exception's type and words for support (its words may fail to show: then its type)."""
    try:
        words = str(error)
    except Exception:  # the cause is a courtesy; its type is enough
        words = ""
    return f"{type(error).__name__}: {words}"[:_CAUSE_CHARS]
