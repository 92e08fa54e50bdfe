"""Asynchronous requests ([RESTDOC] docs/rest/async-requests.md): a request carrying ``Prefer:
respond-async`` (or ``respond-async-serialized``) is acknowledged with 202 and a ``jobId``, its
result sent to the webhook the request names (``X-IA-Webhook-EndpointURL``), and its job read at
``GET /services/core/async/job-status?jobId=…``.

The ACK (the page's "Sample ACK Response"): ``{"ia::result": {jobId, state: "queued",
queuedDateTime, href}, "ia::meta": {"totalCount": 1}}`` with a ``retry-after`` header of 120
seconds ("default: 2 minutes"); the ``jobId`` is base64url. The delivery: the synchronous reply's
body, POSTed with ``X-IA-Respond-Code`` (its status), ``X-IA-Original-Request-Id``,
``X-IA-TimeReceived``, the request's ``Idempotency-Key`` when it had one, and
``X-IA-Sage-Signature``. The job status: ``{jobId, state, queuedDateTime, startedDateTime,
finishedDateTime, deliveryStatus: [{status, deliveryDateTime}], href}``, for the application
(OAuth client) that sent the request only.

Decisions where no page says (**inferred**, rows of docs/intacct-fidelity.md):

- the request runs, and its result is delivered, before the ACK is answered (the simulator has no
  queue), so its job is ``delivered`` (a 2xx from the webhook) or ``dead`` (anything else, or no
  answer: status ``"0"``) by the first status call; a delivery is tried once, never retried;
- ``X-IA-Sage-Signature`` is the outbound webhooks page's JWT ([RESTDOC] docs/rest/webhooks.md,
  "Security Steps", "JWT Claims": HS256 with the client secret, ``iss`` "Sage Intacct", ``iat`` /
  ``exp`` in epoch milliseconds, ``tenant_id`` and ``app_id`` the client id, ``payload_signature``
  the body's SHA-256 hex), where the async page's sample shows a shorter value;
- an async request naming no ``X-IA-Webhook-EndpointURL`` is refused 400 before it runs, and one
  naming ``X-IA-Webhook-Id`` too (registered webhooks are not simulated); a composite's
  sub-requests and the job-status service are answered synchronously;
- ``respond-async-serialized`` is served as ``respond-async`` (one request at a time here anyway).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Final

import httpx

from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestReply,
    encode,
    invalid,
    not_found,
)
from released_intacct.fakes.simulators.intacct.rest.state import AsyncJob, Grant

if TYPE_CHECKING:
    from released_intacct.fakes.simulators.intacct.simulator import Simulator

STATUS: Final = "/services/core/async/job-status"
RETRY_AFTER: Final = 120
_ASYNC: Final = frozenset({"respond-async", "respond-async-serialized"})
_ENDPOINT: Final = "x-ia-webhook-endpointurl"
_WEBHOOK_ID: Final = "x-ia-webhook-id"


async def post(url: str, headers: dict[str, str], body: bytes) -> int:
    """The simulator's delivery: one POST, 10 seconds at most."""
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            return (await client.post(url, content=body, headers=headers)).status_code
    except httpx.HTTPError:
        return 0


def asked(headers: dict[str, str]) -> str | None:
    """The webhook an async request's result goes to; None for a synchronous request;
    ``invalid`` (400) for an async one without a webhook the simulator can call."""
    prefer = {p.strip().lower() for p in headers.get("prefer", "").split(",")}
    if not prefer & _ASYNC:
        return None
    if _WEBHOOK_ID in headers:
        raise invalid("X-IA-Webhook-Id: registered webhooks are not simulated; send "
                      "X-IA-Webhook-EndpointURL")  # fmt: skip
    url = headers.get(_ENDPOINT, "").strip()
    if not url.startswith(("http://", "https://")):
        raise invalid("X-IA-Webhook-EndpointURL: an async request needs the URL of the webhook "
                      "its result is sent to")  # fmt: skip
    return url


async def acknowledged(
    sim: Simulator, grant: Grant, url: str, key: str | None, reply: RestReply
) -> RestReply:
    """Deliver ``reply`` (the request's synchronous reply) to ``url``; the 202 ACK."""
    received = sim.clock()
    job = AsyncJob(secrets.token_urlsafe(36), grant.client_id, received)
    sim.rest.async_jobs[job.job_id] = job
    secret = sim.rest.clients[grant.client_id].secret
    headers = {
        "content-type": "application/json",
        "x-ia-respond-code": str(reply.status),
        "x-ia-original-request-id": uuid.uuid4().hex,
        "x-ia-timereceived": format_datetime(received, usegmt=True),
        "x-ia-sage-signature": signature(secret, grant.client_id, reply.body, received),
    }
    if key is not None:
        headers["idempotency-key"] = key
    status = await (sim.rest.deliver or post)(url, headers, reply.body)
    job.finished = sim.clock()
    job.deliveries.append({"status": str(status), "deliveryDateTime": _utc(job.finished)})
    ack = {"jobId": job.job_id, "state": "queued", "queuedDateTime": _utc(received),
           "href": _href(job)}  # fmt: skip
    body = encode({"ia::result": ack, "ia::meta": {"totalCount": 1}})
    return RestReply(202, body, {"content-type": "application/json",
                                 "retry-after": str(RETRY_AFTER)})  # fmt: skip


def status(sim: Simulator, grant: Grant, job_id: str) -> RestReply:
    """``GET /services/core/async/job-status?jobId=…`` for the client's own jobs."""
    if not job_id:
        raise invalid("jobId: the job's id is required")
    job = sim.rest.async_jobs.get(job_id)
    if job is None or job.client_id != grant.client_id:
        raise not_found("services/core/async/job", job_id)
    delivered = any(d["status"].startswith("2") for d in job.deliveries)
    found: dict[str, object] = {
        "jobId": job.job_id,
        "state": "delivered" if delivered else "dead",
        "queuedDateTime": _utc(job.queued),
        "startedDateTime": _utc(job.queued),
        "finishedDateTime": None if job.finished is None else _utc(job.finished),
        "deliveryStatus": list(job.deliveries),
        "href": _href(job),
    }
    return RestReply(200, encode({"ia::result": found, "ia::meta": {"totalCount": 1}}))


def signature(secret: str, client_id: str, body: bytes, at: datetime) -> str:
    """The webhooks page's JWT: HS256 over claims holding the body's SHA-256."""
    issued = int(at.timestamp() * 1000)
    claims = {
        "iat": issued,
        "exp": issued + int(timedelta(hours=1).total_seconds() * 1000),
        "iss": "Sage Intacct",
        "tenant_id": client_id,
        "app_id": client_id,
        "payload_signature": hashlib.sha256(body).hexdigest(),
        "payload_signature_alg": "SHA-256",
    }
    signing = f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}))}.{_b64(json.dumps(claims))}"
    mac = hmac.new(secret.encode(), signing.encode(), hashlib.sha256).digest()
    return f"{signing}.{_b64(mac)}"


def _b64(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _href(job: AsyncJob) -> str:
    return f"{STATUS}?jobId={job.job_id}"
