"""Test fixtures: every database test runs on a real SQLite file and on the real PostgreSQL server.

PostgreSQL runs when ``PORTAL_TEST_DATABASE_URL`` is set (``.ci/run`` sets it). Each test session creates a
database of its own on that server, so that parallel runs never see each other's rows, and drops it at the
end. The schema is created once per backend; after each test every table is emptied, so tests see real
commits (after-commit hooks fire) and still start from a clean database.

With ``PORTAL_TEST_STRICT=1`` (``.ci/run``) a skipped test fails the run: nothing may hide behind a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url

import portal.models  # noqa: F401  (every table on Base.metadata)
from portal import db
from portal.app import create_app
from portal.db import Base, make_engine
from portal.models import audit_guard
from tests.pagecheck import page_problems

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
STRICT = os.environ.get("PORTAL_TEST_STRICT") == "1"
BACKENDS = ["sqlite", "postgresql"]
PG_MISSING = (
    "PostgreSQL tests need PORTAL_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
)


def _share_url_builders() -> None:
    """Each test builds its own app, and werkzeug compiles two URL-builder functions for each of its 178
    rules with ``compile()``: 0.07 s of CPU per app, the largest part of ``create_app``. The builders of
    two rules with the same path, defaults and converters are the same function (it reaches the rule only
    through its ``self`` argument), so in the test process each is compiled once and shared."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    builders: dict[tuple, object] = {}

    def shared(self: Rule, append_unknown: bool = True):  # noqa: ANN202
        defaults = self.defaults or {}
        if any(dynamic and data in defaults for dynamic, data in self._trace):
            return compile_builder(self, append_unknown)  # a default converted into the path: not shared
        key = (
            self.rule,
            tuple(self._trace),
            tuple(sorted((k, repr(v)) for k, v in defaults.items())),
            append_unknown,
        )
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared  # type: ignore[method-assign]


_share_url_builders()


