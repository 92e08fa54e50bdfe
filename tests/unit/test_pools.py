"""One HTTP connection pool per company (``adapters.pools``), made with one TLS context."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import pytest

from released_intacct.adapters.pools import Pools


def test_the_pools_of_many_companies_load_the_ca_bundle_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loads: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def counted(context: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        real(context, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)

    async def main() -> None:
        async with Pools.made(timeout=5) as pools:
            clients = [pools.for_intacct(f"CO-{n}") for n in range(5)]
            clients += [pools.for_released(f"RL-{n}") for n in range(5)]
            assert len({id(client) for client in clients}) == 10  # a pool each
            assert all(client.timeout.read == 5 for client in clients)

    asyncio.run(main())
    assert len(loads) == 1
