"""The XML attack corpus: every hostile or broken gateway reply, through the adapter's reply path.

Each case is one reply the (mock) gateway sends — to the log-in (``login``), to a change-feed
read (``read``: GL accounts, or AR invoices for the money and date cases) or to a write
(``write``: one customer create) — while the adapter runs as in production: ``IntacctAdapter``
over an ``httpx.AsyncClient`` whose transport streams the reply in chunks. Every case must end in
one of three outcomes:

- ``Refused``: the call fails with a ``SyncError`` of the kind the adapter's policy gives
  (``classify``): RETRIABLE for what may be a cut or garbled reply on a 2xx, FATAL for refused
  credentials or a 4xx, REJECTED for a function Intacct refused;
- ``Problem``: the page is read but the record is a REJECTED problem (rule M1) naming the field;
- ``Inert``: legitimate XML syntax used oddly (CDATA, processing instructions, comments, many
  attributes) is read as plain data, its payload left as text.

and in each: no entity is expanded, no file is read, no URL is fetched (a listener counts hits),
the peak of traced memory stays under the case's bound, and no credential or session id appears
in any error. The ids make ``pytest -q`` count the corpus.
"""

from __future__ import annotations

import asyncio
import http.server
import threading
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import httpx
import pytest
from returns.io import IOResult
from returns.pipeline import is_successful
from returns.unsafe import unsafe_perform_io

from released_intacct.adapters.intacct import classify
from released_intacct.adapters.intacct.adapter import IntacctAdapter
from released_intacct.adapters.intacct.response import (
    MAX_NODES,
    MAX_RESPONSE_BYTES,
    NODES_PER_ANSWER,
    NODES_PER_REPLY,
)
from released_intacct.adapters.intacct.settings import ClientSettings
from released_intacct.domain.actions import CreateInIntacct
from released_intacct.domain.enums import ContactRole, DocumentKind, Origin, RecordType
from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ids import IdempotencyKey, ReleasedId
from released_intacct.domain.intacct import ContactBlock, Party
from released_intacct.domain.ports import FeedQuery, IntacctCredentials
from released_intacct.domain.secret import Secret

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
SESSION_ID = "sid-corpus-77ab1c40"
LOGIN_OK = (
    (FIXTURES / "response-getapisession-success.xml")
    .read_bytes()
    .replace(b"fAkESesSiOnId..", SESSION_ID.encode())
)
SENDER_PASSWORD = "sndr-Pa55-corpus-9d1f"
USER_PASSWORD = "usr-Pa55-corpus-7e2c"
SECRETS = (SENDER_PASSWORD, USER_PASSWORD, SESSION_ID)
PLANTED = "planted-secret-0c5e-never-in-an-error"
"""The content of the file and of the URL the external-entity cases point at."""
MB = 1024 * 1024
SMALL = 8 * MB
"""The memory bound of an ordinary case (a few replies, the adapter, httpx)."""
BIG = 3 * MAX_RESPONSE_BYTES
"""The bound of a case streaming more than MAX_RESPONSE_BYTES: at most the limit is held (and
joined once), never the whole stream."""
BUDGET = NODES_PER_REPLY + 1000 * NODES_PER_ANSWER
"""The XML nodes a reply to a page of 1,000 GL accounts (the default page size) may hold."""

# --- building replies -----------------------------------------------------------------------

_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_CONTROL = b"<control><status>success</status><controlid>req</controlid></control>"
_AUTH = (
    b"<authentication><status>success</status><userid>u</userid><companyid>c</companyid>"
    b"</authentication>"
)


def reply(
    results: bytes,
    *,
    control: bytes = _CONTROL,
    auth: bytes = _AUTH,
    head: bytes = _HEAD,
    root: bytes = b"response",
) -> bytes:
    operation = b"<operation>" + auth + results + b"</operation>"
    return head + b"<" + root + b">" + control + operation + b"</" + root.split()[0] + b">"


def result(
    data: bytes,
    *,
    status: bytes = b"success",
    function: bytes = b"readByQuery",
    controlid: bytes = b"read",
) -> bytes:
    return (
        b"<result><status>" + status + b"</status><function>" + function + b"</function>"
        b"<controlid>" + controlid + b"</controlid>" + data + b"</result>"
    )


def data(rows: bytes, *, attrs: bytes = b"", tag: bytes = b"glaccount", count: int = 1) -> bytes:
    head = b'<data listtype="%s" count="%d" totalcount="%d" numremaining="0" resultId=""%s>' % (
        tag,
        count,
        count,
        attrs,
    )
    return head + rows + b"</data>"


ACCOUNT = (
    b"<glaccount><RECORDNO>47</RECORDNO><ACCOUNTNO>1010</ACCOUNTNO><TITLE>Cash</TITLE>"
    b"<STATUS>active</STATUS><WHENMODIFIED>03/01/2026 09:30:00</WHENMODIFIED></glaccount>"
)
PAGE = reply(result(data(ACCOUNT)))


