"""Cleaning an official text copied from a PDF or a web page, line by line, before it is parsed.

PDF copies carry stray spaces between Chinese characters, page numbers on lines of their own and the
版记 (抄送 … 印发) at the end; web copies carry the site footer (主办/承办, ICP and 公网安备 numbers) and
links to the attached PDF. None of that is part of the document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Characters after which a line is a complete sentence or clause: a line ending otherwise was broken by
# the layout and continues on the next line.
TERMINAL = "。！？；：!?;:）)】」』"

_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff]+")

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_\s]*\d{1,3}[-—–－_\s]*|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$"
)
_FOOTER = re.compile(
    r"ICP\s*备|公网安备|网站标识码|版权所有|Copyright|©|^(?:主办|承办|协办|技术支持|联系我们)(?:单位)?\s*[:：]",
    re.IGNORECASE,
)
# A link to the attached file, as web pages print it: "政策文件:西政发〔2018〕4号 …的通知.pdf".
_ATTACHMENT_LINK = re.compile(r"\.(?:pdf|docx?|wps|ofd|xlsx?|zip|rar)\s*$", re.IGNORECASE)
_CC = re.compile(r"^抄\s*送\s*[:：]")
_PRINTED = re.compile(r"^\S{0,40}?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印\s*发$")
_DISCLOSURE_NOTE = re.compile(r"^[（(]\s*此件.{0,12}[)）]$")
_SOURCE = re.compile(r"^[【\[]?\s*(?:信息|文章|稿件)?来\s*源\s*[:：]\s*(?P<source>.+?)\s*[】\]]?$")

# Web-page chrome around a text: breadcrumbs, "发布时间：… 来源：… 浏览次数：…" lines, share/print links.
_CHROME_LABEL = re.compile(
    r"(?:发布时间|发布日期|更新时间|时\s*间|日\s*期|作\s*者|浏\s*览(?:量|次数)?|阅\s*读(?:量|次数)?|访问次数|"
    r"点击(?:数|量|率)?|(?:信息|文章)?来\s*源|字\s*号|编\s*辑|责任编辑)\s*[:：]"
)
_CHROME = re.compile(
    r"^(?:您的位置|您现在的位置|当前位置|所在位置|位置)\s*[:：]|^首页\s*[>»›＞/]|[>»›]\s*正文$|下载地址\s*[:：]|"
    r"点击此处下载|扫一扫|在手机上(?:查看|打开)|^热门站点|收藏本站|设为首页|^【?\s*(?:打印|关闭|关闭窗口|打印本页|"
    r"返回顶部|字体\s*[:：]?.*|分享到\s*[:：]?.*)\s*】?$|^(?:分享|打印|关闭)(?:\s*[|｜]\s*(?:分享|打印|关闭|收藏))+$|"
    r"^AI\s*导读\s*[:：]?$|^Original URL\s*[:：]|^<正>$|^【(?:字体|打印|关闭)|^-{3}(?:\|-{3})+\|?$|"
    r"^\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s+\S{0,20})?$|"
    # 政府信息公开 cells printed bare: an 索引号 ("11330700MB10327095/2024-00144"), a normative document's
    # registration number ("HHCR-2023-01005"), the 公开属性, the read-aloud button, an empty page counter.
    r"^[0-9A-Za-z]{4,20}/\d{4}-\d{3,6}$|^[A-Z]{2,8}-\d{4}-\d{3,6}$|^(?:主动公开|依申请公开|不予公开|朗读|无障碍)$|"
    r"^[•·●\-*]?\s*(?:浏览|访问|点击|阅读)(?:次数|量|数)\s*[:：]\s*\d*$|"
    # The site's column names, alone on their lines above the text ("政府信息公开", "政府文件").
    r"^(?:政府信息公开|政务公开|政府文件|政策文件|文件通知|通知公告|法定主动公开内容)$|"
    # gov.cn's language switch and a web address alone on its line.
    r"^(?:EN|English|中文|繁体|繁體|简体)$|^https?://\S+$",
    re.IGNORECASE,
)
# The metadata table of a 政府信息公开 page: 索引号 / 发布机构 / 文号 / 发文日期 …, in cells or run together.
_META_LABELS = re.compile(
    r"索引号|发文日期|成文日期|发布机构|发文机构|发文机关|文号|主题分类|组配分类|信息分类|分类|有效性|标题|名称|"
    r"发布日期|生成日期|生效时间|废止时间|关键词|内容概述"
)
# A metadata label alone on its line ("• 发文日期："), its value on the next.
_META_LABEL_LINE = re.compile(
    r"^[•·●\-*]?\s*(?P<label>索引号|主题分类|来源|发文机构|发布机构|发文字号|文号|发文日期|成文日期|有效性|"
    r"发布日期|内容概述|信息分类|组配分类|公文种类|文种|主题词)\s*[:：]\s*(?P<value>.*)$"
)
# A bulleted title cell ("- 名 称:…的通知"): its value is one more copy of the title, kept as a line of its own.
_META_TITLE_LINE = re.compile(r"^[•·●\-*]\s*(?:名称|标题)\s*[:：]\s*(?P<value>\S.*)$")
_META_DOC_NUMBER = re.compile(r"文号[|｜:：]*([^|｜]{2,30}?号)")
_META_DATE = re.compile(r"(?:成文|发文)日期[|｜:：]*(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
_LEADING_TAG = re.compile(r"^<正>\s*")
_PAGE_DATE = re.compile(
    r"(?:^|(?:发布时间|发布日期|时\s*间|日\s*期)\s*[:：]\s*)(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
)


def is_chrome(line: str) -> bool:
    """A line of the web page around the text, not of the text itself."""
    return bool(_CHROME.search(line)) or len(_CHROME_LABEL.findall(line)) >= 2


def tidy_spaces(text: str) -> str:
    """Drop whitespace except between two ASCII letters or digits ("PDF 1.7" keeps its space).

    PDF copies put spaces inside Chinese text ("关于 印发", "总 则", "联系 2-3 个街道"); Chinese text has
    no word spaces, so removing them restores what was written.
    """
    parts = _SPACES.split(text.strip())
    out = parts[0] if parts else ""
    for part in parts[1:]:
        if out and part and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(part[0]):
            out += " "
        out += part
    return out


def ends_sentence(text: str) -> bool:
    # An ASCII full stop after Chinese text ("…贯彻落实.") ends a sentence too; after a digit or letter it
    # is a list number or an abbreviation ("1.", "No.").
    if text.endswith(".") and len(text) > 1:
        return not _ASCII_WORD.match(text[-2])
    return bool(text) and text[-1] in TERMINAL


@dataclass
class CleanText:
    """The lines that may belong to the document, and what was taken out of the text on the way."""

    lines: list[str]
    footer: list[str] = field(default_factory=list)  # web-page footer and attachment links, for metadata
    dropped: list[str] = field(default_factory=list)
    source: str = ""
    raw: list[str] = field(default_factory=list)  # each kept line before its spaces were tidied
    meta_doc_number: str = ""  # from a metadata table (文号 cell), when the page has one
    meta_date: tuple[int, int, int] | None = None  # 成文日期/发文日期 cell
    page_date: tuple[int, int, int] | None = None  # 发布时间 of the web page (when it was put online)


def _read_metadata(line: str, result: CleanText) -> bool:
    """Take 文号 and 发文日期 from a metadata-table line; False when the line is not one."""
    squeezed = re.sub(r"\s+", "", line)
    if len(_META_LABELS.findall(squeezed)) < 2 and squeezed.count("|") < 2:
        return False
    if (match := _META_DOC_NUMBER.search(squeezed)) and not result.meta_doc_number:
        result.meta_doc_number = match[1]
    if (match := _META_DATE.search(squeezed)) and not result.meta_date:
        result.meta_date = (int(match[1]), int(match[2]), int(match[3]))
    return True


def _read_label_line(line: str, following: str, result: CleanText) -> int:
    """A bulleted metadata label; returns how many lines it used (0: not one, 2: its value was below)."""
    match = _META_LABEL_LINE.match(line)
    # "来源：人民日报" on its own is the text's source line; only a bulleted or empty label is metadata.
    if not match or not (line[0] in "•·●-*" or not match["value"].strip()):
        return 0
    value, used = match["value"].strip(), 1
    if not value and following and not _META_LABEL_LINE.match(following):
        value, used = following, 2
    if match["label"] in ("发文字号", "文号"):
        _read_metadata(f"文号|{value}|索引号|", result)
    elif match["label"] in ("发文日期", "成文日期"):
        _read_metadata(f"{match['label']}|{value}|索引号|", result)
    return used


def clean_lines(
    text: str,
    is_structural: Callable[[str], bool] = lambda line: False,
    split_line: Callable[[str], list[str]] = lambda line: [line],
) -> CleanText:
    """Split ``text`` into tidy non-empty lines without page numbers, 版记, web-page chrome and footers.

    ``is_structural`` tells whether a line opens a numbered section or item: the 抄送 block ends there.
    ``split_line`` may cut a raw line in several (two agencies signing on one line, apart by spaces).
    """
    text = text.replace("\x00", "")
    pairs = []
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        for part in split_line(raw_line):
            line = tidy_spaces(_LEADING_TAG.sub("", part.strip()))
            if match := _META_TITLE_LINE.match(line):
                line = part = match["value"]
            pairs.append((line, part))
    result = CleanText(lines=[])
    in_cc_block = False
    pairs = [(line, raw_line) for line, raw_line in pairs if line]
    skip = 0
    for n, (line, raw_line) in enumerate(pairs):
        if skip:
            skip -= 1
            continue
        following = pairs[n + 1][0] if n + 1 < len(pairs) else ""
        if used := _read_label_line(line, following, result):
            skip = used - 1
            result.dropped.append(line)
            continue
        if is_chrome(line) or _read_metadata(line, result):
            if (match := _PAGE_DATE.search(line)) and not result.page_date:
                result.page_date = (int(match[1]), int(match[2]), int(match[3]))
            result.dropped.append(line)
            continue
        if in_cc_block and not is_structural(line):
            result.dropped.append(line)
            continue
        in_cc_block = False
        if _CC.match(line):
            in_cc_block = True  # the recipients may run over several lines, then 印发机关 and 印发日期
            result.dropped.append(line)
        elif _FOOTER.search(line) or _ATTACHMENT_LINK.search(line):
            result.footer.append(line)
        elif _PAGE_NUMBER.match(line) or _PRINTED.match(line) or _DISCLOSURE_NOTE.match(line):
            result.dropped.append(line)
        elif (match := _SOURCE.match(line)) and not result.source:
            result.source = match["source"]
        else:
            result.lines.append(line)
            result.raw.append(raw_line)
    return result
