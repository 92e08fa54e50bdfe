"""The composition root (``app.bootstrap``) and the stand-alone settings it needs (issue 8)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from released_intacct.adapters.state import generate_key
from released_intacct.app.bootstrap import Clients, build_service, database_path, open_service
from released_intacct.app.settings import Settings, SettingsError, settings_from_env
from released_intacct.domain.secret import Secret
from released_intacct.fakes.awaiting import value
from released_intacct.fakes.state_store import FakeStateStore

API_KEY = "rl-key-5e1c-never-shown"


def _env(**more: str) -> dict[str, str]:
    return {
        "RELEASED_INTACCT_DATABASE": "state.sqlite3",
        "RELEASED_INTACCT_ENCRYPTION_KEY": generate_key().reveal(),
        **more,
    }


def test_C2_env_reads_the_released_endpoint_and_keeps_its_key_secret() -> None:
    settings = settings_from_env(
        _env(
            RELEASED_INTACCT_RELEASED_BASE_URL="http://127.0.0.1:8002/",
            RELEASED_INTACCT_RELEASED_API_KEY=API_KEY,
        )
    )
    assert settings.released_url == "http://127.0.0.1:8002"
    assert settings.released_api_key == Secret(API_KEY)
    assert API_KEY not in repr(settings)


def test_a_released_url_that_is_not_http_is_named() -> None:
    with pytest.raises(SettingsError) as raised:
        settings_from_env(_env(RELEASED_INTACCT_RELEASED_BASE_URL="ftp://x"))
    assert raised.value.problems == (
        "RELEASED_INTACCT_RELEASED_BASE_URL must be an http:// or https:// URL with a host name, "
        "got 'ftp://x'",
    )


def test_database_is_a_path_or_a_sqlite_url_and_nothing_else() -> None:
    assert database_path("/tmp/s.sqlite3") == Path("/tmp/s.sqlite3")
    assert database_path("sqlite:///tmp/s.sqlite3") == Path("tmp/s.sqlite3")
    with pytest.raises(SettingsError) as raised:
        database_path("postgresql://db/ri")
    (problem,) = raised.value.problems
    assert "RELEASED_INTACCT_DATABASE" in problem
    assert "only SQLite" in problem


def test_without_a_host_port_or_a_released_endpoint_nothing_is_built(tmp_path: Path) -> None:
    settings = Settings(database=str(tmp_path / "s.sqlite3"), encryption_key=generate_key())

    async def main() -> None:
        async with httpx.AsyncClient() as http:
            with pytest.raises(SettingsError, match="RELEASED_INTACCT_RELEASED_BASE_URL"):
                build_service(settings, Clients(store=FakeStateStore(), http=http))
        with pytest.raises(SettingsError, match=r"released\.api_key"):
            async with open_service(settings):
                pass

    asyncio.run(main())
    assert not (tmp_path / "s.sqlite3").exists()  # refused before anything was opened


def test_open_service_opens_the_sqlite_store_and_closes_it(tmp_path: Path) -> None:
    settings = Settings(
        database=f"sqlite:///{tmp_path / 's.sqlite3'}",
        encryption_key=generate_key(),
        released_url="http://127.0.0.1:9",
        released_api_key=Secret(API_KEY),
    )

    async def opened() -> int:
        async with open_service(settings) as service:
            return len(await value(service.connections()))

    assert asyncio.run(opened()) == 0
    assert (tmp_path / "s.sqlite3").exists()
