"""Issue 18: the docs pages' vendored Swagger UI and ReDoc are the files their npm packages publish
(sha256), each folder carries its licence and a NOTICE naming package, version and source, and
they are package data: found through the editable install and copied into a wheel."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from released_intacct.app.admin.assets import ASSETS, REDOC, SWAGGER_UI, Asset, asset

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "src" / "app" / "admin" / "docs-assets"
PACKAGES = {SWAGGER_UI: "swagger-ui-dist 5.36.0", REDOC: "redoc 2.5.1"}


@pytest.mark.parametrize("vendored", ASSETS, ids=lambda a: a.path)
def test_each_vendored_file_is_the_one_published(vendored: Asset) -> None:
    on_disk = (FOLDER / vendored.path).read_bytes()
    assert hashlib.sha256(on_disk).hexdigest() == vendored.sha256
    assert vendored.read() == on_disk  # through the installed package (editable here)


@pytest.mark.parametrize(("folder", "package"), sorted(PACKAGES.items()))
def test_each_folder_has_its_licence_and_a_notice_naming_version_and_source(
    folder: str, package: str
) -> None:
    notice = (FOLDER / folder / "NOTICE").read_text()
    name, version = package.split()
    assert f"{package} (npm)" in notice
    assert f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz" in notice
    assert "Integrity: sha512-" in notice
    listed = {a.name for a in ASSETS if a.folder == folder}
    assert "LICENSE" in listed
    for file in listed:
        assert f"  {file} " in notice, file
    assert {p.name for p in (FOLDER / folder).iterdir()} == listed | {"NOTICE"}


def test_nothing_but_the_listed_files_is_served() -> None:
    assert asset(SWAGGER_UI, "NOTICE") is None
    assert asset(REDOC, "../assets.py") is None
    assert asset(REDOC, "redoc.standalone.js") is not None


def test_the_files_are_package_data_a_wheel_carries(tmp_path: Path) -> None:
    """``build_py`` lays out exactly what a wheel packs (packages and their package data)."""
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("src", "fakes"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    built = tmp_path / "lib"
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
         "--build-lib", str(built)],
        cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    packed = built / "released_intacct" / "app" / "admin" / "docs-assets"
    for vendored in ASSETS:
        assert hashlib.sha256((packed / vendored.path).read_bytes()).hexdigest() == vendored.sha256
    for folder in PACKAGES:
        assert (packed / folder / "NOTICE").is_file()
