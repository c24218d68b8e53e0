"""The numbered structure of an official text: 第X章 / 第X条 / 一、 / （一） / 1. / （1） / ①.

Each line is a heading, a numbered item or a paragraph. Whether a numbering level holds headings or items is
decided per document, by what most of its lines look like: in one text （一） is a short heading, in
another it opens a long task. Lines broken by the PDF layout are joined back: an item or paragraph whose
last line does not end a sentence continues on the next line, unless that line opens a new number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.ingest.textclean import ends_sentence
from portal.ingest.units import Units, extract_units, is_unit_line, parse_unit_line

CN_NUM = "一二三四五六七八九十百零〇两"

# Levels from outermost to innermost; the first group of each pattern is the number as printed.
LEVELS: list[tuple[str, re.Pattern[str]]] = [
    ("part", re.compile(rf"^第([{CN_NUM}\d]+)编\s*")),
    ("chapter", re.compile(rf"^第([{CN_NUM}\d]+)章\s*")),
    ("section", re.compile(rf"^第([{CN_NUM}\d]+)节\s*")),
    ("article", re.compile(rf"^第([{CN_NUM}\d]+)条\s*")),
    ("cn", re.compile(rf"^([{CN_NUM}]+)\s*[、．.]\s*")),
    ("paren_cn", re.compile(rf"^[（(]\s*([{CN_NUM}]+)\s*[)）]\s*")),
    ("arabic", re.compile(r"^(\d{1,3})\s*[.．、](?!\d)\s*")),
    ("paren_arabic", re.compile(r"^[（(]\s*(\d{1,3})\s*[)）]\s*")),
    ("circled", re.compile(r"^([①-⑳])\s*")),
]
LEVEL_ORDER = [name for name, _ in LEVELS]
_SPACED_LEVELS = {"part", "chapter", "section", "article"}  # "第一章 总则": a space after the number


@dataclass
class Marker:
    level: str
    no: str  # the number as printed: "28", "十七", "一"
    rest: str  # the text after the number

    @property
    def label(self) -> str:
        """The number in its canonical printed form: 第一章, 一、, （一）, 1., （1）, ①."""
        return {
            "part": f"第{self.no}编",
            "chapter": f"第{self.no}章",
            "section": f"第{self.no}节",
            "article": f"第{self.no}条",
            "cn": f"{self.no}、",
            "paren_cn": f"（{self.no}）",
            "arabic": f"{self.no}.",
            "paren_arabic": f"（{self.no}）",
            "circled": self.no,
        }[self.level]


def find_marker(line: str) -> Marker | None:
    for level, pattern in LEVELS:
        match = pattern.match(line)
        if match and line[match.end() :].strip():
            return Marker(level, match[1], line[match.end() :].strip())
    return None


def looks_like_heading(text: str) -> bool:
    """A short title, not a sentence: 总体要求, 树立正确政绩观，力戒表态多调门高、行动少落实差."""
    return len(text) <= 40 and not re.search(r"[。；;！？]", text) and not text.endswith(("：", ":"))


@dataclass
class Block:
    kind: str  # heading | item | para
    text: str
    level: str = ""  # numbering level of headings and items
    no: str = ""
    units: Units = field(default_factory=Units)  # named by the item, in brackets or on unit lines
    unit_lines: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Marker(self.level, self.no, "").label if self.level else ""


@dataclass
class Structure:
    blocks: list[Block]
    heading_levels: list[str]  # outermost first
    item_levels: list[str]

    @property
    def top_level(self) -> str | None:
        return self.heading_levels[0] if self.heading_levels else None

    def headings(self, level: str | None = None) -> list[Block]:
        level = level or self.top_level
        return [b for b in self.blocks if b.kind == "heading" and b.level == level]

    def items(self, level: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == "item" and b.level == level]

    def _parents(self) -> list[Block | None]:
        """For each block, the nearest heading above it (the section it belongs to)."""
        parents: list[Block | None] = []
        current: Block | None = None
        for block in self.blocks:
            parents.append(current)
            if block.kind == "heading":
                current = block
        return parents

    def effective_units(self) -> dict[int, Units]:
        """Units of each item: its own, else those its section names (``一、强化科技创新（区科技局牵头）``)."""
        out: dict[int, Units] = {}
        inherited: dict[str, Units] = {}
        for n, block in enumerate(self.blocks):
            if block.kind == "heading":
                inherited[block.level] = block.units
                depth = self.heading_levels.index(block.level) if block.level in self.heading_levels else 0
                for deeper in self.heading_levels[depth + 1 :]:
                    inherited.pop(deeper, None)
            elif block.kind == "item":
                named = [u for u in inherited.values() if u]
                out[n] = block.units or (named[-1] if named else Units())
        return out

    @property
    def measure_level(self) -> str | None:
        """The item level that carries responsible units (most often), if any does."""
        units = self.effective_units()
        counts = {
            level: sum(1 for n, b in enumerate(self.blocks) if b.level == level and units.get(n))
            for level in self.item_levels
        }
        best = max(counts, key=lambda level: counts[level], default=None)
        return best if best and counts[best] else None

    def measure_blocks(self) -> list[tuple[Block, Units]]:
        """The measures and their units: the items at the measure level in every section where one of
        them names units. An item there without units (the text ends, or the units were left out) is
        still a measure, reported as one without units rather than dropped."""
        level = self.measure_level
        if level is None:
            return []
        units = self.effective_units()
        parents = self._parents()
        at_level = [n for n, b in enumerate(self.blocks) if b.kind == "item" and b.level == level]
        with_units = {id(parents[n]) for n in at_level if units.get(n)}
        return [(self.blocks[n], units.get(n) or Units()) for n in at_level if id(parents[n]) in with_units]

    def measures(self) -> list[Block]:
        return [block for block, units in self.measure_blocks() if units]


def _classify_levels(markers: list[Marker], before_unit_line: set[int]) -> tuple[list[str], list[str]]:
    by_level: dict[str, list[tuple[int, Marker]]] = {}
    for n, marker in enumerate(markers):
        by_level.setdefault(marker.level, []).append((n, marker))
    headings: list[str] = []
    items: list[str] = []
    for level in LEVEL_ORDER:
        found = by_level.get(level)
        if not found:
            continue
        # A numbered line followed by 牵头单位：/责任单位： lines is a task, however short it is.
        if any(n in before_unit_line for n, _ in found):
            items.append(level)
            continue
        heading_like = sum(1 for _, m in found if looks_like_heading(m.rest))
        (headings if heading_like * 2 > len(found) else items).append(level)
    return headings, items


def parse_structure(lines: list[str]) -> Structure:
    """Turn cleaned lines into headings, items and paragraphs, joining lines the layout broke."""
    markers = {i: m for i, line in enumerate(lines) if (m := find_marker(line))}
    # Judge a numbered line by its whole text when the layout broke it ("第一条为了…保障公众" / "身体健康…"):
    # a long line or one ending mid-clause continues on the next.
    whole: dict[int, Marker] = {}
    for i, numbered in markers.items():
        text, j = numbered.rest, i + 1
        while (
            j < len(lines)
            and j not in markers
            and not is_unit_line(lines[j])
            and not ends_sentence(text)
            and (len(lines[j - 1]) >= 28 or text.endswith(("，", ",", "、")))
        ):
            text += lines[j]
            j += 1
        whole[i] = Marker(numbered.level, numbered.no, text)
    order = list(markers)
    before_unit_line = {
        n for n, i in enumerate(order) if any(is_unit_line(line) for line in lines[i + 1 : i + 2])
    }
    heading_levels, item_levels = _classify_levels(list(whole.values()), before_unit_line)
    blocks: list[Block] = []
    for i, line in enumerate(lines):
        marker = markers.get(i)
        current = blocks[-1] if blocks else None
        if marker is None and is_unit_line(line) and current is not None and current.kind == "item":
            units = parse_unit_line(line)
            if units:
                current.units.merge(units)
                current.unit_lines.append(line)
                continue
        if marker is None:
            if (
                current is not None
                and current.kind != "heading"
                and not current.unit_lines
                and not ends_sentence(current.text)
            ):
                current.text += line  # a line broken by the layout
            else:
                blocks.append(Block("para", line))
            continue
        if marker.level in heading_levels:
            title, _, rest = marker.rest.partition("。")
            found, _ = extract_units(title)
            blocks.append(Block("heading", title, marker.level, marker.no, units=found))
            if rest.strip():
                blocks.append(Block("para", rest.strip()))
        else:
            blocks.append(Block("item", marker.rest, marker.level, marker.no))
    for block in blocks:
        if block.kind == "item":
            found, _ = extract_units(block.text)
            found.merge(block.units)
            block.units = found
    return Structure(blocks, heading_levels, item_levels)


# -- Markdown ---------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")
_MD_LINE_START = re.compile(r"^(#|>|[-+]\s|\d+[.)]\s?)")


def md_escape(text: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: "\\" + m[0], text)


def heading_text(block: Block) -> str:
    sep = " " if block.level in _SPACED_LEVELS else ""
    return f"{block.label}{sep}{block.text}"


def render_markdown_body(structure: Structure, lead_paragraphs: list[str] | None = None) -> str:
    """Markdown for the blocks: top-level headings are ``## ``, numbered 1. items an ordered list."""
    depth = {level: min(2 + n, 6) for n, level in enumerate(structure.heading_levels)}
    out: list[str] = []
    if lead_paragraphs:
        out.extend(md_escape(p) for p in lead_paragraphs)
        out.append("* * *")
    in_list = False
    for block in structure.blocks:
        if block.kind == "item" and block.level == "arabic":
            # Numbers run on across headings (004 counts 1-42 through its sections): keep them as printed.
            line = f"{block.no}. {md_escape(block.text)}"
            if in_list:
                out[-1] += "\n" + line
            else:
                out.append(line)
            in_list = True
            for unit_line in block.unit_lines:
                out[-1] += "\n    " + md_escape(unit_line)
            continue
        in_list = False
        if block.kind == "heading":
            out.append(f"{'#' * depth[block.level]} {md_escape(heading_text(block))}")
        elif block.kind == "item":
            sep = " " if block.level in _SPACED_LEVELS else ""
            out.append(f"{block.label}{sep}{md_escape(block.text)}")
            out.extend(md_escape(line) for line in block.unit_lines)
        else:
            out.append(md_escape(block.text))
    return "\n\n".join(out) + "\n"
