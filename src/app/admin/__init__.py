"""The admin API: a Starlette app a host mounts under any prefix (``create_admin_app``)."""

from released_intacct.app.admin.app import create_admin_app

__all__ = ["create_admin_app"]
