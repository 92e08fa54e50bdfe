"""Reading the gateway's replies with a hardened parser, into plain values.

The body comes from the network, so it is distrusted: over :data:`MAX_RESPONSE_BYTES` it is refused
unread; a body that may hold more XML nodes than the request could be answered with
(``max_nodes``, from ``query.reply_nodes``) is refused before the parser builds anything (FATAL,
``classify.overgrown``): libxml2 spends about 120 bytes on an element a reply spells in four
(``<a/>``), so the byte limit alone does not bound the memory a tree takes. A DTD (``<!DOCTYPE``/
``<!ENTITY``, the vehicle of external-entity and entity-expansion attacks) is refused before and
after parsing; entities are never resolved, nothing is fetched from the network, and libxml2
refuses nesting deeper than 256 levels (``huge_tree`` stays off). A body that is not UTF-8, an
HTML page, a truncated or malformed document each become a ``SyncError`` naming the HTTP status
and at most 200 characters of the body's start (see ``classify``).

A reply that repeats what must be said once (a status, a result for one control id) contradicts
itself and is refused like a malformed one. A reply that parses is a :class:`Response` (spec §2):
the control block, the authentication block and one :class:`FunctionResult` per function, in
order; deciding what they mean is ``classify``'s.
"""

from __future__ import annotations

import codecs
from typing import Final

from lxml import etree
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct import classify
from released_intacct.adapters.intacct.reply import (
    FunctionResult,
    IntacctError,
    PageInfo,
    Response,
)
from released_intacct.domain.errors import SyncError

__all__ = [
    "MAX_NODES",
    "MAX_RESPONSE_BYTES",
    "NODES_PER_ANSWER",
    "NODES_PER_DOCUMENT",
    "NODES_PER_REPLY",
    "PARSER",
    "api_session",
    "page_info",
    "parse_response",
    "rows",
]

MAX_RESPONSE_BYTES: Final = 50 * 1024 * 1024
NODES_PER_REPLY: Final = 10_000
"""The XML nodes (elements, attributes, comments, processing instructions) a reply may hold besides
its functions' answers: the control and authentication blocks, each result's status and errors."""
NODES_PER_ANSWER: Final = 1_000
"""The nodes of one record a list function answers (a flat row: Intacct's widest objects have a
few hundred fields, custom fields included), or of the whole answer of a function that reads no
records (a key, a session, a list of preferences)."""
NODES_PER_DOCUMENT: Final = 10_000
"""The nodes of one record ``read`` by key: a transaction comes with its lines (about a hundred
lines of a hundred fields)."""
MAX_NODES: Final = NODES_PER_REPLY + NODES_PER_ANSWER
"""The budget of a reply to one function answering one record (``parse_response``'s default)."""
PARSER: Final = etree.XMLParser(  # shared, so never given a resolver or a target
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=True,
)
_DTD_MARKERS: Final = (b"<!DOCTYPE", b"<!ENTITY")
_DTD_REFUSED: Final = "the reply contains a DTD, which is refused"
_CHUNK: Final = 64 * 1024
_LIST_HOLDER_SUFFIXES: Final = ("ITEMS", "ENTRIES", "DETAILS", "LINES")


def parse_response(
    body: bytes,
    *,
    status: int,
    retry_after: str | None = None,
    max_bytes: int = MAX_RESPONSE_BYTES,
    max_nodes: int = MAX_NODES,
) -> Result[Response, SyncError]:
    """The reply to one request, or why it cannot be used.

    429 and 5xx are failures whatever the body (retriable; a 5xx may have been processed); a 2xx or
    a 4xx is parsed (Intacct answers bad credentials with a 401 XML body). A 2xx body that cannot
    be read is an uncertain outcome; a 4xx one is fatal. 1xx and 3xx are fatal. A body that may
    hold more than ``max_nodes`` nodes is fatal whatever its status (``classify.overgrown``).
    """
    readable = 200 <= status < 300 or (400 <= status < 500 and status != 429)
    if not readable:
        return Failure(classify.http_error(status, retry_after=retry_after))
    refused = _refused(body, max_bytes=max_bytes)
    if refused is None and _nodes(body) > max_nodes:
        return Failure(classify.overgrown(status, max_nodes))
    root = _document(body) if refused is None else refused
    if isinstance(root, str):
        return Failure(classify.unreadable(status, root, head=body))
    response = _response(root)
    if isinstance(response, str):
        return Failure(classify.unreadable(status, response, head=body))
    return Success(response)


