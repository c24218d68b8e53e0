"""The site's frame: the head links, header with the main menu, and footer that every public page shares.

They are identical on every page, yet ``base.html`` rendered them for every request (about twenty
``url_for`` calls), which made a 404 cost about as much as a document. They are rendered once, from
``templates/components/site_frame.html``, and reused while the key they were rendered under holds:

- the app (the frame lives in ``app.extensions``, so two apps never share one);
- the public-content stamp (:mod:`portal.services.public_version`): a publication renders it again, so a
  menu built from content one day is never stale;
- the request's script root, the only part of the request a relative ``url_for`` reads.

Only what is the same for every visitor belongs here: the flashed messages, CSRF tokens and anything of a
signed-in user stay in the page's own template, rendered for each request.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, has_request_context, request
from markupsafe import Markup

from portal.services import public_version
from portal.services.compliance import site_meta

TEMPLATE = "components/site_frame.html"
EXTENSION = "site_frame"


@dataclass(frozen=True)
class Frame:
    head: Markup  # the stylesheet and the site's feed, after the page's meta tags
    header: Markup  # the brand, main menu and search box
    footer: Markup  # the identity lines (NORMS 47), the party-government mark, the site's service links


def _render(app: Flask) -> Frame:
    settings = app.extensions["settings"]
    template = app.jinja_env.get_template(TEMPLATE)
    context = template.new_context({"settings": settings, "site_footer": site_meta.footer(settings)})
    parts = {
        name: Markup("".join(template.blocks[f"frame_{name}"](context)))
        for name in ("head", "header", "footer")
    }
    return Frame(**parts)


def site_frame(app: Flask) -> Frame:
    """The current frame of ``app``, rendered again only when its key changed."""
    key = (public_version.of(app).current(), request.script_root if has_request_context() else "")
    held = app.extensions.get(EXTENSION)
    if held is not None and held[0] == key:
        return held[1]
    frame = _render(app)
    app.extensions[EXTENSION] = (key, frame)
    return frame
