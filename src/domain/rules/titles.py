"""A short title per rule (``shared/spec/sync-rules.md``), for summaries a bookkeeper reads."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from released_intacct.domain.errors import Rule

__all__ = ["TITLES", "title"]

TITLES: Final = MappingProxyType(
    {
        Rule.C1: "one Re-Leased company to one Intacct company and entity",
        Rule.C2: "Web Services credentials, checked and kept secret",
        Rule.C3: "the entity synced with",
        Rule.C4: "nothing dated before the sync-from date",
        Rule.C5: "Intacct set-up checked before confirm",
        Rule.O1: "matching only what Re-Leased already holds",
        Rule.O2: "auto-match by code, name or email",
        Rule.O3: "match, archive or create what is left",
        Rule.O4: "one-to-one matches",
        Rule.O5: "steps in order, then confirm",
        Rule.D1: "lists owned by Intacct",
        Rule.D2: "records synced both ways",
        Rule.D3: "contact changes are Intacct's",
        Rule.D4: "contacts become customers or vendors",
        Rule.D5: "customer or vendor deleted in Intacct",
        Rule.D6: "invoice status (drafts stay in Re-Leased)",
        Rule.D7: "voids and reversals are Intacct's",
        Rule.D8: "invoice deleted in Intacct",
        Rule.D9: "payments removed only in Intacct",
        Rule.D10: "journal-entry payments are not synced",
        Rule.D11: "advances sync once allocated",
        Rule.D12: "refunds are not synced",
        Rule.D13: "credit notes are adjustments; negative invoices are refused",
        Rule.D14: "only the base currency",
        Rule.D15: "attachments are never synced",
        Rule.D16: "account labels are not supported",
        Rule.D17: "Order Entry and Purchasing items and tax",
        Rule.D18: "subtotal dimensions are Intacct's",
        Rule.D19: "an edited Order Entry invoice stays one invoice",
        Rule.D20: "edits after creation; Intacct wins a conflict",
        Rule.D21: "no echoes",
        Rule.M1: "field mapping",
        Rule.M2: "dimensions as tracking categories",
        Rule.M3: "GL date",
        Rule.M4: "posted reads as approved",
        Rule.E1: "one result per record and cause",
        Rule.E2: "unlink and relink",
        Rule.E3: "run status",
        Rule.E4: "scheduled and on-demand runs",
    }
)


def title(rule: Rule | None) -> str:
    """The rule's short title; ``"other"`` for a result that names no rule."""
    return "other" if rule is None else TITLES[rule]
