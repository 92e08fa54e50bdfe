"""Credentials in the SQLite state store: encrypted at rest, never shown, rotatable (rule C2)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.domain.errors import ErrorKind
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection
from released_intacct.fakes.awaiting import settled, value

T = TypeVar("T")
T0 = datetime(2026, 3, 1, tzinfo=UTC)
SENDER_PASSWORD = "Zq8-sender-Pw-4471"
USER_PASSWORD = "Xk2-user-Pw-9083"
USER_ID = "ws-user-Quokka"
CLEAR = (SENDER_PASSWORD, USER_PASSWORD, USER_ID)
KEY = generate_key()


def run(main: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(main)


def creds(n: int = 1) -> IntacctCredentials:
    return IntacctCredentials(
        sender_id="sender",
        sender_password=Secret(f"{SENDER_PASSWORD}-{n}"),
        company_id=f"INT-{n}",
        user_id=f"{USER_ID}-{n}",
        user_password=Secret(f"{USER_PASSWORD}-{n}"),
    )


def conn(n: int = 1) -> Connection:
    return Connection(
        id=ConnectionId(f"c{n}"),
        released_company=ReleasedCompanyId(f"RL-{n}"),
        intacct_company=IntacctCompanyId(f"INT-{n}"),
        created_at=T0,
    )


def files_bytes(db: Path) -> bytes:
    """The database file and its WAL and shared-memory files, whichever exist."""
    found = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    return b"".join(path.read_bytes() for path in found if path.exists())


def test_C2_credentials_never_appear_in_clear_in_the_database_files(tmp_path: Path) -> None:
    db, key = tmp_path / "state.sqlite3", generate_key()

    async def main() -> bytes:
        store = await SqliteStateStore.open(db, key=key)
        for n in (1, 2, 3):
            await value(store.add_connection(conn(n), creds(n)))
        assert (await value(store.credentials(ConnectionId("c2")))) == creds(2)
        while_open = files_bytes(db)
        assert db.with_name(db.name + "-wal").exists()  # the WAL is checked while it is there
        await store.close()
        return while_open

    while_open = run(main())
    for data in (while_open, files_bytes(db)):
        assert b"RL-2" in data  # the files are read: plain data is there
        for clear in CLEAR:
            assert clear.encode() not in data
            assert clear.encode("utf-16-le") not in data


def test_C2_no_repr_of_the_store_or_its_errors_shows_a_credential_or_key(tmp_path: Path) -> None:
    key = generate_key()

    async def main() -> list[str]:
        store = await SqliteStateStore.open(tmp_path / "s.db", key=key)
        await value(store.add_connection(conn(), creds()))
        again = await settled(store.add_connection(conn(), creds()))
        shown = [repr(store), str(store), repr(again), str(again.failure())]
        await store.close()
        wrong = await SqliteStateStore.open(tmp_path / "s.db", key=generate_key())
        refused = await settled(wrong.credentials(ConnectionId("c1")))
        shown += [repr(wrong), repr(refused), str(refused.failure())]
        await wrong.close()
        return shown

    for text in run(main()):
        for clear in (*CLEAR, key.reveal()):
            assert clear not in text


def test_C2_a_wrong_key_is_a_clear_fatal_error_not_garbage(tmp_path: Path) -> None:
    async def main() -> None:
        store = await SqliteStateStore.open(tmp_path / "s.db", key=generate_key())
        await value(store.add_connection(conn(), creds()))
        await store.close()
        wrong = await SqliteStateStore.open(tmp_path / "s.db", key=generate_key())
        error = (await settled(wrong.credentials(ConnectionId("c1")))).failure()
        assert error.kind is ErrorKind.FATAL
        assert "encryption key does not match the one the credentials were stored with" in (
            error.message
        )
        assert (await settled(wrong.rotate())).failure() == error
        await wrong.close()

    run(main())


def test_C2_a_key_that_is_not_a_fernet_key_is_refused_at_open(tmp_path: Path) -> None:
    async def main() -> None:
        for bad in ("correct horse battery staple", "", "é" * 44):
            with pytest.raises(ValueError, match="not a Fernet key") as raised:
                await SqliteStateStore.open(tmp_path / "s.db", key=Secret(bad))
            assert bad not in str(raised.value) or not bad
        with pytest.raises(ValueError, match="previous key #2"):
            await SqliteStateStore.open(
                tmp_path / "s.db", key=generate_key(), previous_keys=[generate_key(), Secret("x")]
            )

    run(main())


def _tokens(db: Path) -> dict[str, bytes]:
    with sqlite3.connect(db) as raw:
        return {row[0]: bytes(row[1]) for row in raw.execute("SELECT * FROM credentials")}


def test_C2_rotation_reencrypts_on_read_and_all_at_once(tmp_path: Path) -> None:
    db, old, new = tmp_path / "s.db", generate_key(), generate_key()

    async def main() -> None:
        store = await SqliteStateStore.open(db, key=old)
        for n in (1, 2, 3):
            await value(store.add_connection(conn(n), creds(n)))
        await store.close()
        before = _tokens(db)
        rotating = await SqliteStateStore.open(db, key=new, previous_keys=[old])
        assert await value(rotating.credentials(ConnectionId("c1"))) == creds(1)
        assert _tokens(db)["c1"] != before["c1"]  # re-encrypted as it was read
        assert _tokens(db)["c2"] == before["c2"]
        assert await value(rotating.rotate()) == 2
        assert await value(rotating.rotate()) == 0
        await rotating.close()
        only_new = await SqliteStateStore.open(db, key=new)
        for n in (1, 2, 3):
            assert await value(only_new.credentials(ConnectionId(f"c{n}"))) == creds(n)
        await only_new.close()
        only_old = await SqliteStateStore.open(db, key=old)
        error = (await settled(only_old.credentials(ConnectionId("c3")))).failure()
        assert error.kind is ErrorKind.FATAL
        await only_old.close()

    run(main())


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The common default umask, under which SQLite alone would create files 0644."""
    earlier = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(earlier)


def _modes(db: Path) -> dict[str, int]:
    found = {"": db, "-wal": db.with_name(db.name + "-wal"), "-shm": db.with_name(db.name + "-shm")}
    return {end: stat.S_IMODE(path.stat().st_mode) for end, path in found.items() if path.exists()}


@pytest.mark.usefixtures("umask_022")
def test_F12_the_database_and_its_wal_and_shm_files_are_created_0600(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"

    async def write(n: int) -> dict[str, int]:
        store = await SqliteStateStore.open(db, key=KEY)
        await value(store.add_connection(conn(n), creds(n)))
        modes = _modes(db)  # while open: the WAL and shared-memory files exist
        await store.close()
        return modes

    first = run(write(1))
    assert first == {"": 0o600, "-wal": 0o600, "-shm": 0o600}
    assert not db.with_name(db.name + "-wal").exists()  # the last close removed it
    assert run(write(2)) == first  # created again later, by SQLite, with the database's mode


@pytest.mark.usefixtures("umask_022")
def test_F12_an_existing_database_keeps_the_mode_its_operator_gave_it(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    run(_open_close(db))
    db.chmod(0o640)
    run(_open_close(db))
    assert _modes(db)[""] == 0o640


async def _open_close(db: Path) -> None:
    store = await SqliteStateStore.open(db, key=KEY)
    await store.close()


def test_F12_a_database_that_cannot_be_created_is_a_sqlite_error_naming_why(
    tmp_path: Path,
) -> None:
    with pytest.raises(sqlite3.OperationalError, match="No such file or directory"):
        run(_open_close(tmp_path / "absent" / "state.sqlite3"))
