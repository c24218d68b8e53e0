"""索引号 (NORMS 5): ``<org or credit code>/<year>-<serial>``, e.g. ``000014349/2017-00110``.

The format is a setting (``index_no_pattern``, with the named groups code, year and serial), so is the code
new numbers carry (``index_no_code``). A document without one gets the next free serial of its code and year
when it is published or loaded; numbers are unique (checked here, and by a partial unique index).
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import local_day, today_local
from portal.models import Document
from portal.services.compliance import RuleProblem, number_holder, settings


def check_index_no(sess: Session, index_no: str, doc_id: int | None, pattern: str | None = None) -> None:
    """Raise ``RuleProblem`` when a given 索引号 breaks the format or is another document's."""
    index_no = (index_no or "").strip()
    if not index_no:
        return  # assigned at publication
    pattern = pattern or settings().index_no_pattern
    if not re.match(pattern, index_no):
        raise RuleProblem(
            "index_no",
            f"索引号“{index_no[:40]}”格式不对，应形如“000014349/2017-00110”（机构代码/年份-序号），或留空由系统编号。",
            f"index_no '{index_no}' does not match the configured format {pattern}",
        )
    other = number_holder(sess, Document.index_no == index_no, doc_id)
    if other is not None:
        raise RuleProblem(
            "index_no",
            f"索引号“{index_no}”已被另一份文件使用。",
            f"index_no '{index_no}' is already used by document '{other}'",
        )


def index_year(doc: Document) -> int:
    """The year of the number: the document's 成文日期, else its publication, else this year."""
    if doc.written_on:
        return doc.written_on.year
    if doc.published_at:
        return local_day(doc.published_at).year
    return today_local().year


def next_index_no(sess: Session, code: str, year: int) -> str:
    prefix = f"{code}/{year}-"
    serials = [0]
    for number in sess.scalars(select(Document.index_no).where(Document.index_no.startswith(prefix))):
        tail = number[len(prefix) :]
        if tail.isdigit():
            serials.append(int(tail))
    return f"{prefix}{max(serials) + 1:05d}"


def assign_index_no(sess: Session, doc: Document, code: str | None = None) -> bool:
    """Give ``doc`` the next number of its year when it has none; True when one was assigned."""
    if (doc.index_no or "").strip():
        return False
    with sess.no_autoflush:
        doc.index_no = next_index_no(sess, code or settings().index_no_code, index_year(doc))
    return True
