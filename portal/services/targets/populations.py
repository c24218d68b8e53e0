"""Which records each target counts for a year: the items, whether each is counted, and what was left out.

Pure computation: reads the database, never writes. A year runs in Beijing time; an item belongs to the year
of its first publication; withdrawn items are excluded and listed as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload, load_only, selectinload

from portal.clock import local_day, year_bounds
from portal.models import Agency, Consultation, Document, Interpretation, Meeting, Push
from portal.models.documents import STATUS
from portal.models.interpretations import FORMS

MEETING_AGENCY_KINDS = ("department", "street")  # 部门和街道会议


@dataclass
class Item:
    """One record behind a figure: a document, interpretation, consultation or meeting."""

    kind: str  # document | interpretation | consultation | meeting
    id: int
    slug: str
    title: str
    agency: str  # the responsible agency's name (lead issuer for joint documents)
    agency_slug: str
    day: date  # published (or held) on, Beijing time
    counted: bool = False  # in the numerator
    note: str = ""  # why it counts, or what holds it back / why it is excluded
    action: str = ""  # what staff can do about it
    public: bool = True  # has a public page
    fix: str = "edit"  # what staff do about it: "edit" the item, or "add_qa" (write a Q&A interpretation)

    KIND_LABELS = {
        "document": "政策文件",
        "interpretation": "政策解读",
        "consultation": "意见征集",
        "meeting": "会议",
        "enquiry": "政务咨询",
    }

    @property
    def kind_label(self) -> str:
        return self.KIND_LABELS.get(self.kind, self.kind)


@dataclass
class Population:
    """The items a metric counts for one year: the denominator, and what was left out and why."""

    items: list[Item] = field(default_factory=list)
    excluded: list[Item] = field(default_factory=list)

    @property
    def counted(self) -> list[Item]:
        return [i for i in self.items if i.counted]

    @property
    def holding_back(self) -> list[Item]:
        return [i for i in self.items if not i.counted]

    @property
    def ratio(self) -> Ratio:
        return Ratio(len(self.counted), len(self.items))


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """Percent, or None when there is nothing to divide by (无数据)."""
        if not self.denominator:
            return None
        return 100.0 * self.numerator / self.denominator


def _published_day(moment: datetime | None) -> date:
    """The Beijing day of a publication; every population selects on published_at in its period."""
    assert moment is not None, "populations hold published items only"
    return local_day(moment)


def _lead_agency(doc: Document) -> Agency | None:
    return doc.issuers[0].agency if doc.issuers else None


def _doc_item(doc: Document, **kw: Any) -> Item:
    agency = _lead_agency(doc)
    return Item(
        "document",
        doc.id,
        doc.slug,
        doc.title,
        agency.name if agency else "",
        agency.slug if agency else "",
        _published_day(doc.published_at),
        public=doc.is_public,
        **kw,
    )


def _excluded_reason(status: str) -> str:
    return "已撤回，不计入" if status == "withdrawn" else f"当前状态为“{STATUS.get(status, status)}”，不计入"


# Only what the figures need: the bodies (tens of KB each) and the topics are never loaded here.
_DOC_COLUMNS = (
    Document.id,
    Document.slug,
    Document.title,
    Document.published_at,
    Document.status,
    Document.disclosure,
    Document.normative,
    Document.written_on,
)


def documents_first_published(
    sess: Session, year: int, *, normative_only: bool = False, with_interpretations: bool = False
) -> tuple[list[Document], list[Document]]:
    """Actively disclosed documents first published in ``year``: (published now, withdrawn or unpublished)."""
    start, end = year_bounds(year)
    options = [load_only(*_DOC_COLUMNS), lazyload(Document.topics), selectinload(Document.issuers)]
    if with_interpretations:
        options.append(
            selectinload(Document.interpretations).load_only(
                Interpretation.id, Interpretation.title, Interpretation.form, Interpretation.status
            )
        )
    stmt = (
        select(Document)
        .where(Document.published_at >= start, Document.published_at < end, Document.disclosure == "active")
        .options(*options)
        .order_by(Document.published_at, Document.id)
    )
    if normative_only:
        stmt = stmt.where(Document.normative.is_(True))
    docs = list(sess.scalars(stmt))
    return [d for d in docs if d.status == "published"], [d for d in docs if d.status != "published"]


def qa_population(sess: Session, year: int, today: date) -> Population:
    published, dropped = documents_first_published(sess, year, with_interpretations=True)
    pop = Population()
    for doc in published:
        live = [i for i in doc.interpretations if i.status == "published"]
        qa = [i for i in live if i.form == "qa"]
        if qa:
            pop.items.append(_doc_item(doc, counted=True, note=f"已配发问答解读《{qa[0].title}》"))
        elif live:
            forms = "、".join(sorted({FORMS.get(i.form, i.form) for i in live}))
            pop.items.append(
                _doc_item(doc, note=f"仅有{forms}解读，无问答形式", action="补充问答形式解读", fix="add_qa")
            )
        else:
            pop.items.append(_doc_item(doc, note="未配发政策解读", action="配发问答形式解读", fix="add_qa"))
    pop.excluded = [_doc_item(doc, note=_excluded_reason(doc.status)) for doc in dropped]
    return pop


def meeting_population(sess: Session, year: int, today: date) -> Population:
    meetings = sess.scalars(
        select(Meeting)
        .where(Meeting.held_on >= date(year, 1, 1), Meeting.held_on <= date(year, 12, 31))
        .order_by(Meeting.held_on, Meeting.id)
    )
    pop = Population()
    for m in meetings:
        item = Item(
            "meeting",
            m.id,
            m.slug,
            m.title,
            m.agency.name,
            m.agency.slug,
            m.held_on,
            public=m.is_open and not m.cancelled,
        )
        if m.cancelled:
            item.note = "会议已取消，不计入"
            pop.excluded.append(item)
        elif m.held_on > today:
            item.note = "尚未召开，不计入"
            pop.excluded.append(item)
        elif m.agency.kind not in MEETING_AGENCY_KINDS:
            item.note = "非部门、街道会议（如区政府常务会议），不计入本目标"
            pop.excluded.append(item)
        else:
            if m.is_open:
                ways = m.invited_labels + (["网络直播"] if m.stream_url else [])
                item.counted, item.note = True, "开放：" + "、".join(ways)
            else:
                item.note, item.action = "未邀请公众、专家或媒体列席，也未直播", "下次会议邀请列席或直播"
            pop.items.append(item)
    return pop


def _adoption_day(doc: Document) -> date:
    """When a document was adopted: its 成文日期, or the day it was published when that is unknown."""
    return doc.written_on or _published_day(doc.published_at)


def predisclosure_population(sess: Session, year: int, today: date) -> Population:
    published, dropped = documents_first_published(sess, year, normative_only=True)
    consultations: dict[int, list[Consultation]] = {}
    if published:
        for c in sess.scalars(
            select(Consultation)
            .where(Consultation.final_document_id.in_([d.id for d in published]))
            .order_by(Consultation.opens_on)
        ):
            if c.final_document_id is not None:  # selected on it
                consultations.setdefault(c.final_document_id, []).append(c)
    pop = Population()
    for doc in published:
        linked = consultations.get(doc.id, [])
        before = [c for c in linked if c.status != "draft" and c.opens_on <= _adoption_day(doc)]
        if before:
            c = before[0]
            pop.items.append(
                _doc_item(
                    doc, counted=True, note=f"出台前经意见征集《{c.title}》（{c.opens_on.isoformat()}起）"
                )
            )
        elif linked:
            pop.items.append(
                _doc_item(
                    doc,
                    note="关联的意见征集未发布或晚于文件成文日期",
                    action="核对意见征集与文件的关联和日期",
                )
            )
        else:
            pop.items.append(
                _doc_item(
                    doc,
                    note="出台前未经意见征集（预公开）",
                    action="今后出台前发布意见征集；已征集的，在征集反馈中关联本文件",
                )
            )
    pop.excluded = [_doc_item(doc, note=_excluded_reason(doc.status)) for doc in dropped]
    return pop


PUSH_NOTES = {"pending": "待发送", "failed": "发送失败"}


def _push_state(sess: Session, kind: str, ids: list[int]) -> dict[int, list[Push]]:
    pushes: dict[int, list[Push]] = {}
    if ids:
        for push in sess.scalars(select(Push).where(Push.item_type == kind, Push.item_id.in_(ids))):
            pushes.setdefault(push.item_id, []).append(push)
    return pushes


def _push_verdict(item: Item, pushes: list[Push]) -> Item:
    delivered = [p for p in pushes if p.status == "delivered" and p.channel.new_media]
    if delivered:
        names = "、".join(dict.fromkeys(p.channel.name for p in delivered))
        item.counted, item.note = True, f"已在新媒体渠道送达：{names}"
    elif any(p.channel.new_media for p in pushes):
        states = "、".join(
            sorted({PUSH_NOTES.get(p.status, p.status) for p in pushes if p.channel.new_media})
        )
        item.note, item.action = f"新媒体渠道推送未送达（{states}）", "检查推送队列并重试"
    elif pushes:
        item.note, item.action = "仅推送至非新媒体渠道", "推送至政务新媒体渠道"
    else:
        item.note, item.action = "未推送", "推送至政务新媒体渠道"
    return item


def push_population(sess: Session, year: int, today: date) -> Population:
    """Documents, interpretations and consultations published in the year, and their new-media pushes."""
    pop = Population()
    docs, dropped = documents_first_published(sess, year)
    pushes = _push_state(sess, "document", [d.id for d in docs])
    pop.items += [_push_verdict(_doc_item(d), pushes.get(d.id, [])) for d in docs]
    pop.excluded += [_doc_item(d, note=_excluded_reason(d.status)) for d in dropped]

    start, end = year_bounds(year)
    interps = list(
        sess.scalars(
            select(Interpretation)
            .join(Interpretation.document)
            .where(
                Interpretation.published_at >= start,
                Interpretation.published_at < end,
                Document.disclosure == "active",
            )
            .options(
                load_only(
                    Interpretation.id,
                    Interpretation.slug,
                    Interpretation.title,
                    Interpretation.status,
                    Interpretation.published_at,
                    Interpretation.agency_id,
                ),
                selectinload(Interpretation.agency),
                selectinload(Interpretation.document).options(
                    load_only(Document.id, Document.status, Document.disclosure),
                    lazyload(Document.topics),
                    selectinload(Document.issuers),
                ),
            )
            .order_by(Interpretation.published_at, Interpretation.id)
        )
    )
    live = {i.id for i in interps if i.status == "published" and i.document.status == "published"}
    pushes = _push_state(sess, "interpretation", sorted(live))
    for interp in interps:
        agency = interp.agency or _lead_agency(interp.document)
        item = Item(
            "interpretation",
            interp.id,
            interp.slug,
            interp.title,
            agency.name if agency else "",
            agency.slug if agency else "",
            _published_day(interp.published_at),
            public=interp.is_public,
        )
        if interp.id in live:
            pop.items.append(_push_verdict(item, pushes.get(interp.id, [])))
        else:
            status = interp.status if interp.status != "published" else interp.document.status
            item.note = ("所属文件" if interp.status == "published" else "") + _excluded_reason(status)
            pop.excluded.append(item)

    consultations = list(
        sess.scalars(
            select(Consultation)
            .where(
                Consultation.status != "draft",
                Consultation.opens_on >= date(year, 1, 1),
                Consultation.opens_on <= date(year, 12, 31),
            )
            .order_by(Consultation.opens_on, Consultation.id)
        )
    )
    pushes = _push_state(sess, "consultation", [c.id for c in consultations])
    for c in consultations:
        item = Item("consultation", c.id, c.slug, c.title, c.agency.name, c.agency.slug, c.opens_on)
        pop.items.append(_push_verdict(item, pushes.get(c.id, [])))
    pop.items.sort(key=lambda i: (i.day, i.kind, i.id))
    return pop


def zombie_population(sess: Session, year: int, today: date) -> Population:
    """Valid messages in play during ``year``; counted unless left unanswered for more than three months
    (NORMS 24): the ones holding the target back are the zombie messages themselves."""
    from portal.models.enquiries import Enquiry
    from portal.services.enquiries import rules

    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    rows = sess.scalars(
        select(Enquiry)
        .where(Enquiry.state != "rejected", Enquiry.received_on <= end)
        .where((Enquiry.replied_on.is_(None)) | (Enquiry.replied_on >= start))
        .order_by(Enquiry.received_on, Enquiry.id)
    ).all()
    pop = Population()
    deadlines = rules.current()
    for msg in rows:
        zombie = rules.is_zombie_in(year, msg.received_on, msg.replied_on, today, deadlines)
        answered = f"{msg.replied_on.isoformat()}答复" if msg.replied_on else "至今未答复"
        pop.items.append(
            Item(
                "enquiry",
                msg.id,
                str(msg.id),
                msg.subject,
                msg.agency.name,
                msg.agency.slug,
                msg.received_on,
                counted=not zombie,
                note=(
                    f"{msg.received_on.isoformat()}收到，{answered}，超过三个月未答复"
                    if zombie
                    else f"{msg.received_on.isoformat()}收到，{answered}"
                ),
                public=msg.published_at is not None,
            )
        )
    return pop
