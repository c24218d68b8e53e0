"""Where every public page is: the registry behind ``portal freeze`` and ``/sitemap.xml``.

Each area registers a generator of the paths of its public pages next to its blueprint::

    @public_urls
    def gazette_urls(sess: Session) -> Iterator[str]:
        yield "/gazette/"
        for issue in ...: yield f"/gazette/{issue.year}/{issue.number}/"

Paths are directory-style (``/policies/<slug>/``) and carry no query string, so that each one is a file
(``policies/<slug>/index.html``) a static server finds. Explicit generators rather than a crawl: they also
reach pages nothing links to yet (deep pagination, an old document), they are cheap, and the sitemap needs
the same list. The exporter still follows the links of every page it writes, so a page whose area forgot
to register is exported anyway and a broken link is reported.

Large collections (documents) may also register a :func:`bulk_pages` generator: same pages, rendered
from contexts loaded in bulk, which is what brings the export above 1,000 pages per second. A bulk generator
yields only its :class:`Shard` of the pages, so that the exporter can render them in several processes.

Paths under :data:`DYNAMIC_PREFIXES` are served by the app only (search, staff area, form posts): the
exporter never writes them and points links and forms in exported pages at ``settings.base_url``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

UrlGenerator = Callable[[Session], Iterable[str]]


@dataclass
class StaticPage:
    """A page the exporter renders straight from a template, with its context already loaded (or, for a
    page that is not a template such as a feed, whose ``body`` is already built)."""

    path: str
    template: str
    context: dict[str, Any]
    body: bytes | None = None


@dataclass(frozen=True)
class Shard:
    """Which share of the bulk pages one export process renders: every ``count``-th item from ``index``."""

    index: int = 0
    count: int = 1

    def mine(self, position: int) -> bool:
        return position % self.count == self.index


PageGenerator = Callable[[Session, Shard], Iterable[StaticPage]]

_GENERATORS: dict[str, UrlGenerator] = {}
_BULK: dict[str, PageGenerator] = {}
# Areas append their own dynamic-only prefixes (e.g. "/consultations/receipt").
DYNAMIC_PREFIXES: list[str] = ["/admin/", "/search", "/api/"]


def public_urls(generator: UrlGenerator) -> UrlGenerator:
    """Register a generator of public page paths (decorator)."""
    _GENERATORS[f"{generator.__module__}.{generator.__qualname__}"] = generator
    return generator


def bulk_pages(generator: PageGenerator) -> PageGenerator:
    """Register a fast path for the export of a large collection (decorator).

    Optional: it yields :class:`StaticPage` objects loaded in bulk (a few queries per hundred pages) instead
    of one view call per page, only those of the :class:`Shard` it is given (the shards of one export
    together yield every page once). Its paths must also come from a :func:`public_urls` generator (the
    sitemap uses those); the exporter renders each path once, preferring the bulk page.
    """
    _BULK[f"{generator.__module__}.{generator.__qualname__}"] = generator
    return generator


def all_bulk_pages(sess: Session, shard: Shard = Shard()) -> Iterable[StaticPage]:
    for generator in _BULK.values():
        yield from generator(sess, shard)


def is_dynamic(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in DYNAMIC_PREFIXES)


def all_public_urls(sess: Session) -> list[str]:
    """Every registered public path, each once, in registration order."""
    seen: dict[str, None] = {}
    for generator in _GENERATORS.values():
        for path in generator(sess):
            if not is_dynamic(path):
                seen.setdefault(path, None)
    return list(seen)
