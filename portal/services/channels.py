"""Push channels and agencies, as configured by admins."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Channel, User
from portal.models.agency import AGENCY_KINDS
from portal.models.push import CHANNEL_KINDS
from portal.services.audit import record
from portal.services.compliance import RuleProblem
from portal.services.editing import FormErrors
from portal.services.fields import shown
from portal.services.numbers import parse_int
from portal.services.refusals import refuse

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class ChannelForm:
    name: str
    kind: str
    new_media: bool
    active: bool
    url: str = ""
    secret: str = ""
    recipients: list[str] | None = None


def parse_channel_form(sess: Session, form: Any, channel: Channel | None) -> ChannelForm:
    """Read a channel from a mapping of form values (as posted, or written in a test) and check it."""
    f = ChannelForm(
        name=(form.get("name") or "").strip(),
        kind=(form.get("kind") or "").strip(),
        new_media=form.get("new_media") in {"1", "on"},
        active=form.get("active") in {"1", "on"},
        url=(form.get("url") or "").strip(),
        secret=(form.get("secret") or "").strip(),
        recipients=split_recipients(form.get("recipients") or ""),
    )
    return check_channel(sess, f, channel)


def split_recipients(raw: str) -> list[str]:
    return [r for r in re.split(r"[\s,，;；]+", raw) if r]


def check_channel(sess: Session, f: ChannelForm, channel: Channel | None) -> ChannelForm:
    """Check a channel's settings; raises FormErrors listing every problem. A channel keeps its kind."""
    if channel is not None:
        f.kind = channel.kind
    errors: dict[str, str] = {}
    if not f.name or len(f.name) > 128:
        errors["name"] = "请填写渠道名称（不超过 128 个字符）。"
    else:
        clash = sess.scalar(select(Channel.id).where(Channel.name == f.name))
        if clash is not None and (channel is None or clash != channel.id):
            errors["name"] = "已有同名渠道。"
    if f.kind not in CHANNEL_KINDS:
        errors["kind"] = "请选择渠道类型。"
    elif f.kind == "webhook":
        if not re.match(r"^https?://[^\s/]+", f.url):
            errors["url"] = "Webhook 地址须以 http:// 或 https:// 开头。"
        if f.secret and len(f.secret) < 16:
            errors["secret"] = "签名密钥至少 16 个字符（留空则自动生成）。"
    elif f.kind == "email":
        bad = [r for r in f.recipients or [] if not EMAIL_RE.match(r)]
        if bad:
            errors["recipients"] = f"收件人地址格式不正确：{'、'.join(bad[:3])}。"
        elif not f.recipients:
            errors["recipients"] = "请至少填写一个收件人。"
    if errors:
        raise FormErrors(errors)
    return f


def get_channel(sess: Session, channel_id: int) -> Channel | None:
    return sess.get(Channel, channel_id)


def _public_state(channel: Channel) -> dict[str, Any]:
    config = {k: v for k, v in (channel.config or {}).items() if k != "secret"}  # never log the secret
    return {
        "name": channel.name,
        "kind": channel.kind,
        "new_media": channel.new_media,
        "active": channel.active,
        "config": config,
    }


def save_channel(sess: Session, user: User, form: ChannelForm, channel: Channel | None = None) -> Channel:
    before = _public_state(channel) if channel else None
    if channel is None:
        channel = Channel(kind=form.kind, config={})
        sess.add(channel)
    channel.name = form.name
    channel.new_media = form.new_media
    channel.active = form.active
    if form.kind == "webhook":
        secret = form.secret or (channel.config or {}).get("secret") or secrets.token_urlsafe(32)
        channel.config = {"url": form.url, "secret": secret}
    elif form.kind == "email":
        channel.config = {"recipients": form.recipients or []}
    else:
        channel.config = {}
    sess.flush()
    record(
        sess,
        user,
        "channel.create" if before is None else "channel.update",
        channel,
        before=before,
        after=_public_state(channel),
    )
    return channel


# -- agencies ---------------------------------------------------------------------------------------


@dataclass
class AgencyForm:
    """An agency's values as a writer gives them (the admins' form, ``agencies.yml``), not yet checked."""

    slug: str
    name: str
    short_name: str = ""
    kind: str = "department"
    parent_id: int | None = None
    external: bool = False
    position: int | None = None  # the place in the register's order; None keeps it (the form has none)


