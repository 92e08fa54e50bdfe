"""The package list in pyproject.toml, the layering of imports, and the public surface."""

from __future__ import annotations

import ast
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROOTS = {"released_intacct": ROOT / "src", "released_intacct.fakes": ROOT / "fakes"}


def _packages_on_disk() -> set[str]:
    found: set[str] = set()
    for name, folder in ROOTS.items():
        for init in folder.rglob("__init__.py"):
            rel = init.parent.relative_to(folder).parts
            if name == "released_intacct" and rel and rel[0] == "fakes":
                continue
            found.add(".".join((name, *rel)))
    return found


def test_setuptools_package_list_matches_the_init_folders() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = _packages_on_disk()
    assert listed == on_disk, (
        f"add to pyproject packages: {sorted(on_disk - listed)}; remove: {sorted(listed - on_disk)}"
    )


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_only_the_standard_library_and_returns() -> None:
    allowed = set(sys.stdlib_module_names) | {"returns", "released_intacct", "__future__"}
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_roots(path) - allowed)
        for path in (ROOT / "src" / "domain").rglob("*.py")
        if _imported_roots(path) - allowed
    }
    assert offenders == {}


def test_every_py_file_lives_in_a_package() -> None:
    for folder in ROOTS.values():
        for path in folder.rglob("*.py"):
            assert (path.parent / "__init__.py").exists(), f"{path} is outside any package"
