"""Onboarding decisions taken from a file (rule O3), for a non-interactive onboarding.

The file is TOML; a table per matching step (``tax_types``, ``accounts``, ``tracking_options``,
``contacts``) maps a Re-Leased id to what to do with it, and ``[unresolved]`` says what to do with
every item left over after auto-matching and the file's own decisions::

    [accounts]
    "acc-legacy" = { match = "4000" }      # match to the Intacct record with this key
    "acc-old"    = "archive"               # archive it in Re-Leased

    [contacts]
    "con-greenleaf" = { create = "customer" }   # contacts only: create in Intacct

    [unresolved]
    action = "archive"                     # or "fail" (the default): stop and name the item

    [prerequisites]                        # rule C5: checked in Intacct, which cannot report them
    acknowledge = ["customer_sequencing", "vendor_sequencing", "account_labels_off"]

``apply_decisions(workflow, id, decisions)`` first records the acknowledged prerequisites (C5),
then walks the steps in order (O5): each item auto-match
left unresolved takes its decision (the file's, else the ``[unresolved]`` action), then the step
is continued. A decision naming a record the step does not hold, an unknown action, or an item no
decision covers stops it with an error naming the step, the record and the fix; the decisions
already stored stay (they are the user's, and taking the same decisions again is harmless).

Decided: the file's decisions are for unresolved items only; an auto-match is kept even when the
file names the record (O2 is exact; a person wanting otherwise matches by hand).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from os import PathLike
from pathlib import Path
from typing import Any

from returns.pipeline import is_successful
from returns.result import Failure, Result, Success

from released_intacct.app import tomlfile
from released_intacct.app.connection import ConnectionWorkflow
from released_intacct.app.preconditions import refusal
from released_intacct.domain import matching
from released_intacct.domain.enums import ContactRole, Prerequisite
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IntacctKey, ReleasedId
from released_intacct.domain.matching import Candidate, Step
from released_intacct.domain.onboarding import Onboarding, unresolved

__all__ = [
    "Archive",
    "CreateAs",
    "Decision",
    "Decisions",
    "DecisionsError",
    "Leftover",
    "MatchTo",
    "OnDecision",
    "Tally",
    "apply_decisions",
    "decisions_from_mapping",
    "decisions_from_toml",
    "describe",
]


class DecisionsError(ValueError):
    """The decisions file cannot be used; ``problems`` names each key and why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid decisions:\n" + "\n".join(f"- {p}" for p in self.problems))


@dataclass(frozen=True, slots=True)
class MatchTo:
    intacct_key: IntacctKey


@dataclass(frozen=True, slots=True)
class Archive:
    pass


@dataclass(frozen=True, slots=True)
class CreateAs:
    role: ContactRole


Decision = MatchTo | Archive | CreateAs


def describe(decision: Decision) -> str:
    """The decision in words: ``match 4000``, ``create as customer``, ``archive``."""
    match decision:
        case MatchTo(key):
            return f"match {key}"
        case CreateAs(role):
            return f"create as {role.value}"
        case Archive():
            return "archive"


class Leftover(Enum):
    """What to do with an item no decision names."""

    FAIL = "fail"
    ARCHIVE = "archive"


@dataclass(frozen=True, slots=True, kw_only=True)
class Decisions:
    by_step: Mapping[Step, Mapping[ReleasedId, Decision]] = field(default_factory=dict)
    unresolved: Leftover = Leftover.FAIL
    acknowledge: tuple[Prerequisite, ...] = ()
    """Rule C5: prerequisites the user checked in Intacct."""

    def of(self, step: Step, released_id: ReleasedId) -> Decision | None:
        decided = self.by_step.get(step, {}).get(released_id)
        if decided is None and self.unresolved is Leftover.ARCHIVE:
            return Archive()
        return decided


@dataclass(frozen=True, slots=True, kw_only=True)
class Tally:
    """What the file's decisions did, per kind."""

    matched: int = 0
    archived: int = 0
    created: int = 0


