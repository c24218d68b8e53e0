"""Every write on a request for government information: one path for citizens, staff and the loader.

Each step validates, appends an event carrying the due date it left (deadlines.run over all events), and
records who did it in the audit log, in the caller's transaction. Citizens' submissions commit before the
receipt is shown; a resubmission with the same key returns the first request.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.clock import add_working_days, local_day, today_local
from portal.models import Agency, User
from portal.models.foi import (
    APPLICANT_TYPES,
    CHANNELS,
    DELIVERY,
    FORMS,
    ID_TYPES,
    REMEDY_KINDS,
    REMEDY_RESULTS,
    InfoRequest,
    InfoRequestEvent,
    InfoRequestRemedy,
)
from portal.services import receipts
from portal.services.audit import record
from portal.services.foi import deadlines, fees, letters
from portal.services.foi.outcomes import OUTCOMES, REPLY_OUTCOMES
from portal.services.privacy import is_resident_id

ACTOR_CONTENT = "content"
SUBMISSIONS_PER_HOUR = 10
DESCRIPTION_MAX = 5000
_PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{6,19}$")
_EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class FoiError(ValueError):
    """A refusal with a message for the user, in Chinese, naming the form field when there is one."""

    def __init__(self, message: str, field: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


@dataclass
class Application:
    """What an applicant asks for, as typed (art 29)."""

    applicant_type: str = "person"
    name: str = ""
    contact_person: str = ""
    id_type: str = "resident_id"
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    description: str = ""
    doc_ref: str = ""
    form_wanted: str = "electronic"
    delivery: str = "email"

    def cleaned(self) -> Application:
        return Application(**{f.name: str(getattr(self, f.name) or "").strip() for f in fields(self)})


# -- validation ---------------------------------------------------------------------------------------


def is_credit_code(code: str) -> bool:
    """统一社会信用代码 (GB 32100-2015): 18 characters with a mod-31 check character."""
    code = code.upper()
    if len(code) != 18 or any(ch not in _CREDIT_CODE_CHARS for ch in code):
        return False
    total = sum(
        _CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(code[:17], _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return _CREDIT_CODE_CHARS[(31 - total % 31) % 31] == code[17]


def validate(app: Application) -> Application:
    """The application cleaned, or a FoiError naming the first field to correct."""
    a = app.cleaned()
    if a.applicant_type not in APPLICANT_TYPES:
        raise FoiError("请选择申请人类型。", "applicant_type")
    if not a.name or len(a.name) > 100:
        raise FoiError("请填写申请人姓名或组织名称（不超过100字）。", "name")
    if a.applicant_type != "person" and not a.contact_person:
        raise FoiError("组织申请请填写联系人姓名。", "contact_person")
    if len(a.contact_person) > 50:
        raise FoiError("联系人姓名不超过50字。", "contact_person")
    if a.id_type not in ID_TYPES:
        raise FoiError("请选择证件类型。", "id_type")
    if a.applicant_type != "person" and a.id_type != "credit_code":
        raise FoiError("组织申请请填写统一社会信用代码。", "id_type")
    number = a.id_number.replace(" ", "").upper()
    if a.id_type == "resident_id" and not is_resident_id(number):
        raise FoiError("居民身份证号码不正确，请核对（18位，末位可为X）。", "id_number")
    if a.id_type == "credit_code" and not is_credit_code(number):
        raise FoiError("统一社会信用代码不正确，请核对（18位）。", "id_number")
    if not 4 <= len(number) <= 64:
        raise FoiError("请填写证件号码。", "id_number")
    a.id_number = number
    if not a.phone and not a.email:
        raise FoiError("请至少填写联系电话或电子邮箱中的一项。", "phone")
    if a.phone and not _PHONE_RE.match(a.phone):
        raise FoiError("联系电话格式不正确。", "phone")
    if a.email and (len(a.email) > 254 or not _EMAIL_RE.match(a.email)):
        raise FoiError("电子邮箱格式不正确。", "email")
    if len(a.address) > 300:
        raise FoiError("通信地址不超过300字。", "address")
    if not a.description:
        raise FoiError("请描述所需政府信息（名称、文号或便于查询的其他特征）。", "description")
    if len(a.description) > DESCRIPTION_MAX:
        raise FoiError(
            f"所需信息描述不能超过{DESCRIPTION_MAX}字（当前{len(a.description)}字）。", "description"
        )
    if len(a.doc_ref) > 200:
        raise FoiError("文件名称或文号不超过200字。", "doc_ref")
    if a.form_wanted not in FORMS:
        raise FoiError("请选择获取信息的形式。", "form_wanted")
    if a.delivery not in DELIVERY:
        raise FoiError("请选择获取信息的方式。", "delivery")
    if a.delivery == "post" and not a.address:
        raise FoiError("选择邮寄的，请填写通信地址。", "address")
    if a.delivery == "email" and not a.email:
        raise FoiError("选择电子邮件获取的，请填写电子邮箱。", "email")
    return a


def masked_id(number: str) -> str:
    """An ID number as staff without the FOI roles (and every list) see it."""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


# -- receipts and the applicant's query password -----------------------------------------------------

AREA = "foi"


def check_password(req: InfoRequest, password: str) -> bool:
    return receipts.check_password(req.secret_hash, password)


def find_for_applicant(sess: Session, code: str, password: str) -> InfoRequest | None:
    """The request for a receipt code and its password; None for either wrong (never says which)."""
    found = sess.scalars(
        select(InfoRequest).where(InfoRequest.receipt_code == receipts.normalize_code(code))
    ).first()
    if found is None:
        receipts.spend_time_like_a_check()
        return None
    return found if check_password(found, password) else None


# -- the clock ---------------------------------------------------------------------------------------


def _event(
    sess: Session, req: InfoRequest, actor: User | str, kind: str, on: date, note: str = "", **data: Any
) -> InfoRequestEvent:
    event = InfoRequestEvent(
        kind=kind,
        on=on,
        actor_name=actor.username if isinstance(actor, User) else actor,
        note=note,
        data=data,
    )
    req.events.append(event)
    clock = deadlines.run((e.kind, e.on, e.data or {}) for e in req.events)
    req.clock_start_on = clock.start
    req.due_on = None if req.concluded else clock.due
    req.extended_days = clock.extension
    event.due_on = req.due_on
    record(
        sess,
        actor,
        f"foi.{kind}",
        req,
        after={"on": on.isoformat(), "due_on": str(req.due_on or "")},
        note=note,
    )
    return event


def _require_state(req: InfoRequest, *states: str) -> None:
    if req.state not in states:
        raise FoiError("该申请当前状态不允许此操作，请刷新页面后重试。", status=409)


def _not_before(day: date, earliest: date | None, what: str) -> None:
    if earliest is not None and day < earliest:
        raise FoiError(f"{what}不能早于{earliest.isoformat()}。", "on")
    if day > today_local():
        raise FoiError(f"{what}不能晚于今天。", "on")


# -- receiving ---------------------------------------------------------------------------------------


def submission_key(nonce: str, agency_id: int, application: Application) -> str:
    """The idempotency key of an online application (see receipts.submission_key)."""
    a = application.cleaned()
    return receipts.submission_key(nonce, [str(agency_id), *(getattr(a, f.name) for f in fields(a))])


def sender_hash(secret_key: str, address: str) -> str:
    return receipts.sender_hash(secret_key, AREA, address)


def _throttle(sess: Session, sender: str) -> None:
    # Counted from the table itself, so the limit holds across workers and processes with no extra service.
    since = datetime.now(UTC) - timedelta(hours=1)
    recent = sess.scalar(
        select(func.count(InfoRequest.id)).where(
            InfoRequest.sender_hash == sender, InfoRequest.submitted_at >= since
        )
    )
    if sender and (recent or 0) >= SUBMISSIONS_PER_HOUR:
        raise FoiError(
            f"提交过于频繁：每小时最多提交{SUBMISSIONS_PER_HOUR}件申请，请一小时后再试。", status=429
        )


def submit_online(
    sess: Session, application: Application, agency: Agency, key: str, secret_key: str, sender: str = ""
) -> tuple[InfoRequest, str, bool]:
    """A citizen's online application, committed; returns it, its query password and whether it is new.

    Online applications are received on the day the office confirms them (art 31(3)); until then the
    request waits in the queue as 待登记确认.
    """
    if not receipts.is_valid_key(key):
        raise FoiError("表单已失效，请刷新页面后重新提交。")
    existing = sess.scalars(select(InfoRequest).where(InfoRequest.idempotency_key == key)).first()
    if existing is not None:
        return existing, receipts.query_password(secret_key, AREA, key), False
    data = validate(application)
    _throttle(sess, sender)
    password = receipts.query_password(secret_key, AREA, key)
    req = _new_request(sess, data, agency, "online", key, password, today_local().year)
    req.sender_hash = sender
    record(sess, "citizen", "foi.submit", req, note="网上申请")
    try:
        sess.commit()
    except IntegrityError:
        sess.rollback()
        again = sess.scalars(select(InfoRequest).where(InfoRequest.idempotency_key == key)).first()
        if again is None:
            raise
        return again, password, False
    return req, password, True


def _new_request(
    sess: Session, data: Application, agency: Agency, channel: str, key: str, password: str, year: int
) -> InfoRequest:
    req = InfoRequest(
        receipt_code=receipts.new_code("YSQ", year),
        secret_hash=receipts.hash_password(password),
        idempotency_key=key,
        agency_id=agency.id,
        first_agency_id=agency.id,
        channel=channel,
        submitted_at=datetime.now(UTC),
        state="submitted",
        **{f.name: getattr(data, f.name) for f in fields(data)},
    )
    sess.add(req)
    sess.flush()
    return req


def receipt_date(
    channel: str, arrived_on: date, signed_on: date | None = None, confirmed_on: date | None = None
) -> date:
    """The day the clock starts, by channel (art 31, NORMS 31).

    In person: the day it is handed in. Post that is signed for: the signing date. Ordinary mail: the day
    the office confirms it with the applicant. Online, fax and e-mail: the day both sides confirm.
    """
    if channel == "in_person":
        return arrived_on
    if channel == "post_signed":
        if signed_on is None:
            raise FoiError("邮寄需签收的申请，请填写签收日期。", "signed_on")
        return signed_on
    if channel in ("post_ordinary", "online", "fax", "email"):
        if confirmed_on is None:
            raise FoiError("请填写与申请人确认收到申请的日期。", "confirmed_on")
        if confirmed_on < arrived_on:
            raise FoiError("确认日期不能早于申请到达日期。", "confirmed_on")
        return confirmed_on
    raise FoiError("未知的申请渠道。", "channel")


def register(
    sess: Session,
    actor: User | str,
    application: Application,
    agency: Agency,
    channel: str,
    received_on: date,
    *,
    key: str | None = None,
    secret_key: str = "",
    note: str = "",
    submitted_at: datetime | None = None,
) -> tuple[InfoRequest, str]:
    """An application received in person, by post, fax or e-mail, registered by staff (art 31).

    ``received_on`` is the receipt date by :func:`receipt_date`. Returns the request and the applicant's
    query password (given to the applicant with the receipt).
    """
    if channel not in CHANNELS or channel == "online":
        raise FoiError("请选择线下申请渠道。", "channel")
    data = validate(application)
    key = key or secrets.token_urlsafe(24)
    password = receipts.query_password(secret_key or key, AREA, key)
    req = _new_request(sess, data, agency, channel, key, password, received_on.year)
    if submitted_at is not None:
        req.submitted_at = submitted_at
    req.received_on = received_on
    req.state = "open"
    _event(sess, req, actor, "received", received_on, note or CHANNELS[channel])
    return req, password


def confirm(sess: Session, actor: User | str, req: InfoRequest, on: date) -> None:
    """Confirm an online application with the applicant: that day is its receipt date (art 31(3))."""
    _require_state(req, "submitted")
    _not_before(on, local_day(req.submitted_at), "确认日期")
    req.received_on = on
    req.state = "open"
    _event(sess, req, actor, "received", on, "网上申请，已与申请人确认")


# -- pauses and the extension ------------------------------------------------------------------------


def request_correction(
    sess: Session, actor: User | str, req: InfoRequest, on: date, what: str, deadline: date
) -> None:
    """补正 (art 30): once, within 7 working days of receipt, saying what to supplement and by when."""
    _require_state(req, "open")
    if any(e.kind == "correction_requested" for e in req.events):
        raise FoiError("补正只能要求一次（《条例》第三十条）。")
    assert req.received_on is not None
    _not_before(on, req.received_on, "补正告知日期")
    latest = deadlines.correction_latest(req.received_on)
    if on > latest:
        raise FoiError(f"应在收到申请之日起7个工作日内一次性告知补正（最迟{latest.isoformat()}）。", "on")
    if not what.strip():
        raise FoiError("请写明需要补正的事项。", "what")
    if deadline <= on:
        raise FoiError("补正期限应晚于告知日期。", "deadline")
    req.state = "correction"
    req.pause_deadline_on = deadline
    _event(sess, req, actor, "correction_requested", on, what.strip(), deadline=deadline.isoformat())


def correction_received(sess: Session, actor: User | str, req: InfoRequest, on: date, note: str = "") -> None:
    """The corrected application arrived: the 20 working days start again from that day."""
    _require_state(req, "correction")
    _not_before(on, req.events[-1].on, "补正收到日期")
    req.state = "open"
    req.pause_deadline_on = None
    _event(sess, req, actor, "correction_received", on, note)


def third_party_sent(sess: Session, actor: User | str, req: InfoRequest, on: date, party: str) -> None:
    """Consult a third party (art 32): the clock stops until it answers (it has 15 working days)."""
    _require_state(req, "open")
    _not_before(on, req.clock_start_on, "征求意见日期")
    if not party.strip():
        raise FoiError("请填写第三方名称。", "party")
    req.state = "consulting"
    req.pause_deadline_on = deadlines.third_party_deadline(on)
    _event(sess, req, actor, "third_party_sent", on, party.strip())


def third_party_replied(sess: Session, actor: User | str, req: InfoRequest, on: date, note: str = "") -> None:
    _require_state(req, "consulting")
    _not_before(on, req.events[-1].on, "第三方答复日期")
    req.state = "open"
    req.pause_deadline_on = None
    _event(sess, req, actor, "third_party_replied", on, note)


def extend(sess: Session, actor: User | str, req: InfoRequest, on: date, days: int, reason: str) -> None:
    """One extension of up to 20 working days, approved by the office head, the applicant told (art 33)."""
    _require_state(req, "open", "drafted")
    if isinstance(actor, User) and not actor.has_role("foi_head", "admin"):
        raise FoiError("延期须经政府信息公开工作机构负责人同意。", status=403)
    if req.extended_days:
        raise FoiError("答复期限只能延长一次（《条例》第三十三条）。")
    if not 1 <= days <= deadlines.MAX_EXTENSION_DAYS:
        raise FoiError("延长期限最长不超过20个工作日。", "days")
    if not reason.strip():
        raise FoiError("请写明延期理由（将告知申请人）。", "reason")
    if req.due_on is not None and on > req.due_on:
        raise FoiError("答复期限已过，不能再延期。", "on")
    _not_before(on, req.clock_start_on, "延期日期")
    _event(sess, req, actor, "extended", on, reason.strip(), days=days)


# -- fees ------------------------------------------------------------------------------------------


def applications_in_month(sess: Session, req: InfoRequest) -> int:
    """Which application of its calendar month this is for the same applicant (by ID number)."""
    day = req.received_on or today_local()
    first = day.replace(day=1)
    return int(
        sess.scalar(
            select(func.count(InfoRequest.id)).where(
                InfoRequest.id_number == req.id_number,
                InfoRequest.received_on >= first,
                InfoRequest.received_on <= day,
                InfoRequest.id <= req.id,
            )
        )
        or 1
    )


def fee_notice(
    sess: Session, actor: User | str, req: InfoRequest, on: date, method: str, pages: int = 0
) -> int:
    """Issue a fee notice (one method per application); the clock stops until payment. Returns the fee."""
    _require_state(req, "open")
    if method not in fees.METHODS:
        raise FoiError("请选择收费方式（按件或按量，二者只能选一）。", "method")
    if any(e.kind == "fee_notice" for e in req.events):
        raise FoiError("同一申请只能发出一次收费通知。")
    count = applications_in_month(sess, req) if method == "per_application" else pages
    amount = fees.fee(method, count)
    if amount == 0:
        raise FoiError("按收费标准该申请无需收费。", "method")
    _not_before(on, req.clock_start_on, "收费通知日期")
    req.state = "fee"
    req.fee_method, req.fee_amount = method, amount
    req.pause_deadline_on = add_working_days(on, fees.PAYMENT_WORKING_DAYS)
    _event(
        sess, req, actor, "fee_notice", on, f"{fees.METHODS[method]}，{amount}元", count=count, amount=amount
    )
    return amount


def fee_paid(sess: Session, actor: User | str, req: InfoRequest, on: date) -> None:
    _require_state(req, "fee")
    _not_before(on, req.events[-1].on, "缴费日期")
    req.state = "open"
    req.fee_paid_on = on
    req.pause_deadline_on = None
    _event(sess, req, actor, "fee_paid", on)


def lapse(sess: Session, actor: User | str, req: InfoRequest, on: date) -> None:
    """The applicant let the 补正 or payment deadline pass: the request ends without processing."""
    _require_state(req, "correction", "fee")
    assert req.pause_deadline_on is not None
    if on <= req.pause_deadline_on:
        raise FoiError(f"期限（{req.pause_deadline_on.isoformat()}）届满后才能按逾期处理。", "on")
    outcome = "other_no_correction" if req.state == "correction" else "other_no_fee"
    req.outcome = outcome
    req.state = "closed"
    req.concluded_on = on
    req.pause_deadline_on = None
    _event(sess, req, actor, "lapsed", on, OUTCOMES[outcome].label, outcome=outcome)


# -- transfer, reply, withdrawal -----------------------------------------------------------------------


def transfer(
    sess: Session, actor: User | str, req: InfoRequest, agency: Agency, note: str, on: date | None = None
) -> None:
    """Hand the request to another agency; the receipt date and the clock are kept."""
    if req.concluded:
        raise FoiError("已办结的申请不能转办。", status=409)
    if agency.id == req.agency_id:
        raise FoiError("请选择其他单位。", "agency")
    before = req.agency.name
    req.agency_id = agency.id
    req.agency = agency
    _event(
        sess, req, actor, "transferred", on or today_local(), f"由{before}转至{agency.name}。{note.strip()}"
    )


def draft_reply(
    sess: Session,
    actor: User | str,
    req: InfoRequest,
    outcome: str,
    detail: str = "",
    link: str = "",
    body: str = "",
    letter_text: str = "",
    on: date | None = None,
) -> None:
    """Choose the outcome and draft the reply letter; another person reviews it before it is issued."""
    _require_state(req, "open", "drafted")
    if outcome not in REPLY_OUTCOMES:
        raise FoiError("请选择答复类型。", "outcome")
    needs = OUTCOMES[outcome].needs
    if needs == "link" and not link.strip():
        raise FoiError("已主动公开的，请填写信息公开的位置（网址或栏目）。", "link")
    if needs == "body" and not body.strip():
        raise FoiError("请填写负责公开该信息的机关名称和联系方式。", "body")
    if needs == "reason" and not detail.strip():
        raise FoiError("请写明理由（将写入答复告知书）。", "detail")
    req.outcome, req.outcome_detail = outcome, detail.strip()
    req.outcome_link, req.refer_body = link.strip(), body.strip()
    req.letter_text = letter_text.strip() or letters.reply_letter(req)
    req.letter_drafted_by_id = actor.id if isinstance(actor, User) else None
    req.state = "drafted"
    _event(sess, req, actor, "drafted", on or today_local(), OUTCOMES[outcome].label, outcome=outcome)


def return_draft(sess: Session, actor: User | str, req: InfoRequest, remark: str) -> None:
    _require_state(req, "drafted")
    if not remark.strip():
        raise FoiError("请写明退回意见。", "remark")
    req.state = "open"
    _event(sess, req, actor, "returned", today_local(), remark.strip())


def issue_reply(sess: Session, actor: User | str, req: InfoRequest, on: date) -> None:
    """Approve and issue the reply letter: four eyes, the drafter cannot issue their own draft."""
    _require_state(req, "drafted")
    if isinstance(actor, User):
        if not actor.has_role("foi_head", "admin"):
            raise FoiError("答复告知书须经负责人审核后出具。", status=403)
        if actor.id == req.letter_drafted_by_id:
            raise FoiError("起草人不能审核自己起草的答复（四眼原则）。", status=403)
        req.letter_approved_by_id = actor.id
    _not_before(on, req.clock_start_on, "答复日期")
    req.state = "answered"
    req.concluded_on = on
    _event(sess, req, actor, "replied", on, OUTCOMES[req.outcome].label, outcome=req.outcome)


def withdraw(sess: Session, actor: User | str, req: InfoRequest, on: date, note: str) -> None:
    """The applicant withdrew the application: concluded as 其他处理."""
    if req.concluded:
        raise FoiError("已办结的申请不能撤回。", status=409)
    if not note.strip():
        raise FoiError("请记录撤回方式（如书面撤回申请）。", "note")
    req.outcome, req.outcome_detail = "other_other", f"申请人撤回申请：{note.strip()}"
    req.state, req.concluded_on, req.pause_deadline_on = "closed", on, None
    _event(sess, req, actor, "withdrawn", on, note.strip(), outcome="other_other")


# -- remedies (table 4) --------------------------------------------------------------------------------


def add_remedy(
    sess: Session,
    actor: User | str,
    req: InfoRequest,
    kind: str,
    filed_on: date,
    result: str = "pending",
    decided_on: date | None = None,
    note: str = "",
) -> InfoRequestRemedy:
    if kind not in REMEDY_KINDS:
        raise FoiError("请选择复议或诉讼类型。", "kind")
    if result not in REMEDY_RESULTS:
        raise FoiError("请选择结果。", "result")
    if (result == "pending") != (decided_on is None):
        raise FoiError("已审结的请填写审结日期；尚未审结的不填。", "decided_on")
    if decided_on is not None and decided_on < filed_on:
        raise FoiError("审结日期不能早于提起日期。", "decided_on")
    remedy = InfoRequestRemedy(kind=kind, filed_on=filed_on, result=result, decided_on=decided_on, note=note)
    req.remedies.append(remedy)
    record(
        sess,
        actor,
        "foi.remedy",
        req,
        after={"kind": kind, "result": result, "filed_on": filed_on.isoformat()},
    )
    return remedy


def audit_view(sess: Session, actor: User, req: InfoRequest) -> None:
    """Every view of an applicant's personal data by staff is in the audit log."""
    record(sess, actor, "foi.view", req)
