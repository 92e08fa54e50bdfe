"""The hardened parser and ``parse_response`` at their edges, below the adapter.

The corpus of hostile replies run through the whole adapter is ``test_xml_attack_corpus.py``;
here: the parser alone (defence in depth, were the DTD scan bypassed), exact size and depth
limits, and the details an error shows (the first bytes, the offset of bad UTF-8)."""

from __future__ import annotations

import http.server
import threading
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree
from returns.pipeline import is_successful
from returns.result import Failure

from released_intacct.adapters.intacct.classify import uncertain
from released_intacct.adapters.intacct.response import (
    MAX_NODES,
    MAX_RESPONSE_BYTES,
    PARSER,
    parse_response,
)
from released_intacct.domain.errors import ErrorKind, SyncError

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "intacct"
OK = (FIXTURES / "response-create-success.xml").read_bytes()
SECRET = "s3cr3t-9f1c2b7e-never-in-an-error"
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE response [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n'
        % (
            level,
            b"".join(b"&lol%s;" % (b"" if level == 1 else b"%d" % (level - 1)) for _ in range(10)),
        )
        for level in range(1, 10)
    )
    + b"]>\n<response><control><status>&lol9;</status></control></response>"
)


def refused(
    body: bytes,
    *,
    status: int = 200,
    max_bytes: int = MAX_RESPONSE_BYTES,
    max_nodes: int = MAX_NODES,
) -> SyncError:
    result = parse_response(body, status=status, max_bytes=max_bytes, max_nodes=max_nodes)
    assert isinstance(result, Failure), result
    error = result.failure()
    assert isinstance(error, SyncError)
    return error


def shown(error: SyncError) -> str:
    return f"{error.message} {error.fix} {error.cause} {error!r}"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


