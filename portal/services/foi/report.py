"""Tables 3 and 4 of the annual report (2021 format) counted from the requests, never typed in.

Table 3 (NORMS 40): for a year, by applicant column — 本年新收 (received that year), 上年结转 (received
before, still open on 1 January), the results (concluded that year, one row per outcome), and 结转下年度
(received by 31 December, still open then). Its invariant, for every column:

    本年新收 + 上年结转 = 办理结果总计 + 结转下年度

holds by construction and is asserted anyway, so that a bad record (an outcome missing, a date out of
order) stops the report instead of publishing a wrong one. Table 4 (NORMS 41): remedies filed that year,
with their result as it stood on 31 December; each group's 总计 equals its parts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.models.foi import APPLICANT_TYPES, REMEDY_KINDS, REMEDY_RESULTS, InfoRequest, InfoRequestRemedy
from portal.services.foi.outcomes import OUTCOMES, REPORT_ROWS

COLUMNS = (*APPLICANT_TYPES, "total")
COLUMN_LABELS = {**APPLICANT_TYPES, "total": "总计"}


class InvariantError(AssertionError):
    """A report's figures do not add up; the message names the table, the column and the figures."""


@dataclass
class Line:
    key: str
    group: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))

    def add(self, column: str) -> None:
        self.counts[column] += 1
        self.counts["total"] += 1


@dataclass
class Table3:
    year: int
    new: Line
    carried_in: Line
    results: list[Line]
    results_total: Line
    carried_out: Line

    def lines(self) -> list[Line]:
        return [self.new, self.carried_in, *self.results, self.results_total, self.carried_out]

    def check(self) -> None:
        for column in COLUMNS:
            left = self.new.counts[column] + self.carried_in.counts[column]
            right = self.results_total.counts[column] + self.carried_out.counts[column]
            if left != right:
                raise InvariantError(
                    f"table 3, column {COLUMN_LABELS[column]}: 本年新收 {self.new.counts[column]} + 上年结转 "
                    f"{self.carried_in.counts[column]} != 办理结果总计 {self.results_total.counts[column]} + "
                    f"结转下年度 {self.carried_out.counts[column]}"
                )
            parts = sum(line.counts[column] for line in self.results)
            if parts != self.results_total.counts[column]:
                raise InvariantError(f"table 3, column {COLUMN_LABELS[column]}: results add up to {parts}")


def table3(sess: Session, year: int, agency_id: int | None = None) -> Table3:
    """Table 3 of ``year``: the whole district's, or (``agency_id``) one department's annual report."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    stmt = (
        select(
            InfoRequest.applicant_type, InfoRequest.received_on, InfoRequest.concluded_on, InfoRequest.outcome
        )
        .where(InfoRequest.received_on.is_not(None), InfoRequest.received_on <= end)
        .where(or_(InfoRequest.concluded_on.is_(None), InfoRequest.concluded_on >= start))
    )
    if agency_id is not None:
        stmt = stmt.where(InfoRequest.agency_id == agency_id)
    rows = sess.execute(stmt).all()
    new = Line("new", "一", "本年新收政府信息公开申请数量")
    carried_in = Line("carried_in", "二", "上年结转政府信息公开申请数量")
    results = {row.key: Line(row.key, row.group, row.label) for row in REPORT_ROWS}
    total = Line("results_total", "（七）", "总计")
    carried_out = Line("carried_out", "四", "结转下年度继续办理")
    for column, received_on, concluded_on, outcome in rows:
        assert received_on is not None  # selected on it
        (new if received_on >= start else carried_in).add(column)
        if concluded_on is not None and concluded_on <= end:
            if outcome not in OUTCOMES:
                raise InvariantError(f"table 3: a request concluded on {concluded_on} has no outcome")
            results[OUTCOMES[outcome].row].add(column)
            total.add(column)
        else:
            carried_out.add(column)
    table = Table3(year, new, carried_in, list(results.values()), total, carried_out)
    table.check()
    return table


@dataclass
class Table4:
    year: int
    counts: dict[str, dict[str, int]]  # remedy kind -> result -> count, with "total"

    def check(self) -> None:
        for kind, cells in self.counts.items():
            if sum(cells[r] for r in REMEDY_RESULTS) != cells["total"]:
                raise InvariantError(
                    f"table 4, {REMEDY_KINDS[kind]}: 总计 {cells['total']} is not the sum of its parts"
                )


def table4(sess: Session, year: int, agency_id: int | None = None) -> Table4:
    """Table 4 of ``year``: the whole district's, or (``agency_id``) one department's annual report."""
    end = date(year, 12, 31)
    stmt = select(InfoRequestRemedy).where(
        InfoRequestRemedy.filed_on >= date(year, 1, 1), InfoRequestRemedy.filed_on <= end
    )
    if agency_id is not None:
        stmt = stmt.join(InfoRequest, InfoRequestRemedy.request_id == InfoRequest.id).where(
            InfoRequest.agency_id == agency_id
        )
    remedies = sess.scalars(stmt).all()
    counts = {kind: {**dict.fromkeys(REMEDY_RESULTS, 0), "total": 0} for kind in REMEDY_KINDS}
    for remedy in remedies:
        result = remedy.result if remedy.decided_on is not None and remedy.decided_on <= end else "pending"
        counts[remedy.kind][result] += 1
        counts[remedy.kind]["total"] += 1
    table = Table4(year, counts)
    table.check()
    return table


def repeated_subjects(sess: Session, minimum: int = 3) -> list[tuple[str, int]]:
    """Information asked for by several applicants: candidates for proactive disclosure (art 44).

    Requests are grouped by the 文号/title they name (normalised: spaces and brackets ignored); a subject
    asked for by ``minimum`` or more different applicants is listed with that count.
    """
    rows = sess.execute(
        select(InfoRequest.doc_ref, InfoRequest.id_number).where(InfoRequest.doc_ref != "")
    ).all()
    applicants: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for doc_ref, id_number in rows:
        key = "".join(ch for ch in doc_ref if ch not in " 　《》〔〕[]()（）")
        applicants.setdefault(key, set()).add(id_number)
        labels.setdefault(key, doc_ref)
    counts = Counter({key: len(ids) for key, ids in applicants.items()})
    return [(labels[key], n) for key, n in counts.most_common() if n >= minimum]
