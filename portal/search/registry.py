"""What can be searched: each searchable type turns its public database rows into :class:`SearchDoc`.

Areas make their items searchable with :func:`register_type`, for example consultations::

    register_type(SearchableType(
        name="consultation", label="意见征集", model=Consultation,
        load=lambda sess, ids: [...SearchDoc for each public consultation, all of them if ids is None...],
    ))

and call :func:`portal.search.refresh_after_commit` from the service that publishes, withdraws or edits one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session


@dataclass
class SearchDoc:
    """One searchable item, as the backends index it. Only public items ever become a SearchDoc."""

    type: str
    id: int
    title: str
    url: str  # site path, e.g. /policies/slug/
    date: date | None = None
    doc_number: str = ""  # 文号 as printed
    body: str = ""  # plain text
    questions: str = ""  # interpretation questions: weighted above the body
    # Words that find the item as its 文号 does but are not shown: an interpretation's document 文号.
    keywords: str = ""
    agencies: list[str] = field(default_factory=list)  # agency slugs
    topics: list[str] = field(default_factory=list)
    validity: str = ""

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"

    @property
    def number_text(self) -> str:
        """What the 文号 field of both backends indexes (one text, so that they match the same phrases)."""
        return " ".join(filter(None, (self.doc_number, self.keywords)))

    @property
    def year(self) -> int | None:
        return self.date.year if self.date else None


Loader = Callable[[Session, Sequence[int] | None], Iterable[SearchDoc]]


@dataclass(frozen=True)
class SearchableType:
    name: str  # key prefix and facet value: "document"
    label: str  # facet label: 政策文件
    model: type  # the ORM class whose rows are indexed
    # The SearchDocs of the public items among ``ids`` (of every public item if ids is None). Ids that are
    # not returned are removed from the index, which is how withdrawal and deletion reach it.
    load: Loader
    # Other items whose SearchDoc depends on this one's row: (type name, ids) to refresh along with it.
    dependents: Callable[[Session, Sequence[int]], Iterable[tuple[str, Sequence[int]]]] | None = None
    # The plain text a result line quotes its passage from, by id, for the public items among ``ids``: a
    # lighter read than ``load`` for the search page (default: ``load``'s questions and body).
    passages: Callable[[Session, Sequence[int]], dict[int, str]] | None = None

    def passage_texts(self, sess: Session, ids: Sequence[int]) -> dict[int, str]:
        if self.passages is not None:
            return self.passages(sess, ids)
        return {d.id: "\n".join(filter(None, [d.questions, d.body])) for d in self.load(sess, ids)}


TYPES: dict[str, SearchableType] = {}


def register_type(kind: SearchableType) -> None:
    TYPES[kind.name] = kind


def type_of(obj: object) -> SearchableType | None:
    for kind in TYPES.values():
        if isinstance(obj, kind.model):
            return kind
    return None