def agencies_in_order(sess: Session) -> list[Agency]:
    """Every agency in the register's order (the choices of the staff forms)."""
    return list(sess.scalars(select(Agency).order_by(Agency.position, Agency.id)))


def get_agency(sess: Session, agency_id: int) -> Agency | None:
    return sess.get(Agency, agency_id)


def agency_names(sess: Session, raw_ids: list[str]) -> list[str]:
    """The names of the agencies whose ids a form sent (ids that name none are left out)."""
    ids = [i for i in map(parse_int, raw_ids) if i is not None]
    return [a.name for i in ids if (a := sess.get(Agency, i)) is not None]


AGENCY_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
NAME_MAX, SHORT_NAME_MAX = 128, 64  # the column sizes


def check_agency(sess: Session, form: AgencyForm, agency: Agency | None) -> list[RuleProblem]:
    """Every rule ``form`` breaks, one problem per field: the rules of every writer of the register."""
    problems: list[RuleProblem] = []

    def clash(column: Any, value: str) -> bool:
        other = sess.scalar(select(Agency.id).where(column == value))
        return other is not None and (agency is None or other != agency.id)

    if not AGENCY_SLUG_RE.match(form.slug):
        problems.append(
            RuleProblem(
                "slug",
                "标识只能包含小写字母、数字和连字符，2–64 个字符。",
                f"bad slug '{shown(form.slug, 70)}' (2-64 lower-case letters, digits and hyphens)",
            )
        )
    elif clash(Agency.slug, form.slug):
        problems.append(
            RuleProblem("slug", "标识已被使用。", f"slug '{form.slug}' is used by another agency")
        )
    if not form.name.strip():
        problems.append(RuleProblem("name", "请填写部门全称。", "missing required field 'name'"))
    elif len(form.name) > NAME_MAX:
        problems.append(
            RuleProblem(
                "name", f"全称不能超过 {NAME_MAX} 个字符。", f"'name' must be at most {NAME_MAX} characters"
            )
        )
    elif not _readable(form.name):
        problems.append(
            RuleProblem(
                "name",
                "全称须含有文字，且不能含有控制字符或不可见字符。",
                f"'name' '{shown(form.name, 70)}' must have letters and no control or invisible characters",
            )
        )
    elif clash(Agency.name, form.name):
        problems.append(
            RuleProblem("name", "已有同名部门。", f"name '{form.name}' is used by another agency")
        )
    if len(form.short_name) > SHORT_NAME_MAX:
        problems.append(
            RuleProblem(
                "short_name",
                f"简称不能超过 {SHORT_NAME_MAX} 个字符。",
                f"'short_name' must be at most {SHORT_NAME_MAX} characters",
            )
        )
    if form.kind not in AGENCY_KINDS:
        problems.append(
            RuleProblem(
                "kind",
                "部门类型无效。",
                f"unknown kind '{shown(form.kind)}' (allowed: {', '.join(AGENCY_KINDS)})",
            )
        )
    parent = sess.get(Agency, form.parent_id) if form.parent_id is not None else None
    if form.parent_id is not None and (parent is None or (agency is not None and parent.id == agency.id)):
        problems.append(
            RuleProblem("parent_id", "上级部门无效。", "'parent' must be another agency, listed earlier")
        )
    return problems


def _readable(name: str) -> bool:
    """A name staff can read and type: some letters or Chinese characters, and no control (Cc) or
    invisible format characters (Cf: zero-width spaces, BOM), which would make two names that look the
    same differ, and which PostgreSQL refuses in text (NUL)."""
    has_letters = re.search(r"[\u4e00-\u9fffA-Za-z]", name) is not None
    return has_letters and not any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in name)


def agency_state(agency: Agency) -> dict[str, Any]:
    return {
        "slug": agency.slug,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "parent_id": agency.parent_id,
        "external": agency.external,
        "position": agency.position,
        "needs_review": agency.needs_review,
    }


