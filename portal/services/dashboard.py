"""What waits for a staff member on the dashboard, by role and agency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from flask import url_for
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal.models import Document, GazetteIssue, Interpretation, Push, User


@dataclass
class Section:
    title: str
    items: list[tuple[str, str, str]] = field(default_factory=list)  # label, url, note


def _items(sess: Session, user: User, status: str) -> list[tuple[str, str, str]]:
    from portal.services.staff_lists import document_scope, interpretation_scope

    out = []
    for found, endpoint, noun in (
        (_waiting(sess, Document, document_scope(user), status), "admin_documents.edit", "文件"),
        (
            _waiting(sess, Interpretation, interpretation_scope(user), status),
            "admin_interpretations.edit",
            "解读",
        ),
    ):
        for obj in found:
            out.append((f"[{noun}] {obj.title}", url_for(endpoint, item_id=obj.id), ""))
    return out


Item = TypeVar("Item", Document, Interpretation)


def _waiting(sess: Session, model: type[Item], scope: ColumnElement[bool], status: str) -> Sequence[Item]:
    # Scoped in SQL: other agencies' newer items must not push the user's own off the list.
    return sess.scalars(
        select(model).where(model.status == status, scope).order_by(model.updated_at.desc()).limit(100)
    ).all()


def for_user(sess: Session, user: User) -> list[Section]:
    sections = []
    if user.has_role("editor"):
        sections.append(Section("草稿与退回修改", _items(sess, user, "draft")))
    if user.has_role("reviewer"):
        sections.append(Section("待审核", _items(sess, user, "in_review")))
    if user.has_role("publisher"):
        sections.append(Section("已审核待发布", _items(sess, user, "approved")))
    if user.has_role("editor", "publisher"):
        sections.append(Section("政府公报草稿", _gazette_drafts(sess, user)))
    if user.has_role("editor", "reviewer", "publisher", "admin"):
        from portal.services.consultations import staff_todo

        sections.append(
            Section(
                "意见征集",
                [
                    (title, url_for("admin_consultations.manage", cid=int(cid)), note)
                    for title, cid, note in staff_todo(sess, user)
                ],
            )
        )
    if user.has_role("editor", "publisher", "admin"):
        sections.append(Section("政府信息公开工作年度报告（发布期限）", _annual_report_flags(sess, user)))
    if user.has_role("foi_officer", "foi_head"):
        sections.append(
            Section("依申请公开（超期、即将到期、待确认、补正或缴费期限已过）", _foi_items(sess, user))
        )
    if user.has_role("editor", "reviewer", "publisher", "admin"):
        sections += _xxgk_sections(sess, user)
    if user.has_role("publisher", "admin"):
        sections += compliance_sections(sess)
    if user.has_role("publisher", "admin"):
        failed = sess.scalars(
            select(Push).where(Push.status == "failed").order_by(Push.id.desc()).limit(50)
        ).all()
        sections.append(
            Section(
                "推送失败",
                [
                    (
                        f"{p.channel.name}：{p.item_type} #{p.item_id}",
                        url_for("admin_manage.pushes", status="failed"),
                        p.last_error,
                    )
                    for p in failed
                ],
            )
        )
    return sections


def _gazette_drafts(sess: Session, user: User) -> list[tuple[str, str, str]]:
    """Draft issues: for editors to finish, for publishers those ready to go out."""
    from portal.services.gazette_assembly import publish_problems

    out = []
    for issue in sess.scalars(
        select(GazetteIssue)
        .where(GazetteIssue.status == "draft")
        .order_by(GazetteIssue.year.desc(), GazetteIssue.number.desc())
        .limit(50)
    ):
        ready = not publish_problems(sess, issue)
        if user.has_role("editor") or ready:
            out.append(
                (
                    issue.title,
                    url_for("admin_gazette.edit", item_id=issue.id),
                    "可以发布" if ready else "编排中",
                )
            )
    return out


def _foi_items(sess: Session, user: User) -> list[tuple[str, str, str]]:
    from portal.services.foi.pages import watch

    w = watch(sess, user)
    groups = (
        (w.overdue, "已超期"),
        (w.due_soon, "5个工作日内到期"),
        (w.unconfirmed, "网上申请待确认"),
        (w.pause_lapsed, "期限已过待办结"),
    )
    return [
        (f"{r.receipt_code} {r.description[:30]}", url_for("admin_foi.detail", request_id=r.id), note)
        for requests, note in groups
        for r in requests
    ]


def _annual_report_flags(sess: Session, user: User) -> list[tuple[str, str, str]]:
    """Last year's reports still due, overdue or published late (art 49: 31 January / 31 March)."""
    from portal.services.annual_reports.deadlines import flags

    everyone = user.has_role("publisher", "admin")
    return [
        (
            f"{f.agency.name}{f.year}年度报告",
            url_for("admin_annual_reports.detail", report_id=f.report.id)
            if f.report
            else url_for("admin_annual_reports.index"),
            f.note,
        )
        for f in flags(sess)
        if everyone or f.agency.id == user.agency_id
    ]


