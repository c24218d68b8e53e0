"""规范性文件 (NORMS 9): the 三统一 registration number, and the yearly counts of report table 2 (NORMS 39).

A normative document carries a registration number (统一登记、统一编号) in the configured format
(``registration_no_pattern``), unique across the library. It is checked where a document is written:
the staff form, publication and ``portal load``.

Counting (chosen where the rules are silent, and consistent so that 现行有效 of a year equals last year's
plus 制发 minus 废止):
- a normative document counts once it is published (an unpublished one is no basis for administration);
- it is issued (制发) on its 成文日期, or its publication date when it has none;
- it stops being valid when it is repealed or expires, on ``validity_since`` (the repealing document's
  date when that is all the record says); an amended document stays in force as amended;
- valid at the end of a year: issued by then and not repealed or expired by then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clock import local_day
from portal.models import Document, DocumentLink
from portal.services.compliance import RuleProblem, number_holder, settings

ENDED = ("repealed", "expired")


def registration_year(registration_no: str, pattern: str | None = None) -> int | None:
    match = re.match(pattern or settings().registration_no_pattern, registration_no.strip())
    if match is None or "year" not in match.re.groupindex:
        return None
    return int(match["year"])


def check_registration(sess: Session, doc: Document, pattern: str | None = None) -> None:
    """Raise ``RuleProblem`` unless a normative document has a well-formed, unique registration number."""
    if doc.normative:
        check_registration_no(sess, doc.registration_no, doc.id, required=True, pattern=pattern)


def check_registration_no(
    sess: Session, number: str, doc_id: int | None, *, required: bool, pattern: str | None = None
) -> None:
    """The rule on a normative document's number as typed: format and uniqueness, and presence when
    ``required`` (at publication and on load; a draft may wait for its number from the legality review)."""
    number = (number or "").strip()
    pattern = pattern or settings().registration_no_pattern
    if not number and not required:
        return
    if not number:
        raise RuleProblem(
            "registration_no",
            "规范性文件须填写登记号（三统一：统一登记、统一编号、统一公布）。",
            "a normative document (normative: true) needs its registration_no (三统一 登记号)",
        )
    if not re.match(pattern, number):
        raise RuleProblem(
            "registration_no",
            f"登记号“{number}”格式不对，应形如“西政规〔2020〕1号”。",
            f"registration_no '{number}' does not match the configured format {pattern}",
        )
    other = number_holder(sess, (Document.registration_no == number) & Document.normative.is_(True), doc_id)
    if other is not None:
        raise RuleProblem(
            "registration_no",
            f"登记号“{number}”已被另一份规范性文件使用。",
            f"registration_no '{number}' is already used by document '{other}'",
        )


def issued_on(doc: Document) -> date | None:
    if doc.written_on:
        return doc.written_on
    return local_day(doc.published_at) if doc.published_at else None


def ended_on(sess: Session, doc: Document) -> date | None:
    """The day a repealed or expired document stopped being valid (None while it is valid)."""
    if doc.validity not in ENDED:
        return None
    if doc.validity_since:
        return doc.validity_since
    repealer = sess.scalars(
        select(Document)
        .join(DocumentLink, DocumentLink.source_id == Document.id)
        .where(DocumentLink.target_id == doc.id, DocumentLink.kind == "repeals")
        .limit(1)
    ).first()
    if repealer is not None and issued_on(repealer):
        return issued_on(repealer)
    return issued_on(doc)  # no date recorded anywhere: ended as soon as it was made, never counted valid


@dataclass
class NormativeCounts:
    """Table 2, row 行政规范性文件, for one year, with the documents behind each figure."""

    year: int
    issued: int
    repealed: int
    valid: int
    issued_docs: list[Document] = field(default_factory=list)
    repealed_docs: list[Document] = field(default_factory=list)
    valid_docs: list[Document] = field(default_factory=list)


def normative_counts(session: Session, year: int) -> NormativeCounts:
    """本年制发件数, 本年废止件数 and 现行有效件数 of 行政规范性文件 for ``year`` (NORMS 9, 39)."""
    docs = session.scalars(
        select(Document)
        .where(Document.normative.is_(True), Document.status == "published")
        .order_by(Document.written_on, Document.id)
    ).all()
    end = date(year, 12, 31)
    issued, repealed, valid = [], [], []
    for doc in docs:
        made = issued_on(doc)
        if made is None or made > end:
            continue
        stop = ended_on(session, doc)
        if made.year == year:
            issued.append(doc)
        if stop is not None and stop.year == year:
            repealed.append(doc)
        if stop is None or stop > end:
            valid.append(doc)
    return NormativeCounts(year, len(issued), len(repealed), len(valid), issued, repealed, valid)
