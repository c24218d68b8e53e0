"""The publishing workflow (先审后发): draft → in review → approved → published, and what follows.

Every transition checks the actor's role and agency, the item's current state and the district's
rules (三同步, privacy), then changes the state and writes the audit entry in the caller's transaction.
Nothing is written when a rule refuses: the caller commits only after a transition returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    AuditEntry,
    Document,
    DocumentLink,
    DocumentVersion,
    Interpretation,
    PublicationWaiver,
    ReviewRemark,
    User,
)
from portal.models.annual_reports import GENRE as ANNUAL_REPORT_GENRE
from portal.models.base import utcnow
from portal.services import privacy
from portal.services.audit import record
from portal.services.documents import normalize_doc_number
from portal.services.subscriptions import events as subscription_events

Item = Document | Interpretation
ItemT = TypeVar("ItemT", Document, Interpretation)
# Who does a transition: a staff member, or a system actor named by a string. ``CONTENT`` is ``portal load``:
# a content file is reviewed where it is kept (the repository), so the file is the item's approval.
Actor = User | str
CONTENT = "content"


class WorkflowError(Exception):
    """A refused transition; ``message`` is Chinese and shown to staff as is, ``en`` is what ``portal
    load`` prints for a rule a content file can break (the message itself where there is none)."""

    status = 409

    def __init__(
        self, message: str, *, hits: list[privacy.Hit] | None = None, code: str = "", en: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hits = hits or []
        self.code = code
        self.en = en or message


class NotAllowed(WorkflowError):
    """The actor lacks the role or the agency for this item."""

    status = 403


def item_type(obj: Item) -> str:
    return "document" if isinstance(obj, Document) else "interpretation"


def item_agency_ids(obj: Item) -> set[int]:
    """The agencies responsible for an item: a document's owner (its issuers when it has none); an
    interpretation's agency and its document's. ``services.documents.scope`` says the same in SQL."""
    if isinstance(obj, Document):
        return {obj.owner_id} if obj.owner_id else {link.agency_id for link in obj.issuers}
    ids = {obj.agency_id} if obj.agency_id else set()
    return ids | (item_agency_ids(obj.document) if obj.document else set())


def find_document(sess: Session, ref: str) -> Document | None:
    """The document a person names by its 网址标识 or its 文号 (as typed: normalised here)."""
    return sess.scalars(
        select(Document).where(
            (Document.slug == ref) | (Document.doc_number_key == normalize_doc_number(ref))
        )
    ).first()


def get_item(sess: Session, model: type[ItemT], item_id: int) -> ItemT | None:
    return sess.get(model, item_id)


def in_scope(user: User, obj: Item) -> bool:
    """Publishers and admins see everything; editors and reviewers only their agency's items."""
    if user.has_role("publisher", "admin"):
        return True
    return user.agency_id is not None and user.agency_id in item_agency_ids(obj)


def require(user: User, obj: Item, role: str, action: str) -> None:
    if not user.has_role(role):
        raise NotAllowed(f"您没有{action}的权限。")
    if role in {"editor", "reviewer"} and not (
        user.agency_id is not None and user.agency_id in item_agency_ids(obj)
    ):
        raise NotAllowed(f"只能{action}本部门的文件。")


def _state(obj: Item) -> dict[str, Any]:
    return {
        "status": obj.status,
        "validity": getattr(obj, "validity", None),
        "published_at": obj.published_at.isoformat() if obj.published_at else None,
    }


def _move(sess: Session, user: Actor, obj: Item, to: str, action: str, note: str = "") -> None:
    before = _state(obj)
    obj.status = to
    record(sess, user, f"{item_type(obj)}.{action}", obj, before=before, after=_state(obj), note=note)


def _expect(obj: Item, *states: str, doing: str) -> None:
    if obj.status not in states:
        from portal.models.documents import STATUS

        allowed = "、".join(STATUS[s] for s in states)
        raise WorkflowError(f"当前状态为“{STATUS[obj.status]}”，只有“{allowed}”的{_noun(obj)}才能{doing}。")


