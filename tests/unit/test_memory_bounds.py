"""Bounded memory (issue 16, F6): the memory cases of the attack corpora, each run in a child
process whose peak resident memory is measured (``VmHWM`` in ``/proc/self/status``, the high-water
mark of the child's own memory: ``ru_maxrss`` would keep the parent's peak across the exec).

``tracemalloc`` (the corpora's own bound) sees only what Python allocates, not libxml2's tree nor
what a C decoder holds, so these cases are measured by the kernel instead. Each child builds its
reply itself and streams it in 1 MiB chunks through an ``httpx.MockTransport`` to the adapter, as
a gateway would send it; it prints the outcome and its peak RSS as one JSON line. An address-space
limit on the child is only a safety net: a regression fails the test instead of swapping the
machine.

- ``intacct``: a 49 MB reply to a GL account page, made of ``<a/>`` only (12.8 million
  elements). Before the fix: past 6 GB resident and a MemoryError at a 6 GB address-space limit
  after 7 minutes (the review measured 3.9 GB and 61 s). After: refused before parsing, about
  90 MB peak (the reply's bytes; the baseline is about 40 MB), under a second;
- ``released``: a 36 MB Re-Leased account page of ``{}`` items (12.6 million items). Before the
  fix: 6.1 GB peak and 5 minutes to return a page of 12.6 million problems (the review measured
  14.8 GB through a sync). After: refused after its 501st item, about 80 MB peak, under a second;
- ``baseline``: one good page of each, for the figure of the process itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

MB = 1024 * 1024
PEAK_BOUND = 200 * MB
"""Well under what one company may take of a process hosting many: the interpreter and its
imports (``baseline``), the reply's bytes (at most held twice while they are joined), and nothing
in proportion to the elements or items they spell."""
SAFETY_NET = 2048 * MB
"""The child's address-space limit (virtual memory, well above its resident peak)."""

