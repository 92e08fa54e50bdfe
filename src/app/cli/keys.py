"""``released-intacct rotate-key``: re-encrypt every stored credential with ``encryption_key``.

The operator rotates in the settings, and the command does the rest:

1. make a new key, put it in ``encryption_key`` and move the old one into ``previous_keys``
   (restart a running ``serve`` with these settings: it reads with both);
2. ``released-intacct rotate-key`` re-encrypts, in one transaction, every credential still under a
   previous key, and says how many it re-encrypted of how many are stored;
3. remove ``previous_keys``: every credential now opens with ``encryption_key`` alone.

Decided:
- The keys stay where the operator keeps them (the settings, a secrets manager): the command never
  makes, prints or writes a key, so none reaches a terminal's scroll-back or a shell history.
- All or nothing: when a credential opens with none of the configured keys, nothing is
  re-encrypted, and the error names ``previous_keys`` (and ``encryption_key``), the settings to fix.
- The database must exist: a mistyped ``database`` must not create an empty store and report
  that nothing needed re-encrypting.
- Run again, it re-encrypts nothing and confirms that every credential opens with the key.
"""

from __future__ import annotations

import argparse

from returns.pipeline import is_successful

from released_intacct.adapters.state.crypto import WRONG_KEY
from released_intacct.app import _config
from released_intacct.app.bootstrap import database_path, is_postgres, open_store
from released_intacct.app.cli.shell import OK, REFUSED, Console, add_command, failed
from released_intacct.app.ports import settled
from released_intacct.app.settings import Settings

__all__ = ["register"]

_KEY = f"encryption_key ({_config.env_name('encryption_key')})"
_PREVIOUS = f"previous_keys ({_config.env_name('previous_keys')})"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_command(
        commands,
        "rotate-key",
        summary="re-encrypt every stored Intacct credential with encryption_key",
        description=(
            "Re-encrypts, all at once, every stored Intacct credential that is still under one "
            "of previous_keys with encryption_key, and says how many. To rotate: make a new key, "
            "set it as encryption_key, move the old key into previous_keys, run rotate-key, then "
            "remove previous_keys. When a credential opens with none of the configured keys, "
            'nothing is changed. Make a key with: python -c "from released_intacct.adapters.'
            'state import generate_key; print(generate_key().reveal())"'
        ),
        examples="  released-intacct --config prod.toml rotate-key",
        run=_run,
    )


async def _run(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    path = None if is_postgres(settings.database) else database_path(settings.database)
    if path is not None and not path.is_file():
        print(
            f"error: there is no state store at {path}: nothing to re-encrypt; check the "
            f"database setting ({_config.env_name('database')})",
            file=console.err,
        )
        return REFUSED
    store = await open_store(settings)
    try:
        stored = await settled(store.connections())
        rotated = await settled(store.rotate())
    finally:
        await store.close()
    if not is_successful(stored):
        return failed(stored.failure(), console)
    if not is_successful(rotated) and rotated.failure() != WRONG_KEY:
        return failed(rotated.failure(), console)
    if not is_successful(rotated):
        print(
            "error: a stored credential opens with none of the configured keys, so nothing was "
            f"re-encrypted; put the key the credentials were stored with in {_PREVIOUS} (the "
            f"new key stays in {_KEY}) and run rotate-key again",
            file=console.err,
        )
        return REFUSED
    total, done = len(stored.unwrap()), rotated.unwrap()
    console.say(
        f"re-encrypted {done} of {total} stored credentials with encryption_key "
        f"({total - done} already were)"
    )
    if settings.previous_keys:
        console.say(
            "every stored credential now opens with encryption_key alone: remove previous_keys "
            "from the settings, and restart a running `serve`"
        )
    return OK
