"""Start the deployment (gunicorn + nginx with the files in deploy/) on loopback: the deployment test and
the benchmarks use it. Processes are started in their own session and stopped by their own pid."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from deploy.render_nginx import render

ROOT = Path(__file__).resolve().parent.parent
NGINX_MISSING = "nginx is not installed: apt-get install -y nginx (.ci/run does this)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port} after {timeout} s")


def start_gunicorn(
    env: dict[str, str], port: int, workers: int = 2, log: Path | None = None
) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py; ``env`` carries the PORTAL_* settings."""
    full_env = {**os.environ, **env, "PORTAL_BIND": f"127.0.0.1:{port}", "PORTAL_WORKERS": str(workers)}
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=ROOT,
        env=full_env,
        stdout=out,
        stderr=out,
        start_new_session=True,
    )
    wait_for_port(port, proc)
    return proc


def start_nginx(
    export_dir: Path,
    run_dir: Path,
    port: int,
    upstream_port: int,
    app_url: str = "",
    workers: int = 2,
    access_log: str = "off",
) -> subprocess.Popen:
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError(NGINX_MISSING)
    text = render(
        export_dir,
        run_dir,
        listen=f"127.0.0.1:{port}",
        upstream=f"127.0.0.1:{upstream_port}",
        app_url=app_url,
        user="root" if os.geteuid() == 0 else "",
        workers=workers,
        access_log=access_log,
    )
    conf = run_dir / "nginx.conf"
    conf.write_text(text)
    args = [
        binary,
        "-p",
        str(run_dir),
        "-e",
        str(run_dir / "error.log"),
        "-c",
        str(conf),
        "-g",
        "daemon off;",
    ]
    check = subprocess.run([*args[:-2], "-t"], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{check.stderr}")
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    wait_for_port(port, proc)
    return proc


def stop(proc: subprocess.Popen | None) -> None:
    """Stop a process started here (its own process group: gunicorn's and nginx's workers go too)."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
