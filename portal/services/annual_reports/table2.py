"""Table 2, art 20(1) (NORMS 39): 规章 and 行政规范性文件 issued, repealed and in force, from the library.

A document counts when it is published and one of its issuers (发文机关) is the reporting body — for the
district's report any body of the district (not an external one such as the city): a city document the
district republishes (转发) was not 制发 here. 规章 are the documents of genre "规章"; 行政规范性文件 are
the documents marked 规范性文件 (NORMS 9).

The dates are those of ``services.compliance.normative`` (which counts the library's 规范性文件 for the
same table; one dating rule for both):

- issued on: 成文日期, or the publication day when the text has none;
- ended on (已废止 / 已失效): ``validity_since``, set when the repeal or expiry takes effect, else the
  date of the document that repeals it; a document ended with neither is listed as an anomaly here
  (the counting module treats it as never valid);
- 已修订 stays in force: the document applies as amended.

In force on 31 December = issued by then and not ended by then. From those dates, in force this year =
in force last year + issued − repealed holds by construction; it fails when last year's *published*
figure (frozen in its report) differs from what the records say now (a document backdated, added late,
or re-dated since), or when a document's dates are missing. The failure names those documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Document, DocumentAgency, DocumentLink
from portal.services.compliance.normative import ENDED, ended_on, issued_on

RULES_GENRE = "规章"
KINDS = {"rules": "规章", "normative": "行政规范性文件"}


@dataclass(frozen=True)
class Fact:
    """What table 2 needs of one document."""

    id: int
    slug: str
    title: str
    doc_number: str
    kind: str  # KINDS key
    issued_on: date | None
    ended: bool
    ended_on: date | None  # None with ended: the day is unknown

    def in_force(self, day: date) -> bool:
        if self.issued_on is None or self.issued_on > day:
            return False
        return not self.ended or (self.ended_on is not None and self.ended_on > day)

    def label(self) -> str:
        number = f"（{self.doc_number}）" if self.doc_number else ""
        return f"《{self.title}》{number}"


@dataclass
class KindRow:
    kind: str
    issued: list[Fact] = field(default_factory=list)
    repealed: list[Fact] = field(default_factory=list)
    valid: list[Fact] = field(default_factory=list)
    previous_ids: set[int] = field(default_factory=set)

    @property
    def counts(self) -> dict[str, int]:
        return {"issued": len(self.issued), "repealed": len(self.repealed), "valid": len(self.valid)}


@dataclass
class Problem:
    """A reason table 2 does not add up, with the documents behind it."""

    message: str
    documents: list[Fact]


def _issuer_filter(sess: Session, agency: Agency) -> list[int]:
    if agency.kind == "government":
        return list(sess.scalars(select(Agency.id).where(Agency.external.is_(False))))
    return [agency.id]


def facts(sess: Session, agency: Agency) -> list[Fact]:
    """The counted documents with their dates, dated as ``services.compliance.normative`` dates them."""
    issuer_ids = _issuer_filter(sess, agency)
    docs = sess.scalars(
        select(Document)
        .where(Document.status == "published")
        .where((Document.genre == RULES_GENRE) | Document.normative.is_(True))
        .where(
            Document.id.in_(
                select(DocumentAgency.document_id).where(DocumentAgency.agency_id.in_(issuer_ids))
            )
        )
        .order_by(Document.id)
    ).all()
    repealed_by_link = set(
        sess.scalars(
            select(DocumentLink.target_id).where(
                DocumentLink.kind == "repeals", DocumentLink.target_id.in_([d.id for d in docs])
            )
        )
    )
    out = []
    for doc in docs:
        ended = doc.validity in ENDED
        # Neither the day it took effect nor a repealing document: the day is unknown (listed, not guessed).
        undated = ended and doc.validity_since is None and doc.id not in repealed_by_link
        out.append(
            Fact(
                id=doc.id,
                slug=doc.slug,
                title=doc.title,
                doc_number=doc.doc_number,
                kind="rules" if doc.genre == RULES_GENRE else "normative",
                issued_on=issued_on(doc),
                ended=ended,
                ended_on=None if undated or not ended else ended_on(sess, doc),
            )
        )
    return out


@dataclass
class Table2:
    year: int
    rows: dict[str, KindRow]
    previous_source: str  # "published": last year's published report; "records": counted now
    problems: list[Problem]


def table2(sess: Session, agency: Agency, year: int, previous: dict[str, list[int]] | None) -> Table2:
    """Table 2 of ``year``; ``previous`` holds, per kind, the ids last year's published report counted
    as in force (None when last year's report was not published on the portal)."""
    start, end, last_end = date(year, 1, 1), date(year, 12, 31), date(year - 1, 12, 31)
    all_facts = facts(sess, agency)
    rows = {kind: KindRow(kind) for kind in KINDS}
    problems: list[Problem] = []
    for fact in all_facts:
        row = rows[fact.kind]
        if fact.issued_on is not None and start <= fact.issued_on <= end:
            row.issued.append(fact)
        if fact.ended_on is not None and start <= fact.ended_on <= end:
            row.repealed.append(fact)
        if fact.in_force(end):
            row.valid.append(fact)
    by_id = {f.id: f for f in all_facts}
    for kind, row in rows.items():
        computed_previous = {f.id for f in all_facts if f.kind == kind and f.in_force(last_end)}
        row.previous_ids = set(previous.get(kind, [])) if previous is not None else computed_previous
        expected = len(row.previous_ids) + len(row.issued) - len(row.repealed)
        if expected != len(row.valid):
            moved = sorted(row.previous_ids ^ computed_previous)
            known = [by_id[i] for i in moved if i in by_id]
            gone = [i for i in moved if i not in by_id]
            message = (
                f"{KINDS[kind]}：现行有效 {len(row.valid)} 件，不等于上年现行有效 {len(row.previous_ids)} 件"
                f" + 本年制发 {len(row.issued)} 件 − 本年废止 {len(row.repealed)} 件 = {expected} 件"
            )
            if gone:
                message += f"；上年报告计入的 {len(gone)} 件文件已不在库中或已不公开（编号 {gone}）"
            problems.append(Problem(message, known))
    undated = [f for f in all_facts if f.ended and f.ended_on is None]
    if undated:
        problems.append(
            Problem(
                "已废止或已失效的文件没有废止日期（既无废止文件链接，也无有效性变更记录），无法计入本年废止",
                undated,
            )
        )
    no_date = [f for f in all_facts if f.issued_on is None]
    if no_date:
        problems.append(Problem("文件没有成文日期或发布日期，无法计入本年制发", no_date))
    return Table2(year, rows, "published" if previous is not None else "records", problems)
