"""The refusals and decisions both SQL stores make (SQLite and PostgreSQL), on rows and values.

Pure: each store reads what a decision needs with its own SQL, asks here, and writes what it is
told. The refusals are REJECTED and name what was refused and how to go on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from returns.result import Failure, Result, Success

from released_intacct.adapters.state.codec import decode_result, encode_result, to_column
from released_intacct.domain.enums import RecordType
from released_intacct.domain.errors import ErrorKind, Rule, SyncError
from released_intacct.domain.ids import ConnectionId, IdempotencyKey, IntacctKey, ReleasedId
from released_intacct.domain.links import Link, LinkStatus
from released_intacct.domain.results import (
    ResultIdentity,
    SyncResult,
    record_result,
    result_identity,
)
from released_intacct.domain.rules.connection import holder_fix, intacct_side
from released_intacct.domain.state import (
    Connection,
    IntentState,
    Phase,
    ResultFilter,
    Run,
    Settlement,
    not_confirmed,
    run_open,
)

_LAST_CHARACTER = chr(0x10FFFF)


class Row(Protocol):
    """A row either store reads, its columns by name (``sqlite3.Row``, psycopg's dict row)."""

    def __getitem__(self, column: str, /) -> Any: ...


_SURROGATES = (0xD800, 0xDFFF)


# --- connections (C1) ----------------------------------------------------------------------------


def missing(id: ConnectionId) -> SyncError:
    """A change naming a connection the store does not hold is REJECTED (nothing is changed)."""
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Connection {id} is not stored.",
        fix="Connect the company first, or check which connection is meant.",
    )


def already_stored(id: ConnectionId) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=Rule.C1,
        message=f"Connection {id} is already stored.",
        fix="Save the changed connection instead of adding it again.",
    )


def c1_conflict(new: Connection, holder: Connection) -> SyncError:
    """Rule C1: ``new`` is refused because ``holder`` already holds one of its two sides."""
    if holder.released_company == new.released_company:
        message = (
            f"Re-Leased company {new.released_company} is already linked to "
            f"{intacct_side(holder.intacct_company, holder.entity)}."
        )
    else:
        message = (
            f"{intacct_side(new.intacct_company, new.entity)} is already linked to "
            f"Re-Leased company {holder.released_company}."
        )
    fix = holder_fix(confirmed=holder.phase is Phase.CONFIRMED)
    return SyncError(kind=ErrorKind.REJECTED, rule=Rule.C1, message=message, fix=fix)


def transitioned(
    id: ConnectionId,
    stored: Connection | None,
    decide: Callable[[Connection], Result[Connection, SyncError]],
) -> tuple[Result[Connection, SyncError], Connection | None]:
    """A confirm's compare-and-set (``domain.rules.confirming`` decides) on the stored row: what
    to answer, and the connection to write (None: nothing changes)."""
    if stored is None:
        return Failure(missing(id)), None
    decided = decide(stored)
    changed = isinstance(decided, Success) and decided.unwrap() != stored
    return decided, decided.unwrap() if changed else None


def request_refusal(id: ConnectionId, stored: Connection | None) -> SyncError | None:
    """Why ``request_run`` cannot ask for a run of ``id`` (None: it can): it is not stored, or
    not confirmed (there is nothing to sync yet)."""
    if stored is None:
        return missing(id)
    return None if stored.phase is Phase.CONFIRMED else not_confirmed(id)


# --- links and the outbox (E2, issue 16) ---------------------------------------------------------


def link_verdicts(links: Sequence[Link], stored: Iterable[Link]) -> Result[list[Link], SyncError]:
    """Saving ``links``, each judged in turn as if those before it in the batch were saved
    already: the links whose status changes (their records' results are restated, rule E2), in
    order; refused when a link's Intacct key is held by another record of its type. ``stored``
    are the stored links holding a Re-Leased id or an Intacct key of the batch, in their record
    types (one read for the whole batch)."""
    by_id: dict[tuple[RecordType, str], Link] = {}
    by_key: dict[tuple[RecordType, str], str] = {}  # the Re-Leased id holding each Intacct key
    for held in stored:
        by_id[held.record_type, held.released_id] = held
        by_key[held.record_type, held.intacct_key] = held.released_id
    restate: list[Link] = []
    for link in links:
        kind, rid = link.record_type, link.released_id
        holder = by_key.get((kind, link.intacct_key))
        if holder is not None and holder != rid:
            return Failure(_held(link, holder))
        own = by_id.get((kind, rid))
        if (LinkStatus.LINKED if own is None else own.status) is not link.status:
            restate.append(link)  # its status changes (E2)
        if own is not None:
            del by_key[kind, own.intacct_key]
        by_id[kind, rid] = link
        by_key[kind, link.intacct_key] = rid
    return Success(restate)


