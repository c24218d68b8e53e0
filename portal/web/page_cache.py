"""Rendered-HTML cache for anonymous GET requests, invalidated when public content changes.

A flash crowd reads the same few pages; rendering them once per publication instead of once per request is
what lets two sync gunicorn workers serve the document page well above 1,500 requests per second.

- Only requests without any cookie are served from or stored into the cache: a citizen who just submitted a
  form (flash message, CSRF token in the session) or a signed-in staff member always gets a fresh page.
- A response is stored only when it is a 200 that touched no session state (so it sets no cookie and holds
  no CSRF token) and is HTML, XML or text.
- Every entry carries the public-content stamp (:mod:`portal.services.public_version`) it was rendered
  under and expires after ``settings.page_cache_seconds`` at the latest, so pages that depend on the date
  (a consultation closing) are at most that old. One cache per app and per process; bounded in entries.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, Response, current_app, request, session

from portal.services import public_version

MAX_ENTRIES = 4096
MAX_BODY = 1024 * 1024
CACHEABLE_TYPES = ("text/html", "application/xml", "application/atom+xml", "text/plain", "text/xml")
UNCACHED_PREFIXES = ("/admin/", "/static/")


@dataclass(frozen=True)
class Entry:
    body: bytes
    content_type: str
    etag: str
    stamp: str
    expires: float


class PageCache:
    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self._entries: OrderedDict[str, Entry] = OrderedDict()

    def get(self, key: str, stamp: str) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.stamp != stamp or entry.expires < time.monotonic():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > MAX_ENTRIES:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


def _cache() -> PageCache | None:
    return current_app.extensions.get("page_cache")


def request_is_cacheable() -> bool:
    """An anonymous, cookie-less GET/HEAD of a public page."""
    return (
        request.method in ("GET", "HEAD")
        and not request.path.startswith(UNCACHED_PREFIXES)
        and "Cookie" not in request.headers
    )


def _key() -> str:
    # With the script root: the same path under another mount point links to other addresses.
    return request.root_path + (request.full_path if request.query_string else request.path)


def lookup() -> Response | None:
    """``before_request``: answer from the cache when a fresh entry exists."""
    cache = _cache()
    if cache is None or not request_is_cacheable():
        return None
    entry = cache.get(_key(), public_version.current())
    if entry is None:
        return None
    response = Response(entry.body, status=200, content_type=entry.content_type)
    response.set_etag(entry.etag)
    response.headers["X-Page-Cache"] = "hit"
    return response


def store(response: Response) -> None:
    """``after_request``: keep a copy of a response every anonymous visitor would get alike."""
    cache = _cache()
    if (
        cache is None
        or response.headers.get("X-Page-Cache") == "hit"
        or response.status_code != 200
        or not request_is_cacheable()
        or response.direct_passthrough
        or not response.is_sequence
        or "Set-Cookie" in response.headers
        or session.modified
        or response.mimetype not in CACHEABLE_TYPES
    ):
        return
    body = response.get_data()
    if len(body) > MAX_BODY:
        return
    etag = hashlib.blake2b(body, digest_size=16).hexdigest()
    response.set_etag(etag)
    cache.put(
        _key(),
        Entry(body, response.content_type, etag, public_version.current(), time.monotonic() + cache.seconds),
    )


def invalidate() -> None:
    """Drop every cached page in every process (writes made outside the ORM call this)."""
    public_version.bump()


def init_app(app: Flask) -> None:
    settings = app.extensions["settings"]
    if settings.page_cache_seconds > 0:
        app.extensions["page_cache"] = PageCache(settings.page_cache_seconds)
    # First of all before_request hooks: a hit skips the rate limiter's bookkeeping and the session
    # loading. Only GETs without cookies are answered, and only with a 200 some earlier request got.
    app.before_request_funcs.setdefault(None, []).insert(0, lookup)
