"""Question-and-answer interpretations (政策解读) from plain text.

Two forms are read: ``问：… / 答：…`` pairs (also ``问1：``, ``一、问：``, ``Q:``/``A:``), or numbered
questions (``1.…？`` / ``（一）…？``) each followed by its answer paragraphs. Lines before the first
question are the title and lead text; ``解读人：…`` names the interpreter (第一解读人).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.ingest.structure import find_marker, md_escape
from portal.ingest.textclean import clean_lines, ends_sentence

_QUESTION = re.compile(
    r"^(?:[一二三四五六七八九十\d]+\s*[、.．]\s*|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]\s*)?"
    r"(?:问|Q)\s*\d*\s*[:：.．、]\s*(?P<text>.*)$",
    re.IGNORECASE,
)
_ANSWER = re.compile(r"^(?:答|A)\s*\d*\s*[:：.．、]\s*(?P<text>.*)$", re.IGNORECASE)
_INTERPRETER = re.compile(r"^(?:第一)?解读人\s*[:：]\s*(?P<name>.+)$")


@dataclass
class QA:
    question: str
    answer: list[str] = field(default_factory=list)  # paragraphs


@dataclass
class ImportedInterpretation:
    title: str = ""
    interpreter: str = ""
    lead: list[str] = field(default_factory=list)
    items: list[QA] = field(default_factory=list)

    def front_matter(self, document: str) -> dict:
        meta: dict = {"title": self.title, "document": document, "form": "qa"}
        if self.interpreter:
            meta["interpreter"] = self.interpreter
        meta["status"] = "draft"
        meta["qa"] = [
            {"q": item.question, "a": "\n\n".join(md_escape(p) for p in item.answer)} for item in self.items
        ]
        return meta

    @property
    def body(self) -> str:
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


def parse_interpretation(text: str) -> ImportedInterpretation:
    """Read the Q&A items of an interpretation; no items means the text is not in Q&A form."""
    lines = clean_lines(text).lines
    result = ImportedInterpretation()
    explicit = any(_QUESTION.match(line) for line in lines)
    current: QA | None = None
    for line in lines:
        if match := _INTERPRETER.match(line):
            result.interpreter = match["name"].strip()
            continue
        question = (
            _QUESTION.match(line)["text"]
            if explicit and _QUESTION.match(line)
            else (None if explicit else _numbered_question(line))
        )
        if question is not None:
            current = QA(question.strip())
            result.items.append(current)
            continue
        if current is None:
            if not result.title and not re.search(r"[。；！]", line) and len(line) <= 60:
                result.title = line
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
    return result
