"""Links by Intacct key prefix on SQLite (rule D9: a payment's allocations) are exactly the keys
that start with the prefix, whatever characters either holds: a key range, never LIKE."""

from __future__ import annotations

import asyncio
import itertools
import operator
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.adapters.state.checks import after_prefix
from released_intacct.domain.enums import RecordType, System
from released_intacct.domain.ids import (
    ConnectionId,
    IntacctCompanyId,
    IntacctKey,
    ReleasedCompanyId,
    ReleasedId,
)
from released_intacct.domain.links import Link
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection
from released_intacct.fakes.awaiting import value

T0 = datetime(2026, 1, 1, tzinfo=UTC)
# Characters at the edges: the highest, either side of the surrogates, NUL, LIKE's wildcards.
EDGES = "\U0010ffff\U0010fffe\ud7ff\ue000\x00%_/aAb1"
TEXT = st.text(st.sampled_from(EDGES) | st.characters(codec="utf-8"), max_size=4)
CREDENTIALS = IntacctCredentials(
    sender_id="s",
    sender_password=Secret("p"),
    company_id="I",
    user_id="u",
    user_password=Secret("p"),
)


def test_D9_after_prefix_is_the_least_text_above_the_prefixed_ones() -> None:
    assert after_prefix("123/") == "1230"
    assert after_prefix("a\U0010ffff") == "b"
    assert after_prefix("\ud7ff") == "\ue000"  # surrogates are no UTF-8 text
    assert after_prefix("") is None
    assert after_prefix("\U0010ffff\U0010ffff") is None


def test_D9_links_by_prefix_are_exactly_the_keys_that_start_with_it(tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    store = loop.run_until_complete(SqliteStateStore.open(tmp_path / "s.db", key=generate_key()))
    numbers = itertools.count()

    @given(prefix=TEXT, data=st.data())
    def check(prefix: str, data: st.DataObject) -> None:
        near = st.sampled_from(sorted({prefix, prefix[:-1], ""}))  # keys near the prefix
        keys = data.draw(st.sets(st.builds(operator.add, near, TEXT), max_size=12))
        n = next(numbers)
        id = ConnectionId(f"c{n}")
        links = [
            Link(
                record_type=RecordType.PAYMENT,
                released_id=ReleasedId(f"p{i}"),
                intacct_key=IntacctKey(key),
                origin=System.INTACCT,
            )
            for i, key in enumerate(sorted(keys))
        ]

        async def found() -> list[str]:
            connection = Connection(
                id=id,
                released_company=ReleasedCompanyId(f"RL-{n}"),
                intacct_company=IntacctCompanyId(f"INT-{n}"),
                created_at=T0,
            )
            await value(store.add_connection(connection, CREDENTIALS))
            await value(store.save_links(id, links))
            chosen = await value(store.links_by_intacct_prefix(id, RecordType.PAYMENT, prefix))
            return [link.intacct_key for link in chosen]

        assert loop.run_until_complete(found()) == sorted(k for k in keys if k.startswith(prefix))

    try:
        check()
    finally:
        loop.run_until_complete(store.close())
        loop.close()
