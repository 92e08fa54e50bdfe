"""``/objects/<path>[/<key>[,<key>...]]``: list, get, create, update and delete
([RESTDOC] docs/rest/bulk-requests.md "Batch Requests", docs/rest/error-handling.md).

Writes run the XML gateway's own ``writes.create_record`` / ``update_record`` /
``delete_record``, so WHENMODIFIED, AUDITHISTORY rows, ids, defaults and business checks are
the same whichever API wrote. A business refusal answers 422 ``operationFailed`` with the XML
error's code and words in ``details``.

- GET without a key lists ``{key, id, href}`` (``start``, ``size`` query parameters, 100 a page
  by default, **inferred** from the list example's ``pageSize`` 100); with keys, the records
  (one key: an object; several: an array of those found, 404 when none is, **inferred**).
- POST takes one object (201) or an array of at most 500 (a batch; more is refused with 400,
  **inferred**: the page gives only the maximum). A batch is non-atomic unless
  ``X-IA-API-Param-Transaction: true``; every element of a batch reply carries ``ia::status``
  and, when it failed, ``ia::error``; the reply is 207 when the statuses differ, else their one
  status ("In some cases only one status code is returned when applicable to all records"). An
  atomic batch that fails is rolled back whole: the failed record keeps its error, the others
  get ``ia::status`` 422 ``unprocessed`` "Operation skipped due to atomic transaction failure"
  (the composite page's multi-status example, [RESTDOC] docs/rest/common-resources.md).
- PATCH with a key in the path takes one object; without, an array each with its ``key``.
- DELETE of one key or a comma list: 204 with no body; a batch with failures answers 207 with
  each result by position ("successful deletes do not include the key property").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Final

from released_intacct.fakes.simulators.intacct import catalog, generic, writes
from released_intacct.fakes.simulators.intacct.company import Company, Record
from released_intacct.fakes.simulators.intacct.context import Context
from released_intacct.fakes.simulators.intacct.errors import GatewayError
from released_intacct.fakes.simulators.intacct.rest import advances, docwrites, owned, refunds
from released_intacct.fakes.simulators.intacct.rest.envelope import (
    RestError,
    RestReply,
    encode,
    invalid,
    meta,
    not_found,
    operation_failed,
    success,
)
from released_intacct.fakes.simulators.intacct.rest.fields import RestObject, flat, nest
from released_intacct.fakes.simulators.intacct.rest.query import readable, visible

MAX_BATCH: Final = 500
Outcome = dict[str, object] | RestError


def keys_of(text: str) -> list[str]:
    return [k.strip() for k in text.split(",") if k.strip()]


def _found(ctx: Context, obj: RestObject, key: str) -> Record:
    readable(ctx, obj)
    record = ctx.company.by_recordno(obj.xml, key)
    owner = "" if record is None else str(record.get("MEGAENTITYID", ""))
    if record is None or (ctx.entity and owner not in ("", ctx.entity)):
        raise not_found(obj.path, key)
    if obj.definition is not None and record.get("DOCPARID") != obj.definition:
        raise not_found(obj.path, key)
    return record


def _shown(ctx: Context, obj: RestObject, record: Record) -> dict[str, object]:
    found = nest(flat(ctx.company, obj, generic.shown(ctx, catalog.OBJECTS[obj.xml], record)))
    if obj.lines is not None:
        found[obj.holder] = owned.shown(ctx.company, obj, record)
    return found


def get(ctx: Context, obj: RestObject, keys: str, query: dict[str, str]) -> RestReply:
    ctx.spend()
    if not keys:
        return _listing(ctx, obj, query)
    wanted = keys_of(keys)
    if len(wanted) == 1:
        return success(_shown(ctx, obj, _found(ctx, obj, wanted[0])))
    found = []
    for key in wanted:
        try:
            found.append(_shown(ctx, obj, _found(ctx, obj, key)))
        except RestError:
            continue
    if not found:
        raise not_found(obj.path, keys)
    return success(found, count=len(found))


def _listing(ctx: Context, obj: RestObject, query: dict[str, str]) -> RestReply:
    start, size = (_param(query, name, default) for name, default in (("start", 1), ("size", 100)))
    rows = visible(ctx, obj)
    page = rows[start - 1 : start - 1 + size]
    data = {
        "ia::result": [{k: row[k] for k in ("key", "id", "href") if k in row} for row in page],
        "ia::meta": {
            "totalCount": len(rows),
            "start": start,
            "pageSize": size,
            "next": start + size if start - 1 + size < len(rows) else None,
            "previous": max(1, start - size) if start > 1 else None,
        },
    }
    return RestReply(200, encode(data))


def _param(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name, str(default))
    if not raw.isdigit() or int(raw) < 1:
        raise invalid(f"{name} must be a whole number >= 1, got {raw!r}")
    return int(raw)


def _writable(obj: RestObject, method: str) -> None:
    if obj.read_only:
        raise RestError(405, "methodNotAllowed", f"{method} is not supported for {obj.path}")


_CREATED_BY: Final[dict[str, Callable[[Context, RestObject, object], Record]]] = {
    advances.AR_ADVANCE.path: advances.create,
    advances.AP_ADVANCE.path: advances.create,
    refunds.CUSTOMER_REFUND.path: refunds.create,
}
"""Objects created by their own code, never patched or deleted here (``read_only``)."""


def post(ctx: Context, obj: RestObject, body: object, *, atomic: bool) -> RestReply:
    own = _CREATED_BY.get(obj.path)
    if own is None:
        _writable(obj, "POST")
    xml = catalog.OBJECTS[obj.xml]

    def create(item: object) -> Outcome:
        if docwrites.creates(obj.path):  # created only by a legacy function over XML
            return obj.reference(docwrites.create(ctx, obj, item))
        if own is not None:
            return obj.reference(own(ctx, obj, item))
        stored = writes.create_record(ctx, xml, owned.record_of(ctx.company, obj, item))
        return obj.reference(stored)

    if isinstance(body, list):
        return _batch(ctx, obj, "create", body, create, atomic=atomic, ok=201)
    return success(_one(obj, "create", lambda: create(body)), 201)


def patch(ctx: Context, obj: RestObject, keys: str, body: object, *, atomic: bool) -> RestReply:
    _writable(obj, "PATCH")
    xml = catalog.OBJECTS[obj.xml]

    def update(key: str, item: object) -> Outcome:
        record = _found(ctx, obj, key)
        changes = owned.record_of(ctx.company, obj, item, existing=record)
        if obj.id_field and str(changes.get(obj.id_field, record.get(obj.id_field))) != str(
            record.get(obj.id_field)
        ):
            raise invalid(f"id: the id of {obj.path} {key} cannot change")
        return obj.reference(writes.update_record(ctx, xml, record, changes))

    def keyed(item: object) -> Outcome:
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key:
            raise invalid("each record of a batch PATCH needs its key")
        return update(key, item)

    if keys:
        if len(keys_of(keys)) != 1 or not isinstance(body, dict):
            raise invalid("PATCH with a key in the path takes one object; send an array without")
        return success(_one(obj, "update", lambda: update(keys, body)))
    if not isinstance(body, list):
        raise invalid(
            f"PATCH of {obj.path} needs a key in the path, or an array of records with keys"
        )
    return _batch(ctx, obj, "update", body, keyed, atomic=atomic, ok=200)


def delete(ctx: Context, obj: RestObject, keys: str, *, atomic: bool) -> RestReply:
    _writable(obj, "DELETE")
    xml = catalog.OBJECTS[obj.xml]
    wanted = keys_of(keys)
    if not wanted:
        raise invalid(f"DELETE of {obj.path} needs a key or a comma list of keys", 405)

    def remove(key: object) -> Outcome:
        _found(ctx, obj, str(key))
        writes.delete_record(ctx, xml, str(key))
        return {}

    if len(wanted) == 1:
        _one(obj, "delete", lambda: remove(wanted[0]))
        return RestReply(204, b"", {})
    reply = _batch(ctx, obj, "delete", list(wanted), remove, atomic=atomic, ok=204)
    return RestReply(204, b"", {}) if reply.status == 204 else reply


def _one(obj: RestObject, action: str, run: Callable[[], Outcome]) -> dict[str, object]:
    try:
        outcome = run()
    except GatewayError as error:
        raise operation_failed(action, obj.path, error) from error
    if isinstance(outcome, RestError):
        raise outcome
    return outcome


def _batch(
    ctx: Context,
    obj: RestObject,
    action: str,
    items: list[object],
    run: Callable[[object], Outcome],
    *,
    atomic: bool,
    ok: int,
) -> RestReply:
    if not items or len(items) > MAX_BATCH:
        raise invalid(f"a batch holds 1 to {MAX_BATCH} records, got {len(items)}")
    saved = ctx.company.snapshot() if atomic else None
    results: list[dict[str, object]] = []
    for item in items:
        try:
            results.append({**_one(obj, action, partial(run, item)), "ia::status": ok})
        except RestError as error:
            results.append({"ia::status": error.status, "ia::error": error.error()})
            if saved is not None:
                return _rolled_back(ctx, saved, results, len(items), error.status)
    statuses = {int(str(r["ia::status"])) for r in results}
    status = statuses.pop() if len(statuses) == 1 else 207
    succeeded = sum(1 for r in results if "ia::error" not in r)
    if status == 204:
        return RestReply(204, b"", {})
    return RestReply(
        status, encode({"ia::result": results, "ia::meta": meta(len(items), succeeded)})
    )


def _rolled_back(
    ctx: Context, saved: Company, results: list[dict[str, object]], total: int, status: int
) -> RestReply:
    ctx.company.restore(saved)
    ctx.spent = 0
    aborted = {
        "ia::status": 422,
        "ia::error": {
            "code": "unprocessed",
            "message": "Operation skipped due to atomic transaction failure",
        },
    }
    shown = [r if "ia::error" in r else dict(aborted) for r in results]
    shown += [dict(aborted)] * (total - len(results))
    return RestReply(status, encode({"ia::result": shown, "ia::meta": meta(total, 0)}))
