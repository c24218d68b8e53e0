"""Fill in deploy/nginx.conf: ``python deploy/render_nginx.py --export DIR --run-dir DIR > nginx.conf``.

Writes the rendered config (and proxy_params.conf, which it includes) into ``--run-dir`` when ``--out`` is
given, else prints the config. Then: ``nginx -c RUN_DIR/nginx.conf`` (``-t`` to check it first).
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
PROXY_PARAMS = """proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header Host $http_host;
proxy_set_header X-Real-IP $remote_addr;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_read_timeout 60s;
add_header X-Portal-Source app always;
"""


def render(
    export_dir: Path,
    run_dir: Path,
    listen: str = "127.0.0.1:8080",
    upstream: str = "127.0.0.1:8000",
    app_url: str = "",
    user: str = "",
    workers: int = 2,
    access_log: str = "off",
    mime_types: str = "/etc/nginx/mime.types",
) -> str:
    """The config text; also creates ``run_dir`` and writes ``proxy_params.conf`` there."""
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "proxy_params.conf").write_text(PROXY_PARAMS)
    parts = urlsplit(app_url)
    values = {
        "EXPORT_DIR": str(export_dir.resolve()),
        "RUN_DIR": str(run_dir.resolve()),
        "LISTEN": listen,
        "UPSTREAM": upstream,
        "USER": user or getpass.getuser(),
        "WORKERS": str(workers),
        # A path gets the log format that masks receipt codes (nginx.conf: log_format portal).
        "ACCESS_LOG": access_log if access_log == "off" else f"{access_log} portal",
        "MIME_TYPES": mime_types,
        "APP_ORIGIN": f"{parts.scheme}://{parts.netloc}" if parts.netloc else "",
    }
    text = (HERE / "nginx.conf").read_text()
    for name, value in values.items():
        text = text.replace(f"@@{name}@@", value)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--export", required=True, type=Path, help="the directory portal freeze wrote")
    parser.add_argument("--run-dir", required=True, type=Path, help="pid, logs, temp files, rendered config")
    parser.add_argument("--listen", default="127.0.0.1:8080")
    parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn's bind address")
    parser.add_argument("--app-url", default="", help="PORTAL_BASE_URL, if forms post to another origin")
    parser.add_argument("--user", default="www-data", help="user of the worker processes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--access-log", default="off", help="a file path, or off")
    parser.add_argument("--out", action="store_true", help="write RUN_DIR/nginx.conf instead of printing")
    args = parser.parse_args()
    text = render(
        args.export,
        args.run_dir,
        args.listen,
        args.upstream,
        args.app_url,
        args.user,
        args.workers,
        args.access_log,
    )
    if args.out:
        (args.run_dir / "nginx.conf").write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