def _xxgk_sections(sess: Session, user: User) -> list[Section]:
    """The column's gaps (NORMS 2, 4): empty disclosure categories, FOI offices with blank fields (for
    admins, who fill them in), public documents no section lists."""
    from portal.services.xxgk import staff

    out = [
        Section(
            "法定主动公开内容：没有内容的类别",
            [(c.name, url_for("xxgk.section", slug=c.slug), c.basis) for c in staff.empty(sess)],
        ),
        Section(
            "已公开但未选择公开类别的文件",
            [
                (d.title, url_for("admin_documents.edit", item_id=d.id), "")
                for d in staff.uncategorised(sess, user)
            ],
        ),
    ]
    if user.has_role("admin"):
        out.append(
            Section(
                "政府信息公开指南：工作机构信息不全",
                [
                    (
                        i.agency.name,
                        url_for("admin_xxgk.office", agency_id=i.agency.id),
                        "缺少" + "、".join(i.missing),
                    )
                    for i in staff.incomplete_offices(sess)
                ],
            )
        )
    return out


# Where a column's flag links to: its public listing.
COLUMN_ENDPOINTS = {
    "home": "home.index",
    "policies": "policies.index",
    "notices": "policies.index",
    "interpretations": "home.index",
    "gazette": "gazette.index",
    "consultations": "consultations.index",
    "meetings": "meetings.index",
    "enquiries": "enquiries.index",
}


def compliance_sections(sess: Session) -> list[Section]:
    """The inspection's flags (services/compliance): late publications and interpretations (NORMS 1, 12),
    stale and empty columns (NORMS 44, 25)."""
    from portal.clock import today_local
    from portal.services.compliance import freshness, timeliness

    this_year = today_local().year

    def doc_item(late: timeliness.Late) -> tuple[str, str, str]:
        done = f"，{late.done.isoformat()}发布" if late.done else ""
        note = f"{late.label}：起算 {late.start.isoformat()}，应于 {late.due.isoformat()} 前{done}"
        title = late.interpretation.title if late.interpretation else late.document.title
        if late.interpretation is not None:
            url = url_for("admin_interpretations.edit", item_id=late.interpretation.id)
        else:
            url = url_for("admin_documents.edit", item_id=late.document.id)
        return (title, url, note)

    # Overdue drafts always; late publications of this year (older ones are in the yearly report).
    publication = [
        late
        for late in timeliness.late_publications(sess) + timeliness.late_validity_changes(sess)
        if late.kind == "overdue" or (late.done and late.done.year == this_year)
    ]
    interpretation = [
        late for late in timeliness.late_interpretations(sess) if late.start.year >= this_year - 1
    ]
    columns = [
        (c.name, url_for(COLUMN_ENDPOINTS.get(c.key, "home.index")), c.note) for c in freshness.problems(sess)
    ]
    return [
        Section("发布时限：成文或变化后20个工作日内公开", [doc_item(x) for x in publication]),
        Section("解读时限：文件发布后3个工作日内解读", [doc_item(x) for x in interpretation]),
        Section("栏目更新：超期未更新和空白栏目（单项否决）", columns),
    ]
