"""How the adapter talks to one Intacct company: endpoint, batching, paging, governor, retries."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Final, Literal

from released_intacct.adapters.retrying import check_wait_limits

DEFAULT_ENDPOINT = "https://api.intacct.com/ia/xml/xmlgw.phtml"
DEFAULT_API_BASE = "https://api.intacct.com/ia/api/v1"
"""The REST API's base: objects, services and workflows under it, and the OAuth 2 token and
authorize endpoints at ``/oauth2/token`` and ``/oauth2/authorize`` (spec section 9)."""
REST_PAGE_MAX: Final = 4000
"""The query service answers at most 4,000 records a page ([RESTDOC] query-service)."""
REST_BATCH_MAX: Final = 500
"""A batch request holds at most 500 records ([RESTDOC] bulk-requests, "Batch Requests")."""
TIER_LIMITS: Final = {1: 6, 2: 8, 3: 12, 4: 15}
"""Sage's performance tiers: requests one application may have in flight at once (the company's
own limits are 8, 10, 15 and 20), for the XML and the REST APIs ([RESTDOC] txn-volume.md;
correction 12)."""
HOST_NAME: Final = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*"
"""A host name (or an IPv4 address) in lower case, as IDNA encodes it."""
_ALLOWED_HOST: Final = re.compile(rf"(\*\.)?{HOST_NAME}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientSettings:
    endpoint: str = DEFAULT_ENDPOINT
    """The XML gateway (``intacct.api = "xml"``)."""
    api_base: str = DEFAULT_API_BASE
    """The REST API's base URL (``intacct.api = "rest"``): ``…/ia/api/v1``."""
    rest_batch_size: int = REST_BATCH_MAX
    """Records per REST batch request (1-500); a larger batch is split."""
    rest_page_size: int = REST_PAGE_MAX
    """Records per page of the REST query service (1-4,000); ``page_size`` is readByQuery's."""
    rest_composite: bool = True
    """Whether the REST set-up sends its reads together as one composite request
    (``POST /services/core/composite``, ``intacct_rest.rows.first_pages``); False: each read on
    its own (for a company where a composite's sub-request is not read at the entity its header
    names: ``doctor``'s ``rest.composite_entity``)."""
    token_early: timedelta = timedelta(minutes=2)
    """An OAuth access token is renewed this long before its ``expires_in`` runs out, so a
    request never leaves with a token about to expire."""
    allowed_hosts: tuple[str, ...] = ("*.intacct.com",)
    """Where the endpoint a log-in names may be (``endpoints.adopted``, always https): a host
    name, or ``*.`` and a domain for any host under it. The configured endpoint's own host is
    always allowed."""
    batch_size: int = 50
    """Functions per write request."""
    page_size: int = 1000
    """readByQuery page size (1-1000); readMore continues with the same size."""
    line_reads: Literal["objects", "read"] = "objects"
    """How a page's lines are read: its line object by header keys, or ``read`` of the headers
    (``intacct.lines``)."""
    line_keys: int = 1000
    """Header keys in one line-object query (an ``IN`` list; 1-1000)."""
    concurrency: int = 2
    """Requests this company may have in flight at once (the governor): in this process, and,
    over a PostgreSQL state store, across every process sharing it (``transport``)."""
    performance_tier: int | None = None
    """The company's Sage performance tier (1-4; None: not said). ``concurrency`` may not pass
    the tier's limit of requests in flight for one application: ``TIER_LIMITS`` (the same for the
    XML and REST APIs, docs/rest/txn-volume.md)."""
    slot_wait: float = 300.0
    """Over a PostgreSQL state store: the longest a request waits for one of its company's
    ``concurrency`` slots shared across processes; past it the request fails, retriable and
    unsent."""
    overlap: timedelta = timedelta(minutes=5)
    """Change feeds read from ``since - overlap``: WHENMODIFIED has second granularity."""
    attempts: int = 6
    backoff: float = 0.5
    """First back-off in seconds; doubled per attempt, full jitter, capped at ``backoff_cap``."""
    backoff_cap: float = 30.0
    max_retry_after: float = 120.0
    """A wait asked for (``Retry-After`` or Intacct's throttle headers) longer than this is not
    waited for: the request fails as retriable, saying so."""
    max_retry_wait: float = 300.0
    """The most one request waits between its tries, in all; a wait past it is not taken."""
    timeout: float = 60.0
    company_tz: tzinfo | None = None
    """The time zone Intacct writes WHENMODIFIED in (the company's). None: calibrated at each
    log-in from the session timestamp's UTC offset (``Sessions.zone``); a fixed offset cannot
    follow daylight saving, so feeds then read with ``calibrated_overlap`` more."""
    setup_lifetime: timedelta = timedelta(hours=1)
    """How long a sync run may take the set-up facts an earlier read kept (subscriptions, order
    definitions, account labels, Items: ``setupcache``) instead of asking again; 0: never. The
    base currency is read every run whatever this says; onboarding and confirm always read."""
    calibrated_overlap: timedelta = timedelta(hours=1)
    """Added to ``overlap`` while the zone is calibrated rather than configured: a daylight-saving
    change moves the offset by up to an hour between two runs, and the cursor must not pass a
    record modified in that hour (the records read again are recognised as unchanged, D21)."""

    def __post_init__(self) -> None:
        checks = (
            (1 <= self.batch_size <= 100, "batch_size must be 1-100"),
            (
                1 <= self.rest_batch_size <= REST_BATCH_MAX,
                f"rest_batch_size must be 1-{REST_BATCH_MAX} (a REST batch request's limit)",
            ),
            (
                1 <= self.rest_page_size <= REST_PAGE_MAX,
                f"rest_page_size must be 1-{REST_PAGE_MAX} (the query service's page limit)",
            ),
            (
                self.token_early >= timedelta(0),
                "token_early must be 0 or more seconds before an access token expires",
            ),
            (1 <= self.page_size <= 1000, "page_size must be 1-1000 (readByQuery's limit)"),
            (1 <= self.line_keys <= 1000, "line_keys must be 1-1000 (query's limit of IN values)"),
            (self.line_reads in ("objects", "read"), "line_reads must be objects or read"),
            (self.concurrency >= 1, "concurrency must be at least 1"),
            (
                self.performance_tier is None or self.performance_tier in TIER_LIMITS,
                "performance_tier must be 1, 2, 3 or 4 (Sage's performance tiers)",
            ),
            (
                self.concurrency <= TIER_LIMITS.get(self.performance_tier or 0, self.concurrency),
                f"concurrency must be at most {TIER_LIMITS.get(self.performance_tier or 0)}, the "
                f"requests one application may have in flight at performance tier "
                f"{self.performance_tier}; got {self.concurrency}",
            ),
            (
                0 <= self.slot_wait < math.inf,
                "slot_wait must be a number of seconds, 0 or more (not infinite)",
            ),
            (self.attempts >= 1, "attempts must be at least 1"),
            (
                self.setup_lifetime >= timedelta(0),
                "setup_lifetime must be 0 or more seconds (0: the set-up is read every run)",
            ),
            (0 < self.timeout < math.inf, "timeout must be a positive, finite number of seconds"),
            *check_wait_limits(self),
            (
                all(_ALLOWED_HOST.fullmatch(host) for host in self.allowed_hosts),
                "allowed_hosts must be host names in lower case, or *. and a domain, such as "
                f"*.intacct.com; got {list(self.allowed_hosts)!r}",
            ),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
