"""Library records built directly, so that every expected figure of a rule is obvious from the test."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from portal.models import Agency, Document, DocumentAgency

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING).astimezone(UTC)


def office(sess) -> Agency:  # noqa: ANN001
    a = Agency(slug="gov-office", name="北京市西城区人民政府办公室", short_name="区政府办", kind="department")
    sess.add(a)
    sess.flush()
    return a


def doc(
    sess,  # noqa: ANN001
    slug: str,
    issuer: Agency,
    *,
    written_on: date | None = None,
    published_at: datetime | None = None,
    status: str = "published",
    normative: bool = False,
    registration_no: str = "",
    validity: str = "valid",
    validity_since: date | None = None,
    genre: str = "",
    index_no: str = "",
) -> Document:
    d = Document(
        slug=slug,
        title=f"文件{slug}",
        written_on=written_on,
        published_at=published_at,
        status=status,
        normative=normative,
        registration_no=registration_no,
        validity=validity,
        validity_since=validity_since,
        genre=genre,
        index_no=index_no,
    )
    d.issuers = [DocumentAgency(agency=issuer, agency_id=issuer.id, position=0)]
    sess.add(d)
    sess.flush()
    return d
