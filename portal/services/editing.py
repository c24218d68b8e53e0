"""Creating and editing documents and interpretations from the staff forms, with server-side checks.

A form is parsed into plain values, validated as a whole (every problem reported by field, in Chinese),
and only then applied, so a refused form never leaves a half-written record. Who may edit what:

- a draft: editors of one of the item's agencies;
- a published item: publishers only, with a change note; the edit becomes a new version (更新记录);
- an item under review, approved or withdrawn: nobody (return it to draft, or reopen it, first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.ingest.markdown import render_markdown
from portal.models import Agency, Document, DocumentAgency, Interpretation, Measure, QAItem, Topic, User
from portal.models.interpretations import FORMS
from portal.services import fields
from portal.services.audit import record
from portal.services.documents import normalize_doc_number, update_duplicate_keys
from portal.services.duplicates import confirm as confirm_duplicates
from portal.services.duplicates import find as find_duplicates
from portal.services.duplicates import message as duplicate_message
from portal.services.numbers import parse_int
from portal.services.publishing import (
    Actor,
    Item,
    NotAllowed,
    add_version,
    after_change,
    in_scope,
    item_type,
    snapshot,
)

SLUG_RE = fields.SLUG_RE
GENRES = [
    "通知",
    "意见",
    "决定",
    "办法",
    "规定",
    "方案",
    "要点",
    "规则",
    "报告",
    "批复",
    "函",
    "公告",
    "通告",
    "其他",
]


class FormErrors(Exception):
    """Field name → Chinese message; the form is shown again with them."""

    def __init__(self, errors: dict[str, str], values: Any = None, warnings: list[str] | None = None) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.values = values  # the form to show again, when it did not come from the user (an import)
        self.warnings = warnings or []


def _date(raw: str, name: str, errors: dict[str, str], label: str) -> date | None:
    try:
        return fields.parse_date(raw, name, label)
    except fields.RuleProblem as problem:
        errors[name] = problem.zh
        return None


def _check(errors: dict[str, str], rule: Any, *args: Any) -> None:
    """Run one rule of :mod:`portal.services.fields`; a refusal becomes the Chinese message of its field
    (the first problem of a field is the one shown)."""
    try:
        rule(*args)
    except fields.RuleProblem as problem:
        errors.setdefault(problem.field, problem.zh)


_shown = fields.shown


def _split(raw: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，、;；\n]+", raw or "") if part.strip()]


def may_edit(user: User, obj: Item) -> tuple[bool, str]:
    """Whether ``user`` may edit ``obj`` now, and why not."""
    if obj.status == "draft":
        if not user.has_role("editor"):
            return False, "只有编辑人员可以修改草稿。"
        if user.agency_id is None or (obj.id is not None and user.agency_id not in _agencies(obj)):
            return False, "只能修改本部门的稿件。"
        return True, ""
    if obj.status == "published":
        if user.has_role("publisher"):
            return True, ""
        return False, "已发布的内容只能由发布人员修改（须填写修改说明）。"
    return False, {
        "in_review": "稿件正在审核中，请审核人员退回后再修改。",
        "approved": "稿件已审核通过，如需修改请先退回。",
        "withdrawn": "稿件已撤回，请先“重新编辑”。",
    }.get(obj.status, "当前状态不能修改。")


def _agencies(obj: Item) -> set[int]:
    from portal.services.publishing import item_agency_ids

    return item_agency_ids(obj)


# -- documents --------------------------------------------------------------------------------------


@dataclass
class MeasureRow:
    no: str
    text: str
    lead: list[str]
    units: list[str]
    status: str


@dataclass
class DocumentForm:
    title: str = ""
    slug: str = ""
    index_no: str = ""
    doc_number: str = ""
    written_on: date | None = None
    genre: str = ""
    # 发文机关 in signing order: (agency id, name); id None for a body the portal does not know yet.
    issuers: list[tuple[int | None, str]] = field(default_factory=list)
    owner_id: int | None = None  # the agency whose staff maintain the document; None: the editor's own
    confirm_duplicate: bool = False
    topics: list[str] = field(default_factory=list)
    normative: bool = False
    registration_no: str = ""
    disclosure: str = "active"
    disclosure_reason: str = ""
    disclosure_category: str = ""  # 公开类别; may stay empty in a draft, required at publication
    source: str = ""
    body_md: str = ""
    measures: list[MeasureRow] = field(default_factory=list)
    change_note: str = ""


def parse_document_form(sess: Session, form: Any, doc: Document | None) -> DocumentForm:
    """Read and check the document form; raises FormErrors listing every problem."""
    errors: dict[str, str] = {}
    f = DocumentForm(
        title=(form.get("title") or "").strip(),
        slug=(form.get("slug") or "").strip().lower(),
        index_no=(form.get("index_no") or "").strip(),
        doc_number=normalize_doc_number(form.get("doc_number") or ""),
        genre=(form.get("genre") or "").strip(),
        topics=_split(form.get("topics", "")),
        normative=form.get("normative") in {"1", "on", "true"},
        registration_no=(form.get("registration_no") or "").strip(),
        disclosure=(form.get("disclosure") or "active").strip(),
        disclosure_reason=(form.get("disclosure_reason") or "").strip(),
        disclosure_category=(form.get("disclosure_category") or "").strip(),
        source=(form.get("source") or "").strip(),
        body_md=(form.get("body_md") or "").replace("\r\n", "\n"),
        change_note=(form.get("change_note") or "").strip(),
    )
    if "published_at" in form or "published_on" in form:
        errors["published_at"] = "发布日期在首次发布时由系统确定，不能修改。"
    _check(errors, fields.check_title, f.title)
    if doc is None or doc.published_at is None:
        if f.slug:
            _check(errors, fields.check_slug, f.slug)
        if f.slug and "slug" not in errors:
            clash = sess.scalar(select(Document.id).where(Document.slug == f.slug))
            if clash is not None and (doc is None or clash != doc.id):
                errors["slug"] = f"网址标识“{f.slug}”已被使用。"
    elif f.slug and f.slug != doc.slug:
        errors["slug"] = "已发布文件的网址标识不能修改。"
    _check(errors, fields.check_doc_number, sess, f.doc_number, doc.id if doc is not None else None)
    f.written_on = _date(form.get("written_on", ""), "written_on", errors, "成文日期")
    _compliance_checks(sess, f, doc, errors)
    _check(errors, fields.check_facet, "genre", f.genre, "公文种类")
    f.issuers = _issuers(sess, form, errors)
    f.owner_id = _owner(sess, form, errors)
    f.confirm_duplicate = form.get("confirm_duplicate") in {"1", "on", "true"}
    _check(errors, fields.check_disclosure, f.disclosure, f.disclosure_reason)
    if f.disclosure_category:
        from portal.services.xxgk.categories import lookup

        category = lookup(sess, f.disclosure_category)
        if category is None:
            errors["disclosure_category"] = "公开类别无效，请从列表中选择。"
        else:
            f.disclosure_category = category.slug
    for topic in f.topics:
        _check(errors, fields.check_facet, "topics", topic, f"主题分类“{_shown(topic)}”")
    f.measures = _measure_rows(form, errors)
    if doc is not None and doc.status == "published" and not f.change_note:
        errors["change_note"] = "修改已发布的文件须填写修改说明，它将显示在公开页面的“更新记录”中。"
    if errors:
        raise FormErrors(errors)
    return f


def _compliance_checks(sess: Session, f: DocumentForm, doc: Document | None, errors: dict[str, str]) -> None:
    """索引号 format and uniqueness (NORMS 5); a normative document's registration number (NORMS 9),
    required once the document is published."""
    from portal.services.compliance import RuleProblem
    from portal.services.compliance.index_no import check_index_no
    from portal.services.compliance.normative import check_registration_no

    doc_id = doc.id if doc is not None else None
    try:
        check_index_no(sess, f.index_no, doc_id)
    except RuleProblem as problem:
        errors["index_no"] = problem.zh
    if f.normative:
        try:
            published = doc is not None and doc.published_at is not None
            check_registration_no(sess, f.registration_no, doc_id, required=published)
        except RuleProblem as problem:
            errors["registration_no"] = problem.zh


def _getlist(form: Any, name: str) -> list[str]:
    if hasattr(form, "getlist"):
        return form.getlist(name)
    value = form.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def _issuers(sess: Session, form: Any, errors: dict[str, str]) -> list[tuple[int | None, str]]:
    """发文机关 as typed, one per field in signing order (``issuers``), or chosen by id (``agency_ids``,
    the older form). A known agency is matched by full name, short name or slug (whitespace aside) and
    stored under its full name; an unknown name is checked against the register's rules now and kept, to
    be created on the fly when the document is saved."""
    from portal.services import channels  # channels builds on this module's FormErrors: bound late

    found: list[tuple[int | None, str]] = []
    names = [name for raw in _getlist(form, "issuers") if (name := channels.issuer_name(raw))]
    for name in names:
        agency = channels.find_issuer(sess, name)
        problems = [] if agency else channels.issuer_problems(sess, name)
        if problems:
            errors["issuers"] = f"发文机关“{fields.shown(name, 40)}”：{problems[0].zh}"
            continue
        entry = (agency.id, agency.name) if agency else (None, name)
        if entry not in found:
            found.append(entry)
    if not names:
        for raw in _getlist(form, "agency_ids"):
            agency_id = parse_int(raw)
            agency = sess.get(Agency, agency_id) if agency_id is not None else None
            if agency is None:
                errors["issuers"] = "所选发文机关不存在。"
                break
            if (agency.id, agency.name) not in found:
                found.append((agency.id, agency.name))
    if not found and "issuers" not in errors:
        errors["issuers"] = "请填写发文机关（按署名顺序；联合发文逐个填写）。"
    return found


def _owner(sess: Session, form: Any, errors: dict[str, str]) -> int | None:
    raw = (form.get("owner_id") or "").strip()
    if not raw:
        return None
    agency_id = parse_int(raw)
    agency = sess.get(Agency, agency_id) if agency_id is not None else None
    if agency is None or agency.external:
        errors["owner_id"] = "维护部门须是本区在平台上的部门。"
        return None
    return agency.id


def _measure_rows(form: Any, errors: dict[str, str]) -> list[MeasureRow]:
    if not hasattr(form, "getlist"):
        return []
    cols = [form.getlist(f"measure_{c}") for c in ("no", "text", "lead", "units", "status", "position")]
    rows: list[tuple[int, int, MeasureRow]] = []  # (order, position in the form, row)
    for i, (no, text, lead, units, status, position) in enumerate(zip(*cols, strict=False)):
        if not text.strip() and not no.strip():
            continue  # an empty row of the editor, or a row the editor cleared to delete it
        if not text.strip():
            errors["measures"] = f"第 {i + 1} 行任务缺少内容。"
            continue
        try:
            fields.check_measure_status(status, i + 1)
        except fields.RuleProblem as problem:
            errors["measures"] = problem.zh
            continue
        order = parse_int(position)
        order = 10000 + i if order is None else order
        rows.append(
            (
                order,
                i,
                MeasureRow(
                    no.strip() or str(len(rows) + 1), text.strip(), _split(lead), _split(units), status
                ),
            )
        )
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]


def _topics(sess: Session, names: list[str]) -> list[Topic]:
    topics = []
    for name in dict.fromkeys(names):
        topic = sess.scalars(select(Topic).where(Topic.name == name)).first()
        if topic is None:
            topic = Topic(name=name)
            sess.add(topic)
        topics.append(topic)
    return topics


def _issuer_agency(sess: Session, user: Actor, agency_id: int | None, name: str) -> Agency:
    """The agency of one issuer; a body the portal does not know yet is created, marked for review."""
    if agency_id is not None:
        return sess.get_one(Agency, agency_id)  # a choice of the form's list
    from portal.services.channels import new_issuer  # channels builds on this module: bound late

    return new_issuer(sess, user, name)  # an earlier issuer of this same form may have created it


def _owner_for(user: User, form: DocumentForm, doc: Document | None) -> int | None:
    if form.owner_id is not None:
        return form.owner_id
    if doc is not None and doc.owner_id is not None:
        return doc.owner_id
    return user.agency_id


def save_document(sess: Session, user: User, form: DocumentForm, doc: Document | None = None) -> Document:
    """Create a draft (``doc`` None) or apply an edit; audited, and versioned if already published.

    Likely duplicates (same title and issuer, or near-identical body) refuse the save with
    :class:`DuplicateSuspected` unless the form confirms them."""
    owner_id = _owner_for(user, form, doc)
    if doc is None:
        if not user.has_role("editor"):
            raise NotAllowed("只有编辑人员可以新建文件。")
        if owner_id is None:
            raise FormErrors({"owner_id": "请选择维护本文件的部门。"})
        if not user.has_role("publisher", "admin") and owner_id != user.agency_id:
            raise FormErrors({"owner_id": "编辑人员只能为本部门新建文件（维护部门须为本部门）。"})
    else:
        allowed, why = may_edit(user, doc)
        if not allowed:
            raise NotAllowed(why)
        if not user.has_role("publisher", "admin") and owner_id != doc.owner_id and doc.owner_id is not None:
            raise FormErrors({"owner_id": "只有发布人员可以把文件移交给其他部门维护。"})
    known_ids = [i for i, _ in form.issuers if i is not None]
    duplicates = find_duplicates(
        sess,
        title=form.title,
        body_md=form.body_md,
        issuer_ids=known_ids if form.issuers else None,
        doc=doc,
    )
    if duplicates and not form.confirm_duplicate:
        raise DuplicateSuspected(duplicates)
    doc = write_document(sess, user, form, doc, owner_id)
    confirm_duplicates(sess, user, doc, duplicates, "保存时确认")
    return doc


def write_document(
    sess: Session, actor: Actor, form: DocumentForm, doc: Document | None, owner_id: int | None
) -> Document:
    """Apply a checked form to a new draft (``doc`` None) or to ``doc``: the one write of a document's
    fields, for the staff forms and ``portal load``. Audited as ``actor``; an edit of a published document
    that changes what the public sees becomes a new version (更新记录) with the form's change note."""
    if doc is None:
        doc = Document(slug=form.slug or staff_slug(sess, form), status="draft", title=form.title)
        sess.add(doc)
        before = None
    else:
        before = snapshot(doc)
    with sess.no_autoflush:
        if form.slug and doc.published_at is None:
            doc.slug = form.slug
        doc.title = form.title
        doc.index_no = (
            form.index_no or doc.index_no
        )  # a number once given is kept; empty: given at publication
        doc.doc_number = form.doc_number
        doc.doc_number_key = normalize_doc_number(form.doc_number)
        doc.written_on = form.written_on
        doc.genre = form.genre
        doc.normative = form.normative
        doc.registration_no = form.registration_no
        doc.disclosure = form.disclosure
        doc.disclosure_reason = form.disclosure_reason if form.disclosure != "active" else ""
        doc.disclosure_category = form.disclosure_category
        doc.source = form.source
        doc.body_md = form.body_md
        doc.body_html = render_markdown(form.body_md)
        doc.owner_id = owner_id
        doc.topics = _topics(sess, form.topics)
        doc.measures = [
            Measure(position=n, no=m.no, text=m.text, lead=m.lead, units=m.units, status=m.status)
            for n, m in enumerate(form.measures)
        ]
    agencies = [_issuer_agency(sess, actor, i, name) for i, name in form.issuers]
    with sess.no_autoflush:
        issuers = [(a.id, n) for n, a in enumerate(agencies)]
        if [(link.agency_id, link.position) for link in doc.issuers] != issuers:  # else keep the rows
            doc.issuers = [
                DocumentAgency(agency=a, agency_id=a.id, position=n) for n, a in enumerate(agencies)
            ]
        update_duplicate_keys(doc)
    sess.flush()
    after = snapshot(doc)
    if before is None:
        record(sess, actor, "document.create", doc, after=after)
    elif before != after:
        record(sess, actor, "document.update", doc, before=before, after=after, note=form.change_note)
        if doc.status == "published":
            add_version(sess, actor, doc, form.change_note)
            after_change(sess, [doc])
    return doc


