"""NORMS 1 (20 working days from 成文日期 or change) and NORMS 12 (interpretation within 3 working days),
counted on the official calendar: the 2020 National Day holiday (1-8 October) does not count."""

from __future__ import annotations

from datetime import date

import pytest

from portal.models import Interpretation
from portal.services.compliance import timeliness
from tests.compliance.builders import beijing, doc, office


def test_twenty_working_days_skip_the_national_day_holiday():
    # Written on 30 September 2020: the holiday and its make-up days move the 20th working day to 4 Nov.
    assert timeliness.publication_due(date(2020, 9, 30)) == date(2020, 11, 4)
    assert timeliness.publication_due(date(2020, 9, 30), limit=3) == date(2020, 10, 12)


def test_late_and_overdue_documents_are_flagged_and_counted_per_year(sess):
    gov = office(sess)
    doc(sess, "in-time", gov, written_on=date(2020, 9, 30), published_at=beijing(2020, 11, 4, 18))
    late = doc(sess, "late", gov, written_on=date(2020, 9, 30), published_at=beijing(2020, 11, 5, 9))
    doc(sess, "overdue", gov, written_on=date(2020, 9, 30), status="approved")
    doc(sess, "not-yet-due", gov, written_on=date(2020, 10, 30), status="draft")
    doc(
        sess, "withheld", gov, written_on=date(2020, 1, 2), published_at=beijing(2020, 6, 1)
    ).disclosure = "on_request"
    sess.commit()

    flagged = timeliness.late_publications(sess, today=date(2020, 11, 20))
    assert [(x.kind, x.document.slug, x.due, x.done) for x in flagged] == [
        ("publication", "late", date(2020, 11, 4), date(2020, 11, 5)),
        ("overdue", "overdue", date(2020, 11, 4), None),
    ]
    assert flagged[0].working_days_late == 1
    report = timeliness.year_report(sess, 2020)
    assert (report.published, report.late_publications) == (2, 1)
    assert [x.document for x in report.late] == [late]
    assert timeliness.year_report(sess, 2021).late_publications == 0


def test_a_validity_change_recorded_late_is_flagged(sess, make_user):
    from portal.services.publishing import mark_validity

    gov = office(sess)
    publisher = make_user("pub", ["publisher"], agency=gov)
    old = doc(sess, "old", gov, written_on=date(2019, 1, 10), published_at=beijing(2019, 1, 11))
    new = doc(sess, "new", gov, written_on=date(2019, 3, 1), published_at=beijing(2019, 3, 2))
    mark_validity(sess, publisher, old, "repealed", new)  # recorded today, years after 1 March 2019
    sess.commit()
    (flag,) = timeliness.late_validity_changes(sess)
    assert (flag.kind, flag.document, flag.start) == ("validity", old, date(2019, 3, 1))


def test_interpretation_later_than_three_working_days_and_missing_ones_are_flagged(sess, app_overrides):
    gov = office(sess)
    policy = doc(sess, "policy", gov, published_at=beijing(2020, 9, 30, 10))
    normative = doc(sess, "normative", gov, published_at=beijing(2020, 9, 30, 10), normative=True)
    on_time = doc(sess, "on-time", gov, published_at=beijing(2020, 9, 30, 10))
    for parent, slug, day in ((policy, "late-qa", 13), (on_time, "ok-qa", 12)):
        sess.add(
            Interpretation(
                slug=slug,
                title=slug,
                document=parent,
                status="published",
                published_at=beijing(2020, 10, day, 9),
            )
        )
    sess.commit()
    flags = timeliness.late_interpretations(sess, today=date(2020, 12, 1))
    assert [(x.kind, x.document.slug, x.due) for x in flags] == [
        ("interpretation", "policy", date(2020, 10, 12)),
        ("no_interpretation", "normative", date(2020, 10, 12)),
    ]
    assert flags[0].interpretation.slug == "late-qa" and normative is flags[1].document
    assert timeliness.late_interpretations(sess, year=2021) == []


@pytest.fixture
def five_days(app_overrides):  # noqa: ANN201
    app_overrides["interpretation_deadline_wd"] = 5


def test_the_interpretation_deadline_is_a_setting(five_days, sess):
    gov = office(sess)
    policy = doc(sess, "policy", gov, published_at=beijing(2020, 9, 30, 10))
    sess.add(
        Interpretation(
            slug="qa", title="qa", document=policy, status="published", published_at=beijing(2020, 10, 13)
        )
    )
    sess.commit()
    # Three working days would flag it (due 12 October); five do not (due 14 October).
    assert timeliness.late_interpretations(sess, today=date(2020, 12, 1)) == []
