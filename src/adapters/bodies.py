"""Reading a reply's body no further than a size limit (both adapters)."""

from __future__ import annotations

import httpx


async def capped(reply: httpx.Response, limit: int) -> bytes:
    """The body's first ``limit`` bytes, decoded (a gzip bomb included); the rest is never read."""
    parts: list[bytes] = []
    size = 0
    async for chunk in reply.aiter_bytes():
        parts.append(chunk[: limit - size])
        size += len(parts[-1])
        if size >= limit:
            break
    return b"".join(parts)
