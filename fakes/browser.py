"""Debian's Chromium for the browser tests (issue 18): ``find()`` answers where it is, or why the
tests cannot run (one line), and ``launch()`` starts it headless under Playwright.

Decided:
- Playwright for Python drives Debian's ``chromium`` (``executable_path``): Playwright's own
  browser download cannot be reached from this machine or CI.
- Chromium runs headless, without the sandbox (the tests run as root), and with its background
  networking off: this machine's network is closed, and Chromium's calls home would only fail.
- ``REQUIRE`` (``.ci/run`` sets it) turns a missing browser into a failure instead of a skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

__all__ = ["ARGS", "REQUIRE", "find", "launch"]

REQUIRE: Final = "RELEASED_INTACCT_REQUIRE_BROWSER"
"""Set (to anything but empty) when the browser tests must run: a missing browser then fails."""
CHROMIUM: Final = Path("/usr/bin/chromium")
ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def find() -> Path | str:
    """Debian's Chromium, or why the browser tests cannot run (one line)."""
    try:
        import playwright.sync_api  # noqa: F401, PLC0415  (a dev dependency, imported on use)
    except ImportError:
        return "Playwright for Python is not installed (make install adds it)"
    found = shutil.which("chromium") or (str(CHROMIUM) if CHROMIUM.exists() else None)
    if found is None:
        return "Debian's chromium is not installed (apt-get install chromium chromium-driver)"
    return Path(found)


def launch(playwright: Playwright, chromium: Path) -> Browser:
    return playwright.chromium.launch(executable_path=str(chromium), headless=True, args=ARGS)
