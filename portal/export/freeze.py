"""Render every public page into a directory that nginx (or any static host, or a CDN origin) serves.

How pages are found: the paths registered with :func:`portal.web.public_urls.public_urls`, then every
internal link of every page written (a page an area forgot to register is still exported, and a link to a
page that does not exist is reported).

How pages are rendered: pages of a :func:`~portal.web.public_urls.bulk_pages` generator (documents,
interpretations, listings) straight from their template with contexts loaded a few hundred at a time,
split between one forked process per idle core (:mod:`portal.export.parallel`), each writing its own files;
every other page, in the parent once the shares are merged, through its view, one request context per
page dispatched in-process (``full_dispatch_request``), so ``url_for``, ``request.path`` and
``before_request`` hooks behave as when served, without a test client's WSGI round trip. The app must be
built with the page cache off (``page_cache_seconds=0``).

What is rewritten: forms, and links to dynamic-only paths (search, staff area) or with a query string,
point at ``settings.base_url`` (one regular expression over the page's bytes that matches only those), so that an export served from another host still searches and posts to
the app. A page that holds a CSRF token (a form bound to a visitor's session) cannot be a static file;
it is left to the app and counted as dynamic.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

from flask import Flask, render_template
from werkzeug.exceptions import MethodNotAllowed, NotFound

from portal.config import PROJECT_ROOT
from portal.db import session
from portal.export.parallel import can_fork, run_shares
from portal.export.writer import ExportWriter, UnsafePath, check_relpath
from portal.web.public_urls import DYNAMIC_PREFIXES, Shard, all_bulk_pages, all_public_urls, is_dynamic

# The literal first, the word boundary checked behind it: the engine then jumps from one 'href="' to the
# next instead of trying the pattern at every byte (five times faster than r'\bhref="...').
_HREF = re.compile(rb'href="(?<!\whref=")(/[^"#?]*)[^"]*"')
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
    processes: int = 1

    @property
    def ok(self) -> bool:
        return not self.errors and not self.broken_links

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"{self.pages} pages in {self.seconds:.2f} s ({self.pages_per_second:,.0f} pages/s, "
            f"{self.processes} process{'es' if self.processes > 1 else ''}): "
            f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed, "
            f"{len(self.dynamic)} left dynamic, {len(self.errors)} errors, "
            f"{len(self.broken_links)} broken links"
        )


def output_path(path: str) -> str:
    """``/policies/x/`` -> ``policies/x/index.html``; ``/sitemap.xml`` -> ``sitemap.xml``.

    Raises :class:`~portal.export.writer.UnsafePath` for a path that is not plain segments once decoded
    (``/policies/topic/%2E%2E/`` would be ``policies/index.html``, ``..%2F..%2F`` a file outside)."""
    rel = unquote(path).removeprefix("/")
    return check_relpath(rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def default_processes() -> int:
    """One export process per idle core (at most 4: beyond that the serial part dominates).

    Measured on a shared 2-core machine: when the other core is busy, a second process slows the export
    down (each process then runs slower per page than one alone), so only the cores idle right now count,
    sampled from ``/proc/stat`` over 50 ms (the load average lags by a minute: a benchmark that just
    ended would still count as busy); without ``/proc/stat``, the load average.
    """
    if not can_fork():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    idle = _idle_cores(cores)
    return max(1, min(4, cores, round(idle)))


def _idle_cores(cores: int) -> float:
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields[:8])  # idle + iowait, all but guest time

    try:
        idle0, total0 = sample()
        time.sleep(0.05)
        idle1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return cores - os.getloadavg()[0] if hasattr(os, "getloadavg") else 1.0
    return cores * (idle1 - idle0) / max(1, total1 - total0)


def make_rewriter(base: str) -> Callable[[bytes], bytes]:
    """Point forms, dynamic-only links and links with a query string at the app at ``base``.

    That is: ``action="/…"``, and ``href="/…"`` to a dynamic prefix or with a query string. One
    substitution of a fixed string that the regular expression engine does on its own (no Python call
    per link): the pattern starts with the literal ``="`` (so the engine skips to each one) and looks
    behind it for the attribute's name.
    """
    prefixes = b"|".join(re.escape(prefix.encode("utf-8")) for prefix in DYNAMIC_PREFIXES) or b"(?!)"
    pattern = re.compile(
        rb'="(?:(?<=(?<!\w)action=")(?=/[^"]*")'
        rb'|(?<=(?<!\w)href=")(?=(?:' + prefixes + rb')[^"]*"|/[^"]*\?[^"]*"))'
    )
    replacement = b'="' + base.encode("utf-8").replace(b"\\", b"\\\\")
    return lambda html: pattern.sub(replacement, html)


def rewrite_for_export(html: str, base: str) -> str:
    """:func:`make_rewriter` for one page of text (tests, callers outside an export)."""
    return make_rewriter(base)(html.encode("utf-8")).decode("utf-8")


class _Renderer:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.rewrite = make_rewriter(app.extensions["settings"].base_url.rstrip("/"))

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


def freeze(app: Flask, out: Path, copy_static: bool = True, processes: int | None = None) -> FreezeReport:
    """Export every public page of ``app`` into ``out``; only changed files are rewritten.

    ``processes``: how many processes render the bulk pages (default: one per idle core, see
    :func:`default_processes`); 1 renders everything in this process.
    """
    if app.extensions.get("page_cache") is not None:
        raise ValueError("freeze needs an app built with page_cache_seconds=0")
    started = time.perf_counter()
    processes = default_processes() if processes is None else max(1, processes)
    renderer = _Renderer(app)
    writer = ExportWriter(out)
    run = _Pages(renderer, writer)
    # One outer context for the whole run: url_for works in the bulk generators, and the session (with
    # what the bulk generators loaded) lives until the end instead of being torn down after every page.
    with app.test_request_context("/", base_url=BASE):

        def share(index: int) -> tuple[tuple, list[str] | None]:
            pages = _Pages(renderer, writer.sibling())
            pages.bulk(Shard(index, processes))
            # The list of registered pages is needed only after the bulk pages: the last process builds it
            # (the first one has the rest of the export to do).
            last = index == processes - 1
            return pages.state(), [unquote(path) for path in all_public_urls(session)] if last else None

        # No database connection may be used on both sides of a fork: the parent closes its pooled ones
        # (the engine the session is bound to, which need not be this app's), a child forgets any other.
        engine = session.get_bind().engine

        def before_fork() -> None:
            session.close()
            engine.dispose()

        registered: list[str] = []
        for state, paths in run_shares(
            share, processes, before_fork, in_child=lambda: engine.dispose(close=False)
        ):
            run.merge(state)
            registered = paths if paths is not None else registered
        session.expunge_all()
        # Registered pages next (a missing one is an error), then pages only found through links.
        for count, path in enumerate(registered):
            if path not in run.rendered:
                run.rendered.add(path)
                status, body = renderer.render(path)
                run.page(path, status, body, "", 0)
                if count % 256 == 0:
                    session.expunge_all()
        for link, linked_from in list(run.found.items()):
            target = unquote(link.decode("utf-8", "replace"))
            if target in run.rendered or is_dynamic(target) or not renderer.routable(target):
                continue
            run.rendered.add(target)
            status, body = renderer.render(target)
            run.page(target, status, body, linked_from, 1)
        _write_not_found_page(renderer, writer)
    if copy_static:
        _copy_static(writer, Path(app.static_folder or PROJECT_ROOT / "static"))
    writer.finish()
    report = run.report
    report.errors += [f"{rel}: refused to delete: not a path inside {out}" for rel in writer.refused]
    report.written, report.unchanged = len(writer.written), writer.unchanged
    report.removed = len(writer.removed)
    report.processes = processes
    report.seconds = time.perf_counter() - started
    return report


class _Pages:
    """Pages rendered by one process of an export: what was seen, found through links and written."""

    def __init__(self, renderer: _Renderer, writer: ExportWriter) -> None:
        self.renderer = renderer
        self.writer = writer
        self.report = FreezeReport()
        self.rendered: set[str] = set()
        self.found: dict[bytes, str] = {}  # every link target (as written in the page) -> first page with it

    def bulk(self, shard: Shard) -> None:
        """Render this process's share of the bulk pages."""
        with _memoized_url_for(self.renderer.app):
            self._bulk(shard)

    def _bulk(self, shard: Shard) -> None:
        for page in all_bulk_pages(session, shard):
            if "?" in page.path:  # a listing with a query string is the app's, never a file
                self.report.dynamic.append(page.path)
                continue
            path = unquote(page.path)
            if path in self.rendered:
                continue
            self.rendered.add(path)
            try:
                # Rendered in the outer request context: public templates do not look at the request, and
                # a context per page would cost a third of the time (a test compares with the views).
                body = (
                    page.body
                    if page.body is not None
                    else (render_template(page.template, **page.context).encode("utf-8"))
                )
            except Exception as exc:  # noqa: BLE001  (reported, the rest of the site is still exported)
                self.report.errors.append(f"{path}: {type(exc).__name__}: {exc}")
                continue
            self.page(path, 200, body, "", 0)

    def page(self, path: str, status: int, body: bytes, linked_from: str, depth: int) -> None:
        report = self.report
        if status != 200:
            if linked_from:
                report.broken_links.append(f"{path} (HTTP {status}, linked from {linked_from})")
            else:
                report.errors.append(f"{path}: HTTP {status}")
            return
        try:
            rel = output_path(path)
        except UnsafePath:
            self._refuse(path, linked_from)
            return
        report.pages += 1
        if CSRF_MARK in body:
            report.dynamic.append(path)
            self.writer.forget(rel)
            return
        if rel.endswith(".html"):
            if depth < MAX_LINK_DEPTH:
                # Set operations in C: nearly every link of a page was already seen on an earlier one.
                new = set(_HREF.findall(body)).difference(self.found)
                for link in sorted(new):
                    self.found[link] = path
            body = self.renderer.rewrite(body)
        try:
            self.writer.write(rel, body)
        except UnsafePath:  # a folder that resolves outside the export (a symbolic link)
            report.pages -= 1
            self._refuse(path, linked_from)

    def _refuse(self, path: str, linked_from: str) -> None:
        why = "refused: not a path inside the export"
        if linked_from:
            self.report.broken_links.append(f"{path} ({why}, linked from {linked_from})")
        else:
            self.report.errors.append(f"{path}: {why}")

    def state(self) -> tuple:
        """What :meth:`merge` needs, picklable (sent back by a forked process)."""
        r = self.report
        return r.pages, r.dynamic, r.errors, r.broken_links, self.rendered, self.found, self.writer.state()

    def merge(self, state: tuple) -> None:
        pages, dynamic, errors, broken_links, rendered, found, written = state
        r = self.report
        r.pages += pages
        r.dynamic += dynamic
        r.errors += errors
        r.broken_links += broken_links
        self.rendered |= rendered
        for link, linked_from in found.items():
            self.found.setdefault(link, linked_from)
        self.writer.merge(written)


