"""One HTTP connection pool per company, so one company cannot starve the others.

An ``httpx.AsyncClient`` owns one pool of connections (httpx's limits: 100 connections, 20 kept
alive). Shared by every company, a company whose requests hang (a slow gateway, a held reply)
can take all of it, and every other company's requests then wait for a connection until they
fail (``PoolTimeout``). ``Pools`` hands out one client per key (``for_intacct(company_id)``,
``for_released(company_id)``), each made by ``make`` on first use, and closes them all together
(``aclose``, or leaving ``async with``): a client outlives the ports built over it (a port built
again for new credentials keeps its company's pool) and lives until the process stops.

``Pools.made(timeout=...)`` makes each client with one TLS context for them all: a client made
with its own loads the CA bundle again, about 40 ms of CPU, and a company has two (measured by
``make bench``: about a third of the engine's CPU for a small company's sync).

``Pools.shared(client)`` is the same interface over one client the caller owns and closes (a
host that passes a single ``httpx.AsyncClient``): every company shares its pool.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import TracebackType

import httpx

__all__ = ["Pools"]


class Pools:
    """One ``httpx.AsyncClient`` (its own connection pool) per company."""

    def __init__(self, make: Callable[[], httpx.AsyncClient]) -> None:
        self._make = make
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._owned = True

    @classmethod
    def made(cls, *, timeout: float) -> Pools:
        """Pools of ``httpx.AsyncClient(timeout=timeout)``, all verifying TLS with one context
        (httpx's default, made here once)."""
        tls = httpx.create_ssl_context()
        return cls(partial(httpx.AsyncClient, timeout=timeout, verify=tls))

    @classmethod
    def shared(cls, client: httpx.AsyncClient) -> Pools:
        """Every company through ``client``, which the caller closes (``aclose`` leaves it)."""
        pools = cls(lambda: client)
        pools._owned = False
        return pools

    def for_intacct(self, company_id: str) -> httpx.AsyncClient:
        """The pool of the Intacct company ``company_id``."""
        return self._client(f"intacct:{company_id}")

    def for_released(self, company_id: str) -> httpx.AsyncClient:
        """The pool of the Re-Leased company ``company_id``."""
        return self._client(f"released:{company_id}")

    def _client(self, key: str) -> httpx.AsyncClient:
        client = self._clients.get(key)
        if client is None or client.is_closed:
            client = self._clients[key] = self._make()
        return client

    async def aclose(self) -> None:
        """Close every pool made (not a shared client: its owner does)."""
        clients, self._clients = list(self._clients.values()), {}
        if self._owned:
            for client in clients:
                await client.aclose()

    async def __aenter__(self) -> Pools:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
