"""Running the portal under gunicorn from the ``portal serve`` command."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


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
        }
    ).run()