def _noun(obj: Item) -> str:
    return "文件" if isinstance(obj, Document) else "解读"


# -- review -----------------------------------------------------------------------------------------


def submit(sess: Session, user: User, obj: Item) -> None:
    require(user, obj, "editor", "提交审核")
    _expect(obj, "draft", doing="提交审核")
    if not obj.title.strip():
        raise WorkflowError("标题不能为空。")
    _move(sess, user, obj, "in_review", "submit")


def _actor_of(sess: Session, obj: Item, *actions: str, first: bool) -> int | None:
    """The user behind the first (or latest) audit entry of one of ``actions`` on ``obj``."""
    order = AuditEntry.id.asc() if first else AuditEntry.id.desc()
    return sess.scalar(
        select(AuditEntry.actor_id)
        .where(
            AuditEntry.object_type == item_type(obj),
            AuditEntry.object_id == obj.id,
            AuditEntry.action.in_([f"{item_type(obj)}.{a}" for a in actions]),
        )
        .order_by(order)
        .limit(1)
    )


def author_id(sess: Session, obj: Item) -> int | None:
    """Who created the item: the staff member behind its ``create`` (or ``import``) audit entry.

    Items have no author column; the audit log, append-only, is the record of who wrote what.
    """
    return _actor_of(sess, obj, "create", "import", first=True)


def approve(sess: Session, user: User, obj: Item) -> None:
    require(user, obj, "reviewer", "审核")
    _expect(obj, "in_review", doing="审核通过")
    # Four eyes: neither whoever wrote a draft nor whoever submitted it approves it.
    if _actor_of(sess, obj, "submit", first=False) == user.id:
        raise WorkflowError("不能审核通过自己提交的稿件，请由其他审核人员审核。")
    if author_id(sess, obj) == user.id:
        raise WorkflowError("不能审核通过自己撰写的稿件，请由其他审核人员审核。")
    _move(sess, user, obj, "approved", "approve")


def return_to_draft(sess: Session, user: User, obj: Item, remarks: str) -> None:
    """A reviewer returns a draft under review, or a publisher an approved one, with remarks."""
    remarks = (remarks or "").strip()
    if obj.status == "approved":
        require(user, obj, "publisher", "退回")
    else:
        require(user, obj, "reviewer", "退回")
    _expect(obj, "in_review", "approved", doing="退回修改")
    if not remarks:
        raise WorkflowError("退回时必须填写退回意见。", code="remarks")
    sess.add(ReviewRemark(item_type=item_type(obj), item_id=obj.id, remarks=remarks, user_id=user.id))
    _move(sess, user, obj, "draft", "return", note=remarks)


def remarks_for(sess: Session, obj: Item) -> list[ReviewRemark]:
    return list(
        sess.scalars(
            select(ReviewRemark)
            .where(ReviewRemark.item_type == item_type(obj), ReviewRemark.item_id == obj.id)
            .order_by(ReviewRemark.at.desc(), ReviewRemark.id.desc())
        )
    )


# -- publishing -------------------------------------------------------------------------------------


def privacy_hits(obj: Item) -> list[privacy.Hit]:
    """Personal data in the text of an item, its Q&A items and its attachments."""
    hits = privacy.scan(obj.title, "标题") + privacy.scan(obj.body_md, "正文")
    if isinstance(obj, Document):
        for m in obj.measures:
            hits += privacy.scan(m.text, f"任务 {m.no}")
        from portal.services import attachments

        for att in attachments.attachments_of(obj):
            hits += attachments.privacy_hits(att)  # found at upload: the text is not scanned again
    else:
        for n, qa in enumerate(obj.items, 1):
            hits += privacy.scan(qa.question + "\n" + qa.answer_md, f"问答 {n}")
    return hits


def sync_interpretations(doc: Document) -> list[Interpretation]:
    """Interpretations that satisfy 三同步: already published or approved to go out with the document."""
    return [i for i in doc.interpretations if i.status in {"approved", "published"}]


