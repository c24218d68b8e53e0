"""Stored uploads (attachments, printed gazette issues) served as downloads under the strictest headers.

Shared by the public pages and the staff area, so neither imports the other.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Response, abort, current_app, request

from portal.models import Attachment
from portal.services import attachments


def send_attachment(att: Attachment) -> Any:
    """Serve a stored attachment as a download that no browser will sniff or run.

    The bytes are read into the response (attachments are bounded by ``upload_max_bytes``) rather than
    streamed, so that the static export can write them like any page.
    """
    path = attachments.path_of(current_app.extensions["settings"].instance_path, att)
    return send_stored_file(path, att.content_type, att.filename, att.sha256)


def send_stored_file(path: Path, content_type: str, filename: str, sha256: str) -> Any:
    """A stored upload (attachment, printed gazette) as a download under the strictest headers."""
    if not path.is_file():
        abort(404)
    response = Response(path.read_bytes(), mimetype=content_type)
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "attachment"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name)
    response.headers["Content-Disposition"] = (
        f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.set_etag(sha256)
    return response.make_conditional(request)
