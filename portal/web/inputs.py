"""Checks on what every request carries, made once here rather than in each view.

- ``<int:...>`` in every route matches ASCII digits up to the database's ``integer`` (2**31 - 1): a
  larger id, ``²`` or ``①`` is a 404 like any other missing page, never an overflow in the driver.
- A NUL byte in the path, the query string or the client address is refused with a 400: PostgreSQL
  refuses NUL in text, so without this a slug, a facet or a receipt code holding one would be a 500.
- Form fields lose NUL and the other control characters that no text of the portal may hold (and that
  XML, hence the Atom feeds, cannot carry) before any view reads them, except on the endpoints listed in
  :data:`RAW_FORM_ENDPOINTS`, which check them themselves.
- :func:`int_arg` reads an integer query parameter through :func:`portal.services.numbers.parse_int`.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Request, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from portal.services.numbers import DB_INT_MAX, parse_int

NUL_REFUSED = "请求中含有不允许的字符（空字符），请检查链接或输入的内容。"
# C0 controls other than tab, line feed and carriage return, and the two non-characters XML excludes.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The comment form refuses control characters itself, saying so and showing the text again without them
# (portal.services.consultations), so that the citizen sees what will be kept before it is sent.
RAW_FORM_ENDPOINTS = frozenset({"consultations.submit"})


class BoundedIntConverter(IntegerConverter):
    """The app's ``int`` converter: at most ten ASCII digits and at most ``DB_INT_MAX``.

    Werkzeug's own matches ``\\d+``, which takes any Unicode decimal digit and numbers of any length."""

    regex = r"[0-9]{1,10}"

    def __init__(
        self,
        map: Map,  # noqa: A002 (werkzeug's signature)
        fixed_digits: int = 0,
        min: int | None = None,  # noqa: A002
        max: int | None = DB_INT_MAX,  # noqa: A002
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def clean_text(value: str) -> str:
    """``value`` without NUL and the other control characters a form field may not carry."""
    return _CONTROL.sub("", value)


class PortalRequest(Request):
    """Flask's request, whose form fields are cleaned of control characters when first parsed."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if self.endpoint in RAW_FORM_ENDPOINTS:
            return
        if form and any(_CONTROL.search(k) or _CONTROL.search(v) for k, v in form.items(multi=True)):
            cleaned = MultiDict((clean_text(k), clean_text(v)) for k, v in form.items(multi=True))
            self.__dict__["form"] = self.parameter_storage_class(cleaned)


def int_arg(name: str, default: Any = None, low: int = 0, high: int = DB_INT_MAX) -> Any:
    """Query parameter ``name`` as an int in ``low..high``; ``default`` when absent or not such a number."""
    value = parse_int(request.args.get(name), low, high)
    return default if value is None else value


class NulRefused(BadRequest):
    description = NUL_REFUSED
    chinese = True  # shown as is by the error pages (portal.web.errors)


def _refuse_nul() -> None:
    if (
        "\x00" in request.path
        or "\x00" in (request.remote_addr or "")
        or any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True))
    ):
        raise NulRefused()


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: rules bind their converters when they are added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = PortalRequest
    app.before_request(_refuse_nul)
