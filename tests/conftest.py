"""Shared test set-up: hypothesis profiles (``ci`` is chosen by .ci/run), and a throwaway
PostgreSQL 15 cluster for the tests that need one (``postgres_cluster``, ``postgres_dsn``): they
skip with one line where PostgreSQL cannot be found, and fail instead when
``RELEASED_INTACCT_REQUIRE_POSTGRES`` is set (``.ci/run`` sets it). Likewise Debian's Chromium
under Playwright for the browser tests (``browser``, ``screenshots``), required by
``RELEASED_INTACCT_REQUIRE_BROWSER``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest
from hypothesis import HealthCheck, settings

from released_intacct.fakes import browser as chromium
from released_intacct.fakes.postgres import REQUIRE, Cluster, find

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SCREENSHOTS: Final = Path(__file__).resolve().parent.parent / "build" / "screenshots"
"""Where the browser tests leave a screenshot of each screen (a test artefact, not committed)."""

settings.register_profile("dev", max_examples=100)
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """One cluster for the whole session, started on first use."""
    found = find()
    if isinstance(found, str):
        if os.environ.get(REQUIRE):
            pytest.fail(f"{found} ({REQUIRE} is set: the PostgreSQL tests must run)")
        pytest.skip(f"{found}: the PostgreSQL tests are skipped (.ci/run installs it)")
    cluster = Cluster.start(found)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_dsn(postgres_cluster: Cluster) -> str:
    """A fresh, empty database of the session's cluster."""
    return postgres_cluster.database()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless under Playwright, for the tests of one module.

    Not for the session: while Playwright's sync API is open it keeps an asyncio event loop
    running in the main thread, so every later test's ``asyncio.run`` would fail ("cannot be
    called from a running event loop"). Closed at the end of the module, it leaves none."""
    found = chromium.find()
    if isinstance(found, str):
        if os.environ.get(chromium.REQUIRE):
            pytest.fail(f"{found} ({chromium.REQUIRE} is set: the browser tests must run)")
        pytest.skip(f"{found}: the browser tests are skipped (.ci/run installs it)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (only when a test asks)

    with sync_playwright() as playwright:
        launched = chromium.launch(playwright, found)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Path:
    """``build/screenshots/<test name>/``, emptied first: a screenshot of each screen goes here."""
    folder = SCREENSHOTS / str(request.node.name)
    if folder.exists():
        for old in folder.iterdir():
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    return folder
