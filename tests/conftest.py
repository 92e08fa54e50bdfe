"""Shared test set-up: hypothesis profiles (``ci`` is chosen by .ci/run), and a throwaway
PostgreSQL 15 cluster for the tests that need one (``postgres_cluster``, ``postgres_dsn``): they
skip with one line where PostgreSQL cannot be found, and fail instead when
``RELEASED_INTACCT_REQUIRE_POSTGRES`` is set (``.ci/run`` sets it)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from released_intacct.fakes.postgres import REQUIRE, Cluster, find

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
