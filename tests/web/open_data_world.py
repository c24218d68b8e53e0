"""A small public world for the open-data tests: every public type, more documents than one page, and what
must never leave the API: a draft document, an unpublished enquiry, a commenter's name and e-mail, an
enquiry writer's name, phone and e-mail."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import update

from portal.models import Comment, Enquiry
from portal.services.loader import load_content
from tests.conftest import CONTENT
from tests.ingest.test_content_loader import GOOD, QA, make_content

DRAFT_TITLE = "尚未发布的草稿文件标题"
# Personal data planted in the fixture: none of it may appear in any API answer or bulk file.
SECRETS = (
    DRAFT_TITLE,
    "金融街街道干部",  # a commenter's name (shown on the page with consent, never in open data)
    "德胜街道社区工作者",
    "reader@example.com",  # a commenter's private contact
    "张三丰",  # an enquiry writer's name
    "zhangsanfeng@example.com",
    "13912345678",
    "未公开的留言标题",  # a message that was never published
    "不同意公开的留言内容",  # a question its writer did not agree to publish
)
EXTRA_DOCS = 20  # with the two below: more than one page of 20

MESSAGES = """messages:
  - key: t-001
    agency: xicheng-gov-office
    topic: policy
    received_on: 2020-03-02
    subject: 公开的留言标题
    body: 不同意公开的留言内容
    name: 张三丰
    consent: false
    steps:
      - {step: accept, date: 2020-03-03}
      - {step: draft, date: 2020-03-05, reply: "您好！这是公开的答复。"}
      - {step: answer, date: 2020-03-06}
      - {step: publish, date: 2020-03-09}
  - key: t-002
    agency: xicheng-gov-office
    topic: policy
    received_on: 2020-03-02
    subject: 未公开的留言标题
    body: 内容
    name: 张三丰
    consent: true
"""

GAZETTE = """year: 2020
number: 3
running_number: 110
published_on: 2020-05-01
contents:
  - category: 区政府办公室文件
    documents: [good]
"""


def build_world(sess, tmp_path: Path) -> None:  # noqa: ANN001
    files = {
        "good": GOOD,
        "good_qa": QA,
        "old": GOOD.replace("2020-04-24", "2019-03-01").replace("[2020]5号", "[2019]2号"),
        "draft": GOOD.replace("topics:", "status: draft\ntopics:").replace(
            "西城区2020年政务公开工作要点", DRAFT_TITLE
        ),
    }
    for n in range(EXTRA_DOCS):
        files[f"extra-{n:02d}"] = (
            GOOD.replace("西城区2020年政务公开工作要点", f"第{n}号通知")
            .replace("[2020]5号", f"[2020]{100 + n}号")
            .replace("2020-04-24", f"2020-05-{n + 1:02d}")
        )
    root = make_content(tmp_path, **files)
    shutil.copytree(CONTENT / "consultations", root / "consultations")
    (root / "meetings").mkdir()
    for meeting in sorted((CONTENT / "meetings").glob("*.yml"))[:3]:  # 2019 and 2020
        shutil.copy(meeting, root / "meetings" / meeting.name)
    shutil.copy(CONTENT / "targets.yml", root / "targets.yml")
    reported = root / "consultations" / "2020-zhuanzuofeng-cuoshi.md"
    reported.write_text(
        reported.read_text(encoding="utf-8").replace("2020-measures-4", "good"), encoding="utf-8"
    )
    (root / "gazette").mkdir()
    (root / "gazette" / "2020-03.yml").write_text(GAZETTE, encoding="utf-8")
    (root / "enquiries").mkdir()
    (root / "enquiries" / "messages.yml").write_text(MESSAGES, encoding="utf-8")
    report = load_content(sess, root)
    assert report.ok, report.errors
    # The form collects these too; the loader has no field for them.
    sess.execute(update(Enquiry).values(email="zhangsanfeng@example.com", phone="13912345678"))
    sess.execute(update(Comment).where(Comment.name == "").values(contact="reader@example.com"))
    sess.commit()
