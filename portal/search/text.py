"""Chinese text analysis for search: character bigrams matched as phrases, so that recall is exact.

Text is normalised (full-width ASCII to half-width, ASCII lower case; the length never changes, so offsets
into the normalised text are offsets into the original) and cut into *units*: every letter, digit or
ideograph is a unit of its own (so 2020 is found inside 11010202007633 too); punctuation and spaces are
not units. A document is indexed as the bigram of each unit with the next one, at consecutive positions, plus
the last unit alone, so that every unit starts exactly one token.

A query word of n >= 2 units is then the phrase of its n - 1 bigrams: it matches exactly the documents
that contain it literally (punctuation and spaces between units ignored). A one-unit word is the prefix
query "tokens starting with that unit", which is exact too. Word segmentation (jieba) is deliberately not
used to find documents: it misses 问责 inside 行政问责制度 and floods 政务公开 with 政务 AND 公开.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from html import unescape

_TABLE = {0xFF01 + i: 0x21 + i for i in range(0x5E)}  # full-width ASCII
_TABLE.update({0x3000: 0x20})  # ideographic space
_TABLE.update({ord("A") + i: ord("a") + i for i in range(26)})
_TABLE.update({0xFF21 + i: ord("a") + i for i in range(26)})  # full-width capitals straight to lower case
_UNIT = re.compile(r"[^\W_]")
MAX_QUERY_CHARS = 200
MAX_WORDS = 8


def normalize(text: str) -> str:
    """Same length as ``text``: full-width ASCII folded, ASCII lower-cased."""
    return text.translate(_TABLE)


def units(text: str) -> list[str]:
    return _UNIT.findall(normalize(text))


def index_tokens(text: str) -> list[str]:
    """The token at each position of ``text``: bigrams, then the last unit alone."""
    us = units(text)
    if not us:
        return []
    tokens = list(map(str.__add__, us, us[1:]))
    tokens.append(us[-1])
    return tokens


def flat_text(text: str) -> str:
    """The units of ``text`` run together: a word occurs in the text exactly when its own flat form is a
    substring of this."""
    return "".join(units(text))


@dataclass(frozen=True)
class Word:
    """One query word: ``bigrams`` to match as a phrase, or ``prefix`` for a one-unit word."""

    text: str  # as typed, for messages
    units: tuple[str, ...]

    @property
    def bigrams(self) -> list[str]:
        return list(map(str.__add__, self.units, self.units[1:]))

    @property
    def prefix(self) -> str:
        return self.units[0]

    @property
    def flat(self) -> str:
        return "".join(self.units)

    @cached_property  # built once per word, not for every passage it highlights
    def pattern(self) -> str:
        """A regular expression finding the word in text as typed, as the index matches it.

        Each unit also matches the forms :func:`normalize` folds into it, so that text need not be
        normalised first (that costs more than the search, on a long text).
        """
        return r"[\W_]*".join(_unit_pattern(u) for u in self.units)


def _unit_pattern(unit: str) -> str:
    forms = {unit}
    if unit.isascii():
        forms.update({unit.upper(), *(chr(ord(f) + 0xFEE0) for f in (unit, unit.upper()))})
    return re.escape(unit) if len(forms) == 1 else "[" + "".join(sorted(re.escape(f) for f in forms)) + "]"


def parse_query(text: str) -> list[Word]:
    """Whitespace separates words (all must match); anything else is literal text, never syntax."""
    words: list[Word] = []
    for raw in (text or "")[:MAX_QUERY_CHARS].split():
        us = tuple(units(raw))
        if us and all(w.units != us for w in words):
            words.append(Word(raw, us))
    return words[:MAX_WORDS]


def _words_pattern(words: list[Word]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{w.pattern})" for w in sorted(words, key=lambda w: -len(w.units))))


def find_spans(text: str, words: list[Word]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of every word in ``text``, in order."""
    if not words:
        return []
    return [m.span() for m in _words_pattern(words).finditer(text)]


def first_span(text: str, words: list[Word]) -> tuple[int, int] | None:
    """The (start, end) of the first word found in ``text``: a passage needs no more than that."""
    if not words:
        return None
    found = _words_pattern(words).search(text)
    return found.span() if found else None


_TAG = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    """Plain text of sanitised HTML, block boundaries kept as line breaks."""
    return unescape(_TAG.sub(" ", (html or "").replace("</p>", "\n").replace("<br>", "\n")))
