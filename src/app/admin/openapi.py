"""The OpenAPI 3.1 document of the admin API, built from the route table (so it cannot drift).

The document itself needs no token unless the app says otherwise (``public``), and is answered
with a ``servers`` entry naming the prefix the app is mounted at (``with_servers``).

Schemas come from msgspec (``schema_components``, JSON Schema 2020-12, which OpenAPI 3.1 takes
as it is): request bodies, responses, and path and query parameters, one property each. Every
route but ``/health`` needs the bearer token; every route may answer the errors of
``errors.STATUS_OF`` and the API's own (400, 401, 404, 413, 422, 500).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import msgspec

from released_intacct.app.admin.endpoint import Endpoint
from released_intacct.app.admin.errors import ErrorBody
from released_intacct.app.admin.wire import schema_hook

__all__ = ["OPENAPI_PATH", "mount_prefix", "openapi_document", "with_servers"]

OPENAPI_PATH: Final = "/openapi.json"
_REF: Final = "#/components/schemas/{name}"
_PLACEHOLDER = re.compile(r"{([^}:]+)(?::[^}]+)?}")
_ERRORS: Final = {
    "400": "The body is not JSON, or is nested too deeply",
    "401": "No or a wrong bearer token",
    "404": "No such connection (or run of it)",
    "409": "Refused by a rule (the error names it; E4: the run already open, and since when)",
    "413": "The body is larger than the limit (the admin_max_body_bytes setting)",
    "422": "A field or parameter is missing or wrong (the error names it)",
    "500": "Unexpected failure (logged)",
    "502": "Intacct or Re-Leased failed, or refused the credentials",
    "503": "Intacct or Re-Leased unavailable for now; try again later",
}


def openapi_document(
    endpoints: Sequence[Endpoint], *, title: str, version: str, public: bool = True
) -> dict[str, Any]:
    """The document of ``endpoints`` (and of ``GET /openapi.json`` itself, which needs the token
    unless ``public``)."""
    types = _types(endpoints)
    schemas, components = msgspec.json.schema_components(
        types, schema_hook=schema_hook, ref_template=_REF
    )
    by_type = dict(zip(types, schemas, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, by_type, components)
    paths.setdefault(OPENAPI_PATH, {})["get"] = _self_operation(public=public)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _types(endpoints: Sequence[Endpoint]) -> list[type[msgspec.Struct]]:
    found: list[type[msgspec.Struct]] = [ErrorBody]
    for ep in endpoints:
        for kind in (ep.params, ep.query, ep.body, ep.out):
            if kind is not None and kind not in found:
                found.append(kind)
    return found


def _operation(
    ep: Endpoint,
    by_type: dict[type[msgspec.Struct], dict[str, Any]],
    components: dict[str, Any],
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": _operation_id(ep),
        "summary": ep.summary,
        "parameters": _parameters(ep, components),
        "responses": _responses(ep, by_type),
    }
    if ep.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": by_type[ep.body]}},
        }
    if ep.public:
        operation["security"] = []
    return operation


def _operation_id(ep: Endpoint) -> str:
    words = re.sub(r"[^A-Za-z0-9]+", "_", _PLACEHOLDER.sub(r"by_\1", ep.path)).strip("_")
    return f"{ep.method.lower()}_{words}"


def _parameters(ep: Endpoint, components: dict[str, Any]) -> list[dict[str, Any]]:
    return _fields(ep.params, "path", components) + _fields(ep.query, "query", components)


def _fields(
    kind: type[msgspec.Struct], where: str, components: dict[str, Any]
) -> list[dict[str, Any]]:
    schema = components.get(kind.__name__, {})
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
            "schema": property_schema,
        }
        for name, property_schema in schema.get("properties", {}).items()
    ]


def _responses(ep: Endpoint, by_type: dict[type[msgspec.Struct], dict[str, Any]]) -> dict[str, Any]:
    error = {"application/json": {"schema": by_type[ErrorBody]}}
    answers: dict[str, Any] = {
        str(ep.status): {
            "description": ep.summary,
            "content": {"application/json": {"schema": by_type[ep.out]}},
        }
    }
    for status, description in _ERRORS.items():
        if ep.public and status != "500":
            continue
        answers[status] = {"description": description, "content": error}
    return answers


def mount_prefix(scope: Mapping[str, Any]) -> str:
    """Where the app is mounted, from the request's ``root_path`` (a ``Mount``'s path after a
    proxy's ``--root-path``): ``/admin``; ``""`` at the root."""
    return str(scope.get("root_path", "")).rstrip("/")


def with_servers(document: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``document`` with one server: ``prefix`` (``mount_prefix``), ``/`` at the root; a path,
    so it holds for whatever host and scheme the client reached."""
    return {**document, "servers": [{"url": prefix or "/"}]}


def _self_operation(*, public: bool) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": "The OpenAPI 3.1 document",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
    }
    if not public:
        responses["401"] = {
            "description": "No or a wrong bearer token",
            "content": {"application/json": {"schema": {"$ref": _REF.format(name="ErrorBody")}}},
        }
    operation: dict[str, Any] = {
        "operationId": "get_openapi_json",
        "summary": "This document",
        "parameters": [],
        "responses": responses,
    }
    if public:
        operation["security"] = []
    return operation