@dataclass
class PublishRequest:
    channel_ids: list[int] = field(default_factory=list)
    waiver_reason: str = ""  # 三同步 waiver for a normative document without interpretation
    privacy_override: str = ""  # reason for publishing despite privacy hits
    confirm_duplicate: bool = False  # the publisher checked the likely duplicates and goes on


@dataclass
class PublishResult:
    published: list[Item]
    pushes: int
    waiver: PublicationWaiver | None = None


def check_publish(sess: Session, user: User, obj: Item, req: PublishRequest) -> list[Item]:
    """Every rule a publication must pass; returns the items that go public together."""
    require(user, obj, "publisher", "发布")
    return check_publication_rules(sess, user, obj, req)


def check_publication_rules(sess: Session, actor: Actor, obj: Item, req: PublishRequest) -> list[Item]:
    """The rules of a publication whoever publishes (a publisher, or ``portal load``): approved first,
    三同步, the registration and 索引号 numbers, the annual report's figures, personal data. A staff
    publication also needs a disclosure category and a confirmation of likely duplicates (a content file
    has nobody to answer that prompt). Returns the items that go public together."""
    staff = isinstance(actor, User)
    if obj.status != "approved":
        raise WorkflowError("未经审核通过的稿件不能发布，请先提交审核。", code="not_approved")
    items: list[Item] = [obj]
    if isinstance(obj, Document):
        companions = [i for i in obj.interpretations if i.status == "approved"]
        items += companions
        if obj.normative and not sync_interpretations(obj) and not req.waiver_reason.strip():
            raise WorkflowError(
                "规范性文件须与政策解读同步发布（三同步）：请先审核通过一篇解读，或填写不同步发布的理由。",
                code="sync",
                en="a normative document is published with its interpretation (三同步): add an "
                "interpretation file naming it, or a 'sync_waiver' with the reason",
            )
    elif obj.document.status != "published":
        raise WorkflowError(
            "所解读的文件尚未发布：解读随文件一同发布，或在文件发布后发布。",
            code="document",
            en=f"its document '{obj.document.slug}' is not published: an interpretation is published with "
            "its document or after it",
        )
    if isinstance(obj, Document):
        if staff:
            category_problem(sess, obj)
        from portal.services import duplicates
        from portal.services.compliance import RuleProblem
        from portal.services.compliance.index_no import check_index_no
        from portal.services.compliance.normative import check_registration

        try:  # NORMS 9 (三统一 registration) and 5 (索引号)
            check_registration(sess, obj)
            check_index_no(sess, obj.index_no, obj.id)
        except RuleProblem as problem:
            raise WorkflowError(problem.zh, code=problem.field, en=problem.en) from None
        if isinstance(actor, User):
            duplicates.check_publish(sess, actor, obj, confirmed=req.confirm_duplicate)
    if isinstance(obj, Document) and obj.genre == ANNUAL_REPORT_GENRE:
        # The annual report's invariants are asserted on the figures as they stand now (NORMS 40-42).
        from portal.services.annual_reports.workflow import check_publication

        if why := check_publication(sess, obj):
            raise WorkflowError(why, code="annual_report")
    hits = [h for item in items for h in privacy_hits(item)]
    if hits and not req.privacy_override.strip():
        found = "; ".join(f"{privacy.KINDS_EN[h.kind]} {h.masked} in {h.where}" for h in hits[:5])
        raise WorkflowError(
            "发现可能的个人信息，请删除后重新送审，或填写理由后强制发布。",
            hits=hits,
            code="privacy",
            en=f"personal data must not be published: {found}",
        )
    return items


