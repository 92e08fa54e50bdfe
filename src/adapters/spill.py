"""A map of text to text whose memory stays flat: the newest entries in memory, the rest on disk.

``Spilled`` holds at most ``held`` entries in a dict; when one more comes, all it holds move to a
private temporary SQLite file (``sqlite3.connect("")``: on disk, deleted when closed, opened only
once something spills) and the dict starts again. SQLite keeps at most ``CACHE_KIB`` of that file
in memory, so a run that remembers a fact of each of 100,000 records holds no more than it does
for ``held`` of them. A later ``put`` of a key replaces it (the last one wins), as in a dict.

The file is local and private to the process, and its statements are short (a page's keys at a
time), so they run on the event loop's thread: no other thread, no lock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Final

__all__ = ["CACHE_KIB", "Spilled"]

CACHE_KIB: Final = 512
"""What SQLite keeps in memory of the spilled file."""
_CHUNK: Final = 500
"""Keys asked for in one statement (well under SQLite's limit on a statement's variables)."""


class Spilled:
    __slots__ = ("_db", "_held", "_recent")

    def __init__(self, *, held: int) -> None:
        if held < 1:
            msg = f"held is at least 1, got {held}"
            raise ValueError(msg)
        self._held = held
        self._recent: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None

    @property
    def in_memory(self) -> int:
        """The entries held in memory now (at most ``held``)."""
        return len(self._recent)

    def put(self, entries: Iterable[tuple[str, str]]) -> None:
        """Remember each (key, value), replacing what a key had."""
        for key, value in entries:
            if len(self._recent) >= self._held and key not in self._recent:
                self._spill()
            self._recent[key] = value

    def get(self, keys: Iterable[str]) -> dict[str, str]:
        """The value of each of ``keys`` remembered (the others are left out)."""
        found: dict[str, str] = {}
        unheld: list[str] = []
        for key in keys:
            if key in self._recent:
                found[key] = self._recent[key]
            else:
                unheld.append(key)
        if self._db is None:
            return found
        for start in range(0, len(unheld), _CHUNK):
            chunk = unheld[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, value FROM kept WHERE key IN ({marks})", chunk)  # noqa: S608 - only placeholders
            found.update(rows.fetchall())
        return found

    def close(self) -> None:
        """Forget everything (the file is deleted)."""
        self._recent.clear()
        if self._db is not None:
            self._db.close()
            self._db = None

    def _spill(self) -> None:
        if self._db is None:
            self._db = sqlite3.connect("", isolation_level=None)
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._db.execute("PRAGMA journal_mode = OFF")
            self._db.execute("PRAGMA synchronous = OFF")
            self._db.execute("CREATE TABLE kept (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")
        self._db.execute("BEGIN")
        self._db.executemany(
            "INSERT INTO kept (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            self._recent.items(),
        )
        self._db.execute("COMMIT")
        self._recent.clear()
