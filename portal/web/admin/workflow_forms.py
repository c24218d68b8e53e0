"""The forms of the review and publication steps shared by documents and interpretations.

The rules (who may, 三同步, the privacy check, likely duplicates) are ``portal.services.publishing``'s;
these forms only read what the publisher or reviewer sent.
"""

from __future__ import annotations

from wtforms import TextAreaField

from portal.services.publishing import PublishRequest
from portal.web.admin.fields import CheckboxesField, TickField, optional_id
from portal.web.forms import Form


class ReturnForm(Form):
    remarks = TextAreaField("退回意见（必填）")


class WithdrawForm(Form):
    reason = TextAreaField("撤回理由（将在公开页面显示）")
    # Withdrawing takes a page off the public site at once: it needs a deliberate second step.
    confirm = TickField("确认撤回")


class PublishForm(Form):
    channel_ids = CheckboxesField("推送渠道", coerce=optional_id)
    waiver_reason = TextAreaField("不同步发布解读的理由")
    privacy_override = TextAreaField("强制发布的理由")
    confirm_duplicate = TickField("确认不是重复：已核对上列可能重复的文件，仍然继续")

    def publish_request(self) -> PublishRequest:
        return PublishRequest(
            channel_ids=[i for i in self.channel_ids.data or [] if i],
            waiver_reason=self.waiver_reason.data or "",
            privacy_override=self.privacy_override.data or "",
            confirm_duplicate=bool(self.confirm_duplicate.data),
        )
