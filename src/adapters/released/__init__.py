"""The Re-Leased REST client (httpx + msgspec): the domain's ``ReleasedPort`` over HTTP."""

from __future__ import annotations

from released_intacct.adapters.released.adapter import ReleasedAdapter
from released_intacct.adapters.released.settings import ReleasedSettings

__all__ = ["ReleasedAdapter", "ReleasedSettings"]
