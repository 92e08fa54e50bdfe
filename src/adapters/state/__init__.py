"""The state store on SQLite (aiosqlite): the embedded default implementation of ``StateStore``."""

from __future__ import annotations

from released_intacct.adapters.state.crypto import generate_key
from released_intacct.adapters.state.sqlite import SqliteStateStore

__all__ = ["SqliteStateStore", "generate_key"]