def category_problem(sess: Session, doc: Document) -> None:
    """A document goes public only filed under a known disclosure category (法定主动公开内容, NORMS 2):
    otherwise no section of the column would list it. Annual reports are listed by their genre."""
    from portal.services.xxgk.categories import ANNUAL_REPORT_GENRE, lookup

    if doc.genre == ANNUAL_REPORT_GENRE and not doc.disclosure_category:
        return
    if not doc.disclosure_category:
        raise WorkflowError(
            "未选择公开类别：请编辑文件，选择其所属的法定主动公开内容类别（或“政府信息公开制度”）后再发布。",
            code="category",
        )
    if lookup(sess, doc.disclosure_category) is None:
        raise WorkflowError(
            f"公开类别“{doc.disclosure_category}”已不在类别设置中：请编辑文件，重新选择公开类别后再发布。",
            code="category",
        )


def publish(sess: Session, user: User, obj: Item, req: PublishRequest) -> PublishResult:
    items = check_publish(sess, user, obj, req)
    return record_publication(sess, user, obj, items, req)


def publish_content(
    sess: Session, obj: Item, req: PublishRequest, dates: Callable[[Item], datetime | None]
) -> PublishResult:
    """``portal load`` publishes an item its content file marks published: the file is the approval
    (draft → approved, audited as the ``content`` actor), then the rules and effects of a publication.
    ``dates`` gives an item's first publication date from its file (None: now)."""
    if obj.status in {"draft", "in_review"}:
        _move(sess, CONTENT, obj, "approved", "approve", note="内容文件")
    items = check_publication_rules(sess, CONTENT, obj, req)
    return record_publication(sess, CONTENT, obj, items, req, dates)


def approve_content(sess: Session, obj: Item) -> None:
    """An interpretation loaded with its document is approved by its file, to go out with the document."""
    _expect(obj, "draft", doing="审核通过")
    _move(sess, CONTENT, obj, "approved", "approve", note="内容文件")


def record_publication(
    sess: Session,
    user: Actor,
    obj: Item,
    items: list[Item],
    req: PublishRequest,
    dates: Callable[[Item], datetime | None] | None = None,
) -> PublishResult:
    """The effects of a publication whose rules passed: dates, 索引号, state, the first version, the
    subscription, push and search events, in the caller's transaction."""
    now = utcnow()
    waiver = None
    if isinstance(obj, Document) and obj.normative and not sync_interpretations(obj):
        waiver = PublicationWaiver(
            document_id=obj.id,
            reason=req.waiver_reason.strip(),
            user_id=user.id if isinstance(user, User) else None,
        )
        sess.add(waiver)
        record(sess, user, "document.sync_waiver", obj, after={"reason": waiver.reason})
    hits = [h for item in items for h in privacy_hits(item)]
    if hits:
        record(
            sess,
            user,
            f"{item_type(obj)}.privacy_override",
            obj,
            after={"hits": [h.label for h in hits]},
            note=req.privacy_override.strip(),
        )
    for item in items:
        first = item.published_at is None
        if first:
            item.published_at = (dates(item) if dates else None) or now  # set once; never moved afterwards
        if isinstance(item, Document):
            from portal.services.compliance.index_no import assign_index_no

            assign_index_no(sess, item)  # NORMS 5: the next serial of its year when it has none
        _move(
            sess,
            user,
            item,
            "published",
            "publish",
            note="" if item is obj else f"随文件《{obj.title}》同步发布",
        )
        if not _versions_exist(sess, item):
            # Version 1 is the publication and carries its date (a loaded item's is its file's).
            add_version(sess, user, item, "首次发布").created_at = item.published_at or now
        if item is obj or isinstance(item, Document):  # a companion interpretation goes out with the document
            subscription_events.published(sess, item, first)
    from portal.services import push

    pushes = (
        sum(push.queue(sess, user, item, req.channel_ids) for item in items)
        if req.channel_ids and isinstance(user, User)
        else 0
    )
    if isinstance(obj, Document) and obj.genre == ANNUAL_REPORT_GENRE:
        from portal.services.annual_reports.workflow import on_published

        on_published(sess, user, obj, now)
    after_change(sess, items)
    return PublishResult(published=items, pushes=pushes, waiver=waiver)