@contextmanager
def _memoized_url_for(app: Flask) -> Iterator[None]:
    """Templates' ``url_for`` answered from a dict while the bulk pages render.

    They all render in one request context, where a URL depends only on the arguments; a page builds
    about twenty (navigation, the documents of a listing, each linked from seven listings), and building
    one through Werkzeug's router costs more than a page's regular expressions."""
    original = cast("Callable[..., str]", app.jinja_env.globals["url_for"])
    cache: dict[tuple, str] = {}

    def url_for(endpoint: str, **values: Any) -> str:
        try:
            key = (endpoint, *sorted(values.items()))
            return cache[key]
        except KeyError:
            url = cache[key] = original(endpoint, **values)
            return url
        except TypeError:  # an unhashable argument
            return original(endpoint, **values)

    app.jinja_env.globals["url_for"] = url_for
    try:
        yield
    finally:
        app.jinja_env.globals["url_for"] = original


def _write_not_found_page(renderer: _Renderer, writer: ExportWriter) -> None:
    """``404.html`` for static hosts (nginx: ``error_page 404 /404.html``)."""
    _status, body = renderer.render("/__freeze_not_found__/")
    writer.write("404.html", renderer.rewrite(body))


def _copy_static(writer: ExportWriter, static_dir: Path) -> None:
    if not static_dir.is_dir():
        return
    for source in sorted(static_dir.rglob("*")):
        if source.is_file() and not source.name.startswith("."):
            writer.write("static/" + source.relative_to(static_dir).as_posix(), source.read_bytes())
