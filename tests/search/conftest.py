"""Search tests run against every backend: Whoosh on SQLite and on PostgreSQL, and the PostgreSQL backend
(which only exists on a PostgreSQL database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.services.loader import load_content
from tests.conftest import CONTENT, PG_URL, SEEDS, _postgres_database, _sqlite_database

COMBOS = ["sqlite-whoosh", "postgresql-whoosh", "postgresql-postgres"]


@pytest.fixture(scope="session", params=COMBOS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    kind, _, backend = request.param.partition("-")
    if kind == "postgresql":
        if not PG_URL:
            pytest.skip("PostgreSQL tests need PORTAL_TEST_DATABASE_URL")
        database = _postgres_database()
    else:
        database = _sqlite_database(tmp_path_factory.mktemp("sqlite"))
    database.search_backend = backend
    yield database
    database.close()


@pytest.fixture
def app_overrides(app_overrides: dict, database) -> dict:  # noqa: ANN001
    return {**app_overrides, "search_backend": database.search_backend}


# The demo corpus of the search tests: the five seed texts as published documents, with their real 文号.
SEED_DOCS = {
    "000": (
        "measures-2020",
        "西政发〔2020〕4号",
        "xicheng-gov",
        "2020-03-02",
        ["作风建设"],
        "北京市西城区人民政府关于印发《西城区进一步推动“转作风、强创新、提效能”的若干措施（试行）》的通知",
    ),
    "001": (
        "burden-2019",
        "京办发〔2019〕13号",
        "beijing-party-office",
        "2019-05-10",
        ["作风建设", "基层减负"],
        "中共北京市委办公厅印发《关于解决形式主义突出问题为基层减负的若干措施》的通知",
    ),
    "002": (
        "work-rules",
        "西政发〔2018〕4号",
        "xicheng-gov",
        "2018-03-20",
        ["政府工作"],
        "北京市西城区人民政府关于印发《北京市西城区人民政府工作规则》的通知",
    ),
    "003": (
        "xixian-2022",
        "",
        "xixian-newarea",
        "2022-04-01",
        ["基层减负"],
        "西咸新区2022年整治形式主义为基层减负专项工作机制工作方案",
    ),
    "004": (
        "open-gov-2020",
        "西政办发〔2020〕5号",
        "xicheng-gov-office",
        "2020-04-24",
        ["政务公开"],
        "西城区2020年政务公开工作要点",
    ),
}
XIXIAN_AGENCY = """
  - slug: xixian-newarea
    name: 陕西省西咸新区管理委员会
    short_name: 西咸新区
    kind: government
    external: true
"""
QA = """---
title: 《西城区2020年政务公开工作要点》解读
document: open-gov-2020
qa:
  - q: 什么是重大行政决策预公开？
    a: 决策草案在作出决定前向社会公开征求意见。
  - q: 如何清理僵尸留言板？
    a: 对长期不更新的互动栏目予以关停。
---
"""
GAZETTE = """year: 2020
number: 5
running_number: 125
published_on: 2020-05-15
contents:
  - category: 区政府文件
    documents: [measures-2020]
  - category: 区政府办公室文件
    documents: [open-gov-2020]
"""


def write_seed_corpus(root: Path) -> Path:
    (root / "policies").mkdir(parents=True)
    (root / "interpretations").mkdir()
    (root / "gazette").mkdir()
    # The demo agencies, and the 西咸新区 body of the one seed text from outside the district (the demo
    # content leaves that plan out; the search tests keep it as a document another body issued).
    (root / "agencies.yml").write_text(
        (CONTENT / "agencies.yml").read_text("utf-8").rstrip("\n") + XIXIAN_AGENCY, "utf-8"
    )
    for path in sorted(SEEDS.glob("*.txt")):
        slug, number, agency, day, topics, title = SEED_DOCS[path.name[:3]]
        text = path.read_text("utf-8")
        body = "\n\n".join(p.strip() for p in text.splitlines() if p.strip())
        front = [
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"agency: {agency}",
            f"published_on: {day}",
            f"topics: [{', '.join(topics)}]",
        ]
        if number:
            front.append(f"doc_number: {number}")
        (root / "policies" / f"{slug}.md").write_text(
            "---\n" + "\n".join(front) + "\n---\n" + body + "\n", "utf-8"
        )
    (root / "interpretations" / "open-gov-2020-qa.md").write_text(QA, "utf-8")
    (root / "gazette" / "2020-05.yml").write_text(GAZETTE, "utf-8")
    return root


@pytest.fixture
def corpus(sess, tmp_path):  # noqa: ANN001, ANN201
    """The seed corpus, loaded (and so indexed after commit)."""
    root = write_seed_corpus(tmp_path / "content")
    report = load_content(sess, root)
    assert report.ok, report.errors
    return root
