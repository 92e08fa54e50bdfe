"""``released-intacct intents`` and ``resolve`` (issue 16, F3) over a SQLite store of their own.

The store holds a confirmed connection with two open writes: a create of an Intacct customer the
sync asked about (a NEEDS_USER result naming a candidate), and an update in Re-Leased. ``intents``
lists both with the question; ``resolve`` stores the answer about the create (the next run takes
it) and refuses one about the update, about a key that is not open, an unknown connection and an
empty ``--link``, each in one line with exit 2.
"""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import Console
from released_intacct.domain.actions import CreateInIntacct, UpdateInReleased
from released_intacct.domain.enums import Direction, RecordType
from released_intacct.domain.errors import ErrorKind, RecordRef, SyncError
from released_intacct.domain.ids import (
    ConnectionId,
    IdempotencyKey,
    IntacctKey,
    ReleasedId,
)
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Intent, IntentState, Resolution
from released_intacct.fakes import samples
from released_intacct.fakes.awaiting import value

ID = ConnectionId("conn-f3")
T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
CREATE = IdempotencyKey("ri-" + "c" * 32)
UPDATE = IdempotencyKey("ri-" + "u" * 32)
ASKED = 'These records may be it: CUSTOMER:C0002 "Meadow Yoga Studio".'


def _config(folder: Path, key: str) -> Path:
    path = folder / "settings.toml"
    path.write_text(
        f'database = "{folder / "state.sqlite3"}"\n'
        f'encryption_key = "{key}"\n'
        "[released]\n"
        'base_url = "http://127.0.0.1:9"\n'
        'api_key = "unused"\n'
    )
    path.chmod(0o600)
    return path


async def _seed(database: Path, key: str) -> None:
    store = await SqliteStateStore.open(database, key=Secret(key))
    try:
        connection = samples.confirmed_connection(ID)
        await value(store.add_connection(connection, samples.credentials("pw-never-shown")))
        create = CreateInIntacct(
            key=CREATE,
            record_type=RecordType.CONTACT,
            released_id=ReleasedId("con-meadow"),
            record=samples.party(party_id=None, name="Meadow Yoga Studio"),
            source_fingerprint="fp",
        )
        update = UpdateInReleased(
            record_type=RecordType.CONTACT,
            released_id=ReleasedId("con-harbour"),
            intacct_key=IntacctKey("CUSTOMER:C1"),
            record=samples.contact(),
            source_fingerprint="fp",
        )
        await value(
            store.record_intents(
                [
                    Intent(connection=ID, key=CREATE, action=create),
                    Intent(connection=ID, key=UPDATE, action=update),
                ]
            )
        )
        await value(store.settle(ID, CREATE, state=IntentState.SENT))
        asked = SyncError(
            kind=ErrorKind.NEEDS_USER,
            rule=None,
            message=f"Sage Intacct may have created this contact already. {ASKED}",
            fix=f"`released-intacct resolve {ID} {CREATE} --link KEY` or `--send-again`",
            record=RecordRef(
                record_type=RecordType.CONTACT,
                direction=Direction.OUTGOING,
                released_id=ReleasedId("con-meadow"),
            ),
        )
        await value(store.record_results(ID, [asked], at=T0))
    finally:
        await store.close()


async def _answer(database: Path, key: str) -> Resolution | None:
    store = await SqliteStateStore.open(database, key=Secret(key))
    try:
        return await value(store.take_resolution(ID, CREATE))
    finally:
        await store.close()


def _cli(config: Path, *argv: str, tty: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--config", str(config), *argv], console=Console(out=out, err=err, tty=tty))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def config(tmp_path: Path) -> tuple[Path, str]:
    key = generate_key().reveal()
    asyncio.run(_seed(tmp_path / "state.sqlite3", key))
    return _config(tmp_path, key), key


def test_F3_intents_lists_the_open_writes_with_the_question_asked(config: tuple[Path, str]) -> None:
    code, out, err = _cli(config[0], "intents", ID)
    assert (code, err) == (0, "")
    create, asked, fix, update, again = out.splitlines()
    assert create.split() == [
        CREATE,
        "sent",
        "create",
        "Intacct",
        "customer",
        '"Meadow',
        "Yoga",
        'Studio"',
    ]
    assert ASKED in asked
    assert "--send-again" in fix
    assert update.startswith(f"{UPDATE}  pending  update Re-Leased contact con-harbour")
    assert "sent again by the next sync" in again
    assert "pw-never-shown" not in out


def test_F3_intents_at_a_terminal_is_a_rich_table_of_the_same(config: tuple[Path, str]) -> None:
    code, out, err = _cli(config[0], "intents", ID, tty=True)
    assert (code, err) == (0, "")
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    assert re.search(r"┃ KEY +┃ STATE +┃ WRITE +┃ WHAT NEXT +┃", drawn), drawn
    assert re.search(r"│ asked: ", drawn), drawn
    assert "sent again by" in drawn
    assert "pw-never-shown" not in out


def test_F3_resolve_stores_the_answer_the_next_run_takes(config: tuple[Path, str]) -> None:
    path, key = config
    code, out, _ = _cli(path, "resolve", ID, CREATE, "--send-again")
    assert (code, out.strip()) == (0, f"{CREATE}: the next sync will send it again")
    code, out, _ = _cli(path, "resolve", ID, CREATE, "--link", "CUSTOMER:C0002")
    assert (code, out.strip()) == (
        0,
        f"{CREATE}: the next sync will link it to Intacct CUSTOMER:C0002",
    )
    assert asyncio.run(_answer(path.parent / "state.sqlite3", key)) == Resolution.link(
        IntacctKey("CUSTOMER:C0002")
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("resolve", ID, UPDATE, "--send-again"), "takes no answer"),
        (("resolve", ID, "ri-nothing", "--send-again"), "no open write ri-nothing"),
        (("resolve", "conn-nope", CREATE, "--send-again"), "conn-nope"),
        (("resolve", ID, CREATE, "--link", " "), "--link needs"),
        (("intents", "conn-nope"), "conn-nope"),
    ],
)
def test_F3_resolve_refuses_what_it_cannot_answer_in_one_line(
    config: tuple[Path, str], argv: tuple[str, ...], said: str
) -> None:
    code, out, err = _cli(config[0], *argv)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1, err
    assert said in err
