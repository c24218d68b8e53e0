"""The demo register loads through the services, and its 2020 tables match a report counted by hand."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from portal.models import AuditEntry, InfoRequest
from portal.services.foi import report
from portal.services.foi.content import load_requests
from portal.services.loader import LoadReport, load_agencies

CONTENT = Path(__file__).resolve().parents[2] / "content"

# Counted by hand from content/foi/requests.yml: every non-zero cell of table 3 for 2020.
EXPECTED_2020 = {
    "new": {
        "person": 9,
        "business": 1,
        "research": 1,
        "public_interest": 1,
        "legal_services": 1,
        "total": 13,
    },
    "carried_in": {"person": 1, "total": 1},  # 2019-004, extended into January
    "disclosed": {"person": 5, "business": 1, "legal_services": 1, "total": 7},
    "refused_process": {"public_interest": 1, "total": 1},
    "unavailable_not_held": {"person": 1, "total": 1},  # referred to the body that holds it
    "ignored_publication": {"research": 1, "total": 1},
    "other_no_correction": {"person": 1, "total": 1},
    "other_no_fee": {"person": 1, "total": 1},
    "other_other": {"person": 1, "total": 1},  # withdrawn
    "results_total": {
        "person": 9,
        "business": 1,
        "research": 1,
        "public_interest": 1,
        "legal_services": 1,
        "total": 13,
    },
    "carried_out": {"person": 1, "total": 1},  # 2020-010, still open
}


def _load(sess):  # noqa: ANN001, ANN202
    load_agencies(sess, CONTENT / "agencies.yml", LoadReport())
    sess.commit()
    created, unchanged, errors = load_requests(sess, CONTENT / "foi", "secret")
    sess.commit()
    return created, unchanged, errors


def test_demo_register_loads_once_through_the_services(sess):
    created, unchanged, errors = _load(sess)
    assert errors == [] and len(created) >= 15 and unchanged == []
    assert sess.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.actor_name == "content")) > 40
    states = set(sess.scalars(select(InfoRequest.state)))
    assert {"answered", "closed", "open", "correction"} <= states
    again = load_requests(sess, CONTENT / "foi", "secret")
    assert again[0] == [] and len(again[1]) == len(created)


def test_demo_2020_table_three_equals_the_hand_count(sess):
    _load(sess)
    table = report.table3(sess, 2020)
    got = {
        line.key: {column: n for column, n in line.counts.items() if n}
        for line in table.lines()
        if line.counts["total"]
    }
    assert got == EXPECTED_2020
    remedies = report.table4(sess, 2020).counts
    assert remedies["litigation_direct"] == {
        "upheld": 0,
        "corrected": 0,
        "other": 0,
        "pending": 1,
        "total": 1,
    }
    assert report.table4(sess, 2019).counts["review"]["upheld"] == 1


def test_a_broken_record_stops_the_report_naming_the_invariant(sess):
    _load(sess)
    req = sess.scalars(select(InfoRequest).where(InfoRequest.state == "answered")).first()
    req.outcome = ""  # concluded without an outcome: the table would not add up
    sess.commit()
    try:
        report.table3(sess, req.concluded_on.year)
    except report.InvariantError as exc:
        assert "no outcome" in str(exc)
    else:
        raise AssertionError("the report accepted a concluded request without an outcome")


def test_content_errors_name_the_file_the_request_and_the_step(sess, tmp_path):
    load_agencies(sess, CONTENT / "agencies.yml", LoadReport())
    sess.commit()
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "requests:\n"
        "  - key: bad-001\n"
        "    agency: xicheng-gov-office\n"
        "    received_on: 2020-09-28\n"
        "    applicant: {name: 某某, id_number: '110102198809091569', phone: '13000000000'}\n"
        "    description: 测试\n"
        "    steps:\n"
        "      - {step: correction, date: 2020-10-20, what: 补充, deadline: 2020-10-30}\n",
        encoding="utf-8",
    )
    created, _unchanged, errors = load_requests(sess, bad, "secret")
    assert created == [] and len(errors) == 1
    assert "bad.yml" in errors[0] and "bad-001" in errors[0] and "step 1 (correction)" in errors[0]
    assert "7个工作日" in errors[0]
    assert sess.scalar(select(func.count(InfoRequest.id))) == 0  # nothing half-written
