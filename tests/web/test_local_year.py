"""Years are the district's years: an item published at 20:00 UTC on 31 December is dated 1 January of the
next year on its page, so every list, filter and facet by year puts it in that year too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.models import Document, Interpretation
from portal.services.loader import load_content
from tests.ingest.test_content_loader import GOOD, QA, make_content

NEW_YEARS_EVE_UTC = datetime(2020, 12, 31, 20, 0, tzinfo=UTC)  # 2021-01-01 04:00 in Beijing


@pytest.fixture
def app_overrides(app_overrides: dict) -> dict:
    return {**app_overrides, "page_cache_seconds": 0}


@pytest.fixture
def published_on_new_years_eve(sess, tmp_path):  # noqa: ANN001, ANN201
    assert load_content(sess, make_content(tmp_path, good=GOOD, good_qa=QA)).ok
    sess.scalars(select(Document)).one().published_at = NEW_YEARS_EVE_UTC
    sess.scalars(select(Interpretation)).one().published_at = NEW_YEARS_EVE_UTC
    sess.commit()


def test_the_library_files_it_under_the_local_year(client, published_on_new_years_eve):  # noqa: ANN001
    listing = client.get("/policies/").get_data(as_text=True)
    facets = listing.split('<aside class="facets"', 1)[1].split("</aside>", 1)[0]
    assert "2021年" in facets and "2020年" not in facets
    assert "/policies/good/" in client.get("/policies/year/2021/").get_data(as_text=True)
    assert "/policies/good/" not in client.get("/policies/year/2020/").get_data(as_text=True)
    assert "2021-01-01" in client.get("/policies/good/").get_data(as_text=True)


def test_the_api_filters_by_the_local_year(client, published_on_new_years_eve):  # noqa: ANN001
    for kind in ("documents", "interpretations"):
        in_2021 = client.get(f"/api/v1/{kind}?year=2021").get_json()
        assert in_2021["total"] == 1, kind
        assert in_2021[kind][0]["published_on"] == "2021-01-01", kind
        assert client.get(f"/api/v1/{kind}?year=2020").get_json()["total"] == 0, kind
