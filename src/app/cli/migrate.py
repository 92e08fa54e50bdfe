"""``released-intacct migrate``: open the state store (SQLite or PostgreSQL), apply its migrations,
print the schema version reached. Opening a SQLite store migrates it, and the version is read back
from the file; a PostgreSQL database is migrated under its advisory lock (``pgschema``)."""

from __future__ import annotations

import argparse
import asyncio

import aiosqlite

from released_intacct.adapters.state import postgres, schema
from released_intacct.app.bootstrap import database_path, is_postgres, open_store
from released_intacct.app.cli.shell import OK, Console, add_command
from released_intacct.app.settings import Settings

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_command(
        commands,
        "migrate",
        summary="create or upgrade the state store and print its schema version",
        description=(
            "Opens the state store of the `database` setting (a SQLite file, created when it "
            "does not exist, or a postgresql:// database), applies the migrations not yet "
            "applied, and prints the schema version reached. Safe to run again, and from many "
            "processes at once: applied migrations are skipped."
        ),
        examples="  released-intacct migrate\n  released-intacct --config prod.toml migrate",
        run=_run,
    )


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    if is_postgres(settings.database):
        reached = await asyncio.to_thread(postgres.migrate_database, settings.database)
        console.say(f"{postgres.describe(settings.database)} is at schema version {reached}")
        return OK
    path = database_path(settings.database)
    store = await open_store(settings)
    await store.close()
    async with aiosqlite.connect(path) as db:
        reached = await schema.version(db)
    console.say(f"database {path} is at schema version {reached}")
    return OK