def restated(body: str, status: LinkStatus) -> str:
    """A stored result (its JSON ``body``) showing its record's link status as it now is."""
    return encode_result(replace(decode_result(body), link_status=status))


def restatements(restate: Sequence[Link], found: Iterable[Row]) -> list[tuple[str, str, Any]]:
    """The stored results ``found`` (rows of ``id``, ``record_type``, ``released_id``,
    ``intacct_key`` and ``body``) that the links ``restate`` change, each as (link status, its
    restated body, its id): the last of those links of its record type that holds its Re-Leased
    id or its Intacct key decides, as if each link restated its results in turn."""
    by_id: dict[tuple[str, str], tuple[int, Link]] = {}
    by_key: dict[tuple[str, str], tuple[int, Link]] = {}
    for at, link in enumerate(restate):
        by_id[link.record_type.value, link.released_id] = (at, link)
        by_key[link.record_type.value, link.intacct_key] = (at, link)
    changed: list[tuple[str, str, Any]] = []
    for row in found:
        kind = row["record_type"]
        held = [
            by_id.get((kind, row["released_id"])),
            by_key.get((kind, row["intacct_key"])),
        ]
        deciding = max((h for h in held if h is not None), default=None, key=lambda h: h[0])
        if deciding is not None:
            status = deciding[1].status
            changed.append((status.value, restated(row["body"], status), row["id"]))
    return changed


def by_state(
    settlements: Iterable[Settlement],
) -> list[tuple[IntentState, list[IdempotencyKey]]]:
    """The keys of a batch of settlements by the state each goes to, in the batch's order."""
    grouped: dict[IntentState, list[IdempotencyKey]] = {}
    for settlement in settlements:
        grouped.setdefault(settlement.state, []).append(settlement.key)
    return list(grouped.items())


def after_prefix(prefix: str) -> str | None:
    """The least text above every text that starts with ``prefix``; None when there is none
    (``prefix`` empty or all U+10FFFF). Text compares by code point (UTF-8 bytes, SQLite's
    BINARY collation, PostgreSQL's ``COLLATE "C"``), so it is ``prefix`` without trailing
    U+10FFFF, its last character moved to the next one (a surrogate is no character of UTF-8
    text: skipped)."""
    stem = prefix.rstrip(_LAST_CHARACTER)
    if not stem:
        return None
    following = ord(stem[-1]) + 1
    if _SURROGATES[0] <= following <= _SURROGATES[1]:
        following = _SURROGATES[1] + 1
    return stem[:-1] + chr(following)


def _held(link: Link, holder: str) -> SyncError:
    noun = link.record_type.value.replace("_", " ")
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=(
            f"Intacct {noun} {link.intacct_key} is already linked to Re-Leased {noun} "
            f"{holder}, so it cannot also be linked to {link.released_id}."
        ),
        fix=f"Unlink Re-Leased {noun} {holder} first, or link another record.",
    )


def no_intent(id: ConnectionId, key: IdempotencyKey) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"The outbox of connection {id} holds no write with key {key}.",
        fix="Record the write intent before sending it.",
    )


# --- runs (E4) -----------------------------------------------------------------------------------


def to_take_over(
    open_run: Run | None, *, at: datetime, stale_after: timedelta
) -> Result[Run | None, SyncError]:
    """``start_run``'s check (E4): the company's open run, to be released first because it is
    stale (a takeover); None when it has none; refused while it shows signs of life."""
    if open_run is not None and not open_run.is_stale(before=at - stale_after):
        return Failure(run_open(open_run))
    return Success(open_run)


def progress_refusal(stored: Run | None, given: Run) -> SyncError | None:
    """Progress is saved only for a run the store holds, given as open (the fence is checked
    next)."""
    if stored is None:
        return no_run(given)
    if given.status.finished:
        return SyncError(
            kind=ErrorKind.REJECTED,
            rule=None,
            message=f"Run {given.id} is given as finished ({given.status.value}), not as running.",
            fix="Store a finished run with finish_run.",
        )
    return None


def no_run(run: Run) -> SyncError:
    return SyncError(
        kind=ErrorKind.REJECTED,
        rule=None,
        message=f"Run {run.id} of connection {run.connection} is not stored.",
        fix="Use the run that start_run returned.",
    )


# --- results and notifications (E1, E3) ----------------------------------------------------------


