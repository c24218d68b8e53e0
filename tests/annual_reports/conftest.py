"""Fixtures of the annual report: the district government, a department and the city, staff of each,
published documents made as the library holds them, and figures a report may be given."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from portal.models import Agency, Document, DocumentAgency, DocumentLink

FIGURES = {
    "licensing_value": "120",
    "licensing_source": "区政务服务局审批系统",
    "penalty_value": "45",
    "penalty_source": "区执法平台",
    "coercion_value": "3",
    "coercion_source": "区执法平台",
    "fees_value": "1.25",
    "fees_source": "区财政局非税收入系统",
}


@pytest.fixture
def agencies(sess):  # noqa: ANN201
    gov = Agency(slug="xicheng-gov", name="北京市西城区人民政府", kind="government", position=0)
    city = Agency(slug="city", name="北京市人民政府", kind="government", position=9, external=True)
    sess.add_all([gov, city])
    sess.flush()
    dept = Agency(
        slug="fgw", name="北京市西城区发展和改革委员会", kind="department", position=1, parent_id=gov.id
    )
    sess.add(dept)
    sess.commit()
    return SimpleNamespace(gov=gov, dept=dept, city=city)


@pytest.fixture
def staff(make_user, agencies):  # noqa: ANN201
    return SimpleNamespace(
        editor=make_user("editor", ["editor"], agency=agencies.gov),
        reviewer=make_user("reviewer", ["reviewer"], agency=agencies.gov),
        publisher=make_user("publisher", ["publisher"], agency=agencies.gov),
        admin=make_user("admin", ["admin"]),
        dept_editor=make_user("dept_editor", ["editor"], agency=agencies.dept),
    )


@pytest.fixture
def make_doc(sess, agencies):  # noqa: ANN201
    """A published document of the library: ``make_doc("n1", date(2019, 3, 1), normative=True)``."""

    def make(
        slug: str,
        written_on: date | None,
        *,
        normative: bool = True,
        genre: str = "通知",
        agency=None,  # noqa: ANN001
        validity: str = "valid",
        status: str = "published",
    ) -> Document:
        agency = agency or agencies.gov
        doc = Document(
            slug=slug,
            title=f"文件{slug}",
            written_on=written_on,
            published_at=datetime.combine(written_on or date(2020, 1, 2), datetime.min.time(), tzinfo=UTC),
            genre=genre,
            normative=normative,
            validity=validity,
            status=status,
            owner_id=agencies.gov.id if not agency.external else agencies.gov.id,
            body_md="正文",
            body_html="<p>正文</p>",
        )
        doc.issuers = [DocumentAgency(agency=agency, agency_id=agency.id, position=0)]
        sess.add(doc)
        sess.commit()
        return doc

    return make


def repeal(sess, target: Document, by: Document) -> None:  # noqa: ANN001
    """``by`` repeals ``target`` (as the loader and the staff form record it)."""
    sess.add(DocumentLink(source_id=by.id, target_id=target.id, kind="repeals"))
    target.validity = "repealed"
    sess.commit()


def expire(sess, doc: Document, on: date) -> None:  # noqa: ANN001
    """``doc`` marked 已失效, taking effect on ``on`` (as mark_validity and the loader record it)."""
    doc.validity = "expired"
    doc.validity_since = on
    sess.commit()
