"""The SQLite schema as versioned migrations, applied at open.

Each migration runs in one ``BEGIN IMMEDIATE`` transaction together with its row in
``schema_version``; the version is re-read inside that transaction, so two processes opening the
same file at once apply each migration once, and re-running ``migrate`` is a no-op. Migrations are
append-only: a released one is never edited, a change is a new one.

Connection settings (``configure``): WAL journal (readers do not block the writer),
``synchronous=FULL`` (an outbox must survive a power cut: durability over speed), foreign keys on
(removing a connection removes all it owns), and a busy timeout for other processes' writes.

Datetime columns are UTC ISO text (``codec.to_column``), so they sort and compare in time order.
"""

from __future__ import annotations

from typing import Final

import aiosqlite

BUSY_TIMEOUT_MS: Final = 10_000

_V1: Final = (
    """CREATE TABLE connections (
        id TEXT PRIMARY KEY,
        released_company TEXT NOT NULL UNIQUE,
        intacct_company TEXT NOT NULL,
        entity TEXT,
        phase TEXT NOT NULL,
        sync_from TEXT,
        created_at TEXT NOT NULL,
        confirmed_at TEXT
    )""",
    # Rule C1: one Re-Leased company per Intacct company + entity (once the entity is chosen).
    """CREATE UNIQUE INDEX connections_intacct_entity ON connections (intacct_company, entity)
        WHERE entity IS NOT NULL""",
    """CREATE TABLE credentials (
        connection TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
        token BLOB NOT NULL
    )""",
    """CREATE TABLE onboarding (
        connection TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
        body TEXT NOT NULL
    )""",
    """CREATE TABLE links (
        connection TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        record_type TEXT NOT NULL,
        released_id TEXT NOT NULL,
        intacct_key TEXT NOT NULL,
        origin TEXT NOT NULL,
        status TEXT NOT NULL,
        released_fingerprint TEXT NOT NULL,
        intacct_fingerprint TEXT NOT NULL,
        posted INTEGER NOT NULL,
        PRIMARY KEY (connection, record_type, released_id),
        UNIQUE (connection, record_type, intacct_key)
    )""",
    """CREATE TABLE cursors (
        connection TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        feed TEXT NOT NULL,
        position TEXT NOT NULL,
        PRIMARY KEY (connection, feed)
    )""",
    """CREATE TABLE outbox (
        connection TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        state TEXT NOT NULL,
        action TEXT NOT NULL,
        PRIMARY KEY (connection, key)
    )""",
    "CREATE INDEX outbox_open ON outbox (connection, seq) WHERE state IN ('pending', 'sent')",
    """CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        connection TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        started_at TEXT NOT NULL,
        status TEXT NOT NULL,
        finished_at TEXT,
        counts TEXT NOT NULL,
        errors INTEGER NOT NULL,
        seq INTEGER NOT NULL
    )""",
    # Rule E4: at most one open run per company.
    """CREATE UNIQUE INDEX runs_one_open ON runs (connection)
        WHERE status IN ('running', 'running_with_errors')""",
    "CREATE INDEX runs_latest ON runs (connection, started_at, seq)",
    # Rule E1: one row per record and cause. NULL ids are folded to a BLOB, which equals no text.
    """CREATE TABLE results (
        id INTEGER PRIMARY KEY,
        connection TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        record_type TEXT NOT NULL,
        released_id TEXT,
        intacct_key TEXT,
        direction TEXT NOT NULL,
        rule TEXT,
        kind TEXT NOT NULL,
        link_status TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        body TEXT NOT NULL
    )""",
    """CREATE UNIQUE INDEX results_identity ON results (
        connection, record_type, coalesce(released_id, x'00'), coalesce(intacct_key, x'00'),
        direction, coalesce(rule, x'00'), kind)""",
    "CREATE INDEX results_latest ON results (connection, last_seen)",
    """CREATE TABLE notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        connection TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        read INTEGER NOT NULL DEFAULT 0
    )""",
)

_V2: Final = (
    # Rule E3: a run's progress per record type, as ``codec.encode_progress`` pairs.
    "ALTER TABLE runs ADD COLUMN progress TEXT NOT NULL DEFAULT '[]'",
    # Rule E4: the heartbeat that tells a live run from one left open by a process that died.
    # The open runs are found through ``runs_one_open``, a partial index of the open runs only.
    "ALTER TABLE runs ADD COLUMN heartbeat_at TEXT",
)

_V3: Final = (
    # The outbox's next ``seq`` is max(seq) + 1: without an index each intent recorded scanned
    # the whole outbox (quadratic in a company's size; an initial sync of 100,000 invoices records
    # 160,000 intents).
    "CREATE INDEX outbox_seq ON outbox (seq)",
)

