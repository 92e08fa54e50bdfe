"""A scripted Intacct gateway for adapter tests of edges the simulator does not reach.

The simulator answers as Intacct is documented to; some documented (or feared) answers are rare
in it by construction: a line object refused, a header whose lines never come, an HTTP 401 after
a session id, a rate limit inside an HTTP 200. ``Stub`` answers each request with what its
``answer`` function returns for the request's functions (one reply for all of them, or a whole
HTTP response), and records every function it was sent, so a test can script the edge and count
what the adapter asked for. Log-ins are counted and answered with the SDK fixture's session, or
with what ``login`` returns for log-in number n (from 1).

Replies are built from the shapes of spec §2 (``data``, ``result``, ``reply``); nothing here
imports the product.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from lxml import etree

__all__ = [
    "EMPTY_READ",
    "LOGIN_OK",
    "SESSION_ID",
    "Call",
    "Stub",
    "data",
    "failure",
    "reply",
    "result",
    "rows",
]

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "intacct"
SESSION_ID = "stub-session-0001"
EMPTY_READ = (
    b"<response><control><status>success</status></control><operation><authentication>"
    b"<status>success</status><userid>u</userid><companyid>c</companyid></authentication>"
    b"<result><status>success</status><function>readByQuery</function><controlid>r</controlid>"
    b'<data listtype="x" count="0" totalcount="0" numremaining="0" resultId=""/></result>'
    b"</operation></response>"
)
"""A whole reply, as any request may get it: one ``readByQuery`` that found no records."""
LOGIN_OK = (
    (FIXTURES / "response-getapisession-success.xml")
    .read_bytes()
    .replace(b"fAkESesSiOnId..", SESSION_ID.encode())
)


@dataclass(frozen=True)
class Call:
    """One function the adapter sent: its element (``readByQuery``, ``read``, ...)."""

    function: etree._Element

    @property
    def name(self) -> str:
        return str(self.function.tag)

    def text(self, tag: str) -> str:
        return (self.function.findtext(tag) or "").strip()


Answer = Callable[[Call], bytes | httpx.Response]


@dataclass
class Stub:
    answer: Answer
    calls: list[Call] = field(default_factory=list)
    login: Callable[[int], httpx.Response] | None = None
    logins: int = 0

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        root = etree.fromstring(request.content)
        functions = root.findall("operation/content/function")
        if len(functions) == 1 and functions[0][0].tag == "getAPISession":
            self.logins += 1
            if self.login is not None:
                return self.login(self.logins)
            return httpx.Response(200, content=LOGIN_OK)
        bodies = []
        for function in functions:
            call = Call(function[0])
            self.calls.append(call)
            answered = self.answer(call)
            if isinstance(answered, httpx.Response):
                return answered
            bodies.append(answered.replace(b"$CONTROLID", str(function.get("controlid")).encode()))
        return httpx.Response(200, content=reply(b"".join(bodies)))

    def named(self, name: str, object_name: str | None = None) -> list[Call]:
        """The calls of function ``name`` (of ``object_name`` when given)."""
        return [
            call
            for call in self.calls
            if call.name == name and object_name in (None, call.text("object"))
        ]


def rows(tag: str, *records: dict[str, str | bytes]) -> bytes:
    """``<tag>`` rows with the fields given (a bytes value is inserted as XML)."""
    out = b""
    for record in records:
        inner = b"".join(
            b"<%s>%s</%s>" % (k.encode(), v if isinstance(v, bytes) else _escaped(v), k.encode())
            for k, v in record.items()
        )
        out += b"<%s>%s</%s>" % (tag.encode(), inner, tag.encode())
    return out


def data(
    listtype: str, body: bytes, *, count: int, remaining: int = 0, result_id: str = ""
) -> bytes:
    return (
        b'<data listtype="%s" count="%d" totalcount="%d" numremaining="%d" resultId="%s">'
        % (listtype.encode(), count, count + remaining, remaining, result_id.encode())
        + body
        + b"</data>"
    )


def result(function: str, inner: bytes, *, status: str = "success") -> bytes:
    return (
        b"<result><status>%s</status><function>%s</function><controlid>$CONTROLID</controlid>"
        % (status.encode(), function.encode())
        + inner
        + b"</result>"
    )


def failure(function: str, errorno: str, description2: str) -> bytes:
    error = (
        b"<errormessage><error><errorno>%s</errorno><description></description>"
        b"<description2>%s</description2><correction></correction></error></errormessage>"
        % (errorno.encode(), _escaped(description2))
    )
    return result(function, error, status="failure")


def reply(results: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status>'
        b"<senderid>s</senderid><controlid>c</controlid><uniqueid>false</uniqueid>"
        b"<dtdversion>3.0</dtdversion></control><operation><authentication>"
        b"<status>success</status><userid>u</userid><companyid>C</companyid>"
        b"<locationid></locationid><sessiontimestamp>2026-05-01T12:00:00+00:00</sessiontimestamp>"
        b"<sessiontimeout>2026-05-02T12:00:00+00:00</sessiontimeout></authentication>"
        + results
        + b"</operation></response>"
    )


def _escaped(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()
