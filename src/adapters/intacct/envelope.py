"""Request envelopes for the Intacct XML gateway, built with lxml (never by string concatenation).

A request is ``<request><control/><operation><authentication/><content/></operation></request>``
(spec §1). :func:`login_request` signs in with the Web Services user to open a session at an entity;
:func:`session_request` carries any number of :class:`Function` s under that session. Bodies hold
both passwords or a session id in clear, so they go to a debug log only through :func:`redacted`.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from lxml import etree

from released_intacct.domain.ids import EntityId
from released_intacct.domain.ports import IntacctCredentials

__all__ = [
    "DTD_VERSION",
    "Function",
    "child",
    "element",
    "login_request",
    "redacted",
    "session_request",
]

DTD_VERSION: Final = "3.0"
_SECRET_TAGS: Final = frozenset({"password", "sessionid"})
_MASK: Final = "***"
_PARSER: Final = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


@dataclass(frozen=True, slots=True)
class Function:
    """One ``<function controlid=...>`` of a request: ``body`` is its one child element."""

    controlid: str
    body: etree._Element


def element(tag: str, text: str | None = None, /, **attrs: str) -> etree._Element:
    """A new element with optional text and attributes."""
    made = etree.Element(tag, attrs)
    if text is not None:
        made.text = text
    return made


def child(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    """Append ``<tag>text</tag>`` to ``parent`` and return it."""
    made = etree.SubElement(parent, tag)
    if text is not None:
        made.text = text
    return made


def login_request(
    credentials: IntacctCredentials, *, entity: EntityId | None, controlid: str
) -> bytes:
    """A ``getAPISession`` signed in with the Web Services user, at ``entity`` when given.

    ``entity=None`` leaves the choice to Intacct (the user's default); ``""`` asks for the top
    level explicitly with an empty ``<locationid/>`` in ``getAPISession`` (spec §3).
    """
    request = _request(credentials, controlid=controlid, unique=False)
    operation = child(request, "operation")
    operation.set("transaction", "false")
    login = child(child(operation, "authentication"), "login")
    child(login, "userid", credentials.user_id)
    child(login, "companyid", credentials.company_id)
    child(login, "password", credentials.user_password.reveal())
    if entity:
        child(login, "locationid", entity)
    session = element("getAPISession")
    if entity is not None:
        child(session, "locationid", entity)
    _content(operation, [Function(controlid=controlid, body=session)])
    return _serialize(request)


def session_request(
    credentials: IntacctCredentials,
    session_id: str,
    functions: Sequence[Function],
    *,
    controlid: str,
    unique: bool,
    transaction: bool = False,
) -> bytes:
    """``functions`` under the session ``session_id``; ``unique`` sets ``<uniqueid>true``.

    With ``unique`` Intacct refuses a function whose ``controlid`` it already executed, which is
    what makes a re-sent write safe (design: exactly-once writes).
    """
    request = _request(credentials, controlid=controlid, unique=unique)
    operation = child(request, "operation")
    operation.set("transaction", "true" if transaction else "false")
    child(child(operation, "authentication"), "sessionid", session_id)
    lent = _content(operation, functions)
    try:
        return _serialize(request)
    finally:
        for body in lent:  # back to its caller, its own root again
            parent = body.getparent()
            if parent is not None:
                parent.remove(body)


def redacted(body: bytes) -> bytes:
    """``body`` with the text of every ``<password>`` and ``<sessionid>`` replaced by ``***``.

    For debug logs only. A body that is not XML is replaced as a whole: it cannot be shown safely.
    """
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError:
        return b"<!-- unreadable body withheld -->"
    for found in root.iter(*_SECRET_TAGS):
        if len(found):
            for inner in list(found):
                found.remove(inner)
        found.text = _MASK
    return _serialize(root)


def _request(credentials: IntacctCredentials, *, controlid: str, unique: bool) -> etree._Element:
    if not 1 <= len(controlid) <= 256:
        msg = f"a control id has 1-256 characters, got {len(controlid)}"
        raise ValueError(msg)
    request = element("request")
    control = child(request, "control")
    child(control, "senderid", credentials.sender_id)
    child(control, "password", credentials.sender_password.reveal())
    child(control, "controlid", controlid)
    child(control, "uniqueid", "true" if unique else "false")
    child(control, "dtdversion", DTD_VERSION)
    child(control, "includewhitespace", "false")
    return request


def _content(operation: etree._Element, functions: Sequence[Function]) -> list[etree._Element]:
    """The ``<content>`` of ``functions``; answers the bodies lent to it: a body that is a root of
    its own is moved in as it is (no copy) and must be taken out again once the request is
    serialized; one inside another tree, or sent twice in the request, is copied."""
    content = child(operation, "content")
    lent: list[etree._Element] = []
    seen: set[int] = set()
    for function in functions:  # all checked before any body is lent
        if not 1 <= len(function.controlid) <= 256:
            msg = f"a function control id has 1-256 characters, got {len(function.controlid)}"
            raise ValueError(msg)
    for function in functions:
        wrapper = child(content, "function")
        wrapper.set("controlid", function.controlid)
        body = function.body
        if body.getparent() is None and id(body) not in seen:
            seen.add(id(body))
            lent.append(body)
            wrapper.append(body)
        else:
            wrapper.append(copy.deepcopy(body))
    return lent


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
