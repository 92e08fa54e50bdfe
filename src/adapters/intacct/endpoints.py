"""Where a session may be used: the ``<endpoint>`` a ``getAPISession`` names, checked first.

Every request signed with a session id also carries the Web Services sender's password (the
``<control>`` block), so the endpoint a log-in names is adopted only if it is

- the configured endpoint's own origin (scheme, host and port): what the simulator, or a proxy
  chosen in ``intacct.endpoint``, names as itself; http is allowed only here; or
- https on an allowed host: one of ``intacct.allowed_hosts`` (a name, or ``*.`` and a domain for
  any host under it; by default ``*.intacct.com``: Intacct names a regional host such as
  ``na12.intacct.com``, and the official SDK accepts any host under ``intacct.com``), or the
  configured endpoint's own host.

Anything else is refused before anything is sent there: a FATAL error naming the endpoint and the
setting to change. An empty ``<endpoint>`` keeps the configured one.
"""

from __future__ import annotations

import re
from typing import Final

import httpx
from returns.result import Failure, Result, Success

from released_intacct.adapters.intacct.settings import HOST_NAME, ClientSettings
from released_intacct.domain.errors import ErrorKind, SyncError

__all__ = ["adopted"]

_PLAIN: Final = re.compile(HOST_NAME)
_SHOWN: Final = 200
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def adopted(named: str, settings: ClientSettings) -> Result[str, SyncError]:
    """The endpoint to use from now on, after a log-in that named ``named``."""
    given = named.strip()
    if not given:
        return Success(settings.endpoint)
    if _allowed(given, settings):
        return Success(given)
    return Failure(_refused(given))


def _allowed(url: str, settings: ClientSettings) -> bool:
    given, own = _origin(url), _origin(settings.endpoint)
    if given is None:
        return False
    if given == own:
        return True
    scheme, host, _ = given
    if scheme != "https" or _PLAIN.fullmatch(host) is None:  # nothing read two ways
        return False
    return (own is not None and host == own[1]) or any(
        _matches(host, pattern) for pattern in settings.allowed_hosts
    )


def _origin(url: str) -> tuple[str, str, int] | None:
    """Scheme, host (IDNA-encoded, lower case, without a final dot) and port, as httpx reads the
    URL, so what is checked is where a request would go; None when unusable, or when it carries
    a user name or password."""
    try:
        parts = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    host = parts.raw_host.decode("ascii", "replace").lower().rstrip(".")
    scheme = parts.scheme
    if scheme not in _DEFAULT_PORTS or not host or parts.userinfo:
        return None
    return scheme, host, parts.port or _DEFAULT_PORTS[scheme]


def _matches(host: str, pattern: str) -> bool:
    pattern = pattern.lower()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def _refused(endpoint: str) -> SyncError:
    shown = "".join(c if c.isprintable() else "?" for c in endpoint[:_SHOWN])
    more = "…" if len(endpoint) > _SHOWN else ""
    return SyncError(
        kind=ErrorKind.FATAL,
        rule=None,
        message=(
            f"Sage Intacct's log-in named {shown!r}{more} as the endpoint of the session, which "
            "is not https on an allowed host; nothing was sent there."
        ),
        fix=(
            "If that host is Sage Intacct's, add it to the intacct.allowed_hosts setting; "
            "otherwise check that the intacct.endpoint setting points at Sage Intacct."
        ),
        cause="endpoint refused",
    )
