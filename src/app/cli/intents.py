"""``released-intacct intents CONNECTION`` and ``resolve CONNECTION KEY --link KEY |
--send-again``: the writes a company's sync holds open, and the answer about one (issue 16, F3).

A create sent to Intacct whose outcome was not confirmed, whose key no Intacct record carries,
while records exist that may be its copy, stops the company's sync with a NEEDS_USER result naming
them (``app.sync.uncertain``). ``intents`` lists every open write (its key, state, what it does,
and what the sync asked about it); ``resolve`` stores the answer the next sync acts on, once:
``--link KEY`` links the write to that candidate (KEY as the result lists it), ``--send-again``
sends it again.
"""

from __future__ import annotations

import argparse

from returns.pipeline import is_successful

from released_intacct.app.bootstrap import open_service
from released_intacct.app.cli.shell import (
    OK,
    REFUSED,
    Console,
    add_command,
    connection_id,
    failed,
)
from released_intacct.app.intents import OpenWrite, open_writes, resolve, what
from released_intacct.app.settings import Settings
from released_intacct.domain.ids import IdempotencyKey, IntacctKey
from released_intacct.domain.state import Resolution

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = add_command(
        commands,
        "intents",
        summary="list the writes a company's sync holds open, and what it asks about them",
        description=(
            "Lists the writes the company's sync has not confirmed yet, oldest first: the key, "
            "the state (pending: recorded; sent: sent, its outcome unknown), what it does, and "
            "the question the sync asked about it, if any (a create that Intacct may already "
            "hold, with the records that may be it). Answer with `released-intacct resolve`."
        ),
        examples="  released-intacct intents conn-3f2a...",
        run=_list,
    )
    listing.add_argument("connection", type=connection_id, help="the connection id")
    answer = add_command(
        commands,
        "resolve",
        summary="answer about an open create: link it to an Intacct record, or send it again",
        description=(
            "Answers the question the sync asked about an open create in Intacct (see "
            "`released-intacct intents`): --link KEY says it is the Intacct record KEY, one of "
            "the records the question names, and links the two; --send-again says none is, and "
            "sends it again. The next sync acts on the answer once, then carries on."
        ),
        examples="  released-intacct resolve conn-3f2a... ri-0d9c... --link CUSTOMER:C0042\n"
        "  released-intacct resolve conn-3f2a... ri-0d9c... --send-again",
        run=_resolve,
    )
    answer.add_argument("connection", type=connection_id, help="the connection id")
    answer.add_argument("key", help="the open write's key, as `intents` lists it")
    chosen = answer.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--link", metavar="KEY", help="the Intacct record it created")
    chosen.add_argument(
        "--send-again", action="store_true", help="no Intacct record is it: send it again"
    )


async def _list(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    async with open_service(settings, needs_released=False) as service:
        known = await service.connection(args.connection)
        if not is_successful(known):
            return failed(known.failure(), console)
        found = await open_writes(service.ports.store, args.connection)
        if not is_successful(found):
            return failed(found.failure(), console)
        writes = found.unwrap()
    if not writes:
        console.say(f"{args.connection}: no open writes")
        return OK
    rows = [
        (w.intent.key, w.intent.state.value, what(w.intent.action), "\n".join(_said(w)))
        for w in writes
    ]
    plain = [line for write in writes for line in _lines(write)]
    console.table(("KEY", "STATE", "WRITE", "WHAT NEXT"), rows, plain=plain)
    return OK


def _lines(write: OpenWrite) -> list[str]:
    intent = write.intent
    head = f"{intent.key}  {intent.state.value:<7}  {what(intent.action)}"
    return [head, *(f"    {line}" for line in _said(write))]


def _said(write: OpenWrite) -> list[str]:
    """The question asked about the write and its fix, or that the next sync sends it again."""
    if write.asked is not None:
        return [f"asked: {write.asked.message}", f"fix:   {write.asked.fix}"]
    return [] if write.answerable else ["sent again by the next sync"]


async def _resolve(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    link = (args.link or "").strip()
    if args.link is not None and not link:
        print(
            "error: --link needs the Intacct record's key, as `intents` lists it", file=console.err
        )
        return REFUSED
    resolution = Resolution.link(IntacctKey(link)) if link else Resolution.send_again()
    key = IdempotencyKey(args.key.strip())
    async with open_service(settings, needs_released=False) as service:
        done = await resolve(service.ports.store, args.connection, key, resolution)
        if not is_successful(done):
            return failed(done.failure(), console)
    told = f"link it to Intacct {link}" if link else "send it again"
    console.say(f"{key}: the next sync will {told}")
    return OK
