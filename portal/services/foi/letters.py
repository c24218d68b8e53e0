"""The reply letter (政府信息公开申请答复告知书) drafted from a request's outcome.

Staff may edit the draft before it is reviewed; the printed letter adds the issuing body and date. Every
letter names its legal basis and the applicant's remedies (行政复议 within 60 days, 行政诉讼 within six
months: 行政复议法 art 20, 行政诉讼法 art 46).
"""

from __future__ import annotations

from portal.models.foi import InfoRequest
from portal.services.foi.outcomes import OUTCOMES

# Where a district department's decisions are reviewed; the district government's own go to the city.
DISTRICT_GOVERNMENT = "北京市西城区人民政府"
CITY_GOVERNMENT = "北京市人民政府"


def review_body(req: InfoRequest) -> str:
    return CITY_GOVERNMENT if req.agency.kind == "government" else DISTRICT_GOVERNMENT


def _outcome_paragraph(req: InfoRequest) -> str:
    o = OUTCOMES[req.outcome]
    detail = f"{req.outcome_detail}" if req.outcome_detail else ""
    texts = {
        "disclosed": "经审查，您申请获取的政府信息属于公开范围，本机关予以公开，现按您要求的形式提供。",
        "already_public": f"经审查，您申请获取的政府信息已经主动公开，您可以通过以下途径获取：{req.outcome_link}。",
        "partly": f"经审查，您申请获取的政府信息中部分内容不予公开，理由是：{detail}。本机关对可以公开的部分予以提供。",
        "refer": f"经审查，您申请获取的政府信息不属于本机关负责公开。负责公开该信息的机关为：{req.refer_body}，请向其提出申请。",
        "not_held": "经检索，本机关未制作或获取您申请公开的政府信息，该政府信息不存在。",
        "unavailable_create": "经审查，您申请获取的信息需要本机关对现有政府信息进行加工、分析，本机关不予提供。",
        "unavailable_unclear": "经补正后，您的申请内容仍不明确，本机关无法确定您所需的政府信息。",
    }
    if req.outcome in texts:
        text = texts[req.outcome]
    elif req.outcome.startswith("refused_"):
        text = f"经审查，您申请获取的政府信息{o.label.removeprefix('不予公开：')}，本机关不予公开。{detail}"
    else:
        text = f"经审查，{o.label}。{detail}"
    basis = f"依据{o.basis}的规定，" if o.basis else ""
    return f"{basis}{text}".replace("。。", "。")


def reply_letter(req: InfoRequest) -> str:
    """The letter's body, ready for review (plain text, paragraphs separated by blank lines)."""
    received = req.received_on.strftime("%Y年%m月%d日") if req.received_on else ""
    parts = [
        f"{req.name}：",
        f"本机关于{received}收到您（单位）提出的政府信息公开申请（登记号：{req.receipt_code}），"
        f"申请获取：{req.description}",
        _outcome_paragraph(req),
        f"如对本答复不服，可以自收到本告知书之日起60日内向{review_body(req)}申请行政复议，"
        "或者自收到本告知书之日起6个月内依法向人民法院提起行政诉讼。",
    ]
    return "\n\n".join(parts)


def issued_date_text(req: InfoRequest) -> str:
    if req.concluded_on is None:
        return "（出具时填写）"
    return f"{req.concluded_on.year}年{req.concluded_on.month}月{req.concluded_on.day}日"
