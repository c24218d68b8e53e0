"""Rules enforced or computed on the library for the national inspection (NORMS.md), one module per family:

- ``normative``: 规范性文件 registration numbers (三统一) and the yearly issued / repealed / valid counts;
- ``index_no``: the 索引号 format, automatic assignment and uniqueness;
- ``timeliness``: publication within 20 working days and interpretations within 3 of their policy;
- ``freshness``: columns past their update interval and empty columns (the inspection's veto items);
- ``site_meta``: the footer identity and the page meta tags of the 网页设计规范, built in one place.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.config import Settings
from portal.models import Document


def settings() -> Settings:
    """The running app's settings; the defaults outside an app (pure-rule tests, scripts)."""
    if has_app_context() and "settings" in current_app.extensions:
        return current_app.extensions["settings"]
    return Settings()


class RuleProblem(Exception):
    """A record that breaks a rule: ``zh`` is shown to staff, ``en`` is the loader's message."""

    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.field = field
        self.zh = zh
        self.en = en


def number_holder(sess: Session, condition: Any, doc_id: int | None) -> str | None:
    """The slug of another document matching ``condition`` (a number that must be unique), if any."""
    query = select(Document.slug).where(condition)
    if doc_id is not None:
        query = query.where(Document.id != doc_id)
    return sess.scalar(query.limit(1))
