"""Fixtures of the enquiries area: district agencies and staff of each role."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.models import Agency
from tests.consultations.conftest import smtp_inbox  # noqa: F401  (a real SMTP server on loopback)


@pytest.fixture
def agencies(sess):  # noqa: ANN201
    gov = Agency(slug="xicheng-gov", name="北京市西城区人民政府", kind="government", position=0)
    sess.add(gov)
    sess.flush()
    office = Agency(
        slug="xicheng-gov-office",
        name="北京市西城区人民政府办公室",
        kind="department",
        parent_id=gov.id,
        position=1,
    )
    edu = Agency(
        slug="xicheng-jw", name="北京市西城区教育委员会", kind="department", parent_id=gov.id, position=2
    )
    sess.add_all([office, edu])
    sess.commit()
    return SimpleNamespace(gov=gov, office=office, edu=edu)


@pytest.fixture
def staff(make_user, agencies):  # noqa: ANN201
    return SimpleNamespace(
        editor=make_user("editor", ["editor"], agency=agencies.edu),
        reviewer=make_user("reviewer", ["reviewer"], agency=agencies.edu),
        publisher=make_user("publisher", ["publisher"], agency=agencies.edu),
        other_editor=make_user("other_editor", ["editor"], agency=agencies.office),
    )


def message_form(agency_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "agency_id": str(agency_id),
        "kind": "consult",
        "topic": "education",
        "subject": "幼儿园报名时间",
        "body": "请问今年幼儿园报名什么时候开始？",
        "name": "王女士",
        "phone": "13800138000",
        "email": "wang@example.com",
        "consent": "y",
    }
    data.update(overrides)
    return data
