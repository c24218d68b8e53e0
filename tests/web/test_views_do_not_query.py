"""Views parse input, call a service and render (ARCHITECTURE.md): no module of the web layer builds a
query or loads a row itself. Read as text, so a new module is checked the day it is added."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "portal" / "web"
QUERYING = re.compile(r"\bselect\(|session\.get\(|\.query\(")

# Modules allowed to query while their queries move to services (issue 13): empty since the staff forms
# moved theirs (forms_a, forms_b). Nothing may be added to it.
NOT_YET: set[str] = set()


def _querying_modules() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(WEB.rglob("*.py")):
        lines = [
            f"{n}: {line.strip()}"
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if QUERYING.search(line) and not line.lstrip().startswith("#")
        ]
        if lines:
            found[path.relative_to(WEB).as_posix()] = lines
    return found


def test_views_hold_no_query() -> None:
    found = _querying_modules()
    offending = {name: lines for name, lines in found.items() if name not in NOT_YET}
    assert not offending, "queries in the web layer (move them to a service):\n" + "\n".join(
        f"portal/web/{name}:{line}" for name, lines in offending.items() for line in lines
    )


def test_not_yet_lists_only_modules_that_still_query() -> None:
    # Keeps the exception list honest: a module that no longer queries leaves it.
    assert set(_querying_modules()) >= NOT_YET, sorted(NOT_YET - set(_querying_modules()))
