"""Chinese names of audit-log actions (``document.publish`` → 发布政策文件) for the staff pages.

An action is ``<object>.<verb>``; its name is the verb's name and the object's, unless the whole action
has a name of its own. An action nobody named yet is shown as its code rather than hidden.
"""

from __future__ import annotations

OBJECTS = {
    "document": "政策文件",
    "interpretation": "政策解读",
    "gazette": "政府公报",
    "consultation": "意见征集",
    "comment": "意见",
    "agency": "部门",
    "user": "用户",
    "channel": "推送渠道",
    "push": "推送",
    "meeting": "会议",
    "target": "工作目标",
    "enquiry": "政务咨询",
    "foi": "依申请公开",
    "category": "公开类别",
    "page": "公开信息页",
}

VERBS = {
    "create": "新建",
    "update": "修改",
    "delete": "删除",
    "import": "导入",
    "submit": "提交审核",
    "approve": "审核通过",
    "return": "退回修改",
    "publish": "发布",
    "withdraw": "撤回",
    "reopen": "重新编辑",
    "close": "结束",
    "export": "导出",
    "notify": "通知",
    "retry": "重试",
    "push": "推送",
    "report": "发布反馈报告",
}

ACTIONS = {
    "document.validity": "变更文件有效性",
    "document.sync_waiver": "不同步发布解读（三同步例外）",
    "document.privacy_override": "不顾隐私提示发布文件",
    "interpretation.privacy_override": "不顾隐私提示发布解读",
    "document.attachment_add": "上传附件",
    "document.attachment_remove": "删除附件",
    "document.not_duplicate": "确认文件不重复",
    "gazette.entry_add": "公报加入文件",
    "gazette.entry_remove": "公报移除文件",
    "gazette.entry_move": "调整公报目录顺序",
    "gazette.entry_category": "修改公报目录分类",
    "gazette.pdf_upload": "上传公报 PDF",
    "gazette.pdf_remove": "删除公报 PDF",
    "enquiry.attachment_view": "查看留言附件",
    "comment.enter": "录入线下意见",
    "comment.disposition": "答复意见",
    "comment.block_sender": "屏蔽意见提交人",
    "consultation.viewpoint": "归纳意见观点",
    "consultation.report": "发布意见采纳情况",
    "user.login": "登录",
    "user.login_failed": "登录失败",
    "user.logout": "退出登录",
    "user.password_change": "修改密码",
    "user.totp_enrol": "绑定动态验证码",
    "user.totp_reset": "重置动态验证码",
}


def action_name(action: str) -> str:
    """The Chinese name of an audit action; the code itself when it has none."""
    if action in ACTIONS:
        return ACTIONS[action]
    obj, _, verb = action.partition(".")
    if obj in OBJECTS and verb in VERBS:
        return VERBS[verb] + OBJECTS[obj]
    return action