class _Counting(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(SECRET.encode())

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def listener() -> Iterator[tuple[str, type[_Counting]]]:
    handler = type("Handler", (_Counting,), {"hits": 0})
    server = http.server.HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/entity.dtd", handler
    finally:
        server.shutdown()
        server.server_close()


def xxe(system_id: str) -> bytes:
    return (
        b'<?xml version="1.0"?><!DOCTYPE response [<!ENTITY x SYSTEM "%s">]>'
        b"<response><control><status>success</status></control>"
        b"<errormessage><error><description2>&x;</description2></error></errormessage></response>"
    ) % system_id.encode()


def test_the_parser_itself_neither_reads_nor_fetches_entities(
    secret_file: Path, listener: tuple[str, type[_Counting]]
) -> None:
    """Defence in depth: were the DTD scan bypassed, the parser still expands nothing."""
    url, handler = listener
    for system_id in (secret_file.as_uri(), url):
        root = etree.fromstring(xxe(system_id), parser=PARSER)
        assert SECRET.encode() not in etree.tostring(root)
        assert root.getroottree().docinfo.internalDTD is not None
    external = b'<!DOCTYPE response SYSTEM "%s"><response/>' % url.encode()
    etree.fromstring(external, parser=PARSER)
    assert handler.hits == 0


def test_billion_laughs_does_not_expand_in_the_parser_either() -> None:
    """Were the DTD scan bypassed: libxml2 >= 2.13 refuses the amplification outright, older ones
    leave the references unexpanded (``resolve_entities=False``); memory stays flat either way."""
    tracemalloc.start()
    try:
        root = etree.fromstring(LAUGHS, parser=PARSER)
        text = etree.tostring(root)
    except etree.XMLSyntaxError as error:
        text = str(error).encode()
        assert "amplification" in text.decode()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert len(text) < 200
    assert b"lollol" not in text
    assert peak < 2 * 1024 * 1024


def test_an_oversized_body_is_refused_before_parsing() -> None:
    error = refused(OK, max_bytes=len(OK) - 1)
    assert f"larger than {len(OK) - 1} bytes" in error.message
    assert parse_response(OK, status=200, max_bytes=len(OK)).unwrap().control_ok
    huge = b"<response>" + b" " * MAX_RESPONSE_BYTES + b"</response>"
    tracemalloc.start()
    try:
        error = refused(huge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"larger than {MAX_RESPONSE_BYTES} bytes" in error.message
    assert peak < 1024 * 1024, "refused without copying the body"


def test_deep_nesting_is_refused_by_the_parser_beyond_256_levels() -> None:
    for depth, accepted in ((256, True), (257, False)):
        body = b"<a>" * depth + b"</a>" * depth
        if accepted:
            etree.fromstring(body, parser=PARSER)
        else:
            with pytest.raises(etree.XMLSyntaxError, match="Excessive depth"):
                etree.fromstring(body, parser=PARSER)
    deep = b"<response>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</response>"
    error = refused(deep)
    assert error.kind is ErrorKind.RETRIABLE
    assert "not well-formed XML" in error.message
    assert "Excessive depth" in error.message


def test_invalid_utf8_is_refused_with_its_position() -> None:
    at = OK.index(b"UT01")
    error = refused(OK[:at] + b"\xff\xfe" + OK[at:])
    assert f"not valid UTF-8 (at byte {at})" in error.message
    latin = OK.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"').replace(b"UT01", b"UT\xe9")
    assert "not valid UTF-8" in refused(latin).message


def test_an_html_error_page_names_the_status_and_its_first_bytes() -> None:
    page = (
        b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>"
        + b"x" * 10_000
        + b"</body></html>"
    )
    error = refused(page)
    assert error.kind is ErrorKind.RETRIABLE
    assert uncertain(error)
    assert "HTML page" in error.message
    assert error.cause is not None
    assert "HTTP 200" in error.cause
    assert "502 Bad Gateway" in error.cause
    assert error.cause.count("x") <= 200
    forbidden = refused(b"<html><body>Forbidden</body></html>", status=403)
    assert forbidden.kind is ErrorKind.FATAL
    assert forbidden.cause is not None
    assert "HTTP 403" in forbidden.cause
    assert "Forbidden" in forbidden.cause


def test_the_first_bytes_stop_before_a_session_id() -> None:
    body = b"<response><operation><result><data><api><sessionid>SESSION-SECRET-1</sessionid>"
    error = refused(body)
    assert "SESSION-SECRET-1" not in shown(error)
    assert error.cause is not None
    assert "<api>" in error.cause


BARE = OK[OK.index(b"<response>") :]
"""The fixture without its XML declaration."""


def _tree_nodes(body: bytes) -> int:
    """The nodes libxml2 builds of ``body``: elements, comments and processing instructions,
    and their attributes."""
    root = etree.fromstring(body, parser=PARSER)
    built = list(root.getroottree().iter())
    return len(built) + sum(len(node.attrib) for node in built if isinstance(node.tag, str))


@pytest.mark.parametrize(
    "node",
    [b"<a/>", b"<a></a>", b'<a b="1" c="2"/>', b"<!-- c -->", b"<?pi x?>", b"<a>t</a>"],
    ids=["empty-element", "element", "attributes", "comment", "processing-instruction", "text"],
)
def test_F6_the_nodes_of_a_reply_are_counted_before_it_is_parsed(node: bytes) -> None:
    """A reply is parsed only if it may hold no more nodes than its budget: the count, made in its
    bytes, is exact for markup without ``<`` or ``=`` in its text, and a reply one node over is
    refused (FATAL, whatever its status) before libxml2 builds anything. (The XML declaration,
    left out here, counts three more: its ``<?`` and two ``=``.)"""
    body = BARE.replace(b"</response>", node * 1000 + b"</response>")
    held = _tree_nodes(body)
    assert parse_response(body, status=200, max_nodes=held).unwrap().control_ok
    for status in (200, 400):
        tracemalloc.start()
        try:
            error = refused(body, status=status, max_nodes=held - 1)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert error.kind is ErrorKind.FATAL, error
        assert not uncertain(error)
        assert f"HTTP {status}" in error.message
        assert f"more than the {held - 1:,} XML nodes" in error.message
        assert peak < 64 * 1024, "refused before anything was built"


def test_F6_markup_in_text_only_makes_the_count_larger() -> None:
    """An escaped ``<`` is not one; a raw ``=`` in text is counted, so the bound stays a bound."""
    escaped = BARE.replace(b"</response>", b"<a>1 &lt; 2</a></response>")
    assert parse_response(escaped, status=200, max_nodes=_tree_nodes(escaped)).unwrap()
    equal = BARE.replace(b"</response>", b"<a>a=b</a></response>")
    assert not is_successful(parse_response(equal, status=200, max_nodes=_tree_nodes(equal)))