# The longest tests (seconds to minutes each: servers started, thousands of requests, a Java checker),
# longest first. xdist hands tests out in collection order, so these start at once on both workers instead
# of keeping one worker busy alone at the end of the run.
SLOW_FIRST = (
    "tests/deploy/",
    "tests/web/test_fuzz.py",
    "tests/web/test_site_crawl.py",
    "tests/search/test_outbox.py",
    "tests/web/test_api_schema.py",
    "tests/browser/",
    "tests/cli/test_fresh_instance.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((i for i, p in enumerate(SLOW_FIRST) if item.nodeid.startswith(p)), len(SLOW_FIRST))

    items.sort(key=rank)  # stable: the rest keep their order


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if STRICT and skipped and exitstatus == 0:
        reporter.write_line(f"PORTAL_TEST_STRICT: {skipped} test(s) were skipped; failing the run", red=True)
        session.exitstatus = 1


class _Database:
    """One schema on one backend, shared by the tests of a session."""

    def __init__(self, url: str, engine: Engine, drop: callable) -> None:
        self.url = url
        self.engine = engine
        self._drop = drop

    def empty(self) -> None:
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.exec_driver_sql(_postgres_emptying(conn))
            else:
                # Test-only: the append-only triggers of audit_entry (portal/models/audit_guard.py) refuse
                # DELETE; they are dropped and put back inside this one transaction. (TRUNCATE above is
                # not a row operation and passes them on PostgreSQL.)
                audit_guard.remove(conn)
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(table.delete())
                audit_guard.install(conn)

    def close(self) -> None:
        self.engine.dispose()
        self._drop()


def _postgres_emptying(conn: Connection) -> str:
    """One script that empties the tables a test wrote to and restarts their id sequences.

    TRUNCATE of every table costs 0.2 s on a quiet machine (a new file per table) and over 1 s under load,
    paid by each of the suite's PostgreSQL tests; most tests write to a handful of tables. The probe finds
    those in one round trip; DELETE empties them, children first. audit_entry is append-only (its trigger
    refuses DELETE; TRUNCATE is not a row operation), and nothing references it.
    """
    tables = Base.metadata.sorted_tables
    probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    # Every sequence that handed out a value since its last restart, whether or not its table kept the row:
    # an insert rolled back leaves its table empty and its sequence moved on (sequences are not
    # transactional), and the next test would then get other ids than on a fresh database.
    probe += (
        " UNION ALL SELECT 'sequence ' || quote_ident(schemaname) || '.' || quote_ident(sequencename)"
        " FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )
    found = [row[0] for row in conn.exec_driver_sql(probe)]
    written = set(found)
    script = []
    for table in reversed(tables):
        if table.name not in written:
            continue
        if table.name == audit_guard.TABLE:
            script.append(f'TRUNCATE "{table.name}"')
        else:
            script.append(f'DELETE FROM "{table.name}"')
    for name in found:
        if name.startswith("sequence "):
            script.append(f"SELECT setval('{name.removeprefix('sequence ')}', 1, false)")
    return "; ".join(script) or "SELECT 1"


def _sqlite_database(tmp: Path) -> _Database:
    url = f"sqlite:///{tmp / 'test.sqlite3'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    return _Database(url, engine, lambda: None)


def _postgres_database() -> _Database:
    base = make_url(PG_URL)
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    Base.metadata.create_all(engine)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return _Database(url, engine, drop)


@pytest.fixture(scope="session", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Database]:
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip(PG_MISSING)
        database = _postgres_database()
    else:
        database = _sqlite_database(tmp_path_factory.mktemp("sqlite"))
    yield database
    database.close()


@pytest.fixture
def app_overrides(tmp_path: Path) -> dict:
    """Settings every test app gets; a test may extend this fixture's dict before ``app`` is built."""
    return {
        "instance_path": tmp_path / "instance",
        "search_index": tmp_path / "search_index",
        "secret_key": "test-secret",
        "testing": True,
    }


@pytest.fixture
def app(database: _Database, app_overrides: dict) -> Iterator[Flask]:
    app = create_app({**app_overrides, "database_url": database.url})
    with app.app_context():
        yield app
    app.extensions["db_session"].remove()
    app.extensions["engine"].dispose()
    database.empty()


@pytest.fixture
def sess(app: Flask):  # noqa: ANN201
    """The portal's scoped session, inside the app context."""
    return db.session


class CheckedClient(FlaskClient):
    """A test client that checks every successful HTML page against ``tests/pagecheck.py``."""

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        response = super().open(*args, **kwargs)
        if (response.status_code == 200 or response.status_code >= 400) and response.mimetype == "text/html":
            problems = page_problems(response.get_data(as_text=True), response.request.path)
            assert not problems, "page check failed:\n" + "\n".join(problems)
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = CheckedClient
    return app.test_client()


ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
# The five official texts the demo corpus was imported from, kept in the repository so that a clone
# stands alone: ``NNN_<slug>.txt``, NNN being the key the tests use and <slug> the document in content/.
SEEDS = CONTENT / "sources"


@pytest.fixture(scope="session")
def seeds() -> dict[str, Path]:
    """The five source texts by their number: {"000": Path, ...}."""
    found = {p.name[:3]: p for p in sorted(SEEDS.glob("*.txt"))}
    assert len(found) == 5, f"expected five source texts in {SEEDS}, found {sorted(found)}"
    return found


@pytest.fixture(autouse=True, scope="session")
def _light_password_hashing() -> Iterator[None]:
    """Staff passwords hashed with argon2id at a test cost (8 MiB, one pass, one lane) in this process.

    The real cost (argon2-cffi's default, 64 MiB, three passes over four lanes) is 0.2 s of CPU per sign-in
    attempt, on purpose; the suite signs in and fails to sign in hundreds of times. What the tests check
    (argon2id, the verdicts, the throttles, the equal work for an unknown user) does not depend on the
    cost. Processes the tests start (gunicorn, a second portal) hash at the real cost.
    """
    from argon2 import PasswordHasher

    from portal.services import accounts

    light = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", light)
        patch.setattr(accounts, "_DUMMY_HASH", light.hash("not a password"))
        yield


_PASSWORD_HASHES: dict[str, str] = {}


@pytest.fixture
def make_user(sess):  # noqa: ANN201
    """Create a staff user: ``make_user("alice", roles=["editor"], agency=agency)``."""
    from portal.models import User
    from portal.services.accounts import hash_password

    def make(username: str, roles: list[str], agency=None, password: str = "correct horse battery"):  # noqa: ANN001, ANN202
        if password not in _PASSWORD_HASHES:  # hash each test password once
            _PASSWORD_HASHES[password] = hash_password(password)
        user = User(
            username=username,
            display_name=username,
            roles=roles,
            agency_id=agency.id if agency else None,
            password_hash=_PASSWORD_HASHES[password],
        )
        sess.add(user)
        sess.commit()
        return user

    return make


def mark_signed_in(s, user) -> None:  # noqa: ANN001
    """Put ``user`` into a test client's session the way a completed sign-in does.

    The marks are those of ``portal.web.admin.auth``: the user's id and session version, the start and
    last activity (absolute and idle timeouts), and ``mfa``: the user passed the second factor that
    reviewers, publishers and admins need. The real password and TOTP steps are tested on their own in
    tests/admin/test_auth.py.
    """
    import time

    s["_user_id"] = user.get_id()
    s["_fresh"] = True
    s["started"] = s["seen"] = int(time.time())
    s["mfa"] = True


@pytest.fixture
def login_as(client):  # noqa: ANN201
    """Sign the test client in as ``user`` directly (see :func:`mark_signed_in`)."""

    def login(user) -> None:  # noqa: ANN001
        with client.session_transaction() as s:
            mark_signed_in(s, user)

    return login


def csrf_token_for(client: FlaskClient) -> str:
    """A CSRF token valid for ``client``'s session (what Flask-WTF's ``generate_csrf`` would give)."""
    import hashlib

    from itsdangerous import URLSafeTimedSerializer

    with client.session_transaction() as s:
        raw = s.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
    return URLSafeTimedSerializer(client.application.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def csrf_token(client):  # noqa: ANN201
    """``client.post(url, data={..., "csrf_token": csrf_token()})``: CSRF protection is on for every
    form in tests too (Flask-WTF CSRFProtect, app-wide). For another client use ``csrf_token_for(c)``."""
    return lambda: csrf_token_for(client)