def account(**fields: bytes) -> bytes:
    """An account row with ``fields`` replaced (``b""`` leaves one out)."""
    row = ACCOUNT
    for name, value in fields.items():
        tag = name.encode()
        start = row.index(b"<" + tag + b">")
        end = row.index(b"</" + tag + b">") + len(tag) + 3
        row = row[:start] + (b"<%s>%s</%s>" % (tag, value, tag) if value else b"") + row[end:]
    return row


def invoice(**fields: bytes) -> bytes:
    """A header page of one AR invoice, as readByQuery answers it: no lines (they come from the
    line object, ``invoice_lines``)."""
    values = {
        b"RECORDNO": b"311",
        b"RECORDID": b"INV-1",
        b"STATE": b"Posted",
        b"CUSTOMERID": b"C1",
        b"WHENCREATED": b"03/01/2026",
        b"WHENDUE": b"03/31/2026",
        b"CURRENCY": b"USD",
        b"TOTALPAID": b"0.00",
        b"WHENMODIFIED": b"03/01/2026 09:30:00",
    }
    values.update({name.encode(): value for name, value in fields.items()})
    body = b"".join(b"<%s>%s</%s>" % (k, v, k) for k, v in values.items() if v)
    return reply(result(data(b"<arinvoice>" + body + b"</arinvoice>", tag=b"arinvoice")))


GOOD_LINE = b"<ACCOUNTNO>4000</ACCOUNTNO><TRX_AMOUNT>1200.00</TRX_AMOUNT>"


def invoice_lines(line: bytes = GOOD_LINE) -> bytes:
    """The ARINVOICEITEM page of the invoice's one line (its header key, then ``line``)."""
    row = b"<arinvoiceitem><RECORDKEY>311</RECORDKEY>" + line + b"</arinvoiceitem>"
    return reply(result(data(row, tag=b"arinvoiceitem")))


def errors(*described: bytes, where: str = "result") -> bytes:
    """A failure reply whose ``<error>``s carry ``described`` (description2) texts."""
    inner = b"".join(
        b"<error><errorno>BL01001973</errorno><description></description>"
        b"<description2>" + text + b"</description2><correction></correction></error>"
        for text in described
    )
    message = b"<errormessage>" + inner + b"</errormessage>"
    if where == "control":
        control = b"<control><status>failure</status></control>"
        return _HEAD + b"<response>" + control + message + b"</response>"
    if where == "auth":
        auth = _AUTH.replace(b">success<", b">failure<")
        operation = b"<operation>" + auth + message + b"</operation>"
        return _HEAD + b"<response>" + _CONTROL + operation + b"</response>"
    return reply(result(message, status=b"failure"))


def laughs(depth: int = 9, *, parameter: bool = False) -> bytes:
    """Billion laughs: 10**depth "lol"s from a few hundred bytes (``parameter``: ``%`` ones)."""
    mark = b"%" if parameter else b"&"
    decl = b"<!ENTITY % " if parameter else b"<!ENTITY "
    lines = [decl + b'lol0 "lol">']
    for level in range(1, depth + 1):
        lines.append(decl + b'lol%d "%s">' % (level, (mark + b"lol%d;" % (level - 1)) * 10))
    use = b"%%lol%d;" % depth if parameter else b""
    body = b"&lol%d;" % depth if not parameter else b"x"
    doctype = b"<!DOCTYPE response [" + b"".join(lines) + use + b"]>"
    return _HEAD + doctype + reply(result(data(account(TITLE=body))), head=b"")


def quadratic(size: int = 40_000, uses: int = 2_000) -> bytes:
    """One big entity used many times: size x uses characters with no nesting."""
    doctype = b'<!DOCTYPE response [<!ENTITY a "' + b"a" * size + b'">]>'
    return _HEAD + doctype + reply(result(data(account(TITLE=b"&a;" * uses))), head=b"")


def external(system_id: str, *, parameter: bool = False, dtd: bool = False) -> bytes:
    if dtd:
        return _HEAD + b'<!DOCTYPE response SYSTEM "%s">' % system_id.encode() + PAGE[len(_HEAD) :]
    if parameter:
        doctype = b'<!DOCTYPE response [<!ENTITY %% x SYSTEM "%s"> %%x;]>' % system_id.encode()
        return _HEAD + doctype + PAGE[len(_HEAD) :]
    doctype = b'<!DOCTYPE response [<!ENTITY x SYSTEM "%s">]>' % system_id.encode()
    return _HEAD + doctype + reply(result(data(account(TITLE=b"&x;"))), head=b"")


def xinclude(href: str) -> bytes:
    include = b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="%s" parse="text"/>'
    return reply(result(data(account(TITLE=include % href.encode()))))


def nested(depth: int) -> bytes:
    return reply(result(data(account(TITLE=b"<a>" * depth + b"x" + b"</a>" * depth))))


