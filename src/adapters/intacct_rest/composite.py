"""Independent reads sent together: ``POST /services/core/composite`` ([RESTDOC]
docs/rest/bulk-requests.md, "Composite Requests"; docs/intacct-rest.md section 6).

A composite holds 2-10 sub-requests ``{method, path, body}``, run in order; "execution stops on
first failure (no rollback)", and the reply holds each sub-request's envelope with its
``ia::status`` in order (docs/rest/common-resources.md, "POST /services/core/composite": 200, or
207 when one failed; a sub-request not run answers ``unprocessed``). Only reads are sent this
way, so a stop leaves nothing to undo; and a composite never makes a read fail that a plain
request would have got: a sub-request not run, one whose failure a plain request would try
again (``RETRIABLE``), or every one of a composite that failed as a whole, is answered None, and
the caller sends that read on its own. A sub-request's other failure (a module the company does
not subscribe to, an object refused) is what the plain read would have got, and is its answer.

Intacct's billing of a composite is not in the pages: counted as one API transaction a
sub-request (**inferred**), as the simulator does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import msgspec
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct_rest.classify import failure
from released_intacct.adapters.intacct_rest.envelope import Envelope
from released_intacct.adapters.intacct_rest.transport import (
    ENTITY_HEADER,
    Method,
    Reply,
    RestTransport,
)
from released_intacct.domain.errors import ErrorKind, SyncError

__all__ = ["COMPOSITE_PATH", "MOST", "Answer", "Read", "reads"]

COMPOSITE_PATH: Final = "/services/core/composite"
FEWEST: Final = 2
MOST: Final = 10
_READS: Final = frozenset({"GET", "POST"})

Answer = Result[Reply, SyncError] | None
"""A sub-request's reply, its failure, or None: send it on its own."""


@dataclass(frozen=True, slots=True)
class Read:
    """One read: a GET of ``path`` or a query service ``POST`` of ``body``."""

    method: Method
    path: str
    body: object = None
    entity: str | None = None
    """Read at this entity (its sub-request's ``X-IA-API-Param-Entity``), not the composite's."""

    def __post_init__(self) -> None:
        if self.method not in _READS:
            msg = f"a composite of reads sends GET or the query service's POST, not {self.method}"
            raise ValueError(msg)

    def sub_request(self) -> dict[str, object]:
        sub: dict[str, object] = {"method": self.method, "path": self.path}
        if self.body is not None:
            sub["body"] = self.body
        if self.entity is not None:
            sub["headers"] = {ENTITY_HEADER: self.entity}
        return sub


async def reads(transport: RestTransport, asked: Sequence[Read]) -> tuple[Answer, ...]:
    """Each read's answer, in order: the reads in composites of at most ``MOST`` (a lone read,
    or a last group of one, is left to the caller: None)."""
    found: list[Answer] = []
    for start in range(0, len(asked), MOST):
        group = asked[start : start + MOST]
        if len(group) < FEWEST:
            found.extend(None for _ in group)
            continue
        found.extend(await _composite(transport, group))
    return tuple(found)


async def _composite(transport: RestTransport, group: Sequence[Read]) -> list[Answer]:
    body = [read.sub_request() for read in group]
    sent = await transport.request("POST", COMPOSITE_PATH, body=body, reads=True)
    unanswered: list[Answer] = [None] * len(group)
    if isinstance(sent, Failure):
        return unanswered
    items = sent.unwrap().envelope.result
    if not isinstance(items, list) or len(items) != len(group):
        return unanswered
    found: list[Answer] = []
    for item in items:
        answer = _answer(item)
        found.append(answer)
        if not isinstance(answer, Success):
            break  # not run after a failure: the rest are sent on their own
    return found + unanswered[len(found) :]


def _answer(item: object) -> Answer:
    if not isinstance(item, dict):
        return None
    status = item.get("ia::status")
    try:
        envelope = msgspec.convert(item, Envelope)
    except msgspec.ValidationError:
        return None
    if not isinstance(status, int):
        return None
    if 200 <= status < 300 and envelope.error is None:
        # a read's answer holds its result: one without is not taken for "nothing found"
        return Success(Reply(status, envelope)) if "ia::result" in item else None
    error = failure(status, envelope.error, write=False)
    return None if error.kind is ErrorKind.RETRIABLE else Failure(error)
