"""Push channels and agencies, as configured by admins."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
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
    if not form.name:
        problems.append(RuleProblem("name", "请填写部门全称。", "missing required field 'name'"))
    elif len(form.name) > NAME_MAX:
        problems.append(
            RuleProblem(
                "name", f"全称不能超过 {NAME_MAX} 个字符。", f"'name' must be at most {NAME_MAX} characters"
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
    wanted = {
        "slug": form.slug,
        "name": form.name,
        "short_name": form.short_name,
        "kind": form.kind,
        "parent_id": form.parent_id,
        # Outside the district (issues, owns nothing); saving the form is the review of an issuer that was
        # created on the fly.
        "external": form.external,
        "needs_review": False,
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
    )
    return agency
