"""An interpretation page (解读) is built from one query (issue 13): rendered without the page cache it costs
at most two statements, and its API record one, however many questions and versions it has."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.models import DocumentVersion, Interpretation, QAItem
from portal.services.loader import load_content
from tests.conftest import CONTENT
from tests.web.statements import statements


@pytest.fixture
def rich_interpretation(sess):  # noqa: ANN001, ANN201
    """The demo interpretation with the most questions, given two more versions and a question more."""
    assert load_content(sess, CONTENT).ok
    interp = sess.scalars(
        select(Interpretation)
        .outerjoin(QAItem, QAItem.interpretation_id == Interpretation.id)
        .where(Interpretation.status == "published")
        .group_by(Interpretation.id)
        .order_by(func.count(QAItem.id).desc(), Interpretation.id)
    ).first()
    last = max((item.position for item in interp.items), default=0)
    interp.items.append(
        QAItem(position=last + 1, question="还有一个问题吗？", answer_md="有。", answer_html="<p>有。</p>")
    )
    number = sess.scalar(select(func.max(DocumentVersion.number)).where(
        DocumentVersion.item_type == "interpretation", DocumentVersion.item_id == interp.id)) or 0  # fmt: skip
    for n in range(number + 1, number + 3):
        sess.add(
            DocumentVersion(
                item_type="interpretation", item_id=interp.id, number=n, change_note=f"第{n}次修改"
            )
        )
    sess.commit()
    return interp.slug


def test_interpretation_page_costs_at_most_two_statements(app, client, rich_interpretation) -> None:  # noqa: ANN001
    slug = rich_interpretation
    app.extensions.pop("page_cache", None)  # measure the page itself, not the cache
    engine = app.extensions["engine"]
    with statements(engine) as cold:  # the agency map is loaded
        html = client.get(f"/interpretations/{slug}/").get_data(as_text=True)
    with statements(engine) as warm:
        client.get(f"/interpretations/{slug}/")
    assert len(cold) <= 2, cold
    assert len(warm) <= 1, warm
    # Everything the page shows is there: the document it explains, every question, the versions.
    assert "还有一个问题吗？" in html and "<p>有。</p>" in html
    assert "次修改" in html and 'class="versions"' in html
    assert "解读文件：" in html and "返回原文件" in html


def test_api_interpretation_record_is_the_page_data_in_one_statement(
    app, client, rich_interpretation
) -> None:  # noqa: ANN001
    slug = rich_interpretation
    engine = app.extensions["engine"]
    client.get(f"/api/v1/interpretations/{slug}")  # warm the agency map
    with statements(engine) as warm:
        record = client.get(f"/api/v1/interpretations/{slug}").get_json()
    assert len(warm) == 1, warm
    assert record["qa"][-1] == {"question": "还有一个问题吗？", "answer_html": "<p>有。</p>"}
    assert [v["change_note"] for v in record["versions"][:2]] == [
        f"第{v['number']}次修改" for v in record["versions"][:2]
    ]
    assert record["document_ref"]["slug"] == record["document"]
