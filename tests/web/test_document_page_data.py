"""A document page is built from one query (ARCHITECTURE.md, issue 13): rendered without the page cache,
it costs at most three statements however much it shows, and its template reads only plain data."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from portal.models import Attachment, Document, DocumentLink, DocumentVersion, Interpretation
from portal.services.loader import load_content
from tests.conftest import CONTENT
from tests.web.statements import statements


@pytest.fixture
def rich_document(sess):  # noqa: ANN001, ANN201
    """The demo document with the most interpretations, given a public attachment, a second version and
    a document it amends, so that every list of the page has something."""
    assert load_content(sess, CONTENT).ok
    public = (Document.status == "published", Document.disclosure == "active")
    doc = sess.scalars(
        select(Document)
        .join(Interpretation, Interpretation.document_id == Document.id)
        .where(*public, Interpretation.status == "published")
        .group_by(Document.id)
        .order_by(func.count(Interpretation.id).desc(), Document.id)
    ).first()
    other = sess.scalars(select(Document).where(*public, Document.id != doc.id).order_by(Document.id)).first()
    sess.add(DocumentLink(source_id=doc.id, target_id=other.id, kind="amends"))
    sess.add(
        Attachment(
            document_id=doc.id, position=0, filename="附件1.pdf", kind="pdf", content_type="application/pdf",
            size=2048, sha256="0" * 64, storage_name="0" * 64 + ".pdf", public=True,
        )
    )  # fmt: skip
    number = (sess.scalar(select(func.max(DocumentVersion.number)).where(
        DocumentVersion.item_type == "document", DocumentVersion.item_id == doc.id)) or 0)  # fmt: skip
    for n in range(number + 1, number + 3):
        sess.add(DocumentVersion(item_type="document", item_id=doc.id, number=n, change_note=f"第{n}次修改"))
    sess.commit()
    return doc.slug, other.slug


def test_document_page_costs_at_most_three_statements(app, client, rich_document):  # noqa: ANN001
    slug, amended = rich_document
    app.extensions.pop("page_cache", None)  # measure the page itself, not the cache
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        statements.append(statement)

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        html = client.get(f"/policies/{slug}/").get_data(as_text=True)  # cold: the agency map is loaded
        cold = len(statements)
        statements.clear()
        client.get(f"/policies/{slug}/")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert cold <= 3, statements
    assert len(statements) <= 3, statements
    # Every list of the page is there: interpretation, attachment, versions, the validity link.
    assert 'class="interp-links"' in html
    assert "附件1.pdf" in html
    assert "第" in html and "次修改" in html
    assert f'href="/policies/{amended}/"' in html


def test_templates_no_longer_have_querying_helpers(app) -> None:  # noqa: ANN001
    for name in ("public_versions", "public_attachments", "consultation_links"):
        assert name not in app.jinja_env.globals
    with app.test_request_context("/"):
        assert "consultation_links" not in app.jinja_env.globals
        context: dict = {}
        app.update_template_context(context)
        assert "consultation_links" not in context


def test_api_document_record_is_the_page_data_in_at_most_two_statements(app, client, rich_document):  # noqa: ANN001
    """The API's record is serialised from the page's read model: one query (two when the agency map is
    cold), whatever the record lists, and it lists what the page does."""
    slug, amended = rich_document
    engine = app.extensions["engine"]
    with statements(engine) as cold:
        record = client.get(f"/api/v1/documents/{slug}").get_json()
    with statements(engine) as warm:
        assert client.get(f"/api/v1/documents/{slug}").status_code == 200
    assert len(cold) <= 2, cold
    assert len(warm) == 1, warm
    assert [a["filename"] for a in record["attachments"]] == ["附件1.pdf"]
    assert record["attachments"][0]["sha256"] == "0" * 64
    assert [v["change_note"] for v in record["versions"][:2]] == [
        f"第{n}次修改" for n in (record["versions"][0]["number"], record["versions"][1]["number"])
    ]
    assert [(d["slug"], d["kind"]) for d in record["amends_or_repeals"]] == [(amended, "amends")]
    assert record["interpretations"] and all(i["published_on"] for i in record["interpretations"])
