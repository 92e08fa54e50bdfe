"""What a request to Intacct's REST API (``/ia/api/v1/…``) counts as, for ``_engine.Tally``.

- ``POST …/oauth2/token``: ``auth`` (a token request; at most one a run).
- ``POST …/services/core/query``: ``read`` of the object its body names; a feed's page when a
  filter keeps the rows at or after a cursor (``audit.modifiedDateTime``; the audit history's
  ``changeSource.accessDateTime``), or when it is the first page of a feed read whole each run
  (``WHOLE``: tax details, which cannot be filtered on ``audit.modifiedDateTime``,
  docs/intacct-rest.md 4.2; over XML the same feed is filtered on WHENMODIFIED and counted).
- ``GET …/objects/<module>/<object>[/<keys>]``: ``read`` of that object (a batch retrieval by key:
  a page's documents with their owned lines).
- ``POST …/services/core/composite``: ``read`` of ``composite`` when every sub-request reads (a
  GET, or the query service), else ``write`` of its sub-requests (the set-up's reads go as one).
- ``POST`` / ``PATCH`` / ``DELETE …/objects/…`` and ``POST …/workflows/…``: ``write``, with the
  records it holds (a JSON array is a batch: its length; else one) under ``<method> <object>``
  (a workflow: ``<object>:<action>``), which the minimum puts in batches of at most 500.

Only the body's top level is decoded (``msgspec.Raw`` leaves each record undecoded): the tally
runs in the engine's process and its CPU counts as the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import msgspec

from released_intacct.adapters.intacct_rest.feeds import TAX_DETAIL_PATH

Kind = Literal["auth", "read", "write"]
CURSORS = frozenset({"audit.modifiedDateTime", "changeSource.accessDateTime"})
WHOLE = frozenset({TAX_DETAIL_PATH})
"""Objects whose feed reads every row each run, with no cursor to filter on (a first page of
one is a feed's page)."""


class _Filter(msgspec.Struct):
    field: str = ""
    operator: str = ""


class _Query(msgspec.Struct):
    object: str = ""
    filters: list[_Filter] = []
    start: int = 1


class _Sub(msgspec.Struct):
    method: str = ""
    path: str = ""


@dataclass(frozen=True)
class RestCall:
    kind: Kind
    resource: str
    """The object read or written (``module/object``; a workflow adds ``:<action>``)."""
    records: int = 0
    """Records a write holds (0 for a read)."""
    cursored: bool = False
    """A change feed's first page: a query filtered on a cursor, or the first page of a feed
    read whole (``WHOLE``)."""


def rest_call(method: str, path: str, content: bytes) -> RestCall:
    """``path`` is the part after the REST prefix (``/objects/…``, ``/services/core/query``)."""
    if path.startswith("/oauth2/"):
        return RestCall("auth", "oauth2")
    if path in ("/services/core/query", "/services/core/composite"):
        return _service(path, content)
    parts = path.strip("/").split("/")
    resource = "/".join(parts[1:3])
    if parts[0] == "workflows":
        return RestCall("write", f"{resource}:{'/'.join(parts[3:])}", _records(content))
    if method == "GET":
        return RestCall("read", resource)
    if method == "DELETE":  # a batch delete names its keys in the path
        return RestCall("write", f"DELETE {resource}", len(",".join(parts[3:4]).split(",")))
    return RestCall("write", f"{method} {resource}", _records(content) if content else 1)


def _service(path: str, content: bytes) -> RestCall:
    if path == "/services/core/query":
        query = msgspec.json.decode(content, type=_Query)
        cursored = any(f.field in CURSORS and f.operator == "$gte" for f in query.filters)
        cursored = cursored or (query.object in WHOLE and not query.filters and query.start == 1)
        return RestCall("read", query.object, cursored=cursored)
    subs = msgspec.json.decode(content, type=list[_Sub])
    reads = all(s.method == "GET" or s.path == "/services/core/query" for s in subs)
    return RestCall("read", "composite") if reads else RestCall("write", "composite", len(subs))


def _records(content: bytes) -> int:
    if not content.lstrip().startswith(b"["):
        return 1
    return len(msgspec.json.decode(content, type=list[msgspec.Raw]))
