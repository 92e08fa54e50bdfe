"""``released-intacct migrate``: open the SQLite state store, apply its migrations, print the
schema version reached. Opening the store migrates it; the version is read back from the file."""

from __future__ import annotations

import argparse

import aiosqlite

from released_intacct.adapters.state import schema
from released_intacct.app.bootstrap import database_path, open_store
from released_intacct.app.cli.shell import OK, Console, add_command
from released_intacct.app.settings import Settings

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_command(
        commands,
        "migrate",
        summary="create or upgrade the state store and print its schema version",
        description=(
            "Opens the SQLite state store of the `database` setting (creating the file when it "
            "does not exist), applies the migrations not yet applied, and prints the schema "
            "version reached. Safe to run again: applied migrations are skipped."
        ),
        examples="  released-intacct migrate\n  released-intacct --config prod.toml migrate",
        run=_run,
    )


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    path = database_path(settings.database)
    store = await open_store(settings)
    await store.close()
    async with aiosqlite.connect(path) as db:
        reached = await schema.version(db)
    console.say(f"database {path} is at schema version {reached}")
    return OK
