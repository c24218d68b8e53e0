"""Responsible units (责任单位) named by a numbered task, as work plans write them.

In brackets at the end of the task (full- or half-width, even mixed, several per task):
（责任单位：区政府办、各部门）  （区城管委负责落实）  （区政务服务局牵头，区政府各部门、各街道负责落实）
（宣传文旅局负责）  （党政办公室、组织人事部分工负责）  （党政办公室牵头，教育体育局、基层工作部等参与）
or on lines of their own after the task: 牵头单位：… / 责任单位：… / 配合单位：….

A bracket counts only when every clause in it names units and ends in a role (牵头, 负责, 落实, 参与…),
so that ordinary parentheses such as （试行） or 党委（党组） are never taken for units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BRACKET = re.compile(r"[（(]\s*([^（）()]{2,300}?)\s*[）)]|〔\s*([^〔〕]{2,300}?)\s*〕")
# Role words at the end of a clause; the longest first, so that 牵头负责 is not read as 负责.
_ROLE = re.compile(
    r"^(?P<units>.+?)(?:等(?:单位|部门)?)?\s*"
    r"(?P<role>牵头负责|分工负责|负责落实|共同负责|按职责分工负责|按职责负责|牵头落实|牵头|负责|落实|参与|参加|配合|协助|协办)$"
)
_LEAD_ROLES = {"牵头负责", "牵头", "牵头落实"}
# 牵头单位：… 责任单位：… written as labels, in brackets or on lines of their own.
_LABEL = re.compile(r"(?P<label>牵头|责任|主责|配合|协办|参与|落实)(?:单位|部门)\s*[:：]\s*")
_LABEL_LINE = re.compile(r"^(?:[（(]\s*)?(?:牵头|责任|主责|配合|协办|参与|落实)(?:单位|部门)\s*[:：]")
_CLAUSE_SPLIT = re.compile(r"[，,；;]")
_UNIT_SPLIT = re.compile(r"[、，,；;]|\s+")
_NOT_A_UNIT = re.compile(r"[。！？：:“”\"《》]|\d{2,}")
# "区财政局等有关部门" names 区财政局; "…按职责分工负责" after a labelled list is its role, not a name.
_ETC = re.compile(r"等(?:有关|相关)?(?:单位|部门)?$")
_TRAILING_ROLE = re.compile(
    r"(?:按职责分工负责|按职责负责|分工负责|共同负责|负责落实|牵头负责|牵头落实|负责|落实|配合|参与)$"
)


@dataclass
class Units:
    """The units of one task: ``units`` lists every responsible unit, lead units first."""

    units: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)

    def add(self, names: list[str], lead: bool = False) -> None:
        for name in names:
            if lead and name not in self.lead:
                self.lead.append(name)
            if name not in self.units:
                self.units.append(name)

    def merge(self, other: Units) -> None:
        self.add(other.lead, lead=True)
        self.add(other.units)

    def __bool__(self) -> bool:
        return bool(self.units)


def _names(text: str) -> list[str] | None:
    """Split a list of unit names; None when any part does not look like a unit name."""
    names = []
    for part in _UNIT_SPLIT.split(text):
        name = _ETC.sub("", part.strip())
        if not name:
            continue
        if len(name) > 40 or _NOT_A_UNIT.search(name):
            return None
        names.append(name)
    return names or None


def _labelled(text: str) -> Units | None:
    """``牵头单位：A；责任单位：B、C``."""
    matches = list(_LABEL.finditer(text))
    if not matches or matches[0].start() != 0:
        return None
    found = Units()
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        # A remark may follow the list after a full stop: "…按职责分工负责。具体任务…不再做分工，下同。"
        listed = text[match.end() : end].split("。")[0].strip(" ；;，,。")
        names = _names(_TRAILING_ROLE.sub("", listed).strip(" ，,"))
        if names is None:
            return None
        found.add(names, lead=match["label"] == "牵头")
    return found


def parse_unit_clause(text: str) -> Units | None:
    """The units named by the content of one bracket, or None when it names none."""
    text = text.strip()
    if _LABEL.match(text):
        return _labelled(text)
    found = Units()
    pending: list[str] = []  # names of clauses whose role is given by a later clause: "A、B等部门，C配合"
    for clause in _CLAUSE_SPLIT.split(text):
        clause = clause.strip()
        if not clause:
            continue
        match = _ROLE.match(clause)
        names = _names(match["units"] if match else clause)
        if names is None:
            return None
        if not match:
            pending.extend(names)
            continue
        found.add(pending + names, lead=match["role"] in _LEAD_ROLES)
        pending = []
    return None if pending else (found or None)


def extract_units(text: str) -> tuple[Units, str]:
    """Units named in brackets anywhere in ``text``, and the text without those brackets."""
    found = Units()
    kept: list[str] = []
    position = 0
    for match in _BRACKET.finditer(text):
        units = parse_unit_clause(match[1] or match[2])
        if units is None:
            continue
        found.merge(units)
        kept.append(text[position : match.start()])
        position = match.end()
    kept.append(text[position:])
    return found, "".join(kept).strip()


def is_unit_line(line: str) -> bool:
    """A line of its own such as ``牵头单位：区政务服务局`` (task-division plans write them so)."""
    return bool(_LABEL_LINE.match(line))


def parse_unit_line(line: str) -> Units | None:
    return _labelled(line.strip().lstrip("（(").rstrip("）)").strip())