def api_session(result: FunctionResult) -> tuple[str, str, str] | None:
    """``(sessionid, endpoint, locationid)`` of a successful ``getAPISession``, else ``None``.

    ``endpoint`` is ``""`` when Intacct names none (keep using the current one).
    """
    if not result.ok or result.data is None:
        return None
    api = result.data.find("api")
    if api is None:
        return None
    session_id = _text(api, "sessionid")
    if not session_id:
        return None
    return session_id, _text(api, "endpoint"), _text(api, "locationid")


def rows(data: etree._Element) -> list[dict[str, object]]:
    """Each record of a ``<data>`` as a nested dict.

    A field is its text (``""`` when empty); a block of different children is a dict (a tag that
    repeats in it becomes a list); a holder of repeated same-named children is a list — also with
    one child when the holder's name is the plural of the child's (``APBILLITEMS/APBILLITEM``,
    ``SODOCUMENTENTRIES/sodocumententry``) or ends in ITEMS, ENTRIES, DETAILS or LINES.
    """
    return [_block(_elements(record)) for record in _elements(data)]


def page_info(data: etree._Element) -> PageInfo:
    """The paging attributes of ``data``; ``count`` defaults to the records present.

    A missing or non-numeric ``numremaining`` reads as 0 (the last page), ``totalcount`` and
    ``offset`` as ``None``.
    """
    count = _int(data.get("count"))
    return PageInfo(
        count=len(_elements(data)) if count is None else count,
        total=_int(data.get("totalcount")),
        remaining=_int(data.get("numremaining")) or 0,
        result_id=data.get("resultId") or "",
        offset=_int(data.get("offset")),
    )


def _document(body: bytes) -> etree._Element | str:
    """The root element of a body ``_refused`` let through, or the reason it is refused."""
    try:
        root = etree.fromstring(body, parser=PARSER)
    except etree.XMLSyntaxError as error:
        return f"the reply is not well-formed XML: {' '.join(str(error).split())[:120]}"
    if _has_dtd(root):
        return _DTD_REFUSED
    return root


def _refused(body: bytes, *, max_bytes: int) -> str | None:
    """Why ``body`` is refused before it reaches the parser, if it is."""
    if len(body) > max_bytes:
        return f"the reply is larger than {max_bytes} bytes"
    if not body or body.isspace():
        return "the reply is empty"
    if _looks_like_html(body):
        return "the reply is an HTML page, not XML"
    if any(marker in body for marker in _DTD_MARKERS):
        return _DTD_REFUSED
    bad = _invalid_utf8_at(body)
    return None if bad is None else f"the reply is not valid UTF-8 (at byte {bad})"


def _nodes(body: bytes) -> int:
    """At least as many as the nodes (elements, attributes, comments, processing instructions) the
    parser would build of ``body``, counted in its bytes before anything is built (about 1 ms per
    MB): each node starts with a ``<`` other than an end tag's ``</``, or is an attribute, which
    holds one ``=``. A ``<`` or ``=`` in text, CDATA or a comment only makes the count larger; no
    entity is expanded (a DTD is refused) and a character reference makes text, never a node.
    Text nodes, the only others, lie between these, so they are bounded too."""
    return body.count(b"<") - body.count(b"</") + body.count(b"=")


def _has_dtd(root: etree._Element) -> bool:
    """The parsed document declares a DOCTYPE (the check after the byte scan, in depth)."""
    docinfo = root.getroottree().docinfo
    doctype: object = getattr(docinfo, "doctype", "")  # lxml-stubs lack DocInfo.doctype
    dtds: tuple[object, ...] = (docinfo.internalDTD, docinfo.externalDTD)
    return bool(doctype) or any(dtd is not None for dtd in dtds)


def _looks_like_html(body: bytes) -> bool:
    head = body[:512].lower()
    return b"<!doctype html" in head or b"<html" in head


