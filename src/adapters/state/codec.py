"""Exact JSON for the domain values the state store keeps.

``msgspec.to_builtins`` / ``msgspec.convert`` handle dataclasses, enums (by value), ``Decimal``
(as a string, so never through a float: ``Decimal("1.10")`` comes back as ``1.10``), dates,
aware datetimes (with their offset), NewTypes and tuples. msgspec refuses unions of several
dataclasses, so the unions are tagged here by class name, ``{"type": "Party", "value": {...}}``,
and the dataclasses that hold one (the write actions, ``StepState``) are built field by field.
Mappings (``RunCounts.by_type``, ``Progress.by_type``, ``StepState.decisions``) are written as
lists of pairs.

Datetimes keep their UTC offset to the minute: msgspec writes offsets in whole minutes (only
historical local mean times had seconds in theirs).

Table columns hold datetimes as UTC ISO text with microseconds (``to_column``): the same instant
(aware datetimes compare equal across offsets) and a text that sorts in time order.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import msgspec

from released_intacct.domain.actions import (
    CreateInIntacct,
    CreateInReleased,
    UpdateInIntacct,
    UpdateInReleased,
    WriteAction,
)
from released_intacct.domain.enums import RecordType
from released_intacct.domain.intacct import (
    DimensionValue,
    GlAccount,
    IntacctPayment,
    IntacctRecord,
    Item,
    Party,
    TaxDetail,
    Transaction,
)
from released_intacct.domain.matching import Archive, CreateAs, Decision, Match
from released_intacct.domain.onboarding import Onboarding, StepState
from released_intacct.domain.ports import Notification
from released_intacct.domain.released import (
    Account,
    Contact,
    Invoice,
    Payment,
    ReleasedRecord,
    TaxType,
    TrackingCategory,
    TrackingOption,
)
from released_intacct.domain.results import (
    Progress,
    RecordCounts,
    RunCounts,
    SyncResult,
    TypeProgress,
)

T = TypeVar("T")

_ACTIONS: dict[str, type[WriteAction]] = {
    cls.__name__: cls
    for cls in (CreateInIntacct, UpdateInIntacct, CreateInReleased, UpdateInReleased)
}
_RECORDS: dict[str, type[IntacctRecord | ReleasedRecord]] = {
    cls.__name__: cls
    for cls in (
        Party,
        GlAccount,
        TaxDetail,
        DimensionValue,
        Item,
        Transaction,
        IntacctPayment,
        Contact,
        Account,
        TaxType,
        TrackingCategory,
        TrackingOption,
        Invoice,
        Payment,
    )
}
_DECISIONS: dict[str, type[Decision]] = {cls.__name__: cls for cls in (Match, Archive, CreateAs)}


# --- JSON documents ------------------------------------------------------------------------------


def encode_action(action: WriteAction) -> str:
    return _dump(_tagged(action, {"record": _tagged(action.record)}))


def decode_action(text: str) -> WriteAction:
    return _untag(msgspec.json.decode(text), _ACTIONS, _record_field)


def encode_record(record: IntacctRecord | ReleasedRecord) -> str:
    return _dump(_tagged(record))


def decode_record(text: str) -> IntacctRecord | ReleasedRecord:
    return _untag(msgspec.json.decode(text), _RECORDS)


def encode_onboarding(onboarding: Onboarding) -> str:
    steps = [_fields(state, {"decisions": _decisions(state)}) for state in onboarding.steps]
    return _dump(_fields(onboarding, {"steps": steps}))


def decode_onboarding(text: str) -> Onboarding:
    data = msgspec.json.decode(text)
    steps = tuple(_build(StepState, step, _decisions_field) for step in data["steps"])
    return _build(Onboarding, data, lambda name, _: steps if name == "steps" else _PLAIN)


def encode_counts(counts: RunCounts) -> str:
    pairs = [[kind.value, msgspec.to_builtins(value)] for kind, value in counts.by_type.items()]
    return _dump(pairs)


def decode_counts(text: str) -> RunCounts:
    pairs = msgspec.json.decode(text)
    return RunCounts(
        by_type={
            RecordType(kind): msgspec.convert(value, RecordCounts, strict=True)
            for kind, value in pairs
        }
    )


def encode_progress(progress: Progress) -> str:
    pairs = [[kind.value, msgspec.to_builtins(value)] for kind, value in progress.by_type.items()]
    return _dump(pairs)


def decode_progress(text: str) -> Progress:
    pairs = msgspec.json.decode(text)
    return Progress(
        by_type={
            RecordType(kind): msgspec.convert(value, TypeProgress, strict=True)
            for kind, value in pairs
        }
    )


def encode_result(result: SyncResult) -> str:
    return _dump(msgspec.to_builtins(result))


def decode_result(text: str) -> SyncResult:
    return msgspec.convert(msgspec.json.decode(text), SyncResult, strict=True)


def encode_notification(notification: Notification) -> str:
    return _dump(msgspec.to_builtins(notification))


def decode_notification(text: str) -> Notification:
    return msgspec.convert(msgspec.json.decode(text), Notification, strict=True)


# --- columns -------------------------------------------------------------------------------------


class Row(Protocol):
    """A stored row by column name: SQLite's ``sqlite3.Row`` or a PostgreSQL ``dict_row``, whose
    moments, dates and JSON are selected as text (``from_column`` reads both forms)."""

    def __getitem__(self, name: str, /) -> Any: ...


def to_column(moment: datetime) -> str:
    """UTC, microseconds always written: sorts as text in time order."""
    if moment.utcoffset() is None:
        msg = f"the state store keeps timezone-aware datetimes only, got {moment!r}"
        raise ValueError(msg)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_column(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- helpers -------------------------------------------------------------------------------------


def _dump(data: object) -> str:
    return msgspec.json.encode(data).decode("utf-8")


def _fields(value: Any, overrides: dict[str, object]) -> dict[str, object]:
    return {
        name: overrides[name] if name in overrides else msgspec.to_builtins(getattr(value, name))
        for name in _names(type(value))
    }


def _names(cls: type) -> tuple[str, ...]:
    """The fields of a dataclass, in order (read once a class)."""
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(field.name for field in dataclasses.fields(cls))
    return names


_NAMES: dict[type, tuple[str, ...]] = {}


def _tagged(value: Any, overrides: dict[str, object] | None = None) -> dict[str, object]:
    return {"type": type(value).__name__, "value": _fields(value, overrides or {})}


def _untag(
    data: Any,
    classes: dict[str, type[T]],
    special: typing.Callable[[str, Any], object] | None = None,
) -> T:
    tag = data["type"]
    if tag not in classes:
        msg = f"unknown tag {tag!r}; expected one of {sorted(classes)}"
        raise msgspec.ValidationError(msg)
    return _build(classes[tag], data["value"], special)


def _build(
    cls: type[T], data: dict[str, Any], special: typing.Callable[[str, Any], object] | None
) -> T:
    """``cls`` from ``data``, each field converted to its declared type; ``special(name, value)``
    returns the field's value instead, or ``_PLAIN`` to convert it as usual."""
    hints = _hints(cls)
    kwargs: dict[str, object] = {}
    for name, raw in data.items():
        built = special(name, raw) if special else _PLAIN
        kwargs[name] = msgspec.convert(raw, hints[name], strict=True) if built is _PLAIN else built
    return cls(**kwargs)


_PLAIN = object()


def _hints(cls: type) -> dict[str, Any]:
    """The declared type of each field of ``cls`` (resolved once a class)."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls)
    return hints


_HINTS: dict[type, dict[str, Any]] = {}


def _record_field(name: str, raw: Any) -> object:
    return _untag(raw, _RECORDS) if name == "record" else _PLAIN


def _decisions(state: StepState) -> list[list[object]]:
    return [[key, _tagged(decision)] for key, decision in state.decisions.items()]


def _decisions_field(name: str, raw: Any) -> object:
    if name != "decisions":
        return _PLAIN
    return {key: _untag(decision, _DECISIONS) for key, decision in raw}