CHILD = textwrap.dedent(
    """
    import asyncio, json, resource, sys, time

    import httpx
    from returns.pipeline import is_successful
    from returns.unsafe import unsafe_perform_io

    from released_intacct.adapters.intacct.adapter import IntacctAdapter
    from released_intacct.adapters.intacct.settings import ClientSettings
    from released_intacct.adapters.released import ReleasedAdapter, ReleasedSettings
    from released_intacct.domain.ports import FeedQuery, IntacctCredentials
    from released_intacct.domain.secret import Secret

    case, limit = sys.argv[1], int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    MB = 1024 * 1024
    HEAD = (
        b'<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status>'
        b"</control><operation><authentication><status>success</status></authentication>"
    )
    LOGIN = HEAD + (
        b"<result><status>success</status><function>getAPISession</function>"
        b"<controlid>login</controlid><data><api><sessionid>sid-memory-case</sessionid>"
        b"<endpoint>https://gateway.test/ia</endpoint></api></data></result></operation>"
        b"</response>"
    )
    PAGE = HEAD + (
        b"<result><status>success</status><function>readByQuery</function>"
        b'<controlid>read</controlid><data listtype="glaccount" count="1" totalcount="1" '
        b'numremaining="0" resultId="">'
    )
    END = b"</data></result></operation></response>"
    ACCOUNT = (
        b"<glaccount><RECORDNO>47</RECORDNO><ACCOUNTNO>1010</ACCOUNTNO><TITLE>Cash</TITLE>"
        b"<STATUS>active</STATUS><WHENMODIFIED>03/01/2026 09:30:00</WHENMODIFIED></glaccount>"
    )
    RL_HEAD = b'{"items":['
    RL_END = b'],"page":1,"pageSize":500,"totalCount":1,"hasMore":false}'
    RL_ACCOUNT = (
        b'{"id":"a-1","code":"200","name":"Sales","type":"Revenue","status":"Active",'
        b'"lastModified":"2026-03-01T09:30:00Z","version":1}'
    )


    def intacct_reply():
        if case == "baseline":
            yield PAGE + ACCOUNT + END
            return
        yield PAGE
        piece = b"<a/>" * (MB // 4)
        for _ in range(49):
            yield piece
        yield END


    def released_reply():
        if case == "baseline":
            yield RL_HEAD + RL_ACCOUNT + RL_END
            return
        yield RL_HEAD + b"{}"
        piece = b",{}" * (MB // 3)
        for _ in range(36):
            yield piece
        yield RL_END


    def streamed(chunks):
        async def stream():
            for chunk in chunks():
                yield chunk

        return stream()


    def intacct(request):
        if b"<getAPISession" in request.content:
            return httpx.Response(200, content=LOGIN)
        return httpx.Response(200, content=streamed(intacct_reply))


    def released(request):
        return httpx.Response(200, content=streamed(released_reply))


    async def no_sleep(seconds):
        return


    async def run(side):
        if side == "intacct":
            transport = httpx.MockTransport(intacct)
        else:
            transport = httpx.MockTransport(released)
        async with httpx.AsyncClient(transport=transport) as client:
            if side == "intacct":
                credentials = IntacctCredentials(
                    sender_id="sender", sender_password=Secret("sender-password"),
                    company_id="C", user_id="u", user_password=Secret("user-password"),
                )
                settings = ClientSettings(endpoint="https://gateway.test/ia", attempts=1)
                adapter = IntacctAdapter(
                    client, credentials, entity=None, settings=settings, sleep=no_sleep
                )
                return await adapter.accounts(FeedQuery())
            settings = ReleasedSettings(attempts=1)
            adapter = ReleasedAdapter(
                client, base_url="https://released.test", api_key=Secret("rl-key-memory-case"),
                company_id="co-1", settings=settings, sleep=no_sleep,
            )
            return await adapter.accounts(FeedQuery())


    outcomes = {}
    started = time.monotonic()
    for side in ("intacct", "released"):
        if case not in ("baseline", side):
            continue
        result = unsafe_perform_io(asyncio.run(run(side)))
        if is_successful(result):
            page = result.unwrap()
            outcomes[side] = {"items": len(page.items), "problems": len(page.problems)}
        else:
            error = result.failure()
            outcomes[side] = {"kind": error.kind.value, "message": error.message}
    with open("/proc/self/status") as status:
        hwm = next(line for line in status if line.startswith("VmHWM:"))
    peak = int(hwm.split()[1]) * 1024
    seconds = time.monotonic() - started
    print(json.dumps({"outcomes": outcomes, "peak": peak, "seconds": seconds}))
    """
)


def _child(case: str) -> dict[str, Any]:
    """The child's outcome of ``case`` and its peak RSS in bytes."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, case, str(SAFETY_NET)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def baseline() -> int:
    measured = _child("baseline")
    outcomes = measured["outcomes"]
    assert outcomes["intacct"] == {"items": 1, "problems": 0}, outcomes
    assert outcomes["released"] == {"items": 1, "problems": 0}, outcomes
    peak: int = measured["peak"]
    return peak


def _refused(case: str, side: str, says: str, baseline: int) -> None:
    measured = _child(case)
    outcome = measured["outcomes"][side]
    peak = measured["peak"]
    shown = (
        f"peak {peak / MB:.0f} MB (baseline {baseline / MB:.0f} MB), {measured['seconds']:.1f} s"
    )
    print(f"{case}: {outcome} {shown}")
    assert outcome.get("kind") == "fatal", (outcome, shown)
    assert says in outcome["message"], (outcome, shown)
    assert peak < PEAK_BOUND, shown


def test_F6_intacct_reply_of_empty_elements_is_refused_within_a_memory_bound(
    baseline: int,
) -> None:
    _refused("intacct", "intacct", "XML nodes", baseline)


def test_F6_released_page_of_empty_items_is_refused_within_a_memory_bound(baseline: int) -> None:
    _refused("released", "released", "more items than", baseline)
