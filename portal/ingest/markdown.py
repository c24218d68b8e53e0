"""Markdown to sanitized HTML, done once when content is saved.

python-markdown renders (tables, heading anchors with Chinese-safe ids); bleach then keeps only an
allowlist, so no script, event handler, style or iframe survives whatever the source. Two checks run
on bleach's output, as the browser will read it (entities decoded), because bleach's own are not
enough (issue 11):

- links and images: bleach drops non-ASCII characters before it compares the scheme, so
  ``javascript:Ṕ1`` and ``data:1`` passed. :func:`is_allowed_url` accepts only ``http``, ``https``,
  ``mailto`` and relative URLs; any other ``href`` or ``src`` is removed.
- ids: an author's ``id="getElementById"`` or ``id="measures"`` would clobber DOM properties or the
  page's own anchors. Every id of the content gets :data:`ID_PREFIX` (as GitHub does), and in-content
  links to those ids follow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import bleach
import markdown
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]  # re-exported from bleach's vendored html5lib; the stubs omit it
from markdown.extensions.toc import slugify_unicode

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": ["id", "title"],
    "a": ["href", "title", "id"],
    "img": ["src", "alt", "title", "width", "height"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align", "scope"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}
ID_PREFIX = "user-content-"
URL_ATTRIBUTES = ("href", "src")

# A URL as a browser parses it (WHATWG URL standard): C0 controls and spaces around it are ignored, tabs
# and newlines inside it are removed; the scheme is an ASCII letter then letters, digits, "+", "-", ".".
_STRIPPED_INSIDE = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_allowed_url(url: str) -> bool:
    """An ``http``, ``https`` or ``mailto`` URL, or a relative one (path, query, fragment, ``//host``).

    Anything else is refused, including what is not a valid scheme but has a colon before the first
    ``/``, ``?`` or ``#`` (``Ṕ:1``, ``javascript\x00:``): no parser may read it as a scheme."""
    cleaned = _STRIPPED_INSIDE.sub("", url).strip("".join(map(chr, range(0x21))))
    if _CONTROL.search(cleaned):
        return False
    scheme = _SCHEME.match(cleaned)
    if scheme:
        return scheme.group(1).lower() in ALLOWED_PROTOCOLS
    return ":" not in re.split(r"[/?#]", cleaned, maxsplit=1)[0]


class _SafeUrlsAndIds(Filter):
    """html5lib filter over bleach's sanitized token stream: :func:`is_allowed_url` on every ``href`` and
    ``src``, :data:`ID_PREFIX` on every ``id`` and on fragment links to the content's own ids."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        tokens = list(super().__iter__())
        ids = {
            value
            for token in tokens
            if token["type"] in {"StartTag", "EmptyTag"}
            for (_ns, name), value in token["data"].items()
            if name == "id"
        }
        for token in tokens:
            if token["type"] in {"StartTag", "EmptyTag"} and token["data"]:
                token["data"] = self._attributes(token["data"], ids)
            yield token

    @staticmethod
    def _attributes(attrs: dict[tuple[Any, str], str], ids: set[str]) -> dict[tuple[Any, str], str]:
        kept = {}
        for key, value in attrs.items():
            name = key[1]
            if name in URL_ATTRIBUTES:
                if not is_allowed_url(value):
                    continue
                if name == "href" and value.startswith("#") and unquote(value[1:]) in ids:
                    value = f"#{ID_PREFIX}{value[1:]}"
            elif name == "id":
                value = ID_PREFIX + value
            kept[key] = value
        return kept


# bleach strips disallowed tags but keeps their text; the text of these is code, never content.
_DROP_WITH_CONTENT = re.compile(r"<(script|style|iframe|object|embed|noscript)\b.*?(</\1\s*>|$)", re.I | re.S)


def render_markdown(text: str) -> str:
    """Render Markdown and return HTML that is safe to show as is."""
    html = markdown.markdown(
        _DROP_WITH_CONTENT.sub("", text or ""),
        extensions=["tables", "sane_lists", "toc"],
        extension_configs={"toc": {"slugify": slugify_unicode, "permalink": False}},
        output_format="html",
    )
    return _CLEANER.clean(html)


_CLEANER = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_SafeUrlsAndIds],
)