class DuplicateSuspected(FormErrors):
    """The document looks like one already on the portal; shown with links, saved only when confirmed."""

    def __init__(self, duplicates: list[Any]) -> None:
        super().__init__({"duplicate": duplicate_message(duplicates)})
        self.duplicates = duplicates


def staff_slug(sess: Session, form: DocumentForm) -> str:
    """The documented slug scheme (content/README.md): ``<year>-<genre>[-<文号 number>]``, as
    ``portal import`` names files, made unique with ``-2``, ``-3``…"""
    from portal.ingest.officialtext import ImportedDocument, make_slug

    base = make_slug(
        ImportedDocument(title=form.title, doc_number=form.doc_number, written_on=form.written_on)
    )
    return _unique_slug(sess, Document, base)


def _unique_slug(sess: Session, model: type[Document] | type[Interpretation], base: str) -> str:
    base = base[:120].strip("-") or "item"
    taken = set(sess.scalars(select(model.slug).where(model.slug.startswith(base))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# -- interpretations --------------------------------------------------------------------------------


@dataclass
class QARow:
    question: str
    answer_md: str


@dataclass
class InterpretationForm:
    title: str = ""
    slug: str = ""
    document_id: int | None = None
    form: str = "qa"
    interpreter: str = ""
    agency_id: int | None = None
    interpreted_on: date | None = None
    body_md: str = ""
    media_url: str = ""
    items: list[QARow] = field(default_factory=list)
    change_note: str = ""


def parse_interpretation_form(sess: Session, form: Any, interp: Interpretation | None) -> InterpretationForm:
    errors: dict[str, str] = {}
    f = InterpretationForm(
        title=(form.get("title") or "").strip(),
        slug=(form.get("slug") or "").strip().lower(),
        form=(form.get("form") or "qa").strip(),
        interpreter=(form.get("interpreter") or "").strip(),
        body_md=(form.get("body_md") or "").replace("\r\n", "\n"),
        media_url=(form.get("media_url") or "").strip(),
        change_note=(form.get("change_note") or "").strip(),
    )
    if "published_at" in form:
        errors["published_at"] = "发布日期在首次发布时由系统确定，不能修改。"
    _check(errors, fields.check_title, f.title)
    raw_doc = (form.get("document_id") or "").strip()
    ref = (form.get("document_ref") or "").strip()
    if interp is not None:
        f.document_id = interp.document_id  # an interpretation stays with its document
    elif not raw_doc and ref:
        found = sess.scalar(
            select(Document.id).where(
                (Document.slug == ref.lower()) | (Document.doc_number_key == normalize_doc_number(ref))
            )
        )
        if found is None:
            errors["document_id"] = f"找不到文号或网址标识为“{ref[:60]}”的文件。"
        f.document_id = found
    elif parse_int(raw_doc) is None or sess.get(Document, parse_int(raw_doc)) is None:
        errors["document_id"] = "请选择所解读的文件。"
    else:
        f.document_id = parse_int(raw_doc)
    raw_agency = (form.get("agency_id") or "").strip()
    if raw_agency:
        if parse_int(raw_agency) is None or sess.get(Agency, parse_int(raw_agency)) is None:
            errors["agency_id"] = "所选解读部门不存在。"
        else:
            f.agency_id = parse_int(raw_agency)
    if f.form not in FORMS:
        errors["form"] = "解读形式无效。"
    if interp is None or interp.published_at is None:
        if f.slug:
            _check(errors, fields.check_slug, f.slug)
        if f.slug and "slug" not in errors:
            clash = sess.scalar(select(Interpretation.id).where(Interpretation.slug == f.slug))
            if clash is not None and (interp is None or clash != interp.id):
                errors["slug"] = f"网址标识“{f.slug}”已被使用。"
    _check(errors, fields.check_media_url, f.media_url)
    f.interpreted_on = _date(form.get("interpreted_on", ""), "interpreted_on", errors, "解读日期")
    questions = form.getlist("question") if hasattr(form, "getlist") else []
    answers = form.getlist("answer") if hasattr(form, "getlist") else []
    positions = form.getlist("qa_position") if hasattr(form, "getlist") else []
    rows = []
    for i, (q, a) in enumerate(zip(questions, answers, strict=False)):
        q, a = q.strip(), a.replace("\r\n", "\n").strip()
        if not q and not a:
            continue
        if not q or not a:
            errors["items"] = f"第 {i + 1} 组问答的问题和回答都要填写。"
            continue
        pos = positions[i].strip() if i < len(positions) else ""
        order = parse_int(pos)
        rows.append((10000 + i if order is None else order, i, QARow(q, a)))
    f.items = [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]
    if f.form == "qa" and not f.items and "items" not in errors:
        errors["items"] = "问答形式的解读至少需要一组问答。"
    if interp is not None and interp.status == "published" and not f.change_note:
        errors["change_note"] = "修改已发布的解读须填写修改说明。"
    if errors:
        raise FormErrors(errors)
    return f


def save_interpretation(
    sess: Session, user: User, form: InterpretationForm, interp: Interpretation | None = None
) -> Interpretation:
    if interp is None:
        if not user.has_role("editor"):
            raise NotAllowed("只有编辑人员可以新建解读。")
        document = sess.get_one(Document, form.document_id)  # the parser found it
        interp = Interpretation(
            # content/README.md: an interpretation is named after its document, <slug>-qa.
            slug=form.slug or _unique_slug(sess, Interpretation, f"{document.slug}-{form.form}"),
            status="draft",
            title=form.title,
            document_id=form.document_id,
        )
        # Scope every id the form sent, not only what the drop-down offered: a document that is not public
        # must be the user's own agency's (else its title and 三同步 would leak to another agency), and the
        # interpreting agency is the user's own unless a publisher or admin names another.
        if document is None or not (document.is_public or in_scope(user, document)):
            raise NotAllowed("找不到所选文件，或您无权为其撰写解读。")
        if form.agency_id and form.agency_id != user.agency_id and not user.has_role("publisher", "admin"):
            raise NotAllowed("只能以本部门名义新建解读。")
        interp.document = document
        interp.agency_id = form.agency_id or user.agency_id
        if user.agency_id not in _agencies(interp):
            raise NotAllowed("只能为本部门的文件或以本部门名义新建解读。")
    else:
        allowed, why = may_edit(user, interp)
        if not allowed:
            raise NotAllowed(why)
    return write_interpretation(sess, user, form, interp)


def write_interpretation(
    sess: Session, actor: Actor, form: InterpretationForm, interp: Interpretation
) -> Interpretation:
    """Apply a checked form to ``interp`` (new when it has no id yet): the one write of an interpretation's
    fields, for the staff forms and ``portal load``; audited, and versioned if published."""
    if interp.id is None:
        sess.add(interp)
        before = None
    else:
        before = snapshot(interp)
    with sess.no_autoflush:
        if form.slug and interp.published_at is None:
            interp.slug = form.slug
        interp.title = form.title
        interp.form = form.form
        interp.interpreter = form.interpreter
        if form.agency_id:
            interp.agency_id = form.agency_id
        interp.interpreted_on = form.interpreted_on
        interp.body_md = form.body_md
        interp.body_html = render_markdown(form.body_md)
        interp.media_url = form.media_url
        interp.items = [
            QAItem(
                position=n,
                question=row.question,
                answer_md=row.answer_md,
                answer_html=render_markdown(row.answer_md),
            )
            for n, row in enumerate(form.items)
        ]
    sess.flush()
    after = snapshot(interp)
    if before is None:
        record(sess, actor, "interpretation.create", interp, after=after)
    elif before != after:
        record(
            sess, actor, "interpretation.update", interp, before=before, after=after, note=form.change_note
        )
        if interp.status == "published":
            add_version(sess, actor, interp, form.change_note)
            after_change(sess, [interp])
    return interp


def kind_of(obj: Item) -> str:
    return item_type(obj)
