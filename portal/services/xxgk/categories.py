"""Disclosure categories (公开类别): where a document or information page is listed in the column.

The fifteen categories of 条例 art 20 are law and fixed here (NORMS 2); a district's additions (art 21)
are configuration, loaded from content into :class:`~portal.models.xxgk.DisclosureCategory`. One more
category, 政府信息公开制度, is not an art 20 one: it files the disclosure rules documents shown by the
column's 制度 section (NORMS 3) rather than under 法定主动公开内容.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.annual_reports import GENRE as REPORT_GENRE
from portal.models.xxgk import DisclosureCategory

# The annual reports (the annual-report area composes them) are listed by the 年报 section by their genre
# and need no category of their own.
ANNUAL_REPORT_GENRE = REPORT_GENRE
SLUG_RE = r"^[a-z][a-z0-9-]{1,31}$"


@dataclass(frozen=True)
class Category:
    slug: str
    name: str  # short, for lists and the drop-down
    description: str  # the wording of the rule
    basis: str  # the rule that asks for it
    kind: str = "statutory"  # statutory (art 20) | district (art 21, from content) | rules (制度)


def _art20(n: str, slug: str, name: str, description: str) -> Category:
    return Category(slug, name, description, f"《政府信息公开条例》第二十条第（{n}）项")


STATUTORY: tuple[Category, ...] = (
    _art20("一", "gzwj", "规章和规范性文件", "行政法规、规章和规范性文件"),
    _art20("二", "jgzn", "机关职能", "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名"),
    _art20("三", "ghxx", "规划信息", "国民经济和社会发展规划、专项规划、区域规划及相关政策"),
    _art20("四", "tjxx", "统计信息", "国民经济和社会发展统计信息"),
    _art20("五", "xzxk", "行政许可", "办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果"),
    _art20(
        "六",
        "xzcf",
        "行政处罚和行政强制",
        "实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定",
    ),
    _art20("七", "czys", "财政预决算", "财政预算、决算信息"),
    _art20("八", "xzsf", "行政事业性收费", "行政事业性收费项目及其依据、标准"),
    _art20("九", "zfcg", "政府集中采购", "政府集中采购项目的目录、标准及实施情况"),
    _art20("十", "zdxm", "重大建设项目", "重大建设项目的批准和实施情况"),
    _art20(
        "十一",
        "msbz",
        "扶贫、教育、医疗、社保、就业",
        "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况",
    ),
    _art20("十二", "yjgl", "突发公共事件应对", "突发公共事件的应急预案、预警信息及应对情况"),
    _art20(
        "十三",
        "jdjc",
        "监督检查",
        "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况",
    ),
    _art20("十四", "gwyzl", "公务员招考", "公务员招考的职位、名额、报考条件等事项以及录用结果"),
    _art20(
        "十五", "qtxx", "其他应主动公开的信息", "法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息"
    ),
)
RULES = Category(
    "xxgkzd",
    "政府信息公开制度",
    "本区政府信息公开工作的规章制度：工作规则、工作要点、保密审查、依申请公开办理规范等",
    "政府信息公开专栏的设置（国办公开办函〔2019〕61号）",
    kind="rules",
)


def district(sess: Session) -> list[Category]:
    rows = sess.scalars(
        select(DisclosureCategory).order_by(DisclosureCategory.position, DisclosureCategory.id)
    )
    return [Category(r.slug, r.name, r.description, r.basis, kind="district") for r in rows]


def sections(sess: Session) -> list[Category]:
    """The sections of 法定主动公开内容: art 20 in its order, then the district's additions."""
    return [*STATUTORY, *district(sess)]


def all_categories(sess: Session) -> list[Category]:
    return [*sections(sess), RULES]


def lookup(sess: Session, value: str) -> Category | None:
    """A category by slug or by name (content files may use either)."""
    value = (value or "").strip()
    if not value:
        return None
    return next((c for c in all_categories(sess) if value in (c.slug, c.name)), None)


def choices(sess: Session) -> list[tuple[str, str]]:
    """For the staff form's drop-down: value and label (with the article, so the choice is informed)."""
    out = []
    for c in all_categories(sess):
        where = {"district": "本区增加", "rules": "公开制度"}.get(c.kind) or c.basis.removeprefix(
            "《政府信息公开条例》"
        )
        out.append((c.slug, f"{c.name}（{where}）"))
    return out
