"""The official-text importer: the text of an official file (a copy of a PDF or web page) → front matter
+ Markdown. :mod:`portal.ingest.sourcefile` reads .txt/.docx/PDF files into that text.

What it finds in the text (and only there; a field it cannot find is left empty and reported as a warning):

- title: the document's own title, printed after the signature date of the notice that issued it, else the
  last title in the lines above the text (web pages print a page title first), else the one the
  ``…关于印发《…》的通知`` wrapper names; ``notice_title`` is the wrapper's full title. Copies of a title
  (with or without 《》, broken over lines, after a 文号 or with a page's date) count once;
- 文号: a line of its own in any bracket form (also glued to a title copy, or in brackets after it), an
  order number (…令第36号), a metadata table's 文号 cell, else the footer's attachment link; never one
  cited inside the body;
- issuing agencies, in order: the signature above the 成文日期, else the masthead ``…文件``, the wrapper's
  issuers, a news report's issuers, issuer lines above the text, an order's issuer, or the agencies the
  title starts with;
- 成文日期: a date line (arabic or Chinese numerals), else a ``（…年…月…日…通过）`` note, else the
  metadata table's 发文日期;
- source: a ``来源：…`` line (e.g. the newspaper that printed the text); web-page chrome is dropped;
- structure and measures: see :mod:`portal.ingest.structure` and :mod:`portal.ingest.units`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from portal.ingest.docnumber import is_valid_doc_number, normalize_doc_number
from portal.ingest.structure import Block, Structure, find_marker, parse_structure, render_markdown_body
from portal.ingest.textclean import CleanText, clean_lines, tidy_spaces
from portal.ingest.units import extract_units

_OPEN, _CLOSE = "〔[(（［【", "〕])）］】"
_DOC_NUMBER = rf"[\u4e00-\u9fff]{{1,10}}\s*[{re.escape(_OPEN)}]\s*(?:19|20)\d{{2}}\s*[{re.escape(_CLOSE)}]\s*\d{{1,4}}\s*号"
_DOC_NUMBER_LINE = re.compile(rf"^[（(]?(?:文\s*号\s*[:：]\s*)?({_DOC_NUMBER})[）)]?(?:签发人[:：].*)?$")
# "京政办发〔2016〕26号《…的通知》", "鞍立政发〔2023〕2号立山区人民政府关于…": a number glued to a title copy.
_DOC_NUMBER_GLUED = re.compile(rf"^({_DOC_NUMBER})\s*(?P<rest>\S.{{4,}})$")
# An order's number: "中华人民共和国水利部令第36号", "中华人民共和国主席令(九届第37号)", "潍坊市人民政府令" / "第77号".
_ORDER_LINE = re.compile(
    r"^(?P<order>[\u4e00-\u9fff]{2,30}令)\s*(?P<number>第\s*\d{1,4}\s*号|[（(][^）)]{1,12}号[）)]|\d{1,4}号)?$"
)
_ORDER_NUMBER = re.compile(r"^第\s*\d{1,4}\s*号$")
# A page's category tag before a title: 【规范性文件】, “党政混合信息公开”.
FRONT_LINES = 150
_TAG = re.compile(r"^(?:【[^】]{1,12}】|“[^”]{2,12}”)\s*")
# An old-style number: "(78)交公路字412号".
_OLD_DOC_NUMBER_LINE = re.compile(
    r"^[（(]?\s*([（(]\d{2,4}[)）][\u4e00-\u9fff]{1,12}\s*\d{1,4}\s*号)\s*[)）]?$"
)
# "…的通知(岳办发〔2017〕2号)": a title with its number after it.
_DOC_NUMBER_AFTER = re.compile(rf"^(?P<rest>.{{6,}}?)\s*[（(]({_DOC_NUMBER})[)）]$")
_SIGNER = re.compile(r"^(?:市长|省长|区长|县长|主任|局长|部长|主席|总理|书记|厅长)[\u4e00-\u9fff]{2,4}$")
_ANNEX = re.compile(r"^附\s*件\s*\d*\s*[:：]?")
_PAREN_SUFFIX = re.compile(r"^[（(][^（）()]{1,12}[)）]$")
# "（2005年11月25日贵州省第十届人民代表大会常务委员会第十八次会议通过）", "(2005年10月12日 国家外汇管理局发布)".
_DATE_NOTE = re.compile(
    r"^[（(]\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日.{0,60}?(?:通过|发布|公布|印发|施行)"
)
_NEWS_LEAD = re.compile(
    r"^(?:近日|日前|近期|\d{1,2}月\d{1,2}日)[,，]?(?P<issuers>[^，,。《]{2,80}?)(?:联合)?(?:印发|发布)了?《(?P<title>[^》]{4,80})》"
)
_DOC_NUMBER_IN_FOOTER = re.compile(rf"(?:^|[\s:：])({_DOC_NUMBER})")
_DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DATE_LINE = re.compile(
    r"^([〇○零OoＯ0一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
_ORG = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,40}?(?:人民政府|政府|办公厅|办公室|委员会|党委|党组|工委|管委会|办事处|"
    r"委|局|厅|部|办|中心|院|署|会|分局|支队|小组|公司)$"
)
_MASTHEAD = re.compile(r"^(?P<org>.{2,40}?)文件$")
_WRAPPER = re.compile(
    r"^(?P<issuer>.*?)(?:关于)?(?:印发|转发|颁发|发布|颁布|批转)\s*(?:[^《〈]{0,20}?[《〈](?P<quoted>[^《〈]+?(?:[《〈][^》〉]+[》〉][^《〈]*?)?)[》〉](?:[（(][^（）()]{1,8}[)）])?|(?P<plain>.+?))\s*的(?:通知|决定|通告|公告|函)$"
)
_WRAPPER_KEYWORD = re.compile(r"(?:关于)?(?:印发|转发|颁发|发布|颁布|批转)")
# "…关于印发山西省贯彻落实《…》工作方案": a notice title printed without its 的通知.
_LOOSE_WRAPPER = re.compile(r"^(?P<issuer>.*?)关于印发\s*(?P<plain>.+[^的])(?P<quoted>)$")
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
    "举措",
    "法",
    "目录",
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
    "举措": "measures",
    "法": "law",
    "目录": "catalogue",
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
    notice_title: str = ""  # the 印发 notice's full title, when the document came with one
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
        for block, units in self.structure.measure_blocks() if self.structure else []:
            _, text = extract_units(block.text)
            measure: dict[str, Any] = {"no": block.no, "text": text, "units": list(units.units)}
            if units.lead:
                measure["lead"] = list(units.lead)
            out.append(measure)
        return out

    def front_matter(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"title": self.title}
        if self.notice_title:
            meta["notice_title"] = self.notice_title
        meta["doc_number"] = self.doc_number
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

_CN_ZERO = "〇○零OoＯ0"


def _cn_digits(text: str) -> int:
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | dict.fromkeys(_CN_ZERO, 0)
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
    # A list page's date after the title ("…的通知 2022-06-08") is not part of it.
    text = re.sub(r"\s*\d{4}-\d{1,2}-\d{1,2}$", "", tidy_spaces(text)).strip("　 ")
    # A title printed inside 《》 as a whole (a web page quoting it): the brackets are not part of it.
    if text.startswith("《") and text.endswith("》") and text.count("《") == 1:
        text = text[1:-1]
    return text


def _ends_title(line: str) -> bool:
    return bool(_GENRE_END.search(title_text(line)))


def _is_title_like(line: str, limit: int = 60) -> bool:
    return (
        len(line) <= limit
        and not re.search(r"[。；;！？]", line)
        and not line.endswith(("：", ":", "，", ",", "、"))
        and not _SIGNER.match(line)
        and not re.search(r"[年月]\S{0,3}日$", line)
        and not _ANNEX.match(line)
        # "《关于…的实施意见》已经…": a sentence about the title, broken by the layout, not the title.
        and not (line.startswith("《") and not line.endswith("》") and not _GENRE_END.search(line))
        and find_marker(line) is None
        and parse_date_line(line) is None
    )


def _is_org(line: str) -> bool:
    return bool(_ORG.match(line)) and not _GENRE_END.search(line)


def split_signature_line(raw: str) -> list[str]:
    """``中共中央办公厅 国务院办公厅``: two agencies signing on one line, apart by spaces (a web page's
    issuer line may end in ``等``, naming the first few only)."""
    parts = raw.split()
    if parts and parts[-1] == "等":
        parts = parts[:-1]
    if len(parts) >= 2 and all(_is_org(part) for part in parts):
        return parts
    return [raw]


def _org_list(text: str) -> list[str]:
    """``国家计委、财政部、国家国内贸易局`` → the three, when every part names an agency."""
    parts = [part for part in re.split(r"[、，,\s]+", text.strip()) if part]
    return parts if parts and all(_is_org(part) for part in parts) else []


@dataclass
class _Lines:
    """The cleaned lines and which of them the metadata has used up."""

    lines: list[str]
    raw: list[str]
    consumed: set[int] = field(default_factory=set)

    def free(self, indexes: range | list[int]) -> list[int]:
        return [i for i in indexes if i not in self.consumed]


def _title_run(src: _Lines, start: int, stop: int) -> list[int]:
    """Title lines from ``start``: consecutive title-like lines, the last ending in a genre word, and a
    ``（试行）`` or ``（2025年版）`` line after it. A heading broken over lines by the layout is one title."""
    run: list[int] = []
    i = start
    while i < stop and i not in src.consumed:
        line = src.lines[i]
        if run and _PAREN_SUFFIX.match(line) and _ends_title(src.lines[run[-1]]):
            run.append(i)
            break
        if not _is_title_like(line) or _is_org(line) or (run and _ends_title(src.lines[run[-1]])):
            break
        run.append(i)
        i += 1
    while run and not (_ends_title(src.lines[run[-1]]) or _PAREN_SUFFIX.match(src.lines[run[-1]])):
        run.pop()
    return run


def _joined(src: _Lines, run: list[int]) -> str:
    return title_text(_TAG.sub("", "".join(src.lines[i] for i in run)))


def _find_wrapper(src: _Lines, stop: int) -> tuple[list[int], re.Match[str]] | None:
    """The 印发…的通知 line, or up to three consecutive lines that make one (a heading broken by layout)."""
    for size in (1, 2, 3):
        for i in range(stop - size + 1):
            used = list(range(i, i + size))
            # A notice title naming several issuers runs long (成都 four bureaus: 90 characters).
            if any(j in src.consumed or not _is_title_like(src.lines[j], 150) for j in used):
                continue
            joined = _joined(src, used)
            match = _WRAPPER.match(joined) or _LOOSE_WRAPPER.match(joined)
            if match:
                return used, match
    return None


def _bare(text: str) -> str:
    # A law database's page title adds the year: "武汉市…管理规定(2005年)".
    return re.sub(r"[《》〈〉\s]", "", _YEAR_TAG.sub("", _CHANNEL.sub("", text)))


# The site's column before a page title: "政务服务丨济宁市人民政府关于…".
_YEAR_TAG = re.compile(r"[（(]\d{4}年[)）]$")
_CHANNEL = re.compile(r"^[^丨｜|《]{2,10}[丨｜|]")


def _consume_copies(src: _Lines, text: str, stop: int) -> str:
    """Web pages print the title two or three times (page title, heading, the text's own), with or without
    its 《》: all copies are used up; returns the copy that keeps its 《》."""
    best = text
    for size in (1, 2, 3):
        for i in range(stop - size + 1):
            used = list(range(i, i + size))
            if any(j in src.consumed for j in used):
                continue
            copy = _joined(src, used)
            if _bare(copy) == _bare(text):
                src.consumed.update(used)
                if "《" in copy and "《" not in best:
                    best = _CHANNEL.sub("", copy)
    return best


def _find_doc_number(src: _Lines, stop: int, cleaned: CleanText) -> str:
    """A 文号 line of its own (also in brackets, or glued before a copy of the title), a 令 number, the page's
    metadata table, else the attachment link of the footer; never one cited inside the body."""
    for i in src.free(range(stop)):
        line = src.lines[i]
        if (match := _DOC_NUMBER_LINE.match(line)) and is_valid_doc_number(match[1]):
            src.consumed.add(i)
            return normalize_doc_number(match[1])
        if (match := _DOC_NUMBER_GLUED.match(line)) and is_valid_doc_number(match[1]):
            src.lines[i] = match["rest"].strip()  # the title copy after the number stays a title line
            return normalize_doc_number(match[1])
        if (match := _DOC_NUMBER_AFTER.match(line)) and is_valid_doc_number(match[2]):
            src.lines[i] = match["rest"].strip()
            return normalize_doc_number(match[2])
        if match := _OLD_DOC_NUMBER_LINE.match(line):
            src.consumed.add(i)
            return re.sub(r"\s+", "", match[1]).replace("(", "（").replace(")", "）")
        if match := _ORDER_LINE.match(line):
            number = match["number"]
            if not number and i + 1 < len(src.lines) and (nxt := _ORDER_NUMBER.match(src.lines[i + 1])):
                number = nxt[0]
                src.consumed.add(i + 1)
            if number:
                src.consumed.add(i)
                return match["order"] + number.replace("(", "（").replace(")", "）")
    if cleaned.meta_doc_number and is_valid_doc_number(cleaned.meta_doc_number):
        return normalize_doc_number(cleaned.meta_doc_number)
    for line in cleaned.footer:
        match = _DOC_NUMBER_IN_FOOTER.search(line)
        if match and is_valid_doc_number(match[1]):
            return normalize_doc_number(match[1])
    return ""


def extract(text: str) -> ImportedDocument:
    """Parse an official plain text; see the module docstring for what is found where."""
    cleaned = clean_lines(
        text, is_structural=lambda line: find_marker(line) is not None, split_line=split_signature_line
    )
    src = _Lines(cleaned.lines, cleaned.raw)
    lines = src.lines
    doc = ImportedDocument(source=cleaned.source)

    first_marker = next((i for i, line in enumerate(lines) if find_marker(line)), len(lines))

    # 成文日期: the first date line, with the signature above it.
    date_at: int | None = None
    signature: list[str] = []
    for i, line in enumerate(lines):
        if (day := parse_date_line(line)) is None:
            continue
        doc.written_on, date_at = day, i
        src.consumed.add(i)
        j = i - 1
        while j >= 0 and j not in src.consumed and _is_org(lines[j]) and len(signature) < 5:
            signature.insert(0, lines[j])
            src.consumed.add(j)
            j -= 1
        break
    # The front matter of the text ends at the first numbered line, or after the notice's signature date.
    top = max(first_marker, date_at + 1 if date_at is not None else 0)
    # Titles, numbers and the notice sit in the first lines; a text without numbered lines must not make
    # every line a candidate (a 2 MB text would take minutes).
    top = min(top, FRONT_LINES)
    doc.doc_number = _find_doc_number(src, top, cleaned)

    masthead = ""
    for i in src.free(range(min(4, len(lines)))):
        if (match := _MASTHEAD.match(lines[i])) and _is_org(match["org"]):
            masthead = match["org"]
            src.consumed.add(i)
            break

    # A news report: "近日，A、B印发了《…》": the title and the issuers.
    news_issuers: list[str] = []
    for i in src.free(range(min(3, len(lines)))):
        if match := _NEWS_LEAD.search(lines[i]):
            doc.title = title_text(match["title"])
            news_issuers = _org_list(match["issuers"])
            src.consumed.add(i)
            break

    # The wrapper notice (…关于印发《…》的通知) and its title, however many copies the page prints.
    wrapper_issuers: list[str] = []
    inner_title = ""
    wrapper = _find_wrapper(src, top)
    if wrapper:
        used, match = wrapper
        before = used[0] - 1
        broken = len(used) > 1
        if (
            broken
            and not match["issuer"]
            and before >= 0
            and before not in src.consumed
            and _is_org(lines[before])
        ):
            # "兰州市人民政府办公厅" / "印发关于…的" / "实施意见的通知": the issuer on a line of its own.
            used = [before, *used]
            match = _WRAPPER.match(_joined(src, used)) or match
        doc.notice_title = _joined(src, used)
        src.consumed.update(used)
        doc.notice_title = _consume_copies(src, doc.notice_title, top)
        inner_title = title_text(match.group("quoted") or match.group("plain") or "")
        issuer = _TAG.sub("", re.sub(r"关于$", "", match["issuer"])).strip()
        # The raw line still has the spaces between joint issuers ("…局 …局关于印发…").
        raw_issuer = _TAG.sub("", _WRAPPER_KEYWORD.split(src.raw[used[0]].strip(), maxsplit=1)[0].strip())
        wrapper_issuers = (_org_list(raw_issuer) if len(used) == 1 else []) or (
            [issuer] if _is_org(issuer) else []
        )
        doc.genre = "通知"

    # The document's own title: right after the notice's signature date (the attached document), else
    # the last title in the front lines (web pages print the page title before the text's own), else
    # the title the wrapper names.
    title_at: int | None = None
    if date_at is not None and (wrapper or signature or date_at < first_marker):
        start = date_at + 1
        while start < len(lines) and (start in src.consumed or _is_org(lines[start])):
            start += 1
        run = _title_run(src, start, len(lines))
        if run:
            doc.title, title_at = _joined(src, run), run[0]
            src.consumed.update(run)
            # The bodies a forwarded document came from ("沧州市发展改革委" / "沧州市邮政局"), printed above its
            # title: neither the notice's text nor the document's.
            src.consumed.update(range(date_at + 1, start))
            above = "".join(lines[date_at + 1 : start])
            quoted = {_bare(q) for line in lines[:date_at] for q in re.findall(r"《([^《》]+)》", line)}
            if above and _bare(above + doc.title) in quoted:
                # "鹤岗市人民政府 鹤岗市中级人民法院" / "关于完善…的意见", quoted whole by the notice: one title.
                doc.title = above + doc.title
    if title_at is None and not doc.title:
        front = min(first_marker if date_at is None or date_at > first_marker else date_at, FRONT_LINES)
        runs = [run for i in src.free(range(front)) if (run := _title_run(src, i, front))]
        runs = [run for run in runs if not any(run[0] in other[1:] for other in runs)]
        if runs:
            doc.title, title_at = _joined(src, runs[-1]), runs[-1][0]
            for run in runs:
                if _joined(src, run) == doc.title:
                    src.consumed.update(run)
        elif inner_title:
            doc.title = inner_title
        else:
            for i in src.free(range(front)):
                if _is_title_like(lines[i]) and not _is_org(lines[i]) and len(lines[i]) >= 6:
                    doc.title, title_at = title_text(lines[i]), i
                    src.consumed.add(i)
                    break
    if (
        title_at is not None
        and doc.title.startswith("关于")
        and title_at - 1 not in src.consumed
        and title_at >= 1
        and _is_org(lines[title_at - 1])
        and not (title_at >= 2 and _is_org(lines[title_at - 2]))
    ):
        # "济宁市人民政府" / "关于持续深化…的实施意见": a title set on two lines, its issuer on the first. Joint
        # issuers above a "关于…的规定" (one a line) are its 发文机关, not part of its title.
        title_at -= 1
        doc.title = lines[title_at] + doc.title
        src.consumed.add(title_at)
    if doc.title:
        _consume_copies(src, doc.title, top)
    if doc.notice_title == doc.title:
        doc.notice_title = ""

    # Agencies standing alone above the text (a web page's issuer line) and an order's issuer (…令).
    issuer_lines: list[str] = []
    order_issuer = ""
    for i in src.free(range(top if date_at is None else min(top, date_at))):
        if title_at is not None and i > title_at:
            break
        if _is_org(lines[i]) and lines[i] not in issuer_lines:
            issuer_lines.append(lines[i])
            src.consumed.add(i)
    if match := re.match(r"^(?:中华人民共和国)?(.+?)令", doc.doc_number):
        order_issuer = match[1] if _is_org(match[1]) else ""
    title_issuers = _org_list(doc.title.split("关于")[0]) if "关于" in doc.title else []
    if title_issuers and set(issuer_lines) < set(title_issuers):
        issuer_lines = title_issuers  # the page's issuer line named only the first few (…等)
    doc.agencies = (
        signature
        or ([masthead] if masthead else [])
        or wrapper_issuers
        or news_issuers
        or issuer_lines
        or ([order_issuer] if order_issuer else [])
        or title_issuers
    )

    if doc.written_on is None:
        doc.written_on = _other_date(src, top, cleaned)
    if not doc.genre and any(re.search(r"关于(?:印发|转发)\S*的通知", line) for line in cleaned.footer):
        doc.genre = "通知"  # the web page links the 印发 notice the document came with (002)
    if not doc.genre and (genre := _GENRE_END.search(doc.title)):
        doc.genre = genre[1]

    # Web pages print the 文号 and the issuer again around the title ("京政办发〔2016〕26号" twice, "对外贸易经济
    # 合作部" under each title copy): once read, a bare copy in the front lines is not text of the document.
    for i in src.free(range(top)):
        line = lines[i]
        number = _DOC_NUMBER_LINE.match(line)
        if line in doc.agencies or (number and normalize_doc_number(number[1]) == doc.doc_number != ""):
            src.consumed.add(i)

    # Lines above the title (a notice: 主送机关 and its text) are set apart from the document itself.
    remaining = [(i, line) for i, line in enumerate(lines) if i not in src.consumed]
    lead = [line for i, line in remaining if title_at is not None and i < title_at]
    body_lines = [line for i, line in remaining if title_at is None or i > title_at]
    doc.structure = parse_structure(body_lines)
    lead_structure = parse_structure(lead) if lead else None
    doc.body = render_markdown_body(
        doc.structure, [b.text for b in lead_structure.blocks] if lead_structure else None
    )
    _warn(doc)
    return doc


def _other_date(src: _Lines, top: int, cleaned: CleanText) -> date | None:
    """Without a date line: "（2005年11月25日…通过）" above the text, else the page's 发文日期 cell."""
    for i in range(min(top + 3, len(src.lines))):
        if match := _DATE_NOTE.match(src.lines[i]):
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    if cleaned.meta_date:
        try:
            return date(*cleaned.meta_date)
        except ValueError:
            return None
    return None


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
    for measure in doc.measures:
        if not measure["units"]:
            doc.warnings.append(
                ImportWarning(
                    "measures",
                    f"measure {measure['no']}: no units (no 牵头单位/责任单位 named; the text may end here)",
                )
            )
