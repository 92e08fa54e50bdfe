"""``Idempotency-Key`` on POST and PATCH ([RESTDOC] docs/rest/bulk-requests.md, "Preventing
Duplicate Requests (Idempotency)").

The first request with a key is remembered with its body and, once it ran, its reply (a failure
too). Within 48 hours (the simulator's clock) the same key with the same body answers that reply
again, with the ``Idempotency-Key`` and ``x-ia-idempotency-cached-date`` headers; with another
body, 409. The key is kept 60 days: after the 48 hours and until then, it answers 409; after, it
is forgotten and may be used again. A second request with a key whose first request is still
running answers 409 ``idempotencyLocked`` ("the first gets the idempotency lock; others
return an error": the status and code are **inferred**, docs/intacct-rest.md section 7); the
other refusals 409 ``conflict`` (the code **inferred**), without ``details``. Keys are per
company; at most 256 characters (longer: 400). A request refused before it ran (throttled, a
fault) is not remembered. Bodies compare byte for byte, with the method and path (strict: what
the page means by "a different request body" is not said, so a client must resend the same
bytes, docs/intacct-rest.md section 7 point 2).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from released_intacct.fakes.simulators.intacct.rest.envelope import RestError, RestReply, invalid
from released_intacct.fakes.simulators.intacct.rest.state import Remembered

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator

CACHED: Final = timedelta(hours=48)
KEPT: Final = timedelta(days=60)
MAX_LENGTH: Final = 256
HEADER: Final = "idempotency-key"
CACHED_DATE: Final = "x-ia-idempotency-cached-date"


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join((method.encode(), path.encode(), body))).hexdigest()


def claim(sim: Simulator, company_id: str, key: str, print_: str) -> RestReply | None:
    """Take ``key`` for a request (None: run it), or the reply it gets instead."""
    if len(key) > MAX_LENGTH or not key.strip():
        raise invalid(f"Idempotency-Key must be 1 to {MAX_LENGTH} characters, got {len(key)}")
    now = sim.clock()
    _forget_old(sim, now)
    found = sim.rest.keys.get((company_id, key))
    if found is None:
        sim.rest.keys[(company_id, key)] = Remembered(print_, now)
        return None
    if found.running:
        raise RestError(
            409, "idempotencyLocked", f"a request with Idempotency-Key {key!r} is still running"
        )
    if found.body_hash != print_:
        raise RestError(409, "conflict", f"Idempotency-Key {key!r} was used with another request")
    if now - found.first_seen > CACHED:
        raise RestError(409, "conflict", f"Idempotency-Key {key!r} was used over 48 hours ago")
    stamp = found.first_seen.strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = {**found.headers, HEADER: key, CACHED_DATE: stamp}
    return RestReply(found.status, found.body, headers)


def keep(sim: Simulator, company_id: str, key: str, reply: RestReply) -> None:
    """Remember the reply of the request that took ``key``."""
    found = sim.rest.keys.get((company_id, key))
    if found is not None:
        found.status, found.body, found.headers = reply.status, reply.body, dict(reply.headers)
        found.running = False


def release(sim: Simulator, company_id: str, key: str) -> None:
    """Forget ``key``: its request did not run (refused before, or dropped)."""
    found = sim.rest.keys.get((company_id, key))
    if found is not None and found.running:
        del sim.rest.keys[(company_id, key)]


def _forget_old(sim: Simulator, now: datetime) -> None:
    """Keys are added in clock order (the clock never moves back): the old ones come first."""
    old = []
    for k, found in sim.rest.keys.items():
        if now - found.first_seen <= KEPT:
            break
        old.append(k)
    for k in old:
        del sim.rest.keys[k]