def _invalid_utf8_at(body: bytes) -> int | None:
    """The offset of the chunk holding the first invalid UTF-8 sequence, if any (memory flat)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for start in range(0, len(body), _CHUNK):
        try:
            decoder.decode(body[start : start + _CHUNK], final=start + _CHUNK >= len(body))
        except UnicodeDecodeError as error:
            return start + error.start
    return None


def _response(root: etree._Element) -> Response | str:
    """The reply's blocks, or what is missing from it (the JS SDK's required elements)."""
    if root.tag != "response":
        return f"the reply is not an Intacct response (root element <{str(root.tag)[:40]}>)"
    control = root.find("control")
    status = "" if control is None else _text(control, "status")
    if control is not None and _repeated(control, "status"):
        return "the reply has more than one control status"
    if status not in ("success", "failure"):
        return "the reply has no control status"
    control_errors = _errors(root.find("errormessage"))
    operation = root.find("operation")
    if operation is not None:
        return _operation(operation, control_ok=status == "success", errors=control_errors)
    if status == "success":
        return "the reply has no <operation> block"
    return Response(False, control_errors, None, (), ())


def _operation(
    operation: etree._Element, *, control_ok: bool, errors: tuple[IntacctError, ...]
) -> Response | str:
    auth = operation.find("authentication")
    if auth is None or not _text(auth, "status"):
        return "the reply has no authentication status"
    if _repeated(auth, "status"):
        return "the reply has more than one authentication status"
    elements = list(operation.iterfind("result"))
    if any(_repeated(element, "status") for element in elements):
        return "a function result has more than one status"
    results = tuple(_result(element) for element in elements)
    if any(not result.status for result in results):
        return "a function result has no status"
    ids = [result.controlid for result in results if result.controlid]
    if len(set(ids)) != len(ids):
        return "the reply has more than one result for one function control id"
    auth_ok = _text(auth, "status") == "success"
    auth_errors = _errors(operation.find("errormessage"))
    stamp = _text(auth, "sessiontimestamp")
    return Response(control_ok, errors, auth_ok, auth_errors, results, stamp)


def _result(element: etree._Element) -> FunctionResult:
    key = element.find("key")
    return FunctionResult(
        status=_text(element, "status"),
        function=_text(element, "function"),
        controlid=_text(element, "controlid"),
        data=element.find("data"),
        key=None if key is None else (key.text or "").strip(),
        errors=_errors(element.find("errormessage")),
    )


def _errors(message: etree._Element | None) -> tuple[IntacctError, ...]:
    if message is None:
        return ()
    return tuple(
        IntacctError(
            errorno=_text(error, "errorno"),
            description=_text(error, "description"),
            description2=_text(error, "description2"),
            correction=_text(error, "correction"),
        )
        for error in message.iterfind("error")
    )


def _repeated(parent: etree._Element, tag: str) -> bool:
    """``tag`` occurs more than once in ``parent`` (a reply that contradicts itself)."""
    return len(parent.findall(tag)) > 1


def _text(parent: etree._Element, tag: str) -> str:
    return (parent.findtext(tag) or "").strip()


def _int(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _elements(parent: etree._Element) -> list[etree._Element]:
    """The element children (comments and processing instructions left out)."""
    return [node for node in parent if isinstance(node.tag, str)]


def _value(element: etree._Element) -> object:
    kids = _elements(element)
    if not kids:
        return element.text or ""
    if _is_list(str(element.tag), kids):
        return [_value(kid) for kid in kids]
    return _block(kids)


def _block(kids: list[etree._Element]) -> dict[str, object]:
    grouped: dict[str, list[object]] = {}
    for kid in kids:
        grouped.setdefault(str(kid.tag), []).append(_value(kid))
    block = {tag: found[0] if len(found) == 1 else found for tag, found in grouped.items()}
    return _undotted(block) if any("." in tag for tag in block) else block


def _undotted(block: dict[str, object]) -> dict[str, object]:
    """``block`` with dotted field names nested: ``SHIPTO.MAILADDRESS.CITY`` becomes
    ``SHIPTO`` > ``MAILADDRESS`` > ``CITY``. Intacct names a block's fields with dots (``inspect``;
    ``query`` answers ``<PAYTOCONTACT.CONTACTNAME>``, [XMLDOC queries]) and a list function may
    answer them so, where ``read`` nests them; both read the same. A dotted name whose head is
    a field with text stays as it came."""
    nested: dict[str, object] = {tag: value for tag, value in block.items() if "." not in tag}
    for tag, value in block.items():
        path = tag.split(".")
        if "." in tag and not (all(path) and _place(nested, path, value)):
            nested[tag] = value
    return nested


def _place(into: dict[str, object], path: list[str], value: object) -> bool:
    """Put ``value`` at ``path`` inside ``into``; False when a field with text is in the way."""
    head, rest = path[0], path[1:]
    if not rest:
        held = into.get(head)
        if isinstance(held, dict) and isinstance(value, dict):
            into[head] = {**value, **held}
        elif held in (None, ""):
            into[head] = value
        return True
    inner = into.get(head)
    if inner in (None, ""):
        inner = into[head] = {}
    return isinstance(inner, dict) and _place(inner, rest, value)


def _is_list(holder: str, kids: list[etree._Element]) -> bool:
    tags = {str(kid.tag).upper() for kid in kids}
    if len(tags) != 1:
        return False
    if len(kids) > 1:
        return True
    (item,) = tags
    holder = holder.upper()
    plurals = {item + "S", item + "ES", item[:-1] + "IES" if item.endswith("Y") else item + "S"}
    return holder in plurals or holder.endswith(_LIST_HOLDER_SUFFIXES)
