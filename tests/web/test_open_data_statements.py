"""The open-data bulk files (``/data/``) are built from the page builders' read models: building them
costs the same number of statements for a few documents and interpretations as for a few dozen more
(issue 13)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from portal.models import (
    Agency,
    Attachment,
    Document,
    DocumentAgency,
    DocumentVersion,
    Interpretation,
    Measure,
    QAItem,
    Topic,
)
from portal.services.loader import load_content
from portal.web.api import bulk
from tests.conftest import CONTENT
from tests.web.statements import statements


def add_documents(sess, n: int) -> None:  # noqa: ANN001
    """``n`` public documents of 2020 with something in each list their record shows, each with a
    published Q&A interpretation of two questions and two versions."""
    agency = sess.scalars(select(Agency).order_by(Agency.id)).first()
    topic = sess.scalars(select(Topic).order_by(Topic.id)).first()
    for i in range(n):
        doc = Document(
            slug=f"more-{i:03d}",
            title=f"第{i}号补充通知",
            published_at=datetime(2020, 6, 1 + i % 28, 2, tzinfo=UTC),
            status="published",
            disclosure="active",
            owner_id=agency.id,
            body_html=f"<p>补充通知{i}</p>",
        )
        doc.issuers = [DocumentAgency(agency=agency, position=0)]
        doc.topics = [topic]
        doc.measures = [Measure(position=0, no="1", text=f"任务{i}", units=["区政务服务局"], lead=[])]
        sess.add(doc)
        sess.flush()
        sess.add(DocumentVersion(item_type="document", item_id=doc.id, number=1, change_note="首次发布"))
        sess.add(
            Attachment(
                document_id=doc.id, position=0, filename=f"附件{i}.pdf", kind="pdf",
                content_type="application/pdf", size=1024, sha256=f"{i:064d}",
                storage_name=f"{i:064d}.pdf", public=True,
            )
        )  # fmt: skip
        interp = Interpretation(
            slug=f"more-{i:03d}-qa",
            document=doc,
            title=f"解读第{i}号补充通知",
            status="published",
            published_at=doc.published_at,
            agency_id=agency.id,
            items=[
                QAItem(position=k, question=f"问题{k}？", answer_md="答。", answer_html="<p>答。</p>")
                for k in range(2)
            ],
        )
        sess.add(interp)
        sess.flush()
        for n in (1, 2):
            sess.add(
                DocumentVersion(
                    item_type="interpretation", item_id=interp.id, number=n, change_note=f"第{n}版"
                )
            )
    sess.commit()


def _build(app, sess) -> tuple[list[str], dict[str, list[dict]]]:  # noqa: ANN001
    """Statements sent to build every bulk file, and the rows of each JSON Lines file."""
    sess.expunge_all()  # from an empty session, as a build in its own thread starts
    with app.test_request_context("/"), statements(app.extensions["engine"]) as sent:
        files = list(bulk.build(sess))
    rows = {
        f.name: [json.loads(line) for line in body.decode().splitlines()]
        for f, body in files
        if f.fmt == "jsonl"
    }
    return sent, rows


def test_bulk_files_cost_the_same_statements_for_more_documents(app, sess) -> None:  # noqa: ANN001
    assert load_content(sess, CONTENT).ok
    before, rows_before = _build(app, sess)
    add_documents(sess, 30)
    after, rows = _build(app, sess)
    assert len(after) == len(before), set(after) ^ set(before)
    added = [r for r in rows["documents-2020.jsonl"] if r["slug"].startswith("more-")]
    assert len(added) == 30
    assert len(rows["documents-2020.jsonl"]) == len(rows_before.get("documents-2020.jsonl", [])) + 30
    assert all(r["attachments"] and r["measures"] and r["versions"] and r["topics"] for r in added)
    assert all(len(r["interpretations"]) == 1 for r in added)
    interps = [r for r in rows["interpretations-2020.jsonl"] if r["slug"].startswith("more-")]
    assert len(interps) == 30
    assert all(len(r["qa"]) == 2 and len(r["versions"]) == 2 and r["agency"] for r in interps)
