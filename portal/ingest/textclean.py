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
    return bool(text) and text[-1] in TERMINAL


@dataclass
class CleanText:
    """The lines that may belong to the document, and what was taken out of the text on the way."""

    lines: list[str]
    footer: list[str] = field(default_factory=list)  # web-page footer and attachment links, for metadata
    dropped: list[str] = field(default_factory=list)
    source: str = ""


def clean_lines(text: str, is_structural: Callable[[str], bool] = lambda line: False) -> CleanText:
    """Split ``text`` into tidy non-empty lines without page numbers, 版记 and web-page footers.

    ``is_structural`` tells whether a line opens a numbered section or item: the 抄送 block ends there.
    """
    raw = [tidy_spaces(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    result = CleanText(lines=[])
    in_cc_block = False
    for line in raw:
        if not line:
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
    return result