def withdraw(sess: Session, user: Actor, obj: Item, reason: str) -> None:
    """A publisher withdraws a published item with a public reason; ``portal load`` (the ``content``
    actor) withdraws one its file marks withdrawn."""
    if isinstance(user, User):
        require(user, obj, "publisher", "撤回")
    _expect(obj, "published", doing="撤回")
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("撤回时必须填写公开的撤回理由。", code="reason")
    obj.withdrawn_reason = reason
    _move(sess, user, obj, "withdrawn", "withdraw", note=reason)
    subscription_events.withdrawn(sess, obj, reason)
    after_change(sess, [obj])


def reopen(sess: Session, user: User, obj: Item) -> None:
    """A withdrawn item goes back to draft for rework; it keeps its first publication date."""
    if not user.has_role("editor", "publisher"):
        raise NotAllowed("您没有重新编辑的权限。")
    if user.has_role("editor") and not user.has_role("publisher"):
        require(user, obj, "editor", "重新编辑")
    _expect(obj, "withdrawn", doing="重新编辑")
    _move(sess, user, obj, "draft", "reopen")


VALIDITY_LINKS = {"amended": "amends", "repealed": "repeals"}


def mark_validity(
    sess: Session, user: User, doc: Document, validity: str, successor: Document | None, note: str = ""
) -> None:
    """Mark a published document amended / repealed (linking the successor) or expired."""
    require(user, doc, "publisher", "变更有效性")
    _expect(doc, "published", doing="变更有效性")
    if validity not in {"valid", "amended", "repealed", "expired"}:
        raise WorkflowError("未知的有效性。")
    if validity in VALIDITY_LINKS and successor is None:
        raise WorkflowError("标记为已修订或已废止时，须指明修订或废止它的文件。", code="successor")
    if successor is not None and successor.id == doc.id:
        raise WorkflowError("文件不能修订或废止自身。", code="successor")
    before = {"validity": doc.validity}
    doc.validity = validity
    # The day the change took effect: the successor's date (it repeals or amends from its issue), else
    # today; it counts the year's 废止 in report table 2 (services/compliance/normative.py).
    if validity == "valid":
        doc.validity_since = None
    else:
        from portal.clock import today_local
        from portal.services.compliance.normative import issued_on

        doc.validity_since = (issued_on(successor) if successor else None) or today_local()
    if validity in VALIDITY_LINKS and successor is not None:
        kind = VALIDITY_LINKS[validity]
        exists = sess.scalar(
            select(DocumentLink.id).where(
                DocumentLink.source_id == successor.id,
                DocumentLink.target_id == doc.id,
                DocumentLink.kind == kind,
            )
        )
        if exists is None:
            sess.add(DocumentLink(source_id=successor.id, target_id=doc.id, kind=kind))
    after = {"validity": validity, "successor": successor.slug if successor else None}
    record(sess, user, "document.validity", doc, before=before, after=after, note=note)
    if before["validity"] != validity:
        subscription_events.validity_changed(sess, doc, validity, successor, note)
    after_change(sess, [doc])


# -- versions (更新记录) -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def snapshot(obj: Item) -> dict[str, Any]:
    """What a version keeps: the public metadata and text, in a form difflib can compare."""
    if isinstance(obj, Document):
        return {
            "title": obj.title,
            "index_no": obj.index_no,
            "doc_number": obj.doc_number,
            "written_on": _plain(obj.written_on),
            "genre": obj.genre,
            "normative": obj.normative,
            "registration_no": obj.registration_no,
            "disclosure": obj.disclosure,
            "disclosure_reason": obj.disclosure_reason,
            "disclosure_category": obj.disclosure_category,
            "source": obj.source,
            "agencies": [a.name for a in obj.agencies],
            "topics": [t.name for t in obj.topics],
            "measures": [
                {"no": m.no, "text": m.text, "lead": m.lead, "units": m.units, "status": m.status}
                for m in obj.measures
            ],
            "body_md": obj.body_md,
        }
    return {
        "title": obj.title,
        "form": obj.form,
        "interpreter": obj.interpreter,
        "interpreted_on": _plain(obj.interpreted_on),
        "media_url": obj.media_url,
        "body_md": obj.body_md,
        "items": [{"question": q.question, "answer_md": q.answer_md} for q in obj.items],
    }


