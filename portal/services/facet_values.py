"""What a topic (主题分类) or genre (公文种类) value may be: every writer checks it here.

Facet values become path segments of the public site and of the static export
(``/policies/topic/<value>/``, ``/feeds/topic/<value>.atom``). A value that could walk out of its
segment (``/``, ``\\``, ``..``), hide itself (control and format characters) or grow a path without
bound is refused where it enters: the staff form, ``portal load``. The export checks every path it
writes on its own as well (:mod:`portal.export.writer`), for values stored before this rule.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 32

# Problem code -> (English for the CLI, Chinese for the staff form). ``{label}`` is the field's name.
PROBLEMS: dict[str, tuple[str, str]] = {
    "slash": ("must not contain '/' or '\\'", "{label}不能包含“/”或“\\”。"),
    "dots": ("must not contain '..' or be '.'", "{label}不能包含“..”，也不能是“.”。"),
    "control": (
        "must not contain control or invisible characters",
        "{label}不能包含控制字符或不可见字符。",
    ),
    "length": (f"must be at most {MAX_LENGTH} characters", f"{{label}}不能超过 {MAX_LENGTH} 个字符。"),
}


def facet_value_problem(value: str) -> str | None:
    """The first problem code of :data:`PROBLEMS` that ``value`` has, or ``None`` if it is a safe value."""
    if "/" in value or "\\" in value:
        return "slash"
    if ".." in value or value == ".":
        return "dots"
    # Cc: control characters (NUL, CR, LF, ESC ...); Cf: invisible format characters (zero-width space,
    # bidirectional overrides) that would make two values look the same or a path read backwards.
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        return "control"
    if len(value) > MAX_LENGTH:
        return "length"
    return None


def is_path_segment(value: str) -> bool:
    """Whether ``value`` can be one segment of a public path (a listing or feed of its own).

    Length is not a path problem: a longer value stored before the limit keeps its pages."""
    return bool(value) and facet_value_problem(value) in (None, "length")
