"""The PostgreSQL schema of the state store as versioned migrations (issue 17), and ``migrate``.

The same tables as the SQLite store (``schema``, whose seven migrations it starts from as one),
mapped as PostgreSQL wants them: ``timestamptz`` for moments, ``bytea`` for the encrypted
credentials, ``jsonb`` for values kept as JSON, identity columns for the sequence numbers that
SQLite computed as ``max(seq) + 1``, and ``UNIQUE ... NULLS NOT DISTINCT`` for the identity of a
sync result (one row per record and cause, rule E1, with ids that may be NULL).

Each migration runs in one transaction together with its row in ``schema_version``, after
``pg_advisory_xact_lock``: without the lock, eight sessions migrating at once race on
``CREATE TABLE IF NOT EXISTS`` (a UniqueViolation in PostgreSQL's catalog), and two could apply
the same version. The version is read inside the lock, so each is applied once; migrating again
is a no-op. Migrations are append-only: a released one is never edited.
"""

from __future__ import annotations

from typing import Final

import psycopg
from psycopg.rows import TupleRow

MIGRATION_LOCK: Final = 0x72_656C_6561_7365
"""The advisory lock every migration takes (``released`` in ASCII, as a 64-bit key)."""

_V1: Final = (
    """CREATE TABLE connections (
        id text PRIMARY KEY,
        released_company text NOT NULL UNIQUE,
        intacct_company text NOT NULL,
        entity text,
        phase text NOT NULL,
        sync_from date,
        created_at timestamptz NOT NULL,
        confirmed_at timestamptz,
        run_epoch bigint NOT NULL DEFAULT 0,
        confirm_token text,
        confirm_since timestamptz,
        confirm_until timestamptz,
        confirm_holder text
    )""",
    # Rule C1: one Re-Leased company per Intacct company + entity (once the entity is chosen).
    """CREATE UNIQUE INDEX connections_intacct_entity ON connections (intacct_company, entity)
        WHERE entity IS NOT NULL""",
    """CREATE TABLE credentials (
        connection text PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
        token bytea NOT NULL
    )""",
    """CREATE TABLE onboarding (
        connection text PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
        body jsonb NOT NULL
    )""",
    """CREATE TABLE acknowledgements (
        connection text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        prerequisite text NOT NULL,
        acknowledged_at timestamptz NOT NULL,
        PRIMARY KEY (connection, prerequisite)
    )""",
    """CREATE TABLE links (
        connection text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        record_type text NOT NULL,
        released_id text NOT NULL,
        intacct_key text NOT NULL COLLATE "C",
        origin text NOT NULL,
        status text NOT NULL,
        released_fingerprint text NOT NULL,
        intacct_fingerprint text NOT NULL,
        posted boolean NOT NULL,
        PRIMARY KEY (connection, record_type, released_id),
        UNIQUE (connection, record_type, intacct_key)
    )""",
    """CREATE TABLE cursors (
        connection text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        feed text NOT NULL,
        position timestamptz NOT NULL,
        PRIMARY KEY (connection, feed)
    )""",
    """CREATE TABLE outbox (
        connection text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        key text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        state text NOT NULL,
        action jsonb NOT NULL,
        run text,
        sent_at timestamptz,
        PRIMARY KEY (connection, key)
    )""",
    "CREATE INDEX outbox_open ON outbox (connection, seq) WHERE state IN ('pending', 'sent')",
    """CREATE TABLE resolutions (
        connection text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        key text NOT NULL,
        link_to text,
        PRIMARY KEY (connection, key)
    )""",
    """CREATE TABLE runs (
        id text PRIMARY KEY,
        connection text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        started_at timestamptz NOT NULL,
        status text NOT NULL,
        finished_at timestamptz,
        counts jsonb NOT NULL,
        errors integer NOT NULL,
        progress jsonb NOT NULL DEFAULT '[]',
        heartbeat_at timestamptz,
        epoch bigint NOT NULL DEFAULT 0,
        holder text NOT NULL DEFAULT '',
        released_at timestamptz,
        seq bigint GENERATED ALWAYS AS IDENTITY
    )""",
    # Rule E4: at most one open run per company, the last guard under the fencing.
    """CREATE UNIQUE INDEX runs_one_open ON runs (connection)
        WHERE status IN ('running', 'running_with_errors')""",
    "CREATE INDEX runs_latest ON runs (connection, started_at, seq)",
    # Rule E1: one row per record and cause; NULL ids are one value here (NULLS NOT DISTINCT).
    """CREATE TABLE results (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        connection text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        record_type text NOT NULL,
        released_id text,
        intacct_key text,
        direction text NOT NULL,
        rule text,
        kind text NOT NULL,
        link_status text NOT NULL,
        last_seen timestamptz NOT NULL,
        body jsonb NOT NULL,
        CONSTRAINT results_identity UNIQUE NULLS NOT DISTINCT
            (connection, record_type, released_id, intacct_key, direction, rule, kind)
    )""",
    "CREATE INDEX results_latest ON results (connection, last_seen)",
    """CREATE TABLE notifications (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        connection text NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        read boolean NOT NULL DEFAULT false
    )""",
)

