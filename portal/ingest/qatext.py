"""Interpretations (政策解读) from plain text: question-and-answer, or prose.

Q&A forms: ``问：… / 答：…`` pairs (also ``问1：``, ``一、问：``, ``Q:``/``A:``), all pairs run together in
one paragraph (``1、问:…,答:…,2、问:…``), or numbered questions (``1.…？`` / ``（一）…？``) each followed by
its answer paragraphs. Lines before the first question are the title and lead text; ``解读人：…`` names
the interpreter (第一解读人).

A text with no questions is a prose interpretation (``一、起草背景`` / ``二、主要内容`` …, the most common
form): it becomes a ``text`` interpretation whose body keeps its sections.

The interpreted policy is the 《…》 the title names, else the full name before ``（以下简称《…》）``, else
the first 《…》; the date is a date line, else a news dateline (``新华社北京2月20日电``) with the year the
text gives elsewhere.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date

from portal.ingest.structure import find_marker, md_escape, parse_structure, render_markdown_body
from portal.ingest.textclean import clean_lines, ends_sentence

_QUESTION = re.compile(
    r"^(?:[一二三四五六七八九十\d]+\s*[、.．]\s*|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]\s*)?"
    r"(?:问|Q|记者)\s*\d*\s*[:：.．、]\s*(?P<text>.*)$",
    re.IGNORECASE,
)
_ANSWER = re.compile(r"^(?:答|A)\s*\d*\s*[:：.．、]\s*(?P<text>.*)$", re.IGNORECASE)
_INTERPRETER = re.compile(r"^(?:第一)?解读人\s*[:：]\s*(?P<name>.+)$")
# Where one line holds several questions or answers: "…负责人。问:…", "1、问:…,答:…,2、问:…".
_INLINE_Q = re.compile(
    r"(?:(?<=[。！？!?，,；;])|(?<=^))\s*(?=(?:\d{1,2}\s*[、.．]\s*)?问\s*\d*\s*[:：])|(?=记者\s*[:：])"
)
_INLINE_A = re.compile(r"[，,；;]?\s*(?=答\s*\d*\s*[:：])")
_QUOTED = re.compile(r"《([^《》]{2,80})》")
_SHORT_NAME = re.compile(r"《([^《》]{2,80})》\s*[（(]\s*以下简称\s*“?《?[^）)]{1,20}》?”?\s*[）)]")
# How an interpretation's title ends: a line after it is not the title's second half.
_TITLE_ENDS = ("解读", "解讀", "说明", "説明", "问答", "問答", "答问", "答問", "答记者问", "答記者問")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATELINE = re.compile(r"(?:新华社|人民网|中新社|央视网|中新网)\S{0,8}?(\d{1,2})月(\d{1,2})日(?:电|讯)")


@dataclass
class QA:
    question: str
    answer: list[str] = field(default_factory=list)  # paragraphs


@dataclass
class ImportedInterpretation:
    title: str = ""
    interpreter: str = ""
    policy: str = ""  # the interpreted policy's name, without 《》
    interpreted_on: date | None = None
    lead: list[str] = field(default_factory=list)
    items: list[QA] = field(default_factory=list)
    text_body: str = ""  # the Markdown of a prose interpretation
    sections: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def form(self) -> str:
        return "qa" if self.items else "text" if self.text_body else ""

    def front_matter(self, document: str) -> dict:
        meta: dict = {"title": self.title, "document": document, "form": self.form or "qa"}
        if self.interpreter:
            meta["interpreter"] = self.interpreter
        if self.interpreted_on:
            meta["interpreted_on"] = self.interpreted_on
        meta["status"] = "draft"
        if self.items:
            meta["qa"] = [
                {"q": item.question, "a": "\n\n".join(md_escape(p) for p in item.answer)}
                for item in self.items
            ]
        return meta

    @property
    def body(self) -> str:
        if not self.items:
            return self.text_body
        return "\n\n".join(md_escape(p) for p in self.lead) + ("\n" if self.lead else "")


def _append(paragraphs: list[str], line: str) -> None:
    """Add a line to the paragraphs, joining it to the last one when the layout broke a sentence."""
    if paragraphs and not ends_sentence(paragraphs[-1]):
        paragraphs[-1] += line
    else:
        paragraphs.append(line)


def _numbered_question(line: str) -> str | None:
    marker = find_marker(line)
    if marker and marker.rest.endswith(("？", "?")):
        return marker.rest
    return None


def _bare_question(line: str) -> str | None:
    """A question on a line of its own, unnumbered and unmarked, as gov.cn prints 答问 and 说明 pieces."""
    if line.endswith(("？", "?")) and len(line) <= 60 and not re.search(r"[。；！：:]", line):
        return line
    return None


def _split_inline(lines: list[str]) -> list[str]:
    """One line per question and per answer, when the copy ran them together."""
    out: list[str] = []
    for line in lines:
        if len(re.findall(r"(?:问|记者)\s*\d*\s*[:：]", line)) + len(
            re.findall(r"答\s*\d*\s*[:：]", line)
        ) < 2 and not re.search(r"[。！？]\s*问\s*[:：]", line):
            out.append(line)
            continue
        for part in _INLINE_Q.split(line):
            for piece in _INLINE_A.split(part):
                piece = piece.strip().rstrip("，,")
                if piece:
                    out.append(piece)
    return out


def _policy(title: str, text: str) -> str:
    if match := _QUOTED.search(title):
        return match[1]
    if match := _SHORT_NAME.search(text):
        return match[1]
    match = _QUOTED.search(text)
    return match[1] if match else ""


def _date(lines: list[str], result: ImportedInterpretation) -> date | None:
    text = "\n".join(lines)
    for line in lines:
        if (match := re.fullmatch(_DATE.pattern, line)) or (
            match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", line)
        ):
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
    if match := _DATELINE.search(text):
        year = re.search(r"((?:19|20)\d{2})\s*年", text)
        if year is None:
            result.warnings.append(
                f"date: the dateline gives {match[1]}月{match[2]}日 but no year; 'interpreted_on' left empty"
            )
            return None
        try:
            return date(int(year[1]), int(match[1]), int(match[2]))
        except ValueError:
            return None
    return None


def parse_interpretation(text: str) -> ImportedInterpretation:
    """Read an interpretation: its Q&A items, or (none found) its prose with its sections."""
    cleaned = clean_lines(text)
    lines = _split_inline(cleaned.lines)
    result = ImportedInterpretation()
    explicit = any(_QUESTION.match(line) for line in lines)
    numbered = explicit or any(_numbered_question(line) for line in lines)
    current: QA | None = None
    for line in lines:
        if match := _INTERPRETER.match(line):
            result.interpreter = match["name"].strip()
            continue
        if explicit:
            asked = _QUESTION.match(line)
            question = asked["text"] if asked else None
        elif numbered:
            question = _numbered_question(line)
        else:
            question = _bare_question(line)
        if question is not None:
            current = QA(question.strip())
            result.items.append(current)
            continue
        if current is None:
            if not result.title and not re.search(r"[。；！]", line) and len(line) <= 60:
                result.title = line
            elif (
                result.title
                and not result.lead
                and not ends_sentence(result.title)
                and not result.title.endswith(_TITLE_ENDS)
                and not _DATELINE.search(line)
                and not re.search(r"[。；！，,]", line)
                and not line.startswith(("—", "-"))
                and len(result.title + line) <= 60
            ):
                result.title += line  # a title broken over two lines ("…关于失业保险条例" / "修订情况的说明")
            else:
                _append(result.lead, line)
            continue
        answer = _ANSWER.match(line)
        if answer:
            if answer["text"].strip():
                current.answer.append(answer["text"].strip())
        elif not current.answer and not ends_sentence(current.question):
            current.question += line  # a question broken over two lines
        else:
            _append(current.answer, line)
    result.items = [item for item in result.items if item.question]
    result.policy = _policy(result.title, "\n".join(lines))
    result.interpreted_on = _date(lines, result)
    if result.interpreted_on is None and cleaned.page_date:
        # The web page's 发布时间: when the interpretation was published.
        with contextlib.suppress(ValueError):
            result.interpreted_on = date(*cleaned.page_date)
    if not result.items:
        _prose(lines, result)
    return result


def _prose(lines: list[str], result: ImportedInterpretation) -> None:
    """A prose interpretation: the title line, then the text with its numbered sections."""
    body = [line for line in lines if line != result.title and not _INTERPRETER.match(line)]
    structure = parse_structure(body)
    result.sections = len(structure.headings())
    paragraphs = [b for b in structure.blocks if b.kind != "heading"]
    # One sentence is not an interpretation: it needs sections or at least some paragraphs of text.
    if result.sections or len(paragraphs) >= 2:
        result.text_body = render_markdown_body(structure)
        result.lead = []
