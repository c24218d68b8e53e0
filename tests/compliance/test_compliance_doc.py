"""COMPLIANCE.md stays true: every test it names exists, and every module it names is in the tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
PATH_REF = re.compile(r"`((?:portal|templates|static|tests)/[\w./-]*)`")


def _test_names(path: Path) -> set[str]:
    """Test functions at module level and methods of test classes."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            names.add(node.name)
    return names


def test_every_named_test_and_module_exists() -> None:
    text = (ROOT / "COMPLIANCE.md").read_text(encoding="utf-8")
    refs = TEST_REF.findall(text)
    assert len(refs) > 30, "COMPLIANCE.md names too few tests: was the format changed?"
    missing = [
        f"{path}::{name}"
        for path, name in refs
        if not (ROOT / path).is_file() or name not in _test_names(ROOT / path)
    ]
    assert not missing, f"COMPLIANCE.md names tests that do not exist: {missing}"
    absent = [p for p in PATH_REF.findall(text) if not (ROOT / p.rstrip("/")).exists()]
    assert not absent, f"COMPLIANCE.md names paths that do not exist: {absent}"
