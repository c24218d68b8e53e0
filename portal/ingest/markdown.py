"""Markdown to sanitized HTML, done once when content is saved.

python-markdown renders (tables, heading anchors with Chinese-safe ids); bleach then keeps only an
allowlist, so no script, event handler, javascript: URL, style or iframe survives whatever the source.
"""

from __future__ import annotations

import re

import bleach
import markdown
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
    return bleach.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
