"""NORMS 9 and 39: the 三统一 registration number, and the yearly counts that feed report table 2."""

from __future__ import annotations

from datetime import date

import pytest

from portal.models import Document
from portal.services.compliance import RuleProblem
from portal.services.compliance.normative import check_registration, normative_counts, registration_year
from tests.compliance.builders import beijing, doc, office


def test_yearly_counts_follow_issue_and_repeal_dates_and_add_up(sess):
    gov = office(sess)
    # Valid since 2019, repealed in 2020 (by date), and one repealed by a 2021 document.
    doc(
        sess,
        "a",
        gov,
        written_on=date(2019, 5, 1),
        normative=True,
        validity="repealed",
        validity_since=date(2020, 6, 1),
    )
    doc(
        sess,
        "b",
        gov,
        written_on=date(2019, 7, 1),
        normative=True,
        validity="repealed",
        validity_since=date(2021, 2, 1),
    )
    doc(sess, "c", gov, written_on=date(2020, 3, 1), normative=True)
    doc(
        sess,
        "d",
        gov,
        written_on=date(2020, 9, 1),
        normative=True,
        validity="amended",
        validity_since=date(2020, 12, 1),
    )
    doc(
        sess,
        "e",
        gov,
        written_on=date(2020, 10, 1),
        normative=True,
        validity="expired",
        validity_since=date(2020, 12, 31),
    )
    # No 成文日期: counted from its publication in Beijing time (2020-12-31 20:00 UTC is 2021-01-01).
    doc(sess, "f", gov, published_at=beijing(2021, 1, 1, 4), normative=True)
    # Not counted: a draft, a withdrawn one, an ordinary document.
    doc(sess, "g", gov, written_on=date(2020, 4, 1), normative=True, status="draft")
    doc(sess, "h", gov, written_on=date(2020, 4, 1), normative=True, status="withdrawn")
    doc(sess, "i", gov, written_on=date(2020, 4, 1))
    sess.commit()

    got = {y: normative_counts(sess, y) for y in (2019, 2020, 2021)}
    assert [(got[y].issued, got[y].repealed, got[y].valid) for y in (2019, 2020, 2021)] == [
        (2, 0, 2),
        (3, 2, 3),  # c d e issued; a e ended; b c d valid (amended stays in force)
        (1, 1, 3),  # f issued; b ended; c d f valid
    ]
    assert [d.slug for d in got[2020].repealed_docs] == ["a", "e"]
    assert sorted(d.slug for d in got[2021].valid_docs) == ["c", "d", "f"]
    for y in (2020, 2021):  # table 2: 现行有效 = last year's + 制发 − 废止
        assert got[y].valid == got[y - 1].valid + got[y].issued - got[y].repealed


def test_marking_repealed_dates_the_repeal_by_the_repealing_document(sess, make_user):
    from portal.services.publishing import mark_validity

    gov = office(sess)
    publisher = make_user("pub", ["publisher"], agency=gov)
    old = doc(
        sess, "old", gov, written_on=date(2019, 1, 10), normative=True, registration_no="西政规〔2019〕1号"
    )
    new = doc(
        sess, "new", gov, written_on=date(2020, 8, 3), normative=True, registration_no="西政规〔2020〕1号"
    )
    mark_validity(sess, publisher, old, "repealed", new)
    sess.commit()
    assert old.validity_since == date(2020, 8, 3)
    counts = normative_counts(sess, 2020)
    assert (counts.issued, counts.repealed, counts.valid) == (1, 1, 1)


@pytest.mark.parametrize(
    ("number", "field_ok"),
    [
        ("西政规〔2020〕1号", True),
        ("西政规〔2020〕001号", True),
        ("BJXC-2021-001", False),
        ("西政发〔2020〕1号", False),
    ],
)
def test_registration_number_format_is_the_configured_one(sess, number, field_ok):
    gov = office(sess)
    d = doc(sess, "n", gov, normative=True, registration_no=number)
    if field_ok:
        check_registration(sess, d)
        assert registration_year(number) == 2020
    else:
        with pytest.raises(RuleProblem, match="does not match the configured format"):
            check_registration(sess, d)
    # Another district's format is a setting away.
    check_registration(sess, d, pattern=r"^.+$")


def test_registration_number_is_required_and_unique(sess):
    gov = office(sess)
    doc(sess, "first", gov, normative=True, registration_no="西政规〔2020〕1号")
    # Not yet saved: the unique index would refuse it, the rule says why first.
    second = Document(slug="second", title="second", normative=True, registration_no="西政规〔2020〕1号")
    with pytest.raises(RuleProblem) as exc:
        check_registration(sess, second)
    assert "already used by document 'first'" in exc.value.en and "已被另一份规范性文件使用" in exc.value.zh
    empty = doc(sess, "empty", gov, normative=True)
    with pytest.raises(RuleProblem, match="needs its registration_no"):
        check_registration(sess, empty)
    check_registration(sess, doc(sess, "plain", gov))  # not normative: no number needed