def decisions_from_toml(path: str | PathLike[str]) -> Decisions:
    where = Path(path)
    document = tomlfile.load(where, "decisions", DecisionsError)
    return decisions_from_mapping(document, where=str(where))


def decisions_from_mapping(document: Mapping[str, Any], *, where: str = "decisions") -> Decisions:
    """Decisions from parsed TOML (or JSON); every problem is collected, named by its key."""
    problems: list[str] = []
    steps = {step.value: step for step in Step}
    by_step: dict[Step, dict[ReleasedId, Decision]] = {}
    leftover = Leftover.FAIL
    acknowledge: tuple[Prerequisite, ...] = ()
    for name, table in document.items():
        if name == "unresolved":
            leftover = _leftover(table, f"{where}: unresolved", problems)
        elif name == "prerequisites":
            acknowledge = _acknowledged(table, f"{where}: prerequisites", problems)
        elif name in steps and isinstance(table, dict):
            by_step[steps[name]] = _step(steps[name], table, f"{where}: {name}", problems)
        else:
            known = ", ".join([*steps, "unresolved", "prerequisites"])
            problems.append(f"{where}: {name} is not a table of decisions; known: {known}")
    if problems:
        raise DecisionsError(problems)
    return Decisions(by_step=by_step, unresolved=leftover, acknowledge=acknowledge)


def _acknowledged(table: object, at: str, problems: list[str]) -> tuple[Prerequisite, ...]:
    names = table.get("acknowledge") if isinstance(table, dict) else None
    known = {p.value: p for p in Prerequisite}
    usage = f"{at}.acknowledge must be a list of {', '.join(known)}"
    if not isinstance(table, dict) or set(table) - {"acknowledge"} or not isinstance(names, list):
        problems.append(f"{usage}; got {table!r}")
        return ()
    wrong = [name for name in names if not isinstance(name, str) or name not in known]
    if wrong:
        problems.append(f"{usage}; got {', '.join(map(repr, wrong))}")
        return ()
    return tuple(known[str(name)] for name in names)


def _leftover(table: object, at: str, problems: list[str]) -> Leftover:
    action = table.get("action") if isinstance(table, dict) else None
    try:
        return Leftover(action)
    except ValueError:
        problems.append(f'{at}.action must be "fail" or "archive", got {action!r}')
        return Leftover.FAIL


def _step(
    step: Step, table: Mapping[str, object], at: str, problems: list[str]
) -> dict[ReleasedId, Decision]:
    decided: dict[ReleasedId, Decision] = {}
    for released_id, raw in table.items():
        decision = _decision(step, raw)
        if isinstance(decision, str):
            problems.append(f'{at}."{released_id}" {decision}')
        else:
            decided[ReleasedId(released_id)] = decision
    return decided


def _decision(step: Step, raw: object) -> Decision | str:
    """The decision ``raw`` spells, or what is wrong with it."""
    usage = '"archive", { match = "<Intacct key>" }'
    if step is Step.CONTACTS:
        usage += ', { create = "customer" } or { create = "vendor" }'
    if raw == "archive":
        return Archive()
    if isinstance(raw, dict) and len(raw) == 1:
        (verb, value), *_ = raw.items()
        if verb == "match" and isinstance(value, str) and value.strip():
            return MatchTo(IntacctKey(value.strip()))
        if verb == "create" and step is Step.CONTACTS and value in ("customer", "vendor"):
            return CreateAs(ContactRole(value))
    return f"must be {usage}; got {raw!r}"


OnDecision = Callable[[Step, Candidate, Decision], None]
"""Told of each decision taken (the CLI prints it)."""


