"""The interface every search backend implements, and the values that cross it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from portal.search.registry import SearchDoc
from portal.search.text import Word

FACETS = ("type", "agency", "year", "validity", "topic")
PAGE_SIZE = 20


@dataclass
class SearchRequest:
    words: list[Word]
    filters: dict[str, str] = field(default_factory=dict)  # facet name -> value
    sort: str = "relevance"  # relevance | date
    offset: int = 0
    limit: int = PAGE_SIZE


@dataclass
class Hit:
    type: str
    id: int
    title: str
    url: str
    date: str  # ISO date or ""
    doc_number: str = ""

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]  # facet -> (value, count), biggest first


@dataclass
class BuildStats:
    documents: int
    seconds: float
    size_bytes: int


def fingerprint(doc: SearchDoc) -> str:
    """What --check compares: a change to anything indexed changes it."""
    parts = [
        doc.title,
        doc.url,
        doc.date.isoformat() if doc.date else "",
        doc.doc_number,
        doc.body,
        doc.questions,
        " ".join(doc.agencies),
        "\x1e".join(doc.topics),
        doc.validity,
        doc.keywords,
    ]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def facet_values(doc: SearchDoc) -> dict[str, list[str]]:
    return {
        "type": [doc.type],
        "agency": list(doc.agencies),
        "year": [str(doc.year)] if doc.year else [],
        "validity": [doc.validity] if doc.validity else [],
        "topic": list(doc.topics),
    }


class SearchBackend(Protocol):
    name: str

    def search(self, request: SearchRequest) -> SearchResult: ...

    @contextmanager
    def writer_lock(self, timeout: float) -> Iterator[bool]:
        """Hold the single-writer lock; yields False if it could not be had within ``timeout``."""
        ...

    def update(self, docs: Iterable[SearchDoc], removed_keys: Iterable[str]) -> None:
        """Add or replace ``docs`` and drop ``removed_keys``; the caller holds the writer lock."""

    def rebuild(self, docs: Iterable[SearchDoc], before_swap: Callable[[], None] | None = None) -> BuildStats:
        """Build a fresh index from ``docs`` and swap it in atomically; takes the writer lock itself.

        ``before_swap`` runs while the new index is still private (it may call :meth:`update`, which then
        writes to the new index): it catches up with changes made during the build.
        """

    def fingerprints(self) -> dict[str, str]:
        """key -> fingerprint of every indexed item, for the drift check."""

    def size_bytes(self) -> int: ...
