"""A state store on disk with one connection, and the settings file that names it: what a test of
a CLI command needs to find already there (a run left open, a confirm under way elsewhere).

``stored_connection(folder, connection, then)`` creates the SQLite store in ``folder`` under a new
key, adds ``connection`` with throw-away credentials, runs ``then(store)`` on it and writes the
settings file (0600; Re-Leased at an address nothing answers: the commands tested never call it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from released_intacct.adapters.state import SqliteStateStore, generate_key
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret
from released_intacct.domain.state import Connection, StateStore
from released_intacct.fakes.awaiting import value

__all__ = ["stored_connection"]


def stored_connection(
    folder: Path, connection: Connection, then: Callable[[StateStore], Awaitable[object]]
) -> Path:
    """The settings file of a new store in ``folder`` holding ``connection`` and what ``then``
    did to it."""
    key = generate_key()
    database = folder / "state.sqlite3"
    config = folder / "settings.toml"
    config.write_text(
        f'database = "{database}"\n'
        f'encryption_key = "{key.reveal()}"\n'
        '[released]\nbase_url = "http://127.0.0.1:9"\napi_key = "unused"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)

    async def prepare() -> None:
        store = await SqliteStateStore.open(database, key=key)
        try:
            secret = Secret("pw")
            credentials = IntacctCredentials(
                sender_id="s",
                sender_password=secret,
                company_id=connection.intacct_company,
                user_id="u",
                user_password=secret,
            )
            await value(store.add_connection(connection, credentials))
            await then(store)
        finally:
            await store.close()

    asyncio.run(prepare())
    return config