def save_agency(sess: Session, actor: User | str, form: AgencyForm, agency: Agency | None = None) -> Agency:
    """Create or update an agency, with an audit entry: the one write of the register, for the admins'
    form and ``portal load`` alike. Raises :class:`~portal.services.refusals.Refused` (writing nothing)
    when a rule is broken; an update that changes nothing writes nothing."""
    refuse(check_agency(sess, form, agency))
    return _write_agency(sess, actor, form, agency, needs_review=False)


def _write_agency(
    sess: Session,
    actor: User | str,
    form: AgencyForm,
    agency: Agency | None,
    needs_review: bool,
    note: str = "",
) -> Agency:
    """Write a checked form and audit it (nothing when an update changes nothing)."""
    wanted = {
        "slug": form.slug,
        "name": form.name,
        "short_name": form.short_name,
        "kind": form.kind,
        "parent_id": form.parent_id,
        # Outside the district (issues, owns nothing); saving the form is the review of an issuer that was
        # created on the fly.
        "external": form.external,
        "needs_review": needs_review,
    }
    if form.position is not None:
        wanted["position"] = form.position
    before = None if agency is None else agency_state(agency)
    if before is not None and all(before[k] == v for k, v in wanted.items()):
        return agency  # type: ignore[return-value]  # before is None when agency is
    if agency is None:
        agency = Agency(slug=form.slug, name=form.name)
        sess.add(agency)
    for name, value in wanted.items():
        setattr(agency, name, value)
    sess.flush()
    record(
        sess,
        actor,
        "agency.create" if before is None else "agency.update",
        agency,
        before=before,
        after=agency_state(agency),
        note=note,
    )
    return agency


# -- issuers (发文机关) created on the fly ------------------------------------------------------------

ISSUER_NOTE = "作为发文机关新建，待管理员核实"
_SPACE_BESIDE_WIDE = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")


def issuer_name(raw: str) -> str:
    """An issuer's name as typed or found in a text, as it is matched and stored: every run of whitespace
    (full-width spaces and line breaks too) one space, and none beside a Chinese character, so that
    ``中共北京市委　办公厅`` and ``中共北京市委办公厅`` name one body."""
    return _SPACE_BESIDE_WIDE.sub("", " ".join(raw.split()))


def find_issuer(sess: Session, raw: str) -> Agency | None:
    """The agency an issuer's name refers to: by full name, short name or slug, whitespace aside."""
    name = issuer_name(raw)
    if not name:
        return None
    match = (Agency.slug == name) | (Agency.name == name) | (Agency.short_name == name)
    return sess.scalars(select(Agency).where(match).order_by(Agency.id)).first()


def _issuer_form(sess: Session, name: str) -> AgencyForm:
    """A new issuer's register entry: outside the district, a slug made from its name."""
    base = "issuer-" + hashlib.blake2b(name.encode(), digest_size=4).hexdigest()
    slug, n = base, 1
    while sess.scalar(select(Agency.id).where(Agency.slug == slug)) is not None:  # a hash collision
        n += 1
        slug = f"{base}-{n}"
    position = (sess.scalar(select(func.max(Agency.position))) or 0) + 1
    kind = "party" if name.startswith("中共") else "other"
    return AgencyForm(slug=slug, name=name, kind=kind, external=True, position=position)


def issuer_problems(sess: Session, raw: str) -> list[RuleProblem]:
    """The register's rules a new issuer of this name would break ([] for a known one): checked by the
    staff form before anything is saved, so that its message stands beside the issuers."""
    if find_issuer(sess, raw) is not None:
        return []
    name = issuer_name(raw)
    return check_agency(sess, _issuer_form(sess, name), None)


def new_issuer(sess: Session, actor: User | str, raw: str) -> Agency:
    """The agency of an issuer (发文机关) that staff typed or the importer found in a text: the known one
    (see :func:`find_issuer`), else a new external agency marked for review (issue 12) — under the
    rules of :func:`check_agency` and audited as ``actor``, like every write of the register.
    Raises :class:`~portal.services.refusals.Refused` for a name the register would refuse."""
    known = find_issuer(sess, raw)
    if known is not None:
        return known
    form = _issuer_form(sess, issuer_name(raw))
    refuse(check_agency(sess, form, None))
    return _write_agency(sess, actor, form, None, needs_review=True, note=ISSUER_NOTE)