_V2: Final = (
    # Issue 17: leases. The queue is this table: which worker holds the company until when (its
    # epoch is ``run_epoch``), when it is next due, and when a run was asked for on demand.
    """ALTER TABLE connections ADD COLUMN leased_by text, ADD COLUMN lease_until timestamptz,
        ADD COLUMN next_run_at timestamptz, ADD COLUMN run_requested_at timestamptz""",
    "CREATE INDEX connections_due ON connections (next_run_at) WHERE phase = 'confirmed'",
)

_V3: Final = (
    # Issue 17: the governor across processes (``pgslots``). One row per request slot held: the
    # primary key keeps a company's holders at its number of slots; a row past ``expires_at``
    # (its holder died) is free to be taken over.
    """CREATE TABLE intacct_slots (
        company text NOT NULL,
        slot integer NOT NULL CHECK (slot >= 0),
        holder text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (company, slot)
    )""",
)

_V4: Final = (
    # Issue 18: the Intacct API transactions a run spent (one per function call sent), saved with
    # its progress and at its finish; 0 for the runs before.
    "ALTER TABLE runs ADD COLUMN transactions integer NOT NULL DEFAULT 0",
)

_V5: Final = (
    # Issue 20: the API a connection speaks (``intacct.api``); every connection before spoke XML.
    "ALTER TABLE connections ADD COLUMN api text NOT NULL DEFAULT 'xml'",
    # The OAuth 2 refresh token of a REST connection (authorization-code grant), encrypted as the
    # credentials are; replaced each time it is spent (Intacct rotates them), its row locked
    # (FOR UPDATE) while it is.
    """CREATE TABLE refresh_tokens (
        connection text PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
        token bytea NOT NULL
    )""",
)

MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (_V1, _V2, _V3, _V4, _V5)
"""Migration ``n`` (from 1) is ``MIGRATIONS[n - 1]``."""


def migrate(db: psycopg.Connection[TupleRow]) -> int:
    """Apply the migrations not yet applied, each in its own transaction under the advisory lock;
    the version reached. ``db`` must not be inside a transaction."""
    for number, statements in enumerate(MIGRATIONS, start=1):
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            if version(db) < number:
                for statement in statements:
                    db.execute(statement)
                db.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
    return len(MIGRATIONS)


def version(db: psycopg.Connection[TupleRow]) -> int:
    """The highest migration applied (0: none, or no version table yet)."""
    found = db.execute("SELECT to_regclass('schema_version')").fetchone()
    if found is None or found[0] is None:
        return 0
    row = db.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return 0 if row is None else int(row[0])
