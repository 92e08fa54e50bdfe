"""The REST operations on a company's records, without HTTP: get, create, update, archive, act.

``create`` keeps a proposed ``id`` when it is free (409 ``id_taken`` otherwise) and remembers the
idempotency key it was sent with (``Company.keys``) for look-ups by key. ``update`` takes the
whole record with its current ``version`` (stale: 409 ``version_conflict`` carrying
``currentVersion``); ids and versions are checked before the fields.

Documents follow ``documents``. A create may ask for Draft, AwaitingApproval or Approved (Paid
comes from payments, Voided from ``void``; ``loading``, used by seeds and ``POST
/_sim/companies``, also allows Voided). A ``PUT`` without ``status`` keeps the status; one with
another status is 422 ``invalid_transition``, except a move forward along Draft ->
AwaitingApproval -> Approved that carries ``X-Sync-Source: intacct`` (``sync``). The lines of an
Approved, Paid or Voided document change only with that header (else 422 ``invoice_locked``).
A ``PUT`` without ``attachments`` leaves them as they are.
Payments are never updated (422 ``not_updatable``): delete one and pay again.
"""

from __future__ import annotations

from typing import Any

from released_intacct.fakes.simulators.released import docschema, documents, schemas
from released_intacct.fakes.simulators.released.checks import Checker, Json
from released_intacct.fakes.simulators.released.company import Company
from released_intacct.fakes.simulators.released.documents import DOCUMENTS, PAYABLE
from released_intacct.fakes.simulators.released.errors import (
    ApiError,
    business,
    invalid_field,
    not_found,
)

ARCHIVABLE = ("contacts", "accounts", "tax-types", "tracking-categories")
FLOW = ("Draft", "AwaitingApproval", "Approved")
LOCKED = ("Approved", "Paid", "Voided")
MAX_ID = 200


def get(company: Company, resource: str, record_id: str) -> Json:
    found = company.tables[resource].get(record_id)
    if found is None:
        raise not_found(resource, record_id)
    return found


def _object(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise invalid_field("body", "must be a JSON object")
    return body


def _proposed_id(check: Checker, body: dict[str, Any]) -> str | None:
    raw = body.get("id")
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw or len(raw) > MAX_ID or "/" in raw:
        check.fail("id", f"must be a non-empty string of at most {MAX_ID} characters, no '/'")
        return None
    return raw


def _fields(check: Checker, company: Company, resource: str, body: object, own_id: str) -> Json:
    if resource == "contacts":
        return schemas.contact(check, body)
    if resource == "accounts":
        return schemas.account(check, body)
    if resource == "tax-types":
        return schemas.tax_type(check, body)
    if resource == "tracking-categories":
        return schemas.tracking_category(check, body, company, own_id=own_id)
    if resource == "payments":
        return schemas.payment(check, body, company)
    return docschema.document(check, body, company, resource=resource)


def create(
    company: Company, resource: str, body: object, *, key: str | None, loading: bool = False
) -> Json:
    """Validate and store a new record; it is returned as stored."""
    check = Checker()
    proposed = _proposed_id(check, _object(body))
    fields = _fields(check, company, resource, body, proposed or "")
    if resource in DOCUMENTS:
        _check_new_document(check, company, fields, loading=loading)
    check.done()
    if proposed is not None and proposed in company.tables[resource]:
        raise ApiError(409, "id_taken", f"the {resource} id {proposed!r} is taken")
    record_id = proposed or company.new_id(resource)
    if resource == "payments":
        record = documents.pay(company, fields, payment_id=record_id)
    else:
        record = {"id": record_id, **fields, "version": 0}
        if resource == "credit-notes":
            record["allocations"] = []
        if resource in DOCUMENTS:
            documents.recompute(company, resource, record)
        company.tables[resource][record_id] = company.touch(record)
    if key is not None:
        company.keys[(resource, key)] = record_id
    return record


def _check_new_document(check: Checker, company: Company, fields: Json, *, loading: bool) -> None:
    allowed = (*FLOW, "Voided") if loading else FLOW
    if fields["status"] not in allowed:
        check.fail("status", f"a new document's status must be one of {', '.join(allowed)}")
    if not loading:
        docschema.refuse_archived(check, fields, company)


def update(
    company: Company, resource: str, record_id: str, body: object, *, sync: bool = False
) -> Json:
    """Replace the record's writable fields; ``version`` + 1 and ``lastModified`` now."""
    current = get(company, resource, record_id)
    if resource == "payments":
        raise business("not_updatable", "a payment cannot be changed: delete it and pay again")
    _check_version(current, _object(body))
    check = Checker()
    if _proposed_id(check, _object(body)) not in (None, record_id):
        check.fail("id", f"must be {record_id!r}, the id in the path")
    fields = _fields(check, company, resource, body, record_id)
    check.done()
    if resource in DOCUMENTS:
        given = isinstance(body, dict) and body.get("status") is not None
        if isinstance(body, dict) and "attachments" not in body:
            fields["attachments"] = current["attachments"]
        _merge_document(current, fields, status_given=given, sync=sync)
        documents.recompute(company, resource, current)
    else:
        current.update(fields)
    return company.touch(current)


def _check_version(current: Json, body: dict[str, Any]) -> None:
    version: Any = body.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise invalid_field("version", "is required: the record's current version, a whole number")
    if version != current["version"]:
        raise ApiError(
            409,
            "version_conflict",
            f"version {version} is stale: the record is at version {current['version']}",
            extra={"currentVersion": current["version"]},
        )


def _line_content(lines: list[Json]) -> list[Json]:
    return [{k: v for k, v in line.items() if k != "id"} for line in lines]


def _merge_document(current: Json, fields: Json, *, status_given: bool, sync: bool) -> None:
    if fields["type"] != current["type"]:
        raise invalid_field("type", f"cannot change from {current['type']}")
    was, wanted = current["status"], fields["status"] if status_given else current["status"]
    forward = wanted in FLOW and was in FLOW and FLOW.index(wanted) > FLOW.index(was)
    same = wanted == was or (wanted in PAYABLE and was in PAYABLE)
    if not same and not (sync and forward):
        raise business("invalid_transition", f"a PUT cannot move a document from {was} to {wanted}")
    if _line_content(fields["lines"]) == _line_content(current["lines"]):
        fields["lines"] = current["lines"]
    elif was in LOCKED and not sync:
        raise business("invoice_locked", f"the lines of a document in status {was} cannot change")
    current.update(fields, status=was if same else wanted)


def set_archived(company: Company, resource: str, record_id: str, *, archived: bool) -> Json:
    """Archive or unarchive; a record already in that state is returned unchanged."""
    record = get(company, resource, record_id)
    status = "Archived" if archived else "Active"
    if record["status"] != status:
        record["status"] = status
        company.touch(record)
    return record


def act(company: Company, resource: str, record_id: str, action: str) -> Json:
    """``submit``/``approve``/``void`` on a document, or ``delete`` on a payment."""
    record = get(company, resource, record_id)
    if resource == "payments":
        return documents.delete_payment(company, record)
    return documents.act(company, resource, record, action)


def allocate(company: Company, note_id: str, body: object) -> Json:
    note = get(company, "credit-notes", note_id)
    check = Checker()
    fields = schemas.allocation(check, _object(body), company)
    check.done()
    return documents.allocate(company, note, fields)