async def apply_decisions(
    workflow: ConnectionWorkflow,
    id: ConnectionId,
    decisions: Decisions,
    *,
    on_decision: OnDecision | None = None,
) -> Result[Tally, SyncError]:
    """Record the acknowledged prerequisites (C5), then resolve every step's open items from
    ``decisions`` and continue each step, in order (O5)."""
    if decisions.acknowledge:
        acknowledged = await workflow.acknowledge(id, decisions.acknowledge)
        if not is_successful(acknowledged):
            return Failure(acknowledged.failure())
    tally = Tally()
    for step in Step:
        onboarding = await workflow.onboarding(id)
        if not is_successful(onboarding):
            return Failure(onboarding.failure())
        if onboarding.unwrap().state(step).continued:
            continue
        done = await _resolve(
            workflow, id, step, onboarding.unwrap(), decisions=decisions, on_decision=on_decision
        )
        if not is_successful(done):
            return Failure(done.failure())
        tally = _added(tally, done.unwrap())
        continued = await workflow.continue_step(id, step)
        if not is_successful(continued):
            return Failure(continued.failure())
    return Success(tally)


async def _resolve(
    workflow: ConnectionWorkflow,
    id: ConnectionId,
    step: Step,
    onboarding: Onboarding,
    *,
    decisions: Decisions,
    on_decision: OnDecision | None,
) -> Result[list[Decision], SyncError]:
    """The step's open items decided, all in one ``decide_all`` (one read and one write of the
    onboarding, however many items); an item no decision covers stops it after the others. A
    decision naming a record the step does not hold stops it before any is taken."""
    held = onboarding.state(step)
    ids = {candidate.released_id for candidate in held.candidates}
    for released_id in decisions.by_step.get(step, {}):
        if released_id not in ids:
            return Failure(_not_held(step, released_id, held.candidates))
    pending: list[tuple[Candidate, Decision]] = []
    missing: Candidate | None = None
    for candidate in unresolved(onboarding, step):
        decision = decisions.of(step, candidate.released_id)
        if decision is None:
            missing = candidate
            break
        pending.append((candidate, decision))
    if pending:
        taken = [(step, _taken(c.released_id, d)) for c, d in pending]
        done = await workflow.decide_all(id, taken)
        if not is_successful(done):
            return Failure(done.failure())
    if on_decision is not None:
        for candidate, decision in pending:
            on_decision(step, candidate, decision)
    if missing is not None:
        return Failure(_undecided(step, missing))
    return Success([decision for _, decision in pending])


def _taken(released_id: ReleasedId, decision: Decision) -> matching.Decision:
    """The file's decision for ``released_id`` as the domain's."""
    match decision:
        case MatchTo(intacct_key):
            return matching.Match(released_id=released_id, intacct_key=intacct_key)
        case CreateAs(role):
            return matching.CreateAs(released_id=released_id, role=role)
        case Archive():
            return matching.Archive(released_id=released_id)


def _added(tally: Tally, taken: list[Decision]) -> Tally:
    return Tally(
        matched=tally.matched + sum(isinstance(d, MatchTo) for d in taken),
        archived=tally.archived + sum(isinstance(d, Archive) for d in taken),
        created=tally.created + sum(isinstance(d, CreateAs) for d in taken),
    )


def _undecided(step: Step, candidate: Candidate) -> SyncError:
    return refusal(
        Rule.O3,
        f"The {step.noun} '{candidate.label}' ({candidate.released_id}) has no match in Sage "
        "Intacct and the decisions file says nothing about it.",
        f'Add it under [{step.value}] (for example "{candidate.released_id}" = "archive"), '
        'or set [unresolved] action = "archive".',
        kind=ErrorKind.NEEDS_USER,
    )


def _not_held(step: Step, released_id: ReleasedId, held: tuple[Candidate, ...]) -> SyncError:
    some = ", ".join(f'"{c.released_id}"' for c in held[:5]) or "none"
    return refusal(
        Rule.O3,
        f'The decisions file names the {step.noun} "{released_id}" under [{step.value}], but '
        f"Re-Leased holds no {step.noun} with that id to match (it holds {some}"
        f"{', ...' if len(held) > 5 else ''}).",
        f"Correct the id under [{step.value}] (the admin API's GET "
        "/connections/{id}/matching lists every item with its id) or remove the line.",
        kind=ErrorKind.NEEDS_USER,
    )
