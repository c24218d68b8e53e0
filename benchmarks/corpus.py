"""A synthetic corpus recombined from the seed texts: N published documents with interpretations.

Each document takes a title and 25-45 paragraphs drawn (deterministically) from the five seed texts, so the
pages weigh what real ones do (about 20 KB of HTML) and the vocabulary is the district's own.
"""

from __future__ import annotations

import random
import zlib
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from portal.ingest.markdown import render_markdown
from portal.models import Agency, Document, DocumentAgency, Interpretation, QAItem, Topic

AGENCIES = [
    ("xicheng-gov", "北京市西城区人民政府", "government"),
    ("xicheng-office", "北京市西城区人民政府办公室", "government"),
    ("xicheng-dev", "北京市西城区发展和改革委员会", "department"),
    ("xicheng-edu", "北京市西城区教育委员会", "department"),
    ("xicheng-health", "北京市西城区卫生健康委员会", "department"),
    ("xicheng-finance", "北京市西城区财政局", "department"),
    ("xicheng-street-a", "西长安街街道办事处", "street"),
    ("xicheng-street-b", "德胜街道办事处", "street"),
]
TOPICS = ["政务公开", "营商环境", "教育", "卫生健康", "财政预决算", "城市管理", "社会保障", "文化旅游"]
GENRES = ["通知", "意见", "方案", "规则", "办法", "决定"]


def seed_paragraphs(seeds_dir: Path) -> tuple[list[str], list[str]]:
    """(titles, paragraphs) of the seed texts."""
    titles, paragraphs = [], []
    for path in sorted(seeds_dir.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        titles.append(lines[0])
        paragraphs.extend(line for line in lines[1:] if len(line) > 20)
    return titles, paragraphs


@lru_cache(maxsize=4096)
def _paragraph_html(paragraph: str) -> str:
    return render_markdown(paragraph)


def body_html(paragraphs: list[str]) -> str:
    """The body's HTML, each seed paragraph rendered once: rendering (Markdown, then bleach) costs 35 ms a
    document, nine tenths of building the corpus. A numbered paragraph becomes a list of its own rather
    than joining its neighbour's; the text, and so what search finds, is the same."""
    return "\n".join(map(_paragraph_html, paragraphs))


def build_corpus(sess: Session, seeds_dir: Path, n: int, seed: int = 7, slug_prefix: str = "doc") -> None:
    """Insert ``n`` published documents (every fifth with a Q&A interpretation) and commit."""
    rng = random.Random(seed)
    titles, paragraphs = seed_paragraphs(seeds_dir)
    agencies = []
    for position, (slug, name, kind) in enumerate(AGENCIES):
        agency = sess.query(Agency).filter_by(slug=slug).one_or_none()
        if agency is None:
            agency = Agency(slug=slug, name=name, kind=kind, position=position)
            sess.add(agency)
        agencies.append(agency)
    topics = []
    for name in TOPICS:
        topic = sess.query(Topic).filter_by(name=name).one_or_none() or Topic(name=name)
        sess.add(topic)
        topics.append(topic)
    sess.flush()
    start = datetime(2018, 1, 1, 2, tzinfo=UTC)
    for i in range(n):
        year = 2018 + i % 6
        picked = rng.sample(paragraphs, rng.randint(25, 45))
        body = "\n\n".join(picked)
        doc = Document(
            slug=f"{slug_prefix}-{i:06d}",
            title=f"{rng.choice(titles)}（{i}）",
            doc_number=f"西政发〔{year}〕{i % 97 + 1}号",
            doc_number_key=f"西政发〔{year}〕{i % 97 + 1}号",
            # 索引号 in the configured format and unique (a unique index holds them): a code per slug prefix,
            # so that a second corpus added to the first does not collide.
            index_no=f"{zlib.crc32(slug_prefix.encode()) % 10**9:09d}/{year}-{i // 6:05d}",
            written_on=date(year, 1 + i % 12, 1 + i % 28),
            published_at=start + timedelta(hours=7 * i),
            genre=rng.choice(GENRES),
            normative=i % 4 == 0,
            status="published",
            disclosure="active",
            body_md=body,
            body_html=body_html(picked),
            source="synthetic corpus from the seed texts",
        )
        doc.issuers = [DocumentAgency(agency=rng.choice(agencies), position=0)]
        doc.topics = rng.sample(topics, rng.randint(1, 3))
        sess.add(doc)
        if i % 5 == 0:
            items = [
                QAItem(
                    position=k,
                    question=f"问题{k + 1}：{rng.choice(paragraphs)[:40]}？",
                    answer_md=(answer := rng.choice(paragraphs)),
                    answer_html=_paragraph_html(answer),
                )
                for k in range(3)
            ]
            sess.add(
                Interpretation(
                    slug=f"{slug_prefix}-{i:06d}-qa",
                    document=doc,
                    title=f"一图读懂：{doc.title}",
                    form="qa",
                    status="published",
                    published_at=doc.published_at,
                    items=items,
                )
            )
        if i % 500 == 499:
            sess.flush()
    sess.commit()
