"""Running the portal under gunicorn from the ``portal serve`` command, and its access log.

Receipt codes are bearer secrets (a receipt can show a comment its author did not agree to publish).
The portal never puts one in a URL, but a citizen may type or keep an old ``/consultations/receipts/<code>/``
link: :class:`AccessLogger` masks such codes in gunicorn's access log (deploy/nginx.conf does the same
for nginx's).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

if TYPE_CHECKING:
    from gunicorn.glogging import _AtomsDict  # the stubs' type of an access log line's fields

_RECEIPT_PATH = re.compile(r"(/consultations/receipts/)[^/?#\s\"]+")
_CODE_PARAM = re.compile(r"([?&]code=)[^&#\s\"]*")


def mask_receipt_codes(text: str) -> str:
    """``/consultations/receipts/ABCDE-23456/`` and ``?code=ABCDE-23456`` with the code as ``***``."""
    return _CODE_PARAM.sub(r"\1***", _RECEIPT_PATH.sub(r"\1***", text))


class AccessLogger(Logger):
    """gunicorn's logger, with receipt codes masked in every field of the access log line."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> _AtomsDict:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = mask_receipt_codes(value)  # type: ignore[literal-required]  # a key it has
        return atoms


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # noqa: ANN201
        from portal.wsgi import app

        return app


def run_gunicorn(host: str, port: int, workers: int = 2) -> None:
    # Sync workers, about one per core: the anchors show gthread adds little and worsens p99.
    _Gunicorn(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "timeout": 60,
            "accesslog": "-",
            "logger_class": AccessLogger,
        }
    ).run()
