"""The site search page: parse the query string, look up a 文号, ask the backend, highlight passages."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Document, Topic
from portal.models.documents import VALIDITY
from portal.search import get_backend
from portal.search.base import FACETS, PAGE_SIZE, Hit, SearchRequest
from portal.search.registry import TYPES
from portal.search.text import (
    MAX_QUERY_CHARS,
    MAX_WORDS,
    Word,
    find_spans,
    first_span,
    normalize,
    parse_query,
)
from portal.services import forwarding, public_version
from portal.services.documents import is_valid_doc_number, normalize_doc_number
from portal.services.numbers import parse_int
from portal.services.policies.queries import public_documents, public_topics

MAX_PAGE = 500
SNIPPET_CHARS = 120
# 西政发 2020, 西政发〔2020〕, 西政发[2020]4 ...: an issuer code and a year, perhaps a number.
PARTIAL_DOC_NUMBER = re.compile(
    r"^(?P<code>[\u4e00-\u9fff]{1,20})\s*[〔\[(（［【]?\s*(?P<year>(?:19|20)\d{2})\s*[〕\])）］】]?\s*"
    r"(?:(?P<no>\d{1,4})\s*号?)?$"
)


@dataclass
class SearchQuery:
    text: str = ""
    words: list[Word] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    notices: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, sess: Session, args: Any) -> SearchQuery:
        q = cls()
        raw = str(args.get("q", "")).replace("\x00", "")
        q.text = raw.strip()[:MAX_QUERY_CHARS]
        if len(raw.strip()) > MAX_QUERY_CHARS:
            q.notices.append(f"搜索词过长，只按前{MAX_QUERY_CHARS}个字符搜索。")
        q.words = parse_query(q.text)
        if len(q.text.split()) > MAX_WORDS and len(q.words) == MAX_WORDS:
            q.notices.append(f"搜索词过多，只按前{MAX_WORDS}个词搜索。")
        if q.text and not q.words:
            q.notices.append("搜索词只含标点或符号，请输入文字或数字。")
        for name in FACETS:
            value = str(args.get(name, "")).strip()
            if not value:
                continue
            if _facet_value_exists(sess, name, value):
                q.filters[name] = value
            else:
                q.ignored.append(f"{FACET_LABELS[name]}“{value[:40]}”")
        q.sort = "date" if args.get("sort") == "date" else "relevance"
        page = str(args.get("page", "1"))
        q.page = parse_int(page, 1, MAX_PAGE) or 1
        return q

    def query_string(self, **changes: Any) -> str:
        """:meth:`args` encoded: a page links a few dozen of these, too many to build each with url_for."""
        return urlencode(self.args(**changes))

    def args(self, **changes: Any) -> dict[str, Any]:
        """Query-string arguments for a link that changes some filters (and resets the page)."""
        values: dict[str, Any] = {
            "q": self.text,
            **self.filters,
            "sort": None if self.sort == "relevance" else self.sort,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v not in (None, "")}


FACET_LABELS = {
    "type": "类型",
    "agency": "发文机关",
    "year": "年份",
    "validity": "有效性",
    "topic": "主题分类",
}


def _facet_value_exists(sess: Session, name: str, value: str) -> bool:
    if name == "type":
        return value in TYPES
    if name == "validity":
        return value in VALIDITY
    if name == "year":
        return parse_int(value, 1949, 2100) is not None
    if name == "agency":
        return sess.scalar(select(Agency.id).where(Agency.slug == value)) is not None
    if name == "topic":  # a topic only drafts use is "unknown", as one that does not exist at all
        return sess.scalar(public_topics().with_only_columns(Topic.id).where(Topic.name == value)) is not None
    return False


def exact_doc_number(sess: Session, text: str) -> Document | None:
    """The public document whose 文号 is ``text`` in any bracket form and spacing, if exactly one."""
    candidate = normalize(text.strip())
    if not is_valid_doc_number(candidate):
        return None
    matches = sess.scalars(
        public_documents().where(Document.doc_number_key == normalize_doc_number(candidate)).limit(2)
    ).all()
    return matches[0] if len(matches) == 1 else None


def doc_number_matches(sess: Session, text: str, limit: int = 50) -> list[Document]:
    """Documents whose 文号 starts with a partial one such as 西政发 2020 or 西政发〔2020〕4."""
    m = PARTIAL_DOC_NUMBER.match(normalize(text.strip()))
    if not m:
        return []
    prefix = f"{m['code']}〔{m['year']}〕"
    stmt = public_documents()
    if m["no"]:
        stmt = stmt.where(Document.doc_number_key == f"{prefix}{int(m['no'])}号")
    else:
        stmt = stmt.where(Document.doc_number_key.startswith(prefix, autoescape=True))
    return list(sess.scalars(stmt.order_by(Document.published_at.desc()).limit(limit)))


@dataclass
class ResultLine:
    type: str
    type_label: str
    title: Markup
    url: str
    date: str
    doc_number: str
    passage: Markup
    forwarded: str = ""  # a reposted document (转发): its issuers' names


@dataclass
class SearchPage:
    query: SearchQuery
    total: int = 0
    page: int = 1
    pages: int = 1
    lines: list[ResultLine] = field(default_factory=list)
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    doc_numbers: list[Document] = field(default_factory=list)


def highlight(text: str, words: list[Word]) -> Markup:
    spans = find_spans(text, words)
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def passage(text: str, words: list[Word], size: int = SNIPPET_CHARS) -> Markup:
    """The stretch of ``text`` around the first match, with every match marked, its spaces collapsed."""
    first = first_span(text, words)
    start = max(0, first[0] - size // 3) if first else 0
    # Collapsing whitespace only in a window around the match: a long text is not copied whole.
    window = " ".join(text[start : start + 4 * size].split())
    more = len(window) > size or start + 4 * size < len(text)
    return (
        (Markup("…") if start else Markup(""))
        + highlight(window[:size], words)
        + (Markup("…") if more else Markup(""))
    )


def _facet_labels(
    sess: Session, facets: dict[str, list[tuple[str, int]]]
) -> dict[str, list[tuple[str, str, int]]]:
    agency_names = dict(sess.execute(select(Agency.slug, Agency.name)).all()) if facets.get("agency") else {}
    labels = {
        "type": lambda v: TYPES[v].label if v in TYPES else v,
        "agency": lambda v: agency_names.get(v, v),
        "year": lambda v: f"{v}年",
        "validity": lambda v: VALIDITY.get(v, v),
        "topic": lambda v: v,
    }
    out = {}
    for name in FACETS:
        values = facets.get(name, [])
        if name == "year":
            values = sorted(values, reverse=True)
        out[name] = [(value, labels[name](value), count) for value, count in values]
    return out


class PassageTexts:
    """The texts result lines quote from, kept per process while public content is unchanged.

    Reading them is a third of a search page (their rows are the largest the page needs); popular results
    recur across queries, filters and pages. Any commit that may change a public page changes the
    :mod:`~portal.services.public_version` stamp, which empties the cache, so a withdrawn or edited item is
    never quoted from a stale copy.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._stamp: str | None = None
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sess: Session, hits: list[Hit]) -> dict[str, str]:
        """key -> text for the hits that are still public."""
        stamp = public_version.current()
        with self._lock:
            if stamp != self._stamp:
                self._texts.clear()
                self._stamp = stamp
            found = {h.key: self._texts[h.key] for h in hits if h.key in self._texts}
        by_type: dict[str, list[int]] = {}
        for hit in hits:
            if hit.key not in found and hit.type in TYPES:
                by_type.setdefault(hit.type, []).append(hit.id)
        loaded = {
            f"{kind}:{i}": text
            for kind, ids in by_type.items()
            for i, text in TYPES[kind].passage_texts(sess, ids).items()
        }
        with self._lock:
            if stamp == self._stamp:
                self._texts.update(loaded)
                for key in found:
                    self._texts.move_to_end(key)
                while len(self._texts) > self.size:
                    self._texts.popitem(last=False)
        return found | loaded


