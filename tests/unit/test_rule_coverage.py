"""Every rule id of the spec is named by a test, and the ``Rule`` enum matches the spec."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from released_intacct.domain.errors import Rule

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "spec" / "sync-rules.md"
RULE_ID = re.compile(r"\*\*([CODME]\d+)\*\*")


def _spec_rules() -> set[str]:
    assert SPEC.is_file(), f"the rules are read from {SPEC}: ../shared sits beside the checkout"
    return set(RULE_ID.findall(SPEC.read_text(encoding="utf-8")))


def _named_in(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Rule ids a test names: as a word of its name (``test_D7_void``) or in its docstring."""
    words = set(function.name.split("_"))
    docstring = ast.get_docstring(function) or ""
    return words | set(re.findall(r"\b([CODME]\d+)\b", docstring))


def _rules_named_by_tests() -> set[str]:
    named: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                named |= _named_in(node)
    return named


def test_the_spec_has_rules() -> None:
    assert len(_spec_rules()) >= 30, f"could not read rule ids from {SPEC}"


def test_rule_enum_matches_the_spec() -> None:
    assert {rule.value for rule in Rule} == _spec_rules()


def test_every_rule_is_named_by_a_test() -> None:
    missing = sorted(_spec_rules() - _rules_named_by_tests(), key=lambda r: (r[0], int(r[1:])))
    assert missing == [], f"rules no test names: {', '.join(missing)}"
