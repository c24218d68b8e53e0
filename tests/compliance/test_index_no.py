"""NORMS 5: 索引号 in the configured format, given automatically when empty, unique."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from portal.services.compliance import RuleProblem
from portal.services.compliance.index_no import assign_index_no, check_index_no
from tests.compliance.builders import beijing, doc, office


def test_numbers_follow_the_format_and_are_unique(sess):
    gov = office(sess)
    doc(sess, "a", gov, index_no="000019005/2020-00008")
    check_index_no(sess, "000019005/2020-00009", None)
    check_index_no(sess, "11110102000019005X/2020-00009", None)  # an 18-character credit code
    for bad in ("000019005/2020-8", "2020-00008", "000019005/20-00008", "abc/2020-00001"):
        with pytest.raises(RuleProblem, match="does not match the configured format"):
            check_index_no(sess, bad, None)
    with pytest.raises(RuleProblem) as exc:
        check_index_no(sess, "000019005/2020-00008", None)
    assert exc.value.en == "index_no '000019005/2020-00008' is already used by document 'a'"
    sess.rollback()


def test_an_empty_number_gets_the_next_serial_of_its_year(sess):
    gov = office(sess)
    doc(sess, "a", gov, index_no="000019005/2020-00008")
    doc(sess, "b", gov, index_no="000019005/2019-00031")
    c = doc(sess, "c", gov, written_on=date(2020, 5, 1))
    d = doc(sess, "d", gov, published_at=beijing(2021, 1, 1, 1))  # no 成文日期: the Beijing publication year
    assert assign_index_no(sess, c) and c.index_no == "000019005/2020-00009"
    sess.flush()
    assert assign_index_no(sess, d) and d.index_no == "000019005/2021-00001"
    assert not assign_index_no(sess, c)  # a number once given stays
    sess.commit()


def test_the_database_refuses_a_second_document_with_the_same_number(sess):
    gov = office(sess)
    doc(sess, "a", gov, index_no="000019005/2020-00008")
    doc(sess, "empty-1", gov)
    doc(sess, "empty-2", gov)  # empty numbers do not clash
    sess.commit()
    with pytest.raises(IntegrityError):
        doc(sess, "b", gov, index_no="000019005/2020-00008")
    sess.rollback()
