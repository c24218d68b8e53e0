"""How a request can end: each outcome is one row of table 3 of the 2021 annual-report format.

The rows are those of 国办公开办函〔2021〕30号 (NORMS 40). Two outcomes the regulation names separately
land on an existing row: 已主动公开 (art 36(1), told where to find it) counts as 予以公开, and 告知向有关机关
申请 (art 36(5), the body that holds it named) as 无法提供/本机关不掌握. Nothing else is ever typed into the
report: it counts these codes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    key: str
    group: str  # （一）…（六）
    label: str


@dataclass(frozen=True)
class Outcome:
    code: str
    row: str  # the Row.key it is counted in
    label: str
    basis: str  # the legal basis quoted in the reply letter
    needs: str = ""  # "link" (where it is public) | "body" (who holds it) | "reason" (why)


REPORT_ROWS: tuple[Row, ...] = (
    Row("disclosed", "（一）予以公开", "予以公开"),
    Row("partly", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
    Row("refused_secret", "（三）不予公开", "1.属于国家秘密"),
    Row("refused_law", "（三）不予公开", "2.其他法律行政法规禁止公开"),
    Row("refused_safety", "（三）不予公开", "3.危及“三安全一稳定”"),
    Row("refused_third_party", "（三）不予公开", "4.保护第三方合法权益"),
    Row("refused_internal", "（三）不予公开", "5.属于三类内部事务信息"),
    Row("refused_process", "（三）不予公开", "6.属于四类过程性信息"),
    Row("refused_enforcement", "（三）不予公开", "7.属于行政执法案卷"),
    Row("refused_query", "（三）不予公开", "8.属于行政查询事项"),
    Row("unavailable_not_held", "（四）无法提供", "1.本机关不掌握相关政府信息"),
    Row("unavailable_create", "（四）无法提供", "2.没有现成信息需要另行制作"),
    Row("unavailable_unclear", "（四）无法提供", "3.补正后申请内容仍不明确"),
    Row("ignored_petition", "（五）不予处理", "1.信访举报投诉类申请"),
    Row("ignored_repeat", "（五）不予处理", "2.重复申请"),
    Row("ignored_publication", "（五）不予处理", "3.要求提供公开出版物"),
    Row("ignored_excessive", "（五）不予处理", "4.无正当理由大量反复申请"),
    Row("ignored_confirm", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    Row(
        "other_no_correction",
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ),
    Row(
        "other_no_fee",
        "（六）其他处理",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    ),
    Row("other_other", "（六）其他处理", "3.其他"),
)
ROW_KEYS = tuple(row.key for row in REPORT_ROWS)

_ART = "《中华人民共和国政府信息公开条例》"

OUTCOMES: dict[str, Outcome] = {
    o.code: o
    for o in (
        Outcome("disclosed", "disclosed", "予以公开", f"{_ART}第三十六条第（二）项"),
        Outcome(
            "already_public",
            "disclosed",
            "已主动公开，告知获取方式和途径",
            f"{_ART}第三十六条第（一）项",
            "link",
        ),
        Outcome("partly", "partly", "部分公开", f"{_ART}第三十七条", "reason"),
        Outcome("refused_secret", "refused_secret", "不予公开：属于国家秘密", f"{_ART}第十四条", "reason"),
        Outcome(
            "refused_law", "refused_law", "不予公开：法律、行政法规禁止公开", f"{_ART}第十四条", "reason"
        ),
        Outcome(
            "refused_safety",
            "refused_safety",
            "不予公开：公开后可能危及国家安全、公共安全、经济安全、社会稳定",
            f"{_ART}第十四条",
            "reason",
        ),
        Outcome(
            "refused_third_party",
            "refused_third_party",
            "不予公开：涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害",
            f"{_ART}第十五条",
            "reason",
        ),
        Outcome(
            "refused_internal",
            "refused_internal",
            "不予公开：属于人事管理、后勤管理、内部工作流程等内部事务信息",
            f"{_ART}第十六条第一款",
            "reason",
        ),
        Outcome(
            "refused_process",
            "refused_process",
            "不予公开：属于讨论记录、过程稿、磋商信函、请示报告等过程性信息",
            f"{_ART}第十六条第二款",
            "reason",
        ),
        Outcome(
            "refused_enforcement",
            "refused_enforcement",
            "不予公开：属于行政执法案卷信息",
            f"{_ART}第十六条第二款",
            "reason",
        ),
        Outcome(
            "refused_query",
            "refused_query",
            "不予公开：属于行政查询事项",
            f"{_ART}第三十六条第（七）项",
            "reason",
        ),
        Outcome(
            "not_held", "unavailable_not_held", "本机关不掌握相关政府信息", f"{_ART}第三十六条第（四）项"
        ),
        Outcome(
            "refer",
            "unavailable_not_held",
            "不属于本机关负责公开，告知向有关机关申请",
            f"{_ART}第三十六条第（五）项",
            "body",
        ),
        Outcome(
            "unavailable_create", "unavailable_create", "没有现成信息，需要另行制作", f"{_ART}第三十八条"
        ),
        Outcome("unavailable_unclear", "unavailable_unclear", "补正后申请内容仍不明确", f"{_ART}第三十条"),
        Outcome(
            "ignored_petition",
            "ignored_petition",
            "属于信访、投诉、举报等事项，不作为政府信息公开申请处理",
            f"{_ART}第三十九条第一款",
        ),
        Outcome("ignored_repeat", "ignored_repeat", "重复申请，不予重复处理", f"{_ART}第三十六条第（六）项"),
        Outcome(
            "ignored_publication",
            "ignored_publication",
            "要求提供公开出版物，告知获取途径",
            f"{_ART}第三十九条第二款",
        ),
        Outcome(
            "ignored_excessive",
            "ignored_excessive",
            "无正当理由大量、频繁申请",
            f"{_ART}第三十五条",
            "reason",
        ),
        Outcome("ignored_confirm", "ignored_confirm", "要求确认或重新出具已获取的信息", f"{_ART}第三十九条"),
        Outcome("other_no_correction", "other_no_correction", "逾期未补正，不再处理", f"{_ART}第三十条"),
        Outcome(
            "other_no_fee",
            "other_no_fee",
            "逾期未缴纳信息处理费，不再处理",
            f"{_ART}第四十二条、《政府信息公开信息处理费管理办法》",
        ),
        Outcome("other_other", "other_other", "其他处理（如申请人撤回申请）", "", "reason"),
    )
}
# Outcomes staff choose when replying; the two lapses are set by the clock, never chosen.
REPLY_OUTCOMES = tuple(code for code in OUTCOMES if code not in ("other_no_correction", "other_no_fee"))
