"""Reading a TOML file a person wrote (settings, onboarding decisions), with errors naming it."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["load"]


def load(where: Path, what: str, fail: Callable[[list[str]], Exception]) -> dict[str, Any]:
    """The parsed ``where``; an unreadable file or bad TOML raises ``fail([problem])``, the
    problem naming ``what`` the file is (``"settings"``, ``"decisions"``) and its path."""
    try:
        with where.open("rb") as file:
            return tomllib.load(file)
    except OSError as error:
        msg = f"cannot read the {what} file {where}: {error.strerror or error}"
        raise fail([msg]) from None
    except tomllib.TOMLDecodeError as error:
        msg = f"the {what} file {where} is not valid TOML: {error}"
        raise fail([msg]) from None
