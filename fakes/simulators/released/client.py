"""A blocking client for the simulator in process, for tests and scripts (no socket).

Each call runs one ``httpx.AsyncClient`` over ``httpx.ASGITransport`` in its own event loop, so
it must not be used from inside a running loop (use ``httpx.AsyncClient`` with
``httpx.ASGITransport(app=create_app(sim))`` there). Bodies are encoded with ``jsonio.encode``,
so ``Decimal`` values go out as strings. A ``drop`` fault surfaces as
``faults.ConnectionDroppedError`` from the call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx
from starlette.types import ASGIApp

from released_intacct.fakes.simulators.released.jsonio import encode

BASE_URL = "http://released.sim"
NO_BODY = object()


class SyncClient:
    """Sends requests to ``app``; ``headers`` go with every request (the caller's win)."""

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str] | None = None) -> None:
        self.app = app
        self.headers = dict(headers or {})

    def request(
        self,
        method: str,
        path: str,
        *,
        body: object = NO_BODY,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """``body`` is encoded as JSON; ``content`` (raw bytes) is sent as it is."""
        if body is not NO_BODY:
            content = encode(body)
        sent = {**self.headers, **(headers or {})}
        if content is not None:
            sent.setdefault("Content-Type", "application/json")

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
                return await client.request(
                    method, path, content=content, headers=sent, params=params
                )

        return asyncio.run(send())

    def get(self, path: str, **params: str) -> httpx.Response:
        return self.request("GET", path, params=params or None)

    def post(
        self, path: str, body: object = NO_BODY, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        return self.request("POST", path, body=body, headers=headers)

    def put(
        self, path: str, body: object, *, headers: Mapping[str, str] | None = None
    ) -> httpx.Response:
        return self.request("PUT", path, body=body, headers=headers)

    def delete(self, path: str) -> httpx.Response:
        return self.request("DELETE", path)
