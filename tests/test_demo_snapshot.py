"""The demo content put back by ``load_demo`` is the demo content ``load_content`` loads: the same rows,
the same next ids, the same search index, on each backend."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

from sqlalchemy import select

from portal.db import Base
from portal.search import get_backend
from portal.services import public_version
from portal.services.loader import load_content
from tests.conftest import CONTENT
from tests.demo_snapshot import load_demo

# Drawn at random by each load: the receipt codes of FOI requests and enquiries (also quoted in the reply
# letters) and the salted hashes of their query passwords.
RANDOM = ("receipt_code", "secret_hash")


def _rows(sess) -> dict[str, list[tuple]]:  # noqa: ANN001
    """Every row of every table, with what two loads draw at random and their times left out."""
    rows = {}
    for table in Base.metadata.sorted_tables:
        names = [c.name for c in table.columns]
        found = []
        for row in sess.execute(select(table)):
            drawn = [v for n, v in zip(names, row, strict=True) if n in RANDOM and v]
            found.append(
                tuple(
                    "drawn" if n in RANDOM else _comparable(v, drawn) for n, v in zip(names, row, strict=True)
                )
            )
        rows[table.name] = sorted(found, key=repr)
    return rows


def _comparable(value: object, drawn: list[str]) -> object:
    if isinstance(value, datetime):
        return "a time"
    if isinstance(value, str):
        for random_value in drawn:
            value = value.replace(random_value, "drawn")
    return value


def _start_over(app, sess, database) -> None:  # noqa: ANN001
    sess.commit()
    sess.expunge_all()
    database.empty()
    shutil.rmtree(app.extensions["settings"].search_index, ignore_errors=True)


def _state(app, sess, client) -> tuple:  # noqa: ANN001
    from portal.models import Agency

    rows = _rows(sess)
    # The next id a new row gets: the copy leaves the sequences where the load left them.
    agency = Agency(slug="next-id", name="下一个", short_name="下一个", kind="government")
    sess.add(agency)
    sess.flush()
    next_id = agency.id
    sess.rollback()
    page = client.get("/search?q=政务公开").get_data(as_text=True)
    return rows, next_id, get_backend(app).fingerprints(), re.findall(r'href="([^"]+)"', page)


def test_the_restored_demo_equals_a_fresh_load(app, sess, client, database):
    assert load_demo(sess).ok  # the first of the worker loads and keeps a copy, later ones restore
    _start_over(app, sess, database)
    loaded = load_content(sess, CONTENT)
    fresh = _state(app, sess, client)
    stamp = public_version.current()
    _start_over(app, sess, database)
    restored = load_demo(sess)
    assert public_version.current() != stamp  # pages cached before the copy are not served after it
    assert restored == loaded
    now = _state(app, sess, client)
    for name in fresh[0]:
        assert now[0][name] == fresh[0][name], name
    assert now[1:] == fresh[1:]


def test_an_emptied_database_gives_the_first_ids_again_after_a_rolled_back_insert(sess, database):
    """Sequences are not transactional: an insert rolled back leaves its table empty and its sequence moved
    on. Emptying must restart it, or a demo copy taken after it numbers every row one further than a fresh
    load (the comparison above then fails, depending on which test ran before it in the worker)."""
    from portal.models import Agency

    def new_agency_id() -> int:
        agency = Agency(slug="next-id", name="下一个", short_name="下一个", kind="government")
        sess.add(agency)
        sess.flush()
        return agency.id

    new_agency_id()
    sess.rollback()
    sess.expunge_all()
    database.empty()
    assert new_agency_id() == 1
    sess.rollback()