def _passage_cache() -> PassageTexts:
    """The app's own cache: two apps in one process (tests, the CLI) must not quote each other's texts."""
    return current_app.extensions.setdefault("passage_texts", PassageTexts())


def _site_name() -> str:
    return str(current_app.extensions["settings"].site_name)


def run(sess: Session, query: SearchQuery) -> SearchPage:
    page = SearchPage(query=query)
    if not query.words:
        return page
    page.doc_numbers = doc_number_matches(sess, query.text)
    request = SearchRequest(
        words=query.words,
        filters=query.filters,
        sort=query.sort,
        offset=(query.page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    result = get_backend().search(request)
    page.total = result.total
    page.pages = max(1, -(-result.total // PAGE_SIZE))
    if query.page > page.pages:
        query.page = page.pages
        request.offset = (query.page - 1) * PAGE_SIZE
        result = get_backend().search(request)
    page.page = query.page
    texts = _passage_cache().get(sess, result.hits)
    reposted = forwarding.forwarded_ids(
        sess, (h.id for h in result.hits if h.type == "document"), _site_name()
    )
    for hit in result.hits:
        text = texts.get(hit.key)
        if text is None:
            continue  # withdrawn since it was indexed; the after-commit update is on its way
        page.lines.append(
            ResultLine(
                type=hit.type,
                type_label=TYPES[hit.type].label,
                title=highlight(hit.title, query.words),
                url=hit.url,
                date=hit.date,
                doc_number=hit.doc_number,
                passage=passage(text, query.words),
                forwarded=reposted.get(hit.id, "") if hit.type == "document" else "",
            )
        )
    page.facets = _facet_labels(sess, result.facets)
    return page
