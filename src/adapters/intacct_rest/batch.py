"""Writes of many records of one object: batch requests of at most ``rest_batch_size`` (≤ 500)
records, one outcome per record.

A batch create is a ``POST`` of a JSON array, a batch update a ``PATCH`` of an array whose records
carry their ``key``; "Maximum: 500 records per batch request"; non-atomic by default, each record
answered in its place (by array position) in ``ia::result`` with its own ``ia::status`` and
``ia::error`` when it failed, the whole summarised in ``ia::meta``, 207 when outcomes differ
([RESTDOC] bulk-requests, "Batch Requests", "Non-Atomic Requests"); when every record failed
alike the reply has their status (409, 422, ...) and no ``ia::error`` of its own, and each record
is still read in its place, with Intacct's reason (the transport hands such a reply over).
``atomic`` sends ``X-IA-API-Param-Transaction: true``: all or nothing. A single record is sent
alone (an object, not an array) under its own key.

**The key of a batch.** ``Idempotency-Key`` is one per request, so a batch's key is derived from
its records' keys (``Record.key``: the outbox's deterministic key of a create; an update's key
carries a fingerprint of what it writes, as the XML writer's control id does), in order:
``rb-`` and the first 32 hex digits of SHA-256 over the keys joined by U+001F (:func:`batch_key`).
Records are split into batches in the order given, so the same records in the same order make the
same batches with the same keys; each record's body is built deterministically from its write,
so a re-send of a batch is the same key with the same body, and Intacct answers it from its cache
(48 h) instead of writing again. Any other membership is another key: a record whose outcome is
uncertain is looked up before it is sent in a new batch (the writer's rule, as over XML). A key
reused with another body is a bug in the product, refused loudly (``classify``).

A request that failed as a whole gives each of its records that failure (a FATAL one stops: the
records of later batches are not sent).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from returns.result import Failure, Result, Success

from released_intacct.adapters.failures import MALFORMED
from released_intacct.adapters.intacct.settings import REST_BATCH_MAX, ClientSettings
from released_intacct.adapters.intacct_rest.classify import record_failure
from released_intacct.adapters.intacct_rest.envelope import record_error
from released_intacct.adapters.intacct_rest.transport import Reply, RestTransport
from released_intacct.domain.errors import ErrorKind, SyncError

__all__ = ["Batches", "Outcome", "Record", "batch_key"]

Row = dict[str, Any]
_SEPARATOR: Final = "\x1f"
_FAILED: Final = 400
"""The least HTTP status of a failure."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One record to write: its request key and its JSON body (built deterministically)."""

    key: str
    body: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What Intacct answered for one record: its ``ia::result`` (``key``, ``id``, ``href``) or
    why not."""

    key: str
    result: Result[Row, SyncError]


def batch_key(keys: Sequence[str]) -> str:
    """The ``Idempotency-Key`` of a batch of records with these keys, in this order; a single
    record's own key."""
    if len(keys) == 1:
        return keys[0]
    digest = hashlib.sha256(_SEPARATOR.join(keys).encode()).hexdigest()
    return f"rb-{digest[:32]}"


class Batches:
    """Batch writes of one company."""

    def __init__(self, transport: RestTransport, settings: ClientSettings) -> None:
        self._transport = transport
        self._size = min(settings.rest_batch_size, REST_BATCH_MAX)

    async def write(
        self,
        method: Literal["POST", "PATCH"],
        path: str,
        records: Sequence[Record],
        *,
        atomic: bool = False,
        resent: bool = False,
    ) -> Result[tuple[Outcome, ...], SyncError]:
        """``records`` created (``POST``) or updated (``PATCH``) at ``path``
        (``/objects/<module>/<object>``), in batches; one outcome per record, in order.
        ``resent``: these records may have been sent before."""
        if len({record.key for record in records}) != len(records):
            msg = "a record's key appears twice in one write"
            raise ValueError(msg)
        chunks = [records[at : at + self._size] for at in range(0, len(records), self._size)]
        sent = await asyncio.gather(
            *(self._send(method, path, chunk, atomic=atomic, resent=resent) for chunk in chunks)
        )
        outcomes: list[Outcome] = []
        for chunk, reply in zip(chunks, sent, strict=True):
            if isinstance(reply, Failure):
                error = reply.failure()
                if error.kind is ErrorKind.FATAL:
                    return Failure(error)
                outcomes += [Outcome(record.key, Failure(error)) for record in chunk]
            else:
                outcomes += _outcomes(chunk, reply.unwrap())
        return Success(tuple(outcomes))

    async def _send(
        self,
        method: Literal["POST", "PATCH"],
        path: str,
        chunk: Sequence[Record],
        *,
        atomic: bool,
        resent: bool,
    ) -> Result[Reply, SyncError]:
        body: object = chunk[0].body if len(chunk) == 1 else [record.body for record in chunk]
        key = batch_key([record.key for record in chunk])
        return await self._transport.request(
            method, path, body=body, key=key, resent=resent, atomic=atomic and len(chunk) > 1
        )


def _outcomes(chunk: Sequence[Record], reply: Reply) -> list[Outcome]:
    """Each record's outcome from its place in ``ia::result``."""
    result = reply.envelope.result
    entries = [result] if len(chunk) == 1 and isinstance(result, dict) else result
    if not isinstance(entries, list) or len(entries) != len(chunk):
        error = _unmatched(len(chunk), reply.status)
        return [Outcome(record.key, Failure(error)) for record in chunk]
    return [
        _outcome(record, entry, reply.status) for record, entry in zip(chunk, entries, strict=True)
    ]


def _outcome(record: Record, entry: object, status: int) -> Outcome:
    """One record's outcome: refused when its entry carries ``ia::error`` or a failure status of
    its own (or, having neither, when the whole reply's status is a failure)."""
    error = record_error(entry)
    own = entry.get("ia::status") if isinstance(entry, dict) else None
    code = own if isinstance(own, int) else (status if status >= _FAILED else None)
    if error is not None or (code is not None and code >= _FAILED):
        return Outcome(record.key, Failure(record_failure(code or 422, error)))
    if isinstance(entry, dict):
        inner = entry.get("ia::result", entry)
        if isinstance(inner, dict):
            return Outcome(record.key, Success(inner))
    return Outcome(record.key, Failure(_unmatched(1, status)))


def _unmatched(records: int, status: int) -> SyncError:
    """A batch's answer that cannot be matched to its records: each may have been written."""
    return SyncError(
        kind=ErrorKind.RETRIABLE,
        rule=None,
        message=(
            f"Sage Intacct's answer to a batch of {records} records could not be matched to them;"
            " they may have been written."
        ),
        fix="Nothing to do: each record is looked up in Intacct before it is sent again.",
        cause=f"{MALFORMED}: HTTP {status}; ia::result does not hold one entry per record",
    )