def _versions_exist(sess: Session, obj: Item) -> bool:
    return bool(
        sess.scalar(
            select(func.count(DocumentVersion.id)).where(
                DocumentVersion.item_type == item_type(obj), DocumentVersion.item_id == obj.id
            )
        )
    )


def add_version(sess: Session, user: Actor | None, obj: Item, note: str) -> DocumentVersion:
    sess.flush()
    number = (
        sess.scalar(
            select(func.max(DocumentVersion.number)).where(
                DocumentVersion.item_type == item_type(obj), DocumentVersion.item_id == obj.id
            )
        )
        or 0
    ) + 1
    version = DocumentVersion(
        item_type=item_type(obj),
        item_id=obj.id,
        number=number,
        change_note=note,
        snapshot=snapshot(obj),
        user_id=user.id if isinstance(user, User) else None,
        user_name=user.username if isinstance(user, User) else (user or ""),
    )
    sess.add(version)
    if number > 1 and obj.status == "published":
        # An edit of a published item: subscribers hear what changed, from this entry of the 更新记录.
        previous = sess.scalar(
            select(DocumentVersion).where(
                DocumentVersion.item_type == item_type(obj),
                DocumentVersion.item_id == obj.id,
                DocumentVersion.number == number - 1,
            )
        )
        if previous is not None:
            subscription_events.amended(sess, obj, previous, version)
    return version


def versions(sess: Session, obj: Item) -> list[DocumentVersion]:
    return list(
        sess.scalars(
            select(DocumentVersion)
            .where(
                DocumentVersion.item_type == item_type(obj),
                DocumentVersion.item_id == obj.id,
            )
            .order_by(DocumentVersion.number.desc())
        )
    )


def version_pair(
    sess: Session, obj: Item, old: int, new: int
) -> tuple[DocumentVersion, DocumentVersion] | None:
    """Versions ``old`` and ``new`` of ``obj``, to compare; None when either does not exist."""
    found = {
        v.number: v
        for v in sess.scalars(
            select(DocumentVersion).where(
                DocumentVersion.item_type == item_type(obj),
                DocumentVersion.item_id == obj.id,
                DocumentVersion.number.in_([old, new]),
            )
        )
    }
    if old not in found or new not in found:
        return None
    return found[old], found[new]


def waivers(sess: Session, doc: Document) -> list[PublicationWaiver]:
    """The 三同步 waivers recorded when ``doc`` was published without its interpretation."""
    return list(sess.scalars(select(PublicationWaiver).where(PublicationWaiver.document_id == doc.id)))


def diff_versions(old: DocumentVersion, new: DocumentVersion) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per changed field: lines marked ' ' (same), '-' (removed) or '+' (added)."""
    import difflib
    import json

    def lines(value: Any) -> list[str]:
        if isinstance(value, str):
            return value.splitlines()
        return json.dumps(value, ensure_ascii=False, indent=1).splitlines()

    changes = []
    for name in dict.fromkeys([*old.snapshot, *new.snapshot]):
        a, b = old.snapshot.get(name), new.snapshot.get(name)
        if a == b:
            continue
        marked = [
            (line[:1], line[2:]) for line in difflib.ndiff(lines(a), lines(b)) if not line.startswith("?")
        ]
        changes.append((name, marked))
    return changes


# -- derived data -----------------------------------------------------------------------------------


def after_change(sess: Session, items: Iterable[Item]) -> None:
    """Keep derived data (the search index) in step, once the transaction has committed."""
    from portal.search import refresh_after_commit

    refresh_after_commit(sess, *items)
