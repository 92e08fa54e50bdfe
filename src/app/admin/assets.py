"""The files the API docs pages load, vendored from their npm packages (no CDN, no build step).

``docs-assets/swagger-ui`` holds Swagger UI (npm ``swagger-ui-dist``) and ``docs-assets/redoc``
ReDoc (npm ``redoc``), each with its licence and a NOTICE naming the package, version, tarball and
integrity.
They are package data (``pyproject.toml``), read through ``importlib.resources``, so they are
found alike in the editable install and in a wheel. ``ASSETS`` lists each file once with the
sha256 of its bytes as published; a test checks them, and a served file's ``ETag`` is its sha256.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Final

__all__ = ["ASSETS", "REDOC", "SWAGGER_UI", "Asset", "asset"]

SWAGGER_UI: Final = "swagger-ui"
"""npm ``swagger-ui-dist`` 5.36.0."""
REDOC: Final = "redoc"
"""npm ``redoc`` 2.5.1."""

_FOLDER: Final = "docs-assets"
"""Beside this module; not a Python name, so setuptools takes it for data, not a package."""
_JS: Final = "text/javascript; charset=utf-8"
_CSS: Final = "text/css; charset=utf-8"
_TEXT: Final = "text/plain; charset=utf-8"


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    folder: str
    name: str
    media_type: str
    sha256: str
    """Of the file as published in its npm package (our NOTICE: of the file as written)."""

    @property
    def path(self) -> str:
        """Relative to ``docs-assets/`` and to the docs' asset route (``swagger-ui/LICENSE``)."""
        return f"{self.folder}/{self.name}"

    def read(self) -> bytes:
        folder = resources.files(__package__ or "released_intacct.app.admin") / _FOLDER
        return folder.joinpath(self.folder, self.name).read_bytes()


def _swagger(name: str, media_type: str, sha256: str) -> Asset:
    return Asset(folder=SWAGGER_UI, name=name, media_type=media_type, sha256=sha256)


def _redoc(name: str, media_type: str, sha256: str) -> Asset:
    return Asset(folder=REDOC, name=name, media_type=media_type, sha256=sha256)


ASSETS: Final = (
    _swagger(
        "swagger-ui-bundle.js",
        _JS,
        "b164c5a22535e40dae08c00271674a67e437ec195098c55fcedf8ffac7ac3c88",
    ),
    _swagger(
        "swagger-ui.css", _CSS, "7eb9f5a125e4bc9b3f0b71869b66d1a3d7c501f972f53d44ef91c2ae6c5bda5e"
    ),
    _swagger(
        "swagger-ui-bundle.js.LICENSE.txt",
        _TEXT,
        "37eb6e7e59aed57b2c1acf076574b818ea07b74265717e0bd67b59e0baf9abbb",
    ),
    _swagger("LICENSE", _TEXT, "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"),
    _swagger(
        "NOTICE.swagger-ui",
        _TEXT,
        "0d20d1adef18aee3f40dd258172155521ce702ac445cb5f7b7d60ed32dad2fb2",
    ),
    _redoc(
        "redoc.standalone.js",
        _JS,
        "2d8d13e94b5a21011cc6f8260d87ca475d0f6f2faed16dd12e7394dfa3bb05b8",
    ),
    _redoc(
        "redoc.standalone.js.LICENSE.txt",
        _TEXT,
        "647a31ff79e670cff27de5397cbdecd54f30e4bebc56345f618fac84d570bbe9",
    ),
    _redoc("LICENSE", _TEXT, "d3026d549cf68ab7355bcfa85877bf8f845b3334a7efbfdc63936432fb34ff0e"),
)
"""Every vendored file but our own NOTICEs (which are ours, not the packages')."""

_BY_PATH: Final = {a.path: a for a in ASSETS}


def asset(folder: str, name: str) -> Asset | None:
    """The vendored file ``folder/name``; None for any other (no path is ever opened from a
    request: only the listed files are served)."""
    return _BY_PATH.get(f"{folder}/{name}")
