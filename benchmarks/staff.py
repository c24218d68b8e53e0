"""Staff-area figures: password hashing and strength check, the sign-in throttle, the privacy check, and
publishing with a webhook push.

Run: ``python -m benchmarks.staff [--documents N]``. Uses a fresh SQLite file in a temporary folder and
a webhook receiver on loopback; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.seeds import find_seeds


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"p50 {statistics.median(samples) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms (n={len(samples)})"


def bench_passwords(rounds: int = 10) -> None:
    from portal.services import accounts

    hashes, verifies = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        h = accounts.hash_password("correct horse battery")
        hashes.append(time.perf_counter() - t)
        t = time.perf_counter()
        accounts._hasher.verify(h, "correct horse battery")
        verifies.append(time.perf_counter() - t)
    print(f"argon2id hash:   {_ms(hashes)}")
    print(f"argon2id verify: {_ms(verifies)}")


def bench_password_strength(rounds: int = 20) -> None:
    import random
    import string

    from portal.services import accounts

    rng = random.Random(11)
    typical = ["correct horse battery", "湖边的柳树发了新芽", "Winter2026!!", "woaini1314"]
    worst = ["".join(rng.choice(string.printable[:94]) for _ in range(128)) for _ in range(rounds)]
    for label, passwords in (("typical", typical * (rounds // len(typical))), ("128 random chars", worst)):
        samples = []
        for password in passwords:
            t = time.perf_counter()
            with contextlib.suppress(accounts.AccountError):
                accounts.check_password_strength(password, ("wang",))
            samples.append(time.perf_counter() - t)
        print(f"password strength ({label}): {_ms(samples)}")


def bench_sign_in_throttle(rows: int = 20000, rounds: int = 200) -> None:
    """What the database-backed throttle adds to one sign-in step (write, commit, count, delete)."""
    from datetime import timedelta

    from portal import db
    from portal.app import create_app
    from portal.db import Base
    from portal.models import SignInFailure
    from portal.models.base import utcnow
    from portal.services import sign_in_limits

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "instance_path": Path(tmp),
                "search_index": Path(tmp) / "idx",
                "testing": True,
                "secret_key": "b",
            }
        )
        Base.metadata.create_all(app.extensions["engine"])
        with app.app_context():
            sess = db.session
            now = utcnow()
            # A day of background failures from many names and addresses (what the table holds at most).
            sess.add_all(
                SignInFailure(
                    account=f"user{i % 500}",
                    address=f"10.0.{i % 250}.{i % 200}",
                    step="password",
                    at=now - timedelta(seconds=i * 86400 // rows),
                )
                for i in range(rows)
            )
            sess.commit()
            samples = []
            for i in range(rounds):
                t = time.perf_counter()
                attempt = sign_in_limits.begin(sess, f"user{i % 500}", "192.0.2.1", "password")
                sess.commit()
                sign_in_limits.check(sess, attempt)
                sign_in_limits.forget(sess, attempt)
                sess.commit()
                samples.append(time.perf_counter() - t)
        app.extensions["engine"].dispose()
    print(f"sign-in throttle per step (SQLite, {rows} rows): {_ms(samples)}")


def bench_privacy() -> None:
    from portal.services import privacy

    texts = [p.read_text("utf-8") for p in sorted(find_seeds().glob("*.txt"))]
    size = sum(len(t.encode()) for t in texts)
    t = time.perf_counter()
    rounds = 20
    hits = 0
    for _ in range(rounds):
        for text in texts:
            hits += len(privacy.scan(text, "正文"))
    elapsed = time.perf_counter() - t
    print(
        f"privacy scan:    {size * rounds / elapsed / 1e6:.1f} MB/s over the {len(texts)} seed texts "
        f"({hits // rounds} hits per pass)"
    )


def bench_publish(n: int) -> None:
    from werkzeug.datastructures import MultiDict

    from portal import db
    from portal.app import create_app
    from portal.db import Base
    from portal.models import Agency, Push, User
    from portal.services import accounts, channels, editing, publishing
    from portal.services.publishing import PublishRequest

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        # testing=True: the first delivery attempt runs inline after the commit, so it is timed too.
        app = create_app(
            {
                "instance_path": Path(tmp),
                "search_index": Path(tmp) / "idx",
                "testing": True,
                "secret_key": "bench",
            }
        )
        Base.metadata.create_all(app.extensions["engine"])
        with app.app_context():
            sess = db.session
            office = Agency(slug="office", name="北京市西城区人民政府办公室")
            sess.add(office)
            sess.flush()
            users = {
                r: User(
                    username=r, roles=[r], agency_id=office.id, password_hash=accounts.hash_password("x" * 12)
                )
                for r in ("editor", "reviewer", "publisher", "admin")
            }
            sess.add_all(users.values())
            sess.commit()
            hook = channels.save_channel(
                sess,
                users["admin"],
                channels.parse_channel_form(
                    sess,
                    MultiDict(
                        {
                            "name": "hook",
                            "kind": "webhook",
                            "url": f"http://127.0.0.1:{server.server_address[1]}/",
                            "active": "1",
                        }
                    ),
                    None,
                ),
            )
            sess.commit()
            body = (find_seeds() / sorted(p.name for p in find_seeds().glob("004_*.txt"))[0]).read_text(
                "utf-8"
            )
            saves, publishes = [], []
            for i in range(n):
                form = MultiDict(
                    {
                        "title": f"文件 {i}",
                        "disclosure": "active",
                        "body_md": body,
                        "agency_ids": str(office.id),
                        # One text saved n times on purpose: past the duplicate check.
                        "confirm_duplicate": "1",
                    }
                )
                t = time.perf_counter()
                doc = editing.save_document(
                    sess, users["editor"], editing.parse_document_form(sess, form, None)
                )
                sess.commit()
                saves.append(time.perf_counter() - t)
                publishing.submit(sess, users["editor"], doc)
                publishing.approve(sess, users["reviewer"], doc)
                sess.commit()
                t = time.perf_counter()
                publishing.publish(
                    sess,
                    users["publisher"],
                    doc,
                    PublishRequest(channel_ids=[hook.id], confirm_duplicate=True),
                )
                sess.commit()
                publishes.append(time.perf_counter() - t)
            delivered = sum(1 for p in sess.query(Push).all() if p.status == "delivered")
        app.extensions["engine"].dispose()
    server.shutdown()
    print(f"save draft (seed 004, {len(body)} chars): {_ms(saves)}")
    print(
        f"publish + privacy check + signed webhook delivered: {_ms(publishes)}; {delivered}/{n} delivered, "
        f"{len(received)} received"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=50)
    args = parser.parse_args()
    bench_passwords()
    bench_password_strength()
    bench_sign_in_throttle()
    bench_privacy()
    bench_publish(args.documents)


if __name__ == "__main__":
    main()
