"""Database engine, the app's scoped session and the after-commit hook.

Plain SQLAlchemy 2 rather than Flask-SQLAlchemy: the CLI, the benchmarks and the importer use the same
session outside any request, and the after-commit hook (search index, push queue) needs session events.

Each app owns its engine and its scoped session (``app.extensions``); ``db.session`` is a proxy to the
current app's, so two apps in one process (tests, the exporter's workers) never share a session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _app_session() -> scoped_session[Session]:
    return current_app.extensions["db_session"]  # set by init_app


# Typed as the Session it hands every call to (the current app's, this thread's), so that views pass it
# to services that take a Session; ending it is remove_session(), the one scoped-session call needed.
session: Session = cast(Session, LocalProxy(_app_session))


def current_session() -> Session:
    """The current app's session for this thread itself, not the proxy (a loop that outlives a request)."""
    return _app_session()()


def remove_session() -> None:
    """End the current app's session for this thread (a worker's loop, a benchmark between runs)."""
    _app_session().remove()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    Statement parameters are never shown in logs or exception messages (``hide_parameters``): they carry
    citizens' comments, names and contact details.
    """
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def init_app(app: Flask) -> None:
    settings = app.extensions["settings"]
    if settings.is_sqlite:
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlalchemy_url)
    app.extensions["engine"] = engine
    scoped = scoped_session(sessionmaker(bind=engine, expire_on_commit=False))
    app.extensions["db_session"] = scoped
    app.teardown_appcontext(lambda _exc: scoped.remove())


def after_commit(sess: Session, callback: Callable[[], object]) -> None:
    """Run ``callback`` once the current transaction commits; drop it if the transaction rolls back.

    Derived data (search index, push queue) must only ever reflect what the database really holds.
    """
    sess.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(sess: Session) -> None:
    if sess.in_nested_transaction():
        return  # releasing a savepoint (begin_nested) also fires after_commit: wait for the real commit
    callbacks = sess.info.pop("after_commit", [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(sess: Session) -> None:
    if sess.in_nested_transaction():
        return  # a savepoint rolled back; the outer transaction (and what it registered) goes on
    sess.info.pop("after_commit", None)