_V4: Final = (
    # Rule C5: the prerequisites Intacct could not report that the user acknowledged.
    """CREATE TABLE acknowledgements (
        connection TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        prerequisite TEXT NOT NULL,
        acknowledged_at TEXT NOT NULL,
        PRIMARY KEY (connection, prerequisite)
    )""",
)

_V5: Final = (
    # Issue 16, F1: fencing. The company's epoch, raised by every run that starts; a run holds the
    # company under the epoch it started with, and by which process (``host/pid``).
    "ALTER TABLE connections ADD COLUMN run_epoch INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE runs ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE runs ADD COLUMN holder TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE runs ADD COLUMN released_at TEXT",
    # F2: which run holds an intent, and when it was last sent (an intent SENT by a run taken
    # over may still be in flight).
    "ALTER TABLE outbox ADD COLUMN run TEXT",
    "ALTER TABLE outbox ADD COLUMN sent_at TEXT",
)

_V6: Final = (
    # Rules O5, C1: one confirm at a time. While the phase is 'confirming' these hold the claim
    # of the confirm under way (its token, lease and process, ``domain.rules.confirming``); NULL
    # otherwise.
    "ALTER TABLE connections ADD COLUMN confirm_token TEXT",
    "ALTER TABLE connections ADD COLUMN confirm_since TEXT",
    "ALTER TABLE connections ADD COLUMN confirm_until TEXT",
    "ALTER TABLE connections ADD COLUMN confirm_holder TEXT",
)

_V7: Final = (
    # Issue 16, F3: the user's answer about an open create no record carries the key of (link it
    # to this Intacct record, or NULL: send it again), taken once by the next run.
    """CREATE TABLE resolutions (
        connection TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        link_to TEXT,
        PRIMARY KEY (connection, key)
    )""",
)

_V8: Final = (
    # Issue 17: leases. The queue is this table: which worker holds the company until when (its
    # epoch is ``run_epoch``), when it is next due, and when a run was asked for on demand.
    "ALTER TABLE connections ADD COLUMN leased_by TEXT",
    "ALTER TABLE connections ADD COLUMN lease_until TEXT",
    "ALTER TABLE connections ADD COLUMN next_run_at TEXT",
    "ALTER TABLE connections ADD COLUMN run_requested_at TEXT",
    "CREATE INDEX connections_due ON connections (next_run_at) WHERE phase = 'confirmed'",
)

_V9: Final = (
    # Issue 18: the Intacct API transactions a run spent (one per function call sent), saved with
    # its progress and at its finish; 0 for the runs before.
    "ALTER TABLE runs ADD COLUMN transactions INTEGER NOT NULL DEFAULT 0",
)

_V10: Final = (
    # Issue 20: the API a connection speaks (``intacct.api``); every connection before spoke XML.
    "ALTER TABLE connections ADD COLUMN api TEXT NOT NULL DEFAULT 'xml'",
    # The OAuth 2 refresh token of a REST connection (authorization-code grant), encrypted as the
    # credentials are; replaced each time it is spent (Intacct rotates them).
    """CREATE TABLE refresh_tokens (
        connection TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
        token BLOB NOT NULL
    )""",
)

MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    _V1,
    _V2,
    _V3,
    _V4,
    _V5,
    _V6,
    _V7,
    _V8,
    _V9,
    _V10,
)
"""Migration ``n`` (from 1) is ``MIGRATIONS[n - 1]``."""


async def configure(db: aiosqlite.Connection) -> None:
    await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA synchronous = FULL")
    await db.execute("PRAGMA foreign_keys = ON")


async def migrate(db: aiosqlite.Connection) -> int:
    """Apply the migrations not yet applied, each in its own transaction; the version reached."""
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT"
        " NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
    )
    for version, statements in enumerate(MIGRATIONS, start=1):
        await _apply(db, version, statements)
    return len(MIGRATIONS)


async def version(db: aiosqlite.Connection) -> int:
    async with db.execute("SELECT coalesce(max(version), 0) FROM schema_version") as rows:
        row = await rows.fetchone()
    return int(row[0]) if row else 0


async def _apply(db: aiosqlite.Connection, number: int, statements: tuple[str, ...]) -> None:
    await db.execute("BEGIN IMMEDIATE")
    try:
        if await version(db) < number:
            for statement in statements:
                await db.execute(statement)
            await db.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
    except BaseException:
        await db.execute("ROLLBACK")
        raise
    await db.execute("COMMIT")
