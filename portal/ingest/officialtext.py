"""The official-text importer: a plain text copied from a PDF or web page → front matter + Markdown.

What it finds in the text (and only there; a field it cannot find is left empty and reported as a warning):

- title: the 《》 title inside a ``…关于印发《…》的通知`` wrapper, else the title lines before the first
  numbered section (a title broken over two lines is joined);
- 文号: a line of its own such as ``西政发〔2020〕4号`` in any bracket form, else the one named by the
  attachment link of a web-page footer; never one cited inside the body;
- issuing agency: the signature line(s) just above the 成文日期, else the masthead ``…文件``, else the
  issuer named by the wrapper;
- 成文日期: a line of its own ``YYYY年M月D日``;
- source: a ``来源：…`` line (e.g. the newspaper that printed the text);
- structure and measures: see :mod:`portal.ingest.structure` and :mod:`portal.ingest.units`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from portal.ingest.structure import Block, Structure, find_marker, parse_structure, render_markdown_body
from portal.ingest.textclean import clean_lines, tidy_spaces
from portal.ingest.units import extract_units
from portal.services.documents import is_valid_doc_number, normalize_doc_number

_OPEN, _CLOSE = "〔[(（［【", "〕])）］】"
_DOC_NUMBER = rf"[\u4e00-\u9fff]{{1,10}}\s*[{re.escape(_OPEN)}]\s*(?:19|20)\d{{2}}\s*[{re.escape(_CLOSE)}]\s*\d{{1,4}}\s*号"
_DOC_NUMBER_LINE = re.compile(rf"^(?:文\s*号\s*[:：]\s*)?({_DOC_NUMBER})(?:签发人[:：].*)?$")
_DOC_NUMBER_IN_FOOTER = re.compile(rf"(?:^|[\s:：])({_DOC_NUMBER})")
_DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DATE_LINE = re.compile(
    r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
_ORG = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,40}?(?:人民政府|政府|办公厅|办公室|委员会|党委|党组|工委|管委会|办事处|"
    r"委|局|厅|部|办|中心|院|署|会|分局|支队|小组|公司)$"
)
_MASTHEAD = re.compile(r"^(?P<org>.{2,40}?)文件$")
_WRAPPER = re.compile(
    r"^(?P<issuer>.*?)(?:关于)?(?:印发|转发|发布|颁布)\s*(?:《(?P<quoted>.+)》|(?P<plain>.+?))\s*的(?:通知|决定|通告|公告|函)$"
)
GENRES = (
    "通知",
    "意见",
    "决定",
    "规定",
    "办法",
    "细则",
    "规则",
    "条例",
    "方案",
    "计划",
    "规划",
    "要点",
    "措施",
    "通告",
    "公告",
    "批复",
    "报告",
    "纲要",
    "指引",
    "指南",
    "制度",
    "函",
    "纪要",
)
_GENRE_END = re.compile(
    rf"({'|'.join(sorted(GENRES, key=len, reverse=True))})(?:[（(](?:试行|暂行|修订|征求意见稿)[）)])?$"
)

# English words for the genre in slugs: pinyin-free and readable (see content/README.md).
GENRE_SLUGS = {
    "通知": "notice",
    "意见": "opinions",
    "决定": "decision",
    "规定": "provisions",
    "办法": "measures",
    "细则": "rules",
    "规则": "rules",
    "条例": "regulations",
    "方案": "plan",
    "计划": "plan",
    "规划": "plan",
    "要点": "key-points",
    "措施": "measures",
    "通告": "notice",
    "公告": "announcement",
    "批复": "reply",
    "报告": "report",
    "纲要": "outline",
    "指引": "guide",
    "指南": "guide",
    "制度": "system",
    "函": "letter",
    "纪要": "minutes",
}


@dataclass
class ImportWarning:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass
class ImportedDocument:
    title: str = ""
    doc_number: str = ""
    agencies: list[str] = field(default_factory=list)
    written_on: date | None = None
    genre: str = ""
    source: str = ""
    body: str = ""
    structure: Structure | None = None
    warnings: list[ImportWarning] = field(default_factory=list)

    @property
    def agency(self) -> str:
        return self.agencies[0] if self.agencies else ""

    @property
    def sections(self) -> list[Block]:
        """The top-level sections (每个一级标题)."""
        return self.structure.headings() if self.structure else []

    def items(self, level: str = "arabic") -> list[Block]:
        return self.structure.items(level) if self.structure else []

    @property
    def measures(self) -> list[dict[str, Any]]:
        """Front-matter measures: ``no``, ``text`` (without the unit brackets), ``units``, ``lead``."""
        out = []
        for block in self.structure.measures() if self.structure else []:
            _, text = extract_units(block.text)
            measure: dict[str, Any] = {"no": block.no, "text": text, "units": list(block.units.units)}
            if block.units.lead:
                measure["lead"] = list(block.units.lead)
            out.append(measure)
        return out

    def front_matter(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"title": self.title, "doc_number": self.doc_number}
        if len(self.agencies) > 1:
            meta["agencies"] = list(self.agencies)
        else:
            meta["agency"] = self.agency
        meta["written_on"] = self.written_on or ""
        meta["genre"] = self.genre
        if self.source:
            meta["source"] = self.source
        # Left for the reviewer; an imported text is a draft until someone has read it.
        meta.update({"index_no": "", "published_on": "", "topics": [], "status": "draft"})
        meta["measures"] = self.measures
        return meta

    def to_markdown(self) -> str:
        return front_matter_markdown(self.front_matter(), self.body)

    def slug(self) -> str:
        return make_slug(self)


class _FrontMatterDumper(yaml.SafeDumper):
    """Lists of names on one line (``units: [区政府办, 各街道]``), everything else in block style."""


def _represent_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    flow = all(isinstance(v, str) and len(v) <= 40 for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_FrontMatterDumper.add_representer(list, _represent_list)


def front_matter_markdown(meta: dict[str, Any], body: str) -> str:
    """A content file: YAML front matter between ``---`` lines, then the Markdown body."""
    text = yaml.dump(meta, Dumper=_FrontMatterDumper, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{text}---\n\n{body}"


def make_slug(doc: ImportedDocument) -> str:
    """``<year>-<genre>[-<文号 number>]``: 2020-measures-4, 2018-work-rules-4, 2022-plan.

    The year is the 文号 year, else the 成文日期 year, else a year in the title; the genre is the
    English word for the last genre word of the title.
    """
    parts = []
    number = re.search(r"〔(\d{4})〕(\d+)号", doc.doc_number)
    title_year = re.search(r"(?:19|20)\d{2}", doc.title)
    year = (
        number[1]
        if number
        else str(doc.written_on.year)
        if doc.written_on
        else title_year[0]
        if title_year
        else ""
    )
    if year:
        parts.append(year)
    genre = _GENRE_END.search(doc.title)
    parts.append(GENRE_SLUGS.get(genre[1], "policy") if genre else "policy")
    if number:
        parts.append(number[2])
    return "-".join(parts)


# -- metadata ---------------------------------------------------------------------------------------


def _cn_digits(text: str) -> int:
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
    if len(text) == 4:
        return int("".join(str(digits[c]) for c in text))
    if text.startswith("十"):
        return 10 + (digits[text[1]] if len(text) > 1 else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return digits[tens] * 10 + (digits[ones] if ones else 0)
    return digits[text]


def parse_date_line(line: str) -> date | None:
    try:
        if match := _DATE_LINE.match(line):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _CN_DATE_LINE.match(line):
            return date(_cn_digits(match[1]), _cn_digits(match[2]), _cn_digits(match[3]))
    except (ValueError, KeyError):
        return None
    return None


def title_text(text: str) -> str:
    return tidy_spaces(text).strip("　 ")


def _is_title_like(line: str) -> bool:
    return (
        len(line) <= 60
        and not re.search(r"[。；;！？]", line)
        and not line.endswith(("：", ":"))
        and find_marker(line) is None
        and parse_date_line(line) is None
    )


def _find_wrapper(header: list[int], lines: list[str]) -> tuple[list[int], re.Match[str]] | None:
    """The 印发…的通知 line, or two consecutive lines that make one (a heading broken in two)."""
    singles = [[i] for i in header]
    pairs = [[i, j] for i, j in zip(header, header[1:], strict=False) if j == i + 1]
    for used in singles + pairs:
        match = _WRAPPER.match("".join(lines[j] for j in used))
        if match:
            return used, match
    return None


def extract(text: str) -> ImportedDocument:
    """Parse an official plain text; see the module docstring for what is found where."""
    cleaned = clean_lines(text, is_structural=lambda line: find_marker(line) is not None)
    lines = cleaned.lines
    doc = ImportedDocument(source=cleaned.source)
    consumed: set[int] = set()

    first_marker = next((i for i, line in enumerate(lines) if find_marker(line)), len(lines))
    header = list(range(first_marker))

    # 文号: a line of its own in the header, else the attachment link of a web-page footer.
    for i in header:
        if (match := _DOC_NUMBER_LINE.match(lines[i])) and is_valid_doc_number(match[1]):
            doc.doc_number = normalize_doc_number(match[1])
            consumed.add(i)
            break
    else:
        for line in cleaned.footer:
            match = _DOC_NUMBER_IN_FOOTER.search(line)
            if match and is_valid_doc_number(match[1]):
                doc.doc_number = normalize_doc_number(match[1])
                break

    # 成文日期 and the signature above it.
    signature: list[str] = []
    for i, line in enumerate(lines):
        day = parse_date_line(line)
        if day is None:
            continue
        doc.written_on = day
        consumed.add(i)
        j = i - 1
        while j >= 0 and j not in consumed and _ORG.match(lines[j]) and len(signature) < 5:
            signature.insert(0, lines[j])
            consumed.add(j)
            j -= 1
        break

    masthead = ""
    for i in header[:4]:
        if (match := _MASTHEAD.match(lines[i])) and i not in consumed:
            masthead = match["org"]
            consumed.add(i)
            break

    # Title: the 《》 title of a wrapper notice, else the first title line(s) of the header.
    wrapper_issuer = ""
    free = [i for i in header if i not in consumed]
    wrapper = _find_wrapper(free, lines)
    if wrapper:
        used, match = wrapper
        consumed.update(used)
        # Issuers printed on lines of their own above a wrapper title (joint issuance): part of the title.
        j = used[0] - 1
        while j >= 0 and j not in consumed and _ORG.match(lines[j]):
            consumed.add(j)
            j -= 1
        doc.title = title_text(match["quoted"] or match["plain"])
        wrapper_issuer = re.sub(r"关于$", "", match["issuer"]).strip()
        doc.genre = "通知"
    title_at = None
    for n, i in enumerate(free):
        if i in consumed:
            continue
        if doc.title:
            if title_text(lines[i]) == doc.title:  # the inner title repeated above the text
                consumed.add(i)
                title_at = i
                break
            continue
        if not _is_title_like(lines[i]) or _ORG.match(lines[i]):
            continue
        run = [i]
        for j in free[n + 1 :]:
            if j != run[-1] + 1 or _GENRE_END.search(lines[run[-1]]) or not _is_title_like(lines[j]):
                break
            run.append(j)
        doc.title = title_text("".join(lines[k] for k in run))
        consumed.update(run)
        title_at = run[0]
        break

    if not doc.genre and any(re.search(r"关于(?:印发|转发)\S*的通知", line) for line in cleaned.footer):
        doc.genre = "通知"  # the web page links the 印发 notice the document came with (002)
    if not doc.genre and (genre := _GENRE_END.search(doc.title)):
        doc.genre = genre[1]
    doc.agencies = (
        signature or ([masthead] if masthead else []) or ([wrapper_issuer] if wrapper_issuer else [])
    )

    # Lines above the title (a notice: 主送机关 and its text) are set apart from the document itself.
    remaining = [(i, line) for i, line in enumerate(lines) if i not in consumed]
    lead = [line for i, line in remaining if title_at is not None and i < title_at]
    body_lines = [line for i, line in remaining if title_at is None or i > title_at]
    doc.structure = parse_structure(body_lines)
    lead_structure = parse_structure(lead) if lead else None
    doc.body = render_markdown_body(
        doc.structure, [b.text for b in lead_structure.blocks] if lead_structure else None
    )
    _warn(doc)
    return doc


def _warn(doc: ImportedDocument) -> None:
    checks = [
        ("title", doc.title, "no title found; fill in 'title'"),
        ("doc_number", doc.doc_number, "no 文号 found; 'doc_number' left empty"),
        (
            "agency",
            doc.agencies,
            "no issuing agency found (no signature, masthead or 印发 wrapper); 'agency' left empty",
        ),
        ("written_on", doc.written_on, "no 成文日期 (a line 'YYYY年M月D日') found; 'written_on' left empty"),
    ]
    doc.warnings.extend(ImportWarning(name, message) for name, value, message in checks if not value)
    if doc.structure and not doc.structure.heading_levels:
        doc.warnings.append(ImportWarning("body", "no numbered sections found; the body has no headings"))
