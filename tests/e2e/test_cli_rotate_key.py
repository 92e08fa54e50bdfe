"""F12: ``released-intacct rotate-key`` re-encrypts every stored credential with the new key.

End to end through the command line over a real SQLite store: afterwards every credential opens
with the new key alone and none with the old one; a credential no configured key opens changes
nothing (all or nothing) and the error names the settings to fix; no key is ever printed.
"""

from __future__ import annotations

import asyncio
import io
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from returns.pipeline import is_successful

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.app.cli import main
from released_intacct.app.cli.shell import Console
from released_intacct.domain.ids import ConnectionId, IntacctCompanyId, ReleasedCompanyId
from released_intacct.domain.ports import Credentials
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection
from released_intacct.fakes.awaiting import settled, value
from released_intacct.fakes.demo_pair import DEMO

OLD, NEW, STRANGER = generate_key(), generate_key(), generate_key()
IDS = ("c1", "c2", "c3")
T0 = datetime(2026, 5, 1, tzinfo=UTC)


def _connection(id: str) -> Connection:
    return Connection(
        id=ConnectionId(id),
        released_company=ReleasedCompanyId(f"RL-{id}"),
        intacct_company=IntacctCompanyId(f"INT-{id}"),
        created_at=T0,
    )


def _stored(db: Path, key: Secret, *ids: str) -> None:
    """``ids`` connected, their credentials encrypted with ``key``."""

    async def go() -> None:
        store = await SqliteStateStore.open(db, key=key)
        for id in ids:
            await value(store.add_connection(_connection(id), DEMO))
        await store.close()

    asyncio.run(go())


def _opened(db: Path, key: Secret) -> dict[str, Credentials | None]:
    """Each connection's credentials as ``key`` alone opens them (None: it does not)."""

    async def go() -> dict[str, Credentials | None]:
        store = await SqliteStateStore.open(db, key=key)
        try:
            found: dict[str, Credentials | None] = {}
            for connection in await value(store.connections()):
                read = await settled(store.credentials(connection.id))
                found[connection.id] = read.unwrap() if is_successful(read) else None
            return found
        finally:
            await store.close()

    return asyncio.run(go())


def _tokens(db: Path) -> dict[str, bytes]:
    with sqlite3.connect(db) as raw:
        return {row[0]: bytes(row[1]) for row in raw.execute("SELECT * FROM credentials")}


def _config(folder: Path, key: Secret, previous: tuple[Secret, ...]) -> Path:
    path = folder / "settings.toml"
    olds = ", ".join(f'"{old.reveal()}"' for old in previous)
    path.write_text(
        f'database = "{folder / "state.sqlite3"}"\n'
        f'encryption_key = "{key.reveal()}"\n'
        f"previous_keys = [{olds}]\n",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def _rotate(argv: list[str], **environ: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*argv, "rotate-key"], console=Console(out=out, err=err, environ=environ))
    for key in (OLD, NEW, STRANGER):
        assert key.reveal() not in out.getvalue() + err.getvalue()
    return code, out.getvalue(), err.getvalue()


def test_F12_rotate_key_reencrypts_every_credential_so_the_new_key_alone_opens_them(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.sqlite3"
    _stored(db, OLD, *IDS)
    config = _config(tmp_path, NEW, (OLD,))

    code, out, err = _rotate(["--config", str(config)])
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "re-encrypted 3 of 3 stored credentials with encryption_key (0 already were)",
        "every stored credential now opens with encryption_key alone: remove previous_keys from "
        "the settings, and restart a running `serve`",
    ]
    assert _opened(db, NEW) == dict.fromkeys(IDS, DEMO)
    assert _opened(db, OLD) == dict.fromkeys(IDS)

    code, out, _ = _rotate(["--config", str(config)])  # again: nothing left, all confirmed
    assert code == 0
    assert out.startswith("re-encrypted 0 of 3 stored credentials with encryption_key (3 already")


def test_F12_a_credential_no_configured_key_opens_changes_nothing_and_names_the_settings(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.sqlite3"
    _stored(db, OLD, "c1", "c2")
    _stored(db, STRANGER, "c3")  # under a key the settings do not hold
    before = _tokens(db)

    code, out, err = _rotate(["--config", str(_config(tmp_path, NEW, (OLD,)))])
    assert (code, out) == (2, "")
    assert err.startswith("error: a stored credential opens with none of the configured keys, so ")
    assert "nothing was re-encrypted" in err
    assert "previous_keys (RELEASED_INTACCT_PREVIOUS_KEYS)" in err
    assert "encryption_key (RELEASED_INTACCT_ENCRYPTION_KEY)" in err
    assert _tokens(db) == before  # c1 and c2 were not re-encrypted either: all or nothing
    assert _opened(db, OLD) == {"c1": DEMO, "c2": DEMO, "c3": None}


def test_F12_rotate_key_reads_the_keys_from_the_environment_too(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    _stored(db, OLD, *IDS)
    env = {"RELEASED_INTACCT_DATABASE": str(db), "RELEASED_INTACCT_ENCRYPTION_KEY": NEW.reveal()}

    forgotten = _rotate([], **env)  # the new key set, the old one not kept among the previous
    assert forgotten[0] == 2
    assert "RELEASED_INTACCT_PREVIOUS_KEYS" in forgotten[2]

    olds = f"{STRANGER.reveal()},{OLD.reveal()}"
    code, out, _ = _rotate([], **env, RELEASED_INTACCT_PREVIOUS_KEYS=olds)
    assert code == 0
    assert out.startswith("re-encrypted 3 of 3")
    assert _opened(db, NEW) == dict.fromkeys(IDS, DEMO)


def test_F12_a_previous_key_that_is_not_a_key_is_named_as_previous_keys(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    _stored(db, OLD, *IDS)
    before = _tokens(db)
    config = tmp_path / "settings.toml"
    config.write_text(
        f'database = "{db}"\nencryption_key = "{NEW.reveal()}"\n'
        'previous_keys = ["pasted-the-wrong-line"]\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    code, _, err = _rotate(["--config", str(config)])
    assert code == 2
    assert "previous key #1 is not a Fernet key" in err
    assert "check the previous_keys setting (RELEASED_INTACCT_PREVIOUS_KEYS)" in err
    assert "pasted-the-wrong-line" not in err
    assert _tokens(db) == before


def test_F12_rotate_key_never_creates_a_store(tmp_path: Path) -> None:
    config = _config(tmp_path, NEW, (OLD,))
    code, out, err = _rotate(["--config", str(config)])
    assert (code, out) == (2, "")
    assert err.startswith(f"error: there is no state store at {tmp_path / 'state.sqlite3'}")
    assert "RELEASED_INTACCT_DATABASE" in err
    assert not (tmp_path / "state.sqlite3").exists()
