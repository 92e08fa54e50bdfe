"""Bulk requests: ``POST /services/bulk/job/create`` and ``GET /services/bulk/job/status``
([RESTDOC] docs/rest/bulk-requests.md, "Bulk Requests"; docs/rest/common-resources.md, "POST
/services/bulk/job/create", "GET /services/bulk/job/status").

A job is a multipart form: ``ia::requestBody``, a JSON object (``objectName`` the REST object,
``operation`` ``create`` / ``update`` / ``delete``, ``jobFile`` the file's name,
``fileContentType`` ``json``, optional ``callbackURL``), and the file (the part named ``file``,
as the page's curl sample sends it, or the part whose file name is ``jobFile``): a JSON array of
the records, "no limit on number of operations". Each record is its own transaction through the
plain request's code (``crud``: a create as a POST, an update as a PATCH of its ``key``, a delete
of its ``key``), and processing goes on after a failure. The create answers ``{jobId,
statusURL, createdDateTime}``; the status ``{jobId, status, percentComplete, downloadURL,
jobStatusFile}``, and with ``download=true`` the records' results.

Decisions where no page says (**inferred**, rows of docs/intacct-fidelity.md):

- the job runs while its create is answered, so its first status is ``completed`` (the pages'
  ``queued`` and ``processing`` are never seen), and it counts as one request whose records each
  spend their transactions; ``callbackURL`` is kept and never called;
- the download is ``{"ia::result": [...], "ia::meta": ...}``, each record's result as a batch
  element shows it (``{key, id, href, "ia::status"}`` or ``{"ia::status", "ia::error"}``, a
  delete ``{"ia::status": 204}``), in the file's order;
- ``objectName`` is the object's path (``accounts-payable/vendor``, the bulk page's) or its last
  part when only one object has it (``vendor``, the reference page's sample);
- a job is read back only by the client and company that created it (404 otherwise, as the
  async page says of its job status), and the jobs are kept until the simulator is reset;
- a form that is not multipart, a missing part or attribute, an operation or content type not
  listed, or a file that is not a JSON array of objects: 400 ``invalidRequest`` naming it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Final

from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.rest import crud
from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestError,
    RestReply,
    encode,
    invalid,
    meta,
    not_found,
)
from released_intacct.fakes.simulators.intacct.rest.fields import RestObject
from released_intacct.fakes.simulators.intacct.rest.registry import OBJECTS
from released_intacct.fakes.simulators.intacct.rest.state import Job

CREATE: Final = "/services/bulk/job/create"
STATUS: Final = "/services/bulk/job/status"
FUNCTIONS: Final = {"create": "create", "update": "update", "delete": "delete"}
"""Each operation's fault-rule function (the plain request's)."""


@dataclass(frozen=True, slots=True)
class Order:
    """A job as its form asks it: the object, the operation and the records."""

    obj: RestObject
    operation: str
    records: list[dict[str, object]]
    callback: str


def order(content_type: str, raw: bytes) -> Order:
    """The job a multipart form asks for; ``invalid`` (400) naming what is wrong."""
    parts = _parts(content_type, raw)
    spec = _spec(parts.get("ia::requestBody"))
    operation = spec.get("operation")
    if operation not in FUNCTIONS:
        raise invalid(f"operation: one of {', '.join(FUNCTIONS)}, got {operation!r}")
    if spec.get("fileContentType") != "json":
        raise invalid(f"fileContentType: must be 'json', got {spec.get('fileContentType')!r}")
    job_file = spec.get("jobFile")
    if not isinstance(job_file, str) or not job_file:
        raise invalid("jobFile: the name of the file part is required")
    content = parts.get("file", parts.get(f"filename:{job_file}"))
    if content is None:
        raise invalid(f"file: the form has no file part (named 'file' or {job_file!r})")
    try:
        records = json.loads(content)
    except ValueError as error:
        raise invalid(f"file {job_file!r} is not JSON: {error}") from error
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise invalid(f"file {job_file!r} must be a JSON array of objects")
    callback = spec.get("callbackURL", "")
    return Order(_object(spec.get("objectName")), str(operation), records, str(callback or ""))


def _parts(content_type: str, raw: bytes) -> dict[str, bytes]:
    """The form's parts by name, and each file part also by ``filename:<name>``."""
    if not content_type.lower().startswith("multipart/form-data"):
        raise invalid(f"a bulk job is a multipart/form-data form, got {content_type or 'none'!r}")
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + raw)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise invalid("the multipart form could not be read")
    found: dict[str, bytes] = {}
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            found[name] = content
        filename = part.get_filename()
        if filename:
            found[f"filename:{filename}"] = content
    return found


