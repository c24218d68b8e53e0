"""Fixtures of the FOI area: two agencies with FOI staff, and valid applications."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from portal.models import Agency
from portal.services.foi.requests import Application
from tests.consultations.conftest import smtp_inbox  # noqa: F401  (a real SMTP server on loopback)

# Valid check digits: a resident ID (GB 11643) and a unified social credit code (GB 32100).
RESIDENT_ID = "110102199003070018"
CREDIT_CODE = "91110102MA0123456R"


@pytest.fixture
def agencies(sess):  # noqa: ANN201
    gov = Agency(slug="xicheng-gov", name="北京市西城区人民政府", kind="government", position=0)
    outside = Agency(slug="xixian", name="西咸新区党政办公室", kind="department", position=3)
    sess.add_all([gov, outside])
    sess.flush()
    office = Agency(
        slug="gov-office", name="北京市西城区人民政府办公室", kind="department", position=1, parent_id=gov.id
    )
    other = Agency(
        slug="planning",
        name="北京市规划和自然资源委员会西城分局",
        kind="department",
        position=2,
        parent_id=gov.id,
    )
    sess.add_all([office, other])
    sess.commit()
    return SimpleNamespace(gov=gov, office=office, other=other, outside=outside)


@pytest.fixture
def foi_staff(make_user, agencies):  # noqa: ANN201
    return SimpleNamespace(
        officer=make_user("officer", ["foi_officer"], agency=agencies.office),
        head=make_user("head", ["foi_head"], agency=agencies.office),
        other_officer=make_user("other_officer", ["foi_officer"], agency=agencies.other),
        admin=make_user("admin", ["admin"]),
        editor=make_user("editor", ["editor"], agency=agencies.office),
    )


def application(**overrides: str) -> Application:
    data = {
        "applicant_type": "person",
        "name": "张三",
        "id_type": "resident_id",
        "id_number": RESIDENT_ID,
        "phone": "13800138000",
        "email": "zhangsan@example.com",
        "description": "请公开西城区2020年老旧小区综合整治项目的名单及资金安排。",
        "doc_ref": "西政办发〔2020〕5号",
        "form_wanted": "electronic",
        "delivery": "email",
    }
    data.update(overrides)
    return Application(**data)


def form_data(agency_id: int, **overrides: str) -> dict[str, str]:
    app = application(**overrides)
    return {"agency_id": str(agency_id), **{k: v for k, v in app.__dict__.items()}}
