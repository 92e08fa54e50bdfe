"""The operator's console: an onboarding and monitoring page over the admin API (issue 18).

``create_admin_app(service, token=..., ui=True)`` mounts it at ``/ui`` under the admin API, so it
moves with the API under whatever prefix a host mounts that at. Its screens: sign in, connect,
entity and sync-from date, prerequisites, one matching step per kind, confirm, status (polled,
with the run's flag and reasons), results (unlink, relink), notifications (mark read).

Decided:
- Server-rendered Jinja2 fragments swapped in by htmx 2 (vendored under ``static/htmx``, pinned,
  its sha256 checked by a test): no build step, no CDN, nothing for a host to install.
- Every screen runs the API's own endpoint (``Endpoint.answer``, the JSON route's step), so a
  form is validated and refused with the API's wording.
- The admin token is typed once, kept in the tab's ``sessionStorage`` and sent by htmx as
  ``Authorization: Bearer`` (``static/console.js``); no cookie is ever set, so there is nothing for
  a cross-site request to ride on (no CSRF surface). The shell page and static files carry no
  data and need no token; every fragment does, and answers ``Cache-Control: no-store``.
"""

from released_intacct.app.admin.console.routes import PREFIX, console_mount

__all__ = ["PREFIX", "console_mount"]
