"""The targets the portal knows how to compute: label, kind, 口径说明 and the population behind each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from portal.services.targets.populations import (
    Population,
    meeting_population,
    predisclosure_population,
    push_population,
    qa_population,
    zombie_population,
)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    kind: str  # rate: value >= goal | growth: this year's rate vs last year's | zero: nothing may remain
    numerator_label: str
    denominator_label: str
    definition: str  # 口径说明
    population: Callable[[Session, int, date], Population] | None = None
    unmeasurable: str = ""  # why there is no figure yet, when population is None


METRICS: dict[str, Metric] = {
    m.key: m
    for m in [
        Metric(
            "qa_rate",
            "新出台政策配发问答比率",
            "rate",
            "配发问答解读的文件",
            "当年首次发布的主动公开文件",
            "当年首次发布（按北京时间发布日期）、公开属性为主动公开、当前处于发布状态的政策文件中，"
            "至少有一篇已发布的问答形式（简明问答）政策解读的比例。解读发布时间不限；仅有图解、视频或"
            "文字解读的文件不计入分子。已撤回的文件不计入分母。",
            qa_population,
        ),
        Metric(
            "new_media_push_rate",
            "通过政务新媒体渠道主动推送信息比率",
            "rate",
            "已在新媒体渠道推送的条目",
            "当年发布的文件、解读和意见征集",
            "当年发布的政策文件（首次发布）、政策解读和意见征集（开始征集）中，至少有一次推送在标记为政务新媒体"
            "的渠道上送达成功的比例。推送失败或待发送、仅推送至网站订阅源或邮件等非新媒体渠道的不计入分子。"
            "已撤回的文件和解读（含所属文件已撤回的解读）不计入；未发布的意见征集不在统计范围内。",
            push_population,
        ),
        Metric(
            "predisclosure_rate_growth",
            "行政规范性文件预公开比率",
            "growth",
            "经预公开（意见征集）后出台的规范性文件",
            "当年发布的规范性文件",
            "当年首次发布、当前处于发布状态的行政规范性文件中，出台前经过意见征集（预公开）的比例，与上一年度"
            "同口径比率相比。“经过意见征集”指有一项已发布的意见征集在反馈中关联本文件为最终出台文件，且征集开始"
            "日期不晚于文件成文日期（无成文日期时按发布日期）。已撤回的文件不计入。",
            predisclosure_population,
        ),
        Metric(
            "meeting_openness_growth",
            "部门和街道会议开放比率",
            "growth",
            "开放的会议",
            "当年已召开的部门和街道会议",
            "当年已召开（会议日期不晚于今日、未取消）的区政府部门和街道会议中，邀请企业市民代表、专家学者或"
            "媒体列席，或进行网络直播的会议所占比例，与上一年度同口径比率相比。区政府常务会议等非部门、"
            "街道会议登记在会议开放栏目，但不计入本目标。",
            meeting_population,
        ),
        Metric(
            "zombie_boards",
            "“僵尸留言板”“僵尸电话”",
            "zero",
            "三个月内得到答复的留言",
            "当年在办的有效留言",
            "当年收到的、或上年收到而当年初仍未答复的有效政务咨询和建议（不予受理的除外）中，超过三个月未答复的"
            "留言即为“僵尸留言”，目标为基本消除（为零）。超过三个月的时点在当年之内、且当年内仍处于未答复状态的"
            "才计入当年。网站纠错留言按同一规则统计。",
            zombie_population,
        ),
    ]
}
