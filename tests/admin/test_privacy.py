"""The privacy check finds personal numbers however they are typed, and lets the office's own mailbox pass."""

from __future__ import annotations

import pytest

from portal.services import privacy
from portal.services.publishing import PublishRequest, WorkflowError
from tests.admin.test_workflow import _to_approved


@pytest.mark.parametrize(
    "text, kind, masked",
    [
        ("身份证号：１１０１０５１９４９１２３１００２Ｘ", "身份证号码", "1101**********002X"),  # full-width
        ("身份证号 110105 19491231 002X", "身份证号码", "1101**********002X"),  # in groups
        ("老身份证 110105491231002", "身份证号码", "1101*******1002"),  # 15 digits, before 1999
        ("手机：１３９ １２３４ ５６７８", "手机号码", "139****5678"),
        ("工资卡 6222 0212 3456 7890 128", "银行卡号", "6222***********0128"),  # Luhn-valid
        ("卡号6217000010001234569", "银行卡号", "6217***********4569"),
    ],
)
def test_personal_numbers_are_found_however_typed(text, kind, masked):
    hits = privacy.scan(text, "正文", allowed_emails=())
    assert [(privacy.KINDS[h.kind], h.masked) for h in hits] == [(kind, masked)]


@pytest.mark.parametrize(
    "text",
    [
        "索引号 110105194912310021",  # ID-shaped, wrong check digit
        "金额 20210301123456789 元",  # no card starts with a year
        "卡号 6222 0212 3456 7890 123",  # fails Luhn
        "文号 西政发〔2020〕4号，2020-06-05 印发，电话 010-88888888",
        "编号 999999999999999",  # 15 digits that are no date
    ],
)
def test_ordinary_numbers_pass(text):
    assert privacy.scan(text, "正文", allowed_emails=()) == []


class TestPublicMailbox:
    @pytest.fixture
    def app_overrides(self, app_overrides):  # noqa: ANN001, ANN201
        return {**app_overrides, "public_emails": ("xchzwgk@bjxch.gov.cn",)}

    def test_the_offices_public_mailbox_is_allowed_and_a_personal_one_is_not(self, sess, staff, make_draft):
        doc = make_draft(body_md="依申请公开请发送至 XCHZWGK@bjxch.gov.cn。经办人邮箱 li.si@example.com。")
        assert [h.masked for h in privacy.scan(doc.body_md, "正文")] == ["l***@example.com"]
        _to_approved(sess, staff, doc)
        with pytest.raises(WorkflowError) as refused:
            from portal.services import publishing

            publishing.publish(sess, staff.publisher, doc, PublishRequest())
        assert [h.kind for h in refused.value.hits] == ["email"]


def test_public_emails_setting_is_read_from_the_environment(monkeypatch):
    from portal.config import load_settings

    monkeypatch.setenv("PORTAL_PUBLIC_EMAILS", "a@x.gov.cn, b@x.gov.cn")
    assert load_settings({"secret_key": "x"}).public_emails == ("a@x.gov.cn", "b@x.gov.cn")