def results_where(where: ResultFilter, mark: str) -> tuple[str, list[object]]:
    """The conditions after ``connection = <mark>`` choosing ``where``'s results, latest seen
    first, and their values; ``mark`` is the driver's placeholder (``?``, ``%s``)."""
    sql, args = "", list[object]()
    for column, wanted in (
        ("record_type", where.record_type),
        ("direction", where.direction),
        ("link_status", where.link_status),
    ):
        if wanted is not None:
            sql += f" AND {column} = {mark}"
            args.append(wanted.value)
    if where.since is not None:
        sql += f" AND last_seen >= {mark}"
        args.append(to_column(where.since))
    sql += f" ORDER BY last_seen DESC, id DESC LIMIT {mark} OFFSET {mark}"
    return sql, [*args, where.limit, where.offset]


RecordIds = tuple[RecordType, ReleasedId | None, IntacctKey | None]
"""A record as an error names it: its type, Re-Leased id and Intacct key (either may be None)."""


def identities_json(identities: Iterable[ResultIdentity]) -> str:
    """The distinct identities as one JSON array of ``[record_type, released_id, intacct_key,
    direction, rule, kind]`` (None as null), for a store to read their rows in one query."""
    return json.dumps(
        [
            [kind.value, rid, key, direction.value, None if rule is None else rule.value, k.value]
            for kind, rid, key, direction, rule, k in dict.fromkeys(identities)
        ]
    )


ByType = list[tuple[RecordType, list[ReleasedId], list[IntacctKey]]]
"""Records grouped by record type: each type's Re-Leased ids and Intacct keys (a store reads their
links with one query a type)."""


def records_by_type(
    errors: Iterable[SyncError],
) -> ByType:
    """The Re-Leased ids and Intacct keys of the errors' records, by record type: what a store
    reads the links of (``link_statuses``)."""
    records = [error.record for error in errors if error.record is not None]
    return _by_type((r.record_type, r.released_id, r.intacct_key) for r in records)


def links_by_type(
    batch: Iterable[Link],
) -> ByType:
    """The Re-Leased ids and Intacct keys of a batch of links, by record type in the batch's
    order: what a store reads the stored links of (``link_verdicts``)."""
    return _by_type((link.record_type, link.released_id, link.intacct_key) for link in batch)


def _by_type(
    records: Iterable[tuple[RecordType, ReleasedId | None, IntacctKey | None]],
) -> ByType:
    by_type: dict[RecordType, tuple[list[ReleasedId], list[IntacctKey]]] = {}
    for record_type, released_id, intacct_key in records:
        ids, keys = by_type.setdefault(record_type, ([], []))
        if released_id is not None:
            ids.append(released_id)
        if intacct_key is not None:
            keys.append(intacct_key)
    return [(kind, ids, keys) for kind, (ids, keys) in by_type.items() if ids or keys]


def link_statuses(
    errors: Iterable[SyncError], found: Iterable[Link]
) -> dict[RecordIds, LinkStatus]:
    """The status of each error's record's link among ``found`` (the links ``records_by_type``
    names): the link holding its Re-Leased id, else the one holding its Intacct key; a record
    with no link is left out (LINKED)."""
    by_id = {(link.record_type, link.released_id): link.status for link in found}
    by_key = {(link.record_type, link.intacct_key): link.status for link in found}
    statuses: dict[RecordIds, LinkStatus] = {}
    for error in errors:
        record = error.record
        if record is None:
            continue
        kind, rid, key = record.record_type, record.released_id, record.intacct_key
        status = None if rid is None else by_id.get((kind, rid))
        if status is None and key is not None:
            status = by_key.get((kind, key))
        if status is not None:
            statuses[kind, rid, key] = status
    return statuses


def folded(
    errors: Sequence[SyncError],
    stored: Mapping[ResultIdentity, tuple[Any, SyncResult]],
    statuses: Mapping[RecordIds, LinkStatus],
    at: datetime,
) -> tuple[tuple[SyncResult, ...], list[tuple[Any, SyncResult]], list[SyncResult]]:
    """Rule E1 for a batch (``domain.results.record_result`` for each error in turn): every row
    recorded, one per identity in order of first appearance; the stored rows to update (row id,
    result); the new rows to add, in order of first appearance (the ids a statement an error
    gave them). ``stored`` holds the stored rows of the errors' identities by identity. Raises
    ``ValueError`` when an error concerns no record."""
    recorded: dict[ResultIdentity, SyncResult] = {}
    for error in errors:
        identity = result_identity(error)
        existing = recorded.get(identity)
        if existing is None and identity in stored:
            existing = stored[identity][1]
        status = statuses.get(identity[:3], LinkStatus.LINKED)
        recorded[identity] = record_result(existing, error, at=at, link_status=status)
    updates = [(stored[i][0], r) for i, r in recorded.items() if i in stored]
    added = [r for i, r in recorded.items() if i not in stored]
    return tuple(recorded.values()), updates, added