def flood(node: bytes, count: int = BUDGET) -> bytes:
    """A page of ``count`` times ``node`` (each one node, or ten for ten attributes) after one
    account: with the envelope, over the page's node budget (issue 16, F6)."""
    return reply(result(data(ACCOUNT + node * count)))


STUFFED = reply(
    result(
        data(ACCOUNT.replace(b"</glaccount>", b"<JUNK>%s</JUNK></glaccount>" % (b"<X/>" * 15_000)))
    )
)
"""One account carrying 15,000 empty elements: more than a reply to a page of two may hold
(10,000 + 2 x 1,000 nodes), well within what a reply to a page of a hundred may."""


def flooded(size: int) -> int:
    """The traced-memory bound of a flood of ``size`` bytes: held, and joined once."""
    return 3 * size + SMALL


def streamed_text(total: int) -> Callable[[], Iterator[bytes]]:
    """A well-formed start, then ``total`` bytes of one text node, then the end."""

    def chunks() -> Iterator[bytes]:
        yield PAGE[: PAGE.index(b"Cash")]
        piece = b"A" * MB
        for _ in range(total // MB):
            yield piece
        yield PAGE[PAGE.index(b"Cash") + 4 :]

    return chunks


@cache
def gzip_bomb() -> bytes:
    """4 x MAX_RESPONSE_BYTES of text inside a valid reply, gzipped to under a megabyte."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [squeeze.compress(PAGE[: PAGE.index(b"Cash")])]
    zeros = b"0" * MB
    parts.extend(squeeze.compress(zeros) for _ in range(4 * MAX_RESPONSE_BYTES // MB))
    parts.append(squeeze.compress(PAGE[PAGE.index(b"Cash") + 4 :]))
    parts.append(squeeze.flush())
    return b"".join(parts)


# --- the corpus -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refused:
    kind: ErrorKind
    says: str
    uncertain: bool = False
    """The cause marks the outcome uncertain (a write is looked up before a re-send)."""


@dataclass(frozen=True, slots=True)
class Problem:
    field: str


@dataclass(frozen=True, slots=True)
class Inert:
    title: str
    """The account's TITLE as read: the payload stayed text."""


Outcome = Refused | Problem | Inert
Body = bytes | Callable[[], bytes] | Callable[[], Iterator[bytes]]


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    body: Body
    expect: Outcome
    stage: str = "read"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    chunk: int = 64 * 1024
    memory: int = SMALL
    lines: bytes = b""
    page_size: int = 1000
    """The adapter's page size (``ClientSettings.page_size``)."""
    """What a query of the line object answers (default: one good line)."""


GARBLED = Refused(ErrorKind.RETRIABLE, "could not be read", uncertain=True)
DTD = Refused(ErrorKind.RETRIABLE, "contains a DTD", uncertain=True)
NOT_WELL_FORMED = Refused(ErrorKind.RETRIABLE, "not well-formed XML", uncertain=True)
NOT_UTF8 = Refused(ErrorKind.RETRIABLE, "not valid UTF-8", uncertain=True)
TOO_BIG = Refused(ErrorKind.RETRIABLE, f"larger than {MAX_RESPONSE_BYTES} bytes", uncertain=True)
NOT_OURS = Refused(ErrorKind.RETRIABLE, "not an Intacct response", uncertain=True)
OVERGROWN = Refused(ErrorKind.FATAL, "XML nodes the request could be answered with")
"""More nodes than the request could be answered with: refused before parsing (F6)."""
TWICE = Refused(ErrorKind.RETRIABLE, "more than one", uncertain=True)
UNCONFIRMED = Refused(ErrorKind.RETRIABLE, "Could not confirm")
"""A write whose reply does not confirm it: looked up, never sent twice (here: not found)."""
HOSTILE = b"bad password %s for %s, id %s" % (
    SENDER_PASSWORD.encode(),
    USER_PASSWORD.encode(),
    SESSION_ID.encode(),
)


@cache
def _corpus(files: tuple[str, str]) -> list[Case]:
    """``files``: a local file URI and an http URL, both holding PLANTED."""
    file_uri, url = files
    # fmt: off
    return [
        # entity expansion
        Case("billion-laughs", laughs(), DTD),
        Case("billion-laughs-parameter-entities", laughs(parameter=True), DTD),
        Case("billion-laughs-at-login", laughs(), DTD, stage="login"),
        Case("quadratic-blowup", quadratic(), DTD),
        Case("entity-declared-lowercase-doctype", laughs().replace(b"DOCTYPE", b"doctype"), DTD),
        # external entities, external DTDs, XInclude
        Case("xxe-file", external(file_uri), DTD),
        Case("xxe-etc-passwd", external("file:///etc/passwd"), DTD),
        Case("xxe-http", external(url), DTD),
        Case("xxe-parameter-entity-http", external(url, parameter=True), DTD),
        Case("xxe-at-login", external(file_uri), DTD, stage="login"),
        Case("external-dtd-http", external(url, dtd=True), DTD),
        Case("external-dtd-file", external(file_uri, dtd=True), DTD),
        Case("xinclude-file", xinclude(file_uri), Problem("TITLE")),
        Case("xinclude-http", xinclude(url), Problem("TITLE")),
        Case("ebcdic-encoded-doctype",
             external(file_uri).replace(b"UTF-8", b"IBM037").decode().encode("cp037"), NOT_UTF8),
        Case("utf16-encoded-doctype", external(file_uri).decode().encode("utf-16"), NOT_UTF8),
        # size and depth
        Case("deep-nesting-10000", nested(10_000), NOT_WELL_FORMED),
        Case("deep-nesting-just-over-libxml2-limit", nested(260), NOT_WELL_FORMED),
        Case("huge-text-node-20mb", reply(result(data(account(TITLE=b"A" * (20 * MB))))),
             NOT_WELL_FORMED, memory=5 * 20 * MB),
        Case("over-max-response-bytes-streamed", streamed_text(4 * MAX_RESPONSE_BYTES), TOO_BIG,
             chunk=MB, memory=BIG),
        Case("over-max-announced-by-content-length", streamed_text(4 * MAX_RESPONSE_BYTES),
             TOO_BIG, chunk=MB, memory=BIG,
             headers={"Content-Length": str(4 * MAX_RESPONSE_BYTES + len(PAGE) - 4)}),
        Case("gzip-bomb", gzip_bomb, TOO_BIG, chunk=4096, memory=BIG,
             headers={"Content-Encoding": "gzip"}),
        Case("gzip-corrupt", b"\x1f\x8b\x08\x00" + b"\xde\xad\xbe\xef" * 64,
             Refused(ErrorKind.RETRIABLE, "lost the connection"),
             headers={"Content-Encoding": "gzip"}),
        Case("huge-attribute-20mb",
             reply(result(data(ACCOUNT, attrs=b' x="%s"' % (b"A" * 20 * MB)))),
             NOT_WELL_FORMED, memory=5 * 20 * MB),
        Case("many-attributes", reply(result(data(
             ACCOUNT, attrs=b"".join(b' a%d="%d"' % (n, n) for n in range(50_000))))),
             Inert("Cash"), memory=32 * MB),
        Case("duplicate-attribute", reply(result(data(ACCOUNT, attrs=b' count="2"'))),
             NOT_WELL_FORMED),
        # node and record budgets (issue 16, F6): refused before anything is parsed or read
        Case("empty-elements-over-budget", flood(b"<a/>"), OVERGROWN, memory=flooded(4 * BUDGET)),
        Case("attributes-over-budget", flood(b'<a b="" c="" d="" e="" f="" g="" h="" i="" j=""/>',
             BUDGET // 10), OVERGROWN, memory=flooded(5 * BUDGET)),
        Case("comments-over-budget", flood(b"<!---->"), OVERGROWN, memory=flooded(7 * BUDGET)),
        Case("processing-instructions-over-budget", flood(b"<?a?>"), OVERGROWN,
             memory=flooded(5 * BUDGET)),
        Case("nodes-over-budget-on-a-4xx", flood(b"<a/>"), OVERGROWN, status=400,
             memory=flooded(4 * BUDGET)),
        Case("login-reply-over-budget", LOGIN_OK.replace(b"<api>", b"<api>" + b"<a/>" * MAX_NODES),
             OVERGROWN, stage="login", memory=flooded(4 * MAX_NODES)),
        Case("write-reply-over-budget", reply(result(b"<a/>" * MAX_NODES, function=b"create",
             controlid=WRITE_KEY.encode())), OVERGROWN, stage="write",
             memory=flooded(4 * MAX_NODES)),
        Case("more-records-than-the-page-size", reply(result(data(ACCOUNT * 1001, count=1001))),
             Refused(ErrorKind.FATAL, "1,001 records where at most 1,000 were asked for")),
        Case("more-records-than-a-small-page-size", reply(result(data(ACCOUNT * 3, count=3))),
             Refused(ErrorKind.FATAL, "3 records where at most 2 were asked for"), page_size=2),
        Case("stuffed-record-over-a-small-page-budget", STUFFED, OVERGROWN, page_size=2),
        Case("stuffed-record-within-a-larger-page-budget", STUFFED, Inert("Cash"), page_size=100,
             memory=16 * MB),
        # broken or not XML at all
        Case("truncated-half", PAGE[: len(PAGE) // 2], NOT_WELL_FORMED),
        Case("truncated-one-byte-short", PAGE[:-1], NOT_WELL_FORMED),
        Case("truncated-at-login", LOGIN_OK[: len(LOGIN_OK) // 2], NOT_WELL_FORMED, stage="login"),
        Case("unclosed-element", PAGE.replace(b"</TITLE>", b""), NOT_WELL_FORMED),
        Case("html-error-page",
             b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
             Refused(ErrorKind.RETRIABLE, "HTML page", uncertain=True)),
        Case("html-error-page-on-403", b"<html><body>Forbidden</body></html>",
             Refused(ErrorKind.FATAL, "HTML page"), status=403),
        Case("empty-body", b"", Refused(ErrorKind.RETRIABLE, "empty", uncertain=True)),
        Case("whitespace-body", b" \r\n\t ", Refused(ErrorKind.RETRIABLE, "empty", uncertain=True)),
        Case("binary-garbage", bytes(range(256)) * 64, NOT_UTF8),
        Case("json-instead-of-xml", b'{"response": {"control": {"status": "success"}}}',
             NOT_WELL_FORMED),
        Case("plain-text", b"Service Unavailable", NOT_WELL_FORMED),
        Case("two-root-elements", PAGE + b"<response/>", NOT_WELL_FORMED),
        # encodings
        Case("latin1-declared-latin1-bytes",
             PAGE.replace(b"UTF-8", b"ISO-8859-1").replace(b"Cash", b"Caf\xe9"), NOT_UTF8),
        Case("utf8-declared-latin1-bytes", PAGE.replace(b"Cash", b"Caf\xe9"), NOT_UTF8),
        Case("utf16-declared-utf8-bytes", PAGE.replace(b"UTF-8", b"UTF-16"), NOT_WELL_FORMED),
        Case("unknown-encoding-declared", PAGE.replace(b"UTF-8", b"X-EVIL-7"), NOT_WELL_FORMED),
        Case("utf16-le-with-bom",
             b"\xff\xfe" + PAGE.decode().replace("UTF-8", "UTF-16").encode("utf-16-le"), NOT_UTF8),
        Case("utf8-bom", b"\xef\xbb\xbf" + PAGE, Inert("Cash")),
        Case("utf8-bom-twice", b"\xef\xbb\xbf\xef\xbb\xbf" + PAGE, NOT_WELL_FORMED),
        Case("invalid-utf8-continuation", PAGE.replace(b"Cash", b"Ca\x80sh"), NOT_UTF8),
        Case("overlong-utf8-slash", PAGE.replace(b"Cash", b"Ca\xc0\xafsh"), NOT_UTF8),
        Case("utf8-surrogate", PAGE.replace(b"Cash", b"Ca\xed\xa0\x80sh"), NOT_UTF8),
        Case("nul-byte-in-text", PAGE.replace(b"Cash", b"Ca\x00sh"), NOT_WELL_FORMED),
        Case("nul-bytes-after-the-end", PAGE + b"\x00" * 1000, NOT_WELL_FORMED),
        Case("control-character-reference", PAGE.replace(b"Cash", b"Ca&#0;sh"), NOT_WELL_FORMED),
        # processing instructions, CDATA, comments, namespaces
        Case("stylesheet-processing-instruction", PAGE.replace(
             _HEAD, _HEAD + b'<?xml-stylesheet type="text/xsl" href="%s"?>' % url.encode()),
             Inert("Cash")),
        Case("processing-instruction-among-rows",
             PAGE.replace(b"<glaccount>", b"<?php system('id'); ?><!-- x --><glaccount>"),
             Inert("Cash")),
        Case("xml-declaration-twice", PAGE.replace(b"<response>", _HEAD + b"<response>"),
             NOT_WELL_FORMED),
        Case("cdata-holding-markup", reply(result(data(account(
             TITLE=b"<![CDATA[</TITLE><ACCOUNTNO>EVIL</ACCOUNTNO><TITLE>]]>")))),
             Inert("</TITLE><ACCOUNTNO>EVIL</ACCOUNTNO><TITLE>")),
        Case("cdata-status", reply(result(data(ACCOUNT)),
             control=b"<control><status><![CDATA[success]]></status></control>"), Inert("Cash")),
        Case("cdata-unterminated", reply(result(data(account(TITLE=b"<![CDATA[Cash")))),
             NOT_WELL_FORMED),
        Case("cdata-in-recordno", reply(result(data(account(RECORDNO=b"<![CDATA[47 OR 1=1]]>")))),
             Problem("RECORDNO")),
        Case("default-namespace-on-root",
             PAGE.replace(b"<response>", b'<response xmlns="urn:evil">'), NOT_OURS),
        Case("prefixed-root", PAGE.replace(b"<response>", b'<x:response xmlns:x="urn:x">')
             .replace(b"</response>", b"</x:response>"), NOT_OURS),
        Case("namespaced-control", PAGE.replace(b"<control>", b'<control xmlns="urn:x">'),
             Refused(ErrorKind.RETRIABLE, "no control status", uncertain=True)),
        Case("undeclared-prefix", PAGE.replace(b"<TITLE>Cash</TITLE>", b"<e:TITLE>Cash</e:TITLE>"),
             NOT_WELL_FORMED),
        Case("namespaced-data", PAGE.replace(b"<data ", b'<data xmlns="urn:x" '),
             Refused(ErrorKind.REJECTED, "Intacct refused")),
        # valid envelopes, wrong contents
        Case("no-control-status", reply(result(data(ACCOUNT)), control=b"<control/>"),
             Refused(ErrorKind.RETRIABLE, "no control status", uncertain=True)),
        Case("control-status-unknown", reply(result(data(ACCOUNT)),
             control=b"<control><status>maybe</status></control>"),
             Refused(ErrorKind.RETRIABLE, "no control status", uncertain=True)),
        Case("control-status-duplicated", reply(result(data(ACCOUNT)),
             control=b"<control><status>failure</status><status>success</status></control>"),
             TWICE),
        Case("no-operation", _HEAD + b"<response>" + _CONTROL + b"</response>",
             Refused(ErrorKind.RETRIABLE, "no <operation>", uncertain=True)),
        Case("no-authentication-status", reply(result(data(ACCOUNT)), auth=b"<authentication/>"),
             Refused(ErrorKind.RETRIABLE, "no authentication status", uncertain=True)),
        Case("auth-status-duplicated", reply(result(data(ACCOUNT)), auth=_AUTH.replace(
             b"<status>success</status>", b"<status>success</status><status>failure</status>")),
             TWICE),
        Case("result-without-status", reply(result(data(ACCOUNT), status=b"")),
             Refused(ErrorKind.RETRIABLE, "no status", uncertain=True)),
        Case("result-status-duplicated", reply(result(data(ACCOUNT)).replace(
             b"<status>success</status>", b"<status>failure</status><status>success</status>")),
             TWICE),
        Case("no-result", reply(b""), Refused(ErrorKind.RETRIABLE, "no result")),
        Case("result-without-data", reply(result(b"")), Refused(ErrorKind.REJECTED, "Intacct")),
        Case("result-status-unknown", reply(result(data(ACCOUNT), status=b"maybe")),
             Refused(ErrorKind.REJECTED, "refused")),
        Case("login-without-session-id", LOGIN_OK.replace(SESSION_ID.encode(), b""),
             Refused(ErrorKind.FATAL, "no session"), stage="login"),
        Case("login-without-result",
             LOGIN_OK[: LOGIN_OK.index(b"<result>")] + b"</operation></response>",
             Refused(ErrorKind.FATAL, "no session"), stage="login"),
        Case("write-result-without-controlid",
             reply(result(b"", function=b"create", controlid=b"")), UNCONFIRMED, stage="write"),
        Case("write-result-for-another-controlid",
             reply(result(b"", function=b"create", controlid=b"someone-else")), UNCONFIRMED,
             stage="write"),
        Case("write-result-duplicated-controlid", reply(
             result(b"", function=b"create", controlid=WRITE_KEY.encode(), status=b"failure")
             + result(b"", function=b"create", controlid=WRITE_KEY.encode())),
             UNCONFIRMED, stage="write"),
        Case("write-success-naming-no-id",
             reply(result(b"", function=b"create", controlid=WRITE_KEY.encode())), UNCONFIRMED,
             stage="write"),
        Case("count-not-a-number",
             reply(result(data(ACCOUNT).replace(b'count="1"', b'count="x"'))), Inert("Cash")),
        Case("numremaining-negative", reply(result(data(ACCOUNT).replace(
             b'numremaining="0"', b'numremaining="-5"'))), Inert("Cash")),
        Case("recordno-not-a-number", reply(result(data(account(RECORDNO=b"47abc")))),
             Problem("RECORDNO")),
        Case("recordno-negative", reply(result(data(account(RECORDNO=b"-47")))),
             Problem("RECORDNO")),
        Case("recordno-as-block", reply(result(data(account(RECORDNO=b"<X>1</X>")))),
             Problem("RECORDNO")),
        Case("required-field-missing", reply(result(data(account(ACCOUNTNO=b"")))),
             Problem("ACCOUNTNO")),
        Case("required-field-duplicated", reply(result(data(account(
             ACCOUNTNO=b"1010</ACCOUNTNO><ACCOUNTNO>2020")))), Problem("ACCOUNTNO")),
        Case("status-unknown", reply(result(data(account(STATUS=b"deleted")))), Problem("STATUS")),
        Case("whenmodified-invalid",
             reply(result(data(account(WHENMODIFIED=b"13/45/2026 99:00:00")))),
             Problem("WHENMODIFIED")),
        Case("whenmodified-iso-with-zone", reply(result(data(account(
             WHENMODIFIED=b"2026-03-01T09:30:00+13:00")))), Problem("WHENMODIFIED")),
        Case("amount-not-a-decimal", invoice(), Problem("TRX_AMOUNT"),
             lines=invoice_lines(b"<ACCOUNTNO>4000</ACCOUNTNO><TRX_AMOUNT>12,00.x</TRX_AMOUNT>")),
        Case("amount-nan", invoice(TOTALPAID=b"NaN"), Problem("TOTALPAID")),
        Case("amount-infinity", invoice(TOTALPAID=b"-Infinity"), Problem("TOTALPAID")),
        Case("amount-huge-exponent", invoice(TOTALPAID=b"1E+999999999"), Problem("TOTALPAID")),
        Case("amount-huge-exponent-on-a-line", invoice(), Problem("TRX_AMOUNT"),
             lines=invoice_lines(b"<ACCOUNTNO>4000</ACCOUNTNO><TRX_AMOUNT>9e999999</TRX_AMOUNT>")),
        Case("amount-ten-thousand-digits", invoice(TOTALPAID=b"9" * 10_000),
             Problem("TOTALPAID")),
        Case("date-invalid", invoice(WHENCREATED=b"02/30/2026"), Problem("WHENCREATED")),
        Case("date-missing", invoice(WHENCREATED=b""), Problem("WHENCREATED")),
        Case("currency-not-a-code", invoice(CURRENCY=b"US Dollars"), Problem("CURRENCY")),
        Case("lines-not-lines", invoice(TOTALENTERED=b"1200.00"), Problem("lines"),
             lines=reply(result(data(b"<arinvoiceitem>just text</arinvoiceitem>",
                                     tag=b"arinvoiceitem")))),
        # errors with hostile text
        Case("error-echoing-credentials", errors(HOSTILE), Refused(ErrorKind.REJECTED, "refused")),
        Case("control-error-echoing-credentials", errors(HOSTILE, where="control"),
             Refused(ErrorKind.FATAL, "refused")),
        Case("auth-error-echoing-credentials", errors(HOSTILE, where="auth"),
             Refused(ErrorKind.FATAL, "sign-in"), stage="login"),
        Case("garbled-reply-echoing-credentials",
             b"<response><errormessage><description2>" + HOSTILE, NOT_WELL_FORMED),
        Case("error-one-megabyte-description", errors(b"x" * MB),
             Refused(ErrorKind.REJECTED, "refused"), memory=16 * MB),
        Case("error-ten-thousand-errors", errors(*(b"e%d" % n for n in range(10_000))),
             Refused(ErrorKind.REJECTED, "refused"), memory=32 * MB),
        Case("error-log-injection", errors(b"ok\n2026-01-01 level=INFO event=sync_green\r"),
             Refused(ErrorKind.REJECTED, "refused")),
        Case("error-markup-in-description", errors(b"&lt;script&gt;alert(1)&lt;/script&gt;"),
             Refused(ErrorKind.REJECTED, "<script>")),
        Case("error-on-http-401", errors(HOSTILE, where="control"),
             Refused(ErrorKind.FATAL, "refused"), status=401),
        Case("error-on-http-500", errors(HOSTILE),
             Refused(ErrorKind.RETRIABLE, "HTTP 500", uncertain=True), status=500),
    ]
    # fmt: on


WRITE_KEY = "ri-corpus-write-1"


# --- the adapter against a mock gateway ---------------------------------------------------


class _Planted(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(PLANTED.encode())

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, type[_Planted]]]:
    path = tmp_path_factory.mktemp("xxe") / "secret.txt"
    path.write_text(PLANTED)
    handler = type("Handler", (_Planted,), {"hits": 0})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield path.as_uri(), f"http://127.0.0.1:{server.server_address[1]}/secret.dtd", handler
    finally:
        server.shutdown()
        server.server_close()


def _chunks(body: Body, size: int) -> Iterator[bytes]:
    made = body() if callable(body) else body
    if isinstance(made, bytes):
        for start in range(0, len(made), size):
            yield made[start : start + size]
        return
    for piece in made:
        for start in range(0, len(piece), size):
            yield piece[start : start + size]


def _server(case: Case) -> Callable[[httpx.Request], httpx.Response]:
    """Answers log-ins with a good session (unless the case is the log-in's), all else with the
    case's reply, streamed in ``case.chunk`` bytes."""

    def handle(request: httpx.Request) -> httpx.Response:
        login = b"<getAPISession" in request.content
        if login and case.stage != "login":
            return httpx.Response(200, content=LOGIN_OK)
        if b"<object>ARINVOICEITEM</object>" in request.content:
            return httpx.Response(200, content=case.lines or invoice_lines())

        async def stream() -> AsyncIterator[bytes]:
            for piece in _chunks(case.body, case.chunk):
                yield piece

        return httpx.Response(case.status, headers=case.headers, content=stream())

    return handle


def _customer() -> CreateInIntacct:
    party = Party(
        role=ContactRole.CUSTOMER,
        party_id=None,
        name="Acme",
        primary=ContactBlock(first_name="Ana"),
    )
    return CreateInIntacct(
        key=IdempotencyKey(WRITE_KEY),
        record_type=RecordType.CONTACT,
        released_id=ReleasedId("rl-1"),
        record=party,
        source_fingerprint="fp",
    )


async def _call(case: Case) -> IOResult[object, SyncError]:
    credentials = IntacctCredentials(
        sender_id="sender",
        sender_password=Secret(SENDER_PASSWORD),
        company_id="C",
        user_id="u",
        user_password=Secret(USER_PASSWORD),
    )

    async def no_sleep(seconds: float) -> None:
        return

    transport = httpx.MockTransport(_server(case))
    async with httpx.AsyncClient(transport=transport) as client:
        settings = ClientSettings(
            endpoint="http://gateway.test/ia/xml/xmlgw.phtml", attempts=1, page_size=case.page_size
        )
        adapter = IntacctAdapter(
            client, credentials, entity=None, settings=settings, sleep=no_sleep
        )
        if case.stage == "write":
            written = await adapter.write([_customer()])
            return written.bind(lambda outcomes: IOResult.from_result(outcomes[0].result))
        if b"<arinvoice>" in (case.body if isinstance(case.body, bytes) else b""):
            return await adapter.transactions(Origin.AR, DocumentKind.INVOICE, FeedQuery())
        return await adapter.accounts(FeedQuery())


def _shown(error: SyncError) -> str:
    return f"{error.message} {error.fix} {error.cause} {error.record} {error!r}"


def _measured(case: Case) -> tuple[IOResult[object, SyncError], int]:
    tracemalloc.start()
    try:
        outcome = asyncio.run(_call(case))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcome, peak


CASES = _corpus(("file:///placeholder", "http://placeholder"))


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case.id for case in CASES])
def test_every_hostile_reply_is_a_clear_sync_error(
    index: int, planted: tuple[str, str, type[_Planted]]
) -> None:
    file_uri, url, listener = planted
    case = _corpus((file_uri, url))[index]
    outcome, peak = _measured(case)
    errors_seen = _check(case.expect, outcome)
    held = SECRETS if case.stage != "login" else (SENDER_PASSWORD, USER_PASSWORD)
    for error in errors_seen:
        shown = _shown(error)
        for secret in (*held, PLANTED, "lollollol", "aaaaaaaaaa" * 100):
            assert secret not in shown, (secret, shown[:500])
    assert listener.hits == 0, "a URL in the reply was fetched"
    assert peak < case.memory, f"peak {peak / MB:.1f} MB"


def _check(expect: Outcome, outcome: IOResult[object, SyncError]) -> list[SyncError]:
    if isinstance(expect, Refused):
        assert not is_successful(outcome), outcome
        error = unsafe_perform_io(outcome.failure())
        assert error.kind is expect.kind, error
        assert expect.says in f"{error.message} {error.cause}", error
        assert classify.uncertain(error) is expect.uncertain, error
        assert "\n" not in error.message, "a reply cannot start a new log line"
        return [error]
    assert is_successful(outcome), outcome
    page = unsafe_perform_io(outcome.unwrap())
    if isinstance(expect, Problem):
        assert page.items == ()  # type: ignore[attr-defined]
        (problem,) = page.problems  # type: ignore[attr-defined]
        assert problem.kind is ErrorKind.REJECTED
        assert f"{expect.field} could not be read" in problem.message, problem.message
        assert "\n" not in problem.message
        return [problem]
    (read,) = page.items  # type: ignore[attr-defined]
    assert read.title == expect.title
    assert page.problems == ()  # type: ignore[attr-defined]
    return []


def test_the_corpus_covers_every_attack_class() -> None:
    """The brief's classes, each with at least one case (a renamed case cannot drop a class)."""
    ids = " ".join(case.id for case in CASES)
    for word in (
        "laughs",
        "parameter",
        "xxe-file",
        "xxe-http",
        "external-dtd",
        "xinclude",
        "quadratic",
        "deep-nesting",
        "huge-text",
        "over-max",
        "huge-attribute",
        "many-attributes",
        "truncated",
        "unclosed",
        "html",
        "empty",
        "binary",
        "encoding",
        "bom",
        "invalid-utf8",
        "nul",
        "processing-instruction",
        "cdata",
        "namespace",
        "control-status",
        "controlid",
        "no-result",
        "recordno",
        "amount",
        "date",
        "echoing-credentials",
        "gzip",
        "over-budget",
        "more-records",
    ):
        assert word in ids, word
    assert len({case.id for case in CASES}) == len(CASES)


def test_the_gzip_bomb_is_small_on_the_wire_and_many_times_the_limit_inside() -> None:
    bomb = gzip_bomb()
    assert len(bomb) < MB
    inflate = zlib.decompressobj(31)
    inside = len(inflate.decompress(bomb, MAX_RESPONSE_BYTES + 1))
    assert inside > MAX_RESPONSE_BYTES  # the adapter must stop reading it: see gzip-bomb
