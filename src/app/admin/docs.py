"""The admin API's documentation pages: Swagger UI at ``/docs`` and ReDoc at ``/redoc``.

Both render ``openapi.json`` in the browser from the vendored bundles (``assets``), served by the
same app under ``/docs/assets/``. Every URL a page names is an absolute path under the prefix the
app is mounted at (the request's ``root_path``: a ``Mount`` and a proxy's ``--root-path`` alike),
so the pages work behind any prefix. The pages need no token (they hold no data); they are served
only while ``openapi.json`` is public, since without it they would have nothing to show.

Nothing leaves for another host: each page's ``Content-Security-Policy`` allows scripts, styles,
images, fonts and requests from the app's own origin only (its one inline script by its sha256),
Swagger UI's validator badge is off (``validatorUrl: null``) and ReDoc's theme names system fonts.
The one outside resource a bundle names, ReDoc's "Redocly" logo image on cdn.redoc.ly, is given an
empty ``data:`` source by the page before the browser sees it (the logo then hides itself), so it is
not even attempted; the policy would block it anyway.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from released_intacct.app.admin import errors
from released_intacct.app.admin.assets import REDOC, SWAGGER_UI, asset
from released_intacct.app.admin.endpoint import problem_response
from released_intacct.app.admin.openapi import OPENAPI_PATH, mount_prefix

__all__ = ["ASSETS_PATH", "REDOC_PATH", "SWAGGER_PATH", "docs_routes"]

SWAGGER_PATH: Final = "/docs"
REDOC_PATH: Final = "/redoc"
ASSETS_PATH: Final = "/docs/assets"

_SWAGGER_INIT: Final = """SwaggerUIBundle({
  url: %s,
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null
});"""
_REDOC_INIT: Final = """Redoc.init(%s, {
  theme: {typography: {
    fontFamily: "system-ui, -apple-system, 'Segoe UI', sans-serif",
    headings: {fontFamily: "system-ui, -apple-system, 'Segoe UI', sans-serif"},
    code: {fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace"}
  }}
}, document.getElementById("redoc"));"""
_OWN_IMAGES: Final = """(function () {
  function own(value) {
    var url = String(value);
    return /^https?:/i.test(url) && new URL(url).origin !== location.origin ? "data:," : value;
  }
  var set = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    return set.call(this, name, this.tagName === "IMG" && name === "src" ? own(value) : value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    get: src.get,
    set: function (value) { src.set.call(this, own(value)); },
    configurable: true
  });
})();"""
"""Before ReDoc's bundle: an image it points at another host gets an empty ``data:`` source
instead, however the source is set (attribute or property)."""
_PAGE: Final = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<link rel="icon" href="data:,">
%(head)s
</head>
<body style="margin: 0">
<div id="%(root)s"></div>
%(prelude)s<script src="%(bundle)s"></script>
<script>%(init)s</script>
</body>
</html>
"""


def docs_routes(*, title: str) -> list[Route]:
    """The two pages and their assets (none of them in the OpenAPI document: they are not API)."""

    async def swagger(request: Request) -> Response:
        css = _asset_url(request, SWAGGER_UI, "swagger-ui.css")
        head = f'<link rel="stylesheet" href="{html.escape(css)}">'
        init = _SWAGGER_INIT % _js(mount_prefix(request.scope) + OPENAPI_PATH)
        bundle = _asset_url(request, SWAGGER_UI, "swagger-ui-bundle.js")
        return _page(
            f"{title} · Swagger UI", head=head, root="swagger-ui", bundle=bundle, init=init
        )

    async def redoc(request: Request) -> Response:
        init = _REDOC_INIT % _js(mount_prefix(request.scope) + OPENAPI_PATH)
        bundle = _asset_url(request, REDOC, "redoc.standalone.js")
        return _page(
            f"{title} · ReDoc", root="redoc", bundle=bundle, init=init, prelude=_OWN_IMAGES
        )

    return [
        Route(SWAGGER_PATH, swagger, methods=["GET"]),
        Route(REDOC_PATH, redoc, methods=["GET"]),
        Route(f"{ASSETS_PATH}/{{folder}}/{{name}}", _serve_asset, methods=["GET"]),
    ]


async def _serve_asset(request: Request) -> Response:
    found = asset(request.path_params["folder"], request.path_params["name"])
    if found is None:
        return problem_response(errors.no_route(request.url.path))
    tag = f'"{found.sha256}"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=86400"}
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers=headers)
    return Response(found.read(), media_type=found.media_type, headers=headers)


def _asset_url(request: Request, folder: str, name: str) -> str:
    """Under the prefix, with the file's sha256 in the query: a new version is a new URL, so no
    browser keeps the old one from its cache."""
    found = asset(folder, name)
    version = "" if found is None else f"?v={found.sha256[:16]}"
    return f"{mount_prefix(request.scope)}{ASSETS_PATH}/{folder}/{name}{version}"


def _js(value: str) -> str:
    """A JSON string literal safe inside ``<script>`` (no ``</script>`` can close it early)."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(
    title: str, *, head: str = "", root: str, bundle: str, init: str, prelude: str = ""
) -> Response:
    """The page; its inline scripts (``prelude`` before the bundle, ``init`` after it) are allowed
    by their sha256, nothing else inline."""
    inline = (prelude, init) if prelude else (init,)
    hashes = " ".join(f"'sha256-{_digest(script)}'" for script in inline)
    policy = (
        "default-src 'none'; "
        f"script-src 'self' {hashes}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    )
    body = _PAGE % {
        "title": html.escape(title),
        "head": head,
        "root": root,
        "prelude": f"<script>{prelude}</script>\n" if prelude else "",
        "bundle": html.escape(bundle),
        "init": init,
    }
    return HTMLResponse(body, headers={"Content-Security-Policy": policy})


def _digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
