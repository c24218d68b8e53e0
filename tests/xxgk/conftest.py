"""Fixtures of the 政府信息公开专栏: the staff area's agencies, users and drafts, and the demo content."""

from __future__ import annotations

import pytest

from portal.models import Agency
from tests.admin.conftest import agencies, make_draft, staff  # noqa: F401  (the staff area's fixtures)


@pytest.fixture
def district(sess, agencies):  # noqa: ANN001, ANN201, F811
    """The district government above the staff fixtures' office: both then take FOI applications and
    appear in the guide (an office is a government, or a department or street under one)."""
    gov = Agency(slug="xicheng-gov", name="北京市西城区人民政府", kind="government", position=0)
    sess.add(gov)
    sess.flush()
    agencies.office.parent_id = gov.id
    sess.commit()
    return gov
