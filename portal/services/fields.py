"""The field rules of a document or interpretation, one function per rule, for every writer.

The staff forms (:mod:`portal.services.editing`) and ``portal load`` (:mod:`portal.services.loader`) call
the same functions, so that a rule added here holds on both paths. A refused value raises
:class:`~portal.services.compliance.RuleProblem`, which carries the field and the message in both
languages: the staff form shows ``zh`` beside the field, the loader prints ``en`` after the file and
line (the CLI's contract). The rules of the inspection (索引号, 登记号) live in :mod:`portal.services.compliance`
and raise the same error.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import today_local
from portal.models import Document
from portal.models.documents import DISCLOSURE, MEASURE_STATUS
from portal.services.compliance import RuleProblem
from portal.services.documents import is_valid_doc_number, normalize_doc_number
from portal.services.facet_values import PROBLEMS, facet_value_problem

__all__ = [
    "EARLIEST",
    "SLUG_RE",
    "RuleProblem",
    "check_disclosure",
    "check_doc_number",
    "check_facet",
    "check_media_url",
    "check_measure_status",
    "check_slug",
    "check_title",
    "parse_date",
]

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,126}$")
TITLE_MAX = 500
EARLIEST = date(1949, 10, 1)  # no official text of the district is older than the People's Republic


def shown(value: str, limit: int = 20) -> str:
    """A refused value as it may be quoted back in a message: invisible characters made visible, cut."""
    visible = "".join(ch if ch.isprintable() else "\ufffd" for ch in value)
    return visible if len(visible) <= limit else visible[:limit] + "…"


def check_title(title: str) -> None:
    if not title:
        raise RuleProblem("title", "请填写标题。", "missing required field 'title'")
    if len(title) > TITLE_MAX:
        raise RuleProblem(
            "title", f"标题不能超过 {TITLE_MAX} 个字符。", f"'title' must be at most {TITLE_MAX} characters"
        )


def check_slug(slug: str) -> None:
    """A slug is a path segment: lower-case letters, digits and hyphens (a content file's name)."""
    if not SLUG_RE.match(slug):
        raise RuleProblem(
            "slug",
            "网址标识只能包含小写字母、数字和连字符，2–127 个字符。",
            f"bad slug '{shown(slug, 60)}': a file name (without .md) of 2-127 lower-case letters, digits "
            "and hyphens",
        )


def check_doc_number(sess: Session, doc_number: str, doc_id: int | None, *, unique: bool = True) -> None:
    """文号: the canonical form (西政发〔2020〕4号) and, when ``unique``, one document per number."""
    if not doc_number:
        return
    if not is_valid_doc_number(doc_number):
        raise RuleProblem(
            "doc_number",
            "文号格式应如“西政发〔2020〕4号”：发文机关代字、〔年份〕、序号加“号”。",
            f"bad doc_number '{doc_number}' (expected e.g. 西政发〔2020〕4号)",
        )
    if not unique:
        return
    query = select(Document.slug).where(Document.doc_number_key == normalize_doc_number(doc_number))
    if doc_id is not None:
        query = query.where(Document.id != doc_id)
    other = sess.scalar(query.limit(1))
    if other is not None:
        raise RuleProblem(
            "doc_number",
            f"文号“{doc_number}”已被其他文件使用。",
            f"doc_number '{doc_number}' is already used by document '{other}'",
        )


def parse_date(raw: object, field: str, label: str) -> date | None:
    """A date as typed (YYYY-MM-DD) or as YAML read it, between 1949-10-01 and today; empty is None.

    ``label`` is the field's Chinese name (成文日期)."""
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        value = raw
    else:
        text = str(raw).strip()
        if not text:
            return None
        try:
            value = date.fromisoformat(text)
        except ValueError:
            raise RuleProblem(
                field,
                f"{label}格式应为 YYYY-MM-DD。",
                f"bad date '{text}' in '{field}' (expected YYYY-MM-DD)",
            ) from None
    if not EARLIEST <= value <= today_local():
        raise RuleProblem(
            field,
            f"{label}不能晚于今天，也不能早于 1949 年 10 月 1 日。",
            f"'{field}' {value.isoformat()} must be between 1949-10-01 and today",
        )
    return value


def check_facet(field: str, value: str, label: str) -> None:
    """A genre (公文种类) or topic (主题分类): it becomes a path segment (see facet_values)."""
    if value and (problem := facet_value_problem(value)):
        en, zh = PROBLEMS[problem]
        raise RuleProblem(field, zh.format(label=label), f"{field} value {value!r} {en}")


def check_disclosure(disclosure: str, reason: str) -> None:
    """公开属性: one of the known values; anything but 主动公开 names its reason (the clause)."""
    if disclosure not in DISCLOSURE:
        raise RuleProblem(
            "disclosure",
            "公开属性无效。",
            f"unknown disclosure '{disclosure}' (allowed: {', '.join(DISCLOSURE)})",
        )
    if disclosure != "active" and not reason:
        raise RuleProblem(
            "disclosure_reason",
            f"选择“{DISCLOSURE[disclosure]}”时必须填写理由（依据条款）。",
            "a disclosure_reason is required unless disclosure is active (主动公开)",
        )


def check_measure_status(status: str, number: int, no: str = "") -> None:
    """The status of one 任务分工 item; ``number`` is its row (1-based), ``no`` its printed number."""
    if status not in MEASURE_STATUS:
        raise RuleProblem(
            "measures",
            f"第 {number} 行任务状态无效。",
            f"measure {no or number}: unknown status '{status}' (allowed: {', '.join(MEASURE_STATUS)})",
        )


def check_media_url(url: str) -> None:
    if url and not re.match(r"^(https?://|/)", url):
        raise RuleProblem(
            "media_url",
            "图解或视频地址须以 http://、https:// 或 / 开头。",
            f"media_url '{shown(url, 60)}' must start with http://, https:// or /",
        )
