"""The console's vendored htmx (pinned, checked) and its package data: every template and static
file is declared in pyproject.toml's package-data (what a wheel takes, globbed under the package's
folder as setuptools globs it) and is found in the installed package (the strict editable install
maps only what is declared)."""

from __future__ import annotations

import hashlib
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Final

from released_intacct.app.admin.console.routes import ASSETS

ROOT: Final = Path(__file__).resolve().parents[2]
PACKAGE: Final = "released_intacct.app.admin.console"
FOLDER: Final = ROOT / "src" / "app" / "admin" / "console"
HTMX_VERSION: Final = "2.0.11"
HTMX_SHA256: Final = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
"""sha256 of ``dist/htmx.min.js`` in the npm package ``htmx.org`` 2.0.11."""


def _data_files() -> set[str]:
    return {
        str(path.relative_to(FOLDER))
        for folder in ("templates", "static")
        for path in (FOLDER / folder).rglob("*")
        if path.is_file()
    }


def test_htmx_is_the_pinned_release_with_its_licence_and_notice() -> None:
    vendored = FOLDER / "static" / "htmx"
    assert hashlib.sha256((vendored / "htmx.min.js").read_bytes()).hexdigest() == HTMX_SHA256
    assert (vendored / "LICENSE").read_text().startswith("Zero-Clause BSD")
    notice = (vendored / "NOTICE.md").read_text()
    assert "`htmx.org`" in notice
    assert f"**{HTMX_VERSION}**" in notice
    assert HTMX_SHA256 in notice


def test_every_template_and_static_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"][PACKAGE]
    declared = {str(p.relative_to(FOLDER)) for pattern in patterns for p in FOLDER.glob(pattern)}
    on_disk = _data_files()
    assert len(on_disk) > 10
    assert declared == on_disk, f"add to package-data: {sorted(on_disk - declared)}"


def test_every_template_and_static_file_is_found_in_the_installed_package() -> None:
    installed = files(PACKAGE)
    for name in sorted(_data_files()):
        assert installed.joinpath(*Path(name).parts).is_file(), f"{name} is not installed"
    for path, _ in ASSETS.values():
        assert installed.joinpath("static", *Path(path).parts).is_file()
