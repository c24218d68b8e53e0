"""Rules every HTML page of the portal must follow, checked on every page a test fetches.

Like alphagov/notifications-admin's ``client_request``: the ``client`` fixture runs these checks on every
successful HTML response, so a new page cannot forget its language, its h1, its labels or its meta tags.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

FIELD_TYPES_WITHOUT_LABEL = {"hidden", "submit", "button", "reset", "image"}
# The 网页设计规范 tags (NORMS 47): site and column tags on every page, article tags on article pages.
SITE_META = (
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnDescription",
    "ColumnKeywords",
    "ColumnType",
)
ARTICLE_META = ("ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description", "Url")


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.h1 = 0
        self.meta: dict[str, str] = {}
        self.fields: list[dict[str, str]] = []
        self.label_for: set[str] = set()
        self.label_depth = 0
        self.resources: list[str] = []
        self.inline_scripts = 0
        self.style_attrs = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "style" in a:
            self.style_attrs += 1
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "h1":
            self.h1 += 1
        elif tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content", "")
        elif tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in {"input", "select", "textarea"} and (
            tag != "input" or a.get("type", "text") not in FIELD_TYPES_WITHOUT_LABEL
        ):
            self.fields.append({**a, "_tag": tag, "_wrapped": "1" if self.label_depth else ""})
        if tag in {"script", "img", "iframe", "audio", "video", "source", "embed"} and a.get("src"):
            self.resources.append(a["src"])
        if tag == "link" and a.get("rel") in {"stylesheet", "icon", "preload", "modulepreload"}:
            self.resources.append(a.get("href", ""))
        if (
            tag == "script"
            and not a.get("src")
            and a.get("type", "") not in {"application/json", "application/ld+json"}
        ):
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self.label_depth:
            self.label_depth -= 1
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def page_problems(html: str, path: str = "") -> list[str]:
    """Everything wrong with one page, as readable sentences (empty when the page is fine)."""
    p = _PageParser()
    p.feed(html)
    problems = []
    if not html.lstrip().lower().startswith("<!doctype html>"):
        problems.append("no <!doctype html>")
    if p.lang != "zh-CN":
        problems.append(f'<html lang="{p.lang}"> instead of zh-CN')
    if p.h1 != 1:
        problems.append(f"{p.h1} <h1> elements instead of one")
    for name in SITE_META:
        if not p.meta.get(name):
            problems.append(f"missing <meta name={name}>")
    if "ArticleTitle" in p.meta:
        problems += [f"article page without <meta name={n}>" for n in ARTICLE_META if not p.meta.get(n)]
        if p.meta.get("PubDate") and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.meta["PubDate"]):
            problems.append(f"<meta name=PubDate> is {p.meta['PubDate']!r}, not YYYY-MM-DD")
        if p.meta.get("Url") and not p.meta["Url"].startswith(("http://", "https://")):
            problems.append(f"<meta name=Url> is {p.meta['Url']!r}, not an absolute address")
    for field in p.fields:
        labelled = (
            field["_wrapped"]
            or field.get("aria-label")
            or field.get("aria-labelledby")
            or (field.get("id") and field["id"] in p.label_for)
        )
        if not labelled:
            problems.append(f"<{field['_tag']} name={field.get('name')!r}> has no label")
    for url in p.resources:
        if url.startswith(("http://", "https://", "//")):
            problems.append(f"loads {url} from outside the site")
    if p.inline_scripts:
        problems.append("inline <script> (the Content-Security-Policy forbids it)")
    if p.style_attrs:
        problems.append("style= attribute (the Content-Security-Policy forbids inline styles)")
    return [f"{path}: {problem}" for problem in problems]
