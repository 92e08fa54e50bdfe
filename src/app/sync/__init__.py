"""The sync engine: one company's sync run over the ports, with the outbox (see ``service``)."""

from __future__ import annotations

from released_intacct.app.sync.service import SyncService

__all__ = ["SyncService"]