def _spec(raw: bytes | None) -> dict[str, object]:
    if raw is None:
        raise invalid("ia::requestBody: the form's job description is required")
    try:
        spec = json.loads(raw)
    except ValueError as error:
        raise invalid(f"ia::requestBody is not JSON: {error}") from error
    if not isinstance(spec, dict):
        raise invalid("ia::requestBody must be a JSON object")
    return spec


def _object(name: object) -> RestObject:
    if isinstance(name, str) and name in OBJECTS:
        return OBJECTS[name]
    ending = [o for path, o in OBJECTS.items() if path.rsplit("/", 1)[-1] == name]
    if len(ending) != 1:
        raise invalid(f"objectName: no single REST object named {name!r}")
    return ending[0]


def run(ctx: Context, job: Job, wanted: Order) -> RestReply:
    """Run every record of ``wanted`` into ``job`` and answer the create."""
    step = _STEPS[wanted.operation]
    for record in wanted.records:
        try:
            reply = step(ctx, wanted.obj, record)
        except RestError as error:
            job.results.append({"ia::status": error.status, "ia::error": error.error()})
            continue
        shown = json.loads(reply.body)["ia::result"] if reply.body else {}
        job.results.append({**shown, "ia::status": reply.status})
    stamp = job.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    data = {"jobId": job.job_id, "statusURL": _status_url(job), "createdDateTime": stamp}
    return RestReply(200, encode({"ia::result": data, "ia::meta": _meta(job)}))


def _keyed(record: dict[str, object]) -> str:
    key = record.get("key")
    if not isinstance(key, str) or not key:
        raise invalid("each record of a bulk update or delete needs its key")
    return key


_STEPS: Final[dict[str, Callable[[Context, RestObject, dict[str, object]], RestReply]]] = {
    "create": lambda ctx, obj, record: crud.post(ctx, obj, record, atomic=False),
    "update": lambda ctx, obj, record: crud.patch(ctx, obj, _keyed(record), record, atomic=False),
    "delete": lambda ctx, obj, record: crud.delete(ctx, obj, _keyed(record), atomic=False),
}


def status(job: Job | None, job_id: str, *, download: bool) -> RestReply:
    """The job's status, or with ``download`` its records' results."""
    if job is None:
        raise not_found("services/bulk/job", job_id)
    if download:
        return RestReply(200, encode({"ia::result": job.results, "ia::meta": _meta(job)}))
    data = {
        "jobId": job.job_id,
        "status": "completed",
        "percentComplete": 100,
        "downloadURL": f"{_status_url(job)}&download=true",
        "jobStatusFile": f"{job.job_id}-response.json",
    }
    return RestReply(200, encode({"ia::result": data, "ia::meta": _meta(job)}))


def new_job(company_id: str, client_id: str, now: datetime, wanted: Order) -> Job:
    return Job(
        str(uuid.uuid4()), company_id, client_id, now, wanted.obj.path, wanted.operation,
        wanted.callback,
    )  # fmt: skip


def _status_url(job: Job) -> str:
    return f"{STATUS}?jobId={job.job_id}"


def _meta(job: Job) -> dict[str, int]:
    ok = sum(1 for r in job.results if "ia::error" not in r)
    return meta(len(job.results), ok)
