"""Render every public page into a directory that nginx (or any static host, or a CDN origin) serves.

How pages are found: the paths registered with :func:`portal.web.public_urls.public_urls`, then every
internal link of every page written (a page an area forgot to register is still exported, and a link to a
page that does not exist is reported).

How pages are rendered: pages of a :func:`~portal.web.public_urls.bulk_pages` generator (documents,
interpretations, listings) straight from their template with contexts loaded a few hundred at a time;
every other page through its view, one request context per page dispatched in-process
(``full_dispatch_request``), so ``url_for``, ``request.path`` and ``before_request`` hooks behave as when
served, without a test client's WSGI round trip. The app must be built with the page cache off
(``page_cache_seconds=0``).

What is rewritten: forms, and links to dynamic-only paths (search, staff area) or with a query string,
point at ``settings.base_url``, so that an export served from another host still searches and posts to
the app. A page that holds a CSRF token (a form bound to a visitor's session) cannot be a static file;
it is left to the app and counted as dynamic.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from flask import Flask, render_template
from werkzeug.exceptions import MethodNotAllowed, NotFound

from portal.config import PROJECT_ROOT
from portal.db import session
from portal.export.writer import ExportWriter
from portal.web.public_urls import all_bulk_pages, all_public_urls, is_dynamic

_HREF = re.compile(r'\bhref="(/[^"#?]*)[^"]*"')
_REWRITE = re.compile(r'\b(action|href)="(/[^"]*)"')
CSRF_MARK = b'name="csrf_token"'
# Links are followed one step beyond the registered pages: far enough to catch a page an area forgot to
# register, not so far as to walk an endless "next year" chain.
MAX_LINK_DEPTH = 1
BASE = "http://localhost"  # pages link with paths only; the host never shows in an exported file


@dataclass
class FreezeReport:
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    dynamic: list[str] = field(default_factory=list)  # pages left to the app (session-bound forms)
    errors: list[str] = field(default_factory=list)  # registered pages that did not render
    broken_links: list[str] = field(default_factory=list)  # "path (linked from page)"
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.broken_links

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (f"{self.pages} pages in {self.seconds:.2f} s ({self.pages_per_second:,.0f} pages/s): "
                f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed, "
                f"{len(self.dynamic)} left dynamic, {len(self.errors)} errors, "
                f"{len(self.broken_links)} broken links")


def output_path(path: str) -> str:
    """``/policies/x/`` -> ``policies/x/index.html``; ``/sitemap.xml`` -> ``sitemap.xml``."""
    rel = unquote(path).lstrip("/")
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


class _Renderer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.base = app.extensions["settings"].base_url.rstrip("/")
        self.adapter = app.url_map.bind("localhost")

    def routable(self, path: str) -> bool:
        """A GET page of the app (not a POST-only URL, not a static file)."""
        try:
            endpoint, _ = self.adapter.match(path, method="GET")
        except (NotFound, MethodNotAllowed):
            return False
        except Exception:  # noqa: BLE001  (a redirect: /x -> /x/ is reached by its target)
            return False
        return endpoint != "static"

    def render(self, path: str) -> tuple[int, bytes]:
        with self.app.test_request_context(path, base_url=BASE):
            response = self.app.full_dispatch_request()
            return response.status_code, response.get_data()

    def rewrite(self, html: str) -> str:
        return rewrite_for_export(html, self.base)


def rewrite_for_export(html: str, base: str) -> str:
    """Point forms, dynamic-only links and links with a query string at the app at ``base``."""

    def absolute(match: re.Match[str]) -> str:
        attr, target = match.groups()
        if attr == "action" or "?" in target or is_dynamic(target):
            return f'{attr}="{base}{target}"'
        return match.group(0)

    return _REWRITE.sub(absolute, html)


def freeze(app: Flask, out: Path, copy_static: bool = True) -> FreezeReport:
    """Export every public page of ``app`` into ``out``; only changed files are rewritten."""
    if app.extensions.get("page_cache") is not None:
        raise ValueError("freeze needs an app built with page_cache_seconds=0")
    started = time.perf_counter()
    run = _Run(app, ExportWriter(out))
    # One outer context for the whole run: url_for works in the bulk generators, and the session (with
    # what the bulk generators loaded) lives until the end instead of being torn down after every page.
    with app.test_request_context("/", base_url=BASE):
        registered = [unquote(path) for path in all_public_urls(session)]
        session.expunge_all()
        for page in all_bulk_pages(session):
            path = unquote(page.path)
            if path in run.rendered:
                continue
            run.rendered.add(path)
            try:
                # Rendered in the outer request context: public templates do not look at the request, and
                # a context per page would cost a third of the time (a test compares with the views).
                body = render_template(page.template, **page.context).encode("utf-8")
            except Exception as exc:  # noqa: BLE001  (reported, the rest of the site is still exported)
                run.report.errors.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            run.page(path, 200, body, "", 0)
        session.expunge_all()
        # Registered pages first (a missing one is an error), then pages only found through links.
        run.queue.extendleft((path, "", 0) for path in reversed(registered))
        while run.queue:
            path, linked_from, depth = run.queue.popleft()
            if path in run.rendered:
                continue
            run.rendered.add(path)
            status, body = run.renderer.render(path)
            run.page(path, status, body, linked_from, depth)
            if len(run.rendered) % 256 == 0:
                session.expunge_all()
        _write_not_found_page(run.renderer, run.writer)
    if copy_static:
        _copy_static(run.writer, Path(app.static_folder or PROJECT_ROOT / "static"))
    run.writer.finish()
    report = run.report
    report.written, report.unchanged = len(run.writer.written), run.writer.unchanged
    report.removed = len(run.writer.removed)
    report.seconds = time.perf_counter() - started
    return report


class _Run:
    """The state of one export: what was seen, what is queued, what was written."""

    def __init__(self, app: Flask, writer: ExportWriter) -> None:
        self.renderer = _Renderer(app)
        self.writer = writer
        self.report = FreezeReport()
        self.rendered: set[str] = set()
        self.linked: set[str] = set()  # paths found in links, queued unless rendered by then
        self.queue: deque[tuple[str, str, int]] = deque()  # (path, linked from, link depth)

    def page(self, path: str, status: int, body: bytes, linked_from: str, depth: int) -> None:
        report = self.report
        if status != 200:
            if linked_from:
                report.broken_links.append(f"{path} (HTTP {status}, linked from {linked_from})")
            else:
                report.errors.append(f"{path}: HTTP {status}")
            return
        report.pages += 1
        rel = output_path(path)
        if CSRF_MARK in body:
            report.dynamic.append(path)
            self.writer.forget(rel)
            return
        if rel.endswith(".html"):
            text = body.decode("utf-8")
            for link in _HREF.findall(text) if depth < MAX_LINK_DEPTH else ():
                target = unquote(link)
                if (target not in self.linked and target not in self.rendered and not is_dynamic(target)
                        and self.renderer.routable(target)):
                    self.linked.add(target)
                    self.queue.append((target, path, depth + 1))
            body = self.renderer.rewrite(text).encode("utf-8")
        self.writer.write(rel, body)


def _write_not_found_page(renderer: _Renderer, writer: ExportWriter) -> None:
    """``404.html`` for static hosts (nginx: ``error_page 404 /404.html``)."""
    _status, body = renderer.render("/__freeze_not_found__/")
    writer.write("404.html", renderer.rewrite(body.decode("utf-8")).encode("utf-8"))


def _copy_static(writer: ExportWriter, static_dir: Path) -> None:
    if not static_dir.is_dir():
        return
    for source in sorted(static_dir.rglob("*")):
        if source.is_file() and not source.name.startswith("."):
            writer.write("static/" + source.relative_to(static_dir).as_posix(), source.read_bytes())

