"""Shares of a job in forked processes (the export's bulk pages)."""

from __future__ import annotations

import os

import pytest

from portal.export.parallel import can_fork, run_shares

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs os.fork")


def test_each_share_runs_once_and_results_come_back_in_order():
    parent = os.getpid()
    closed = []
    results = run_shares(
        lambda i: (i, os.getpid() == parent, {"big": "x" * 200_000}),
        3,
        before_fork=lambda: closed.append(True),
    )
    assert [(i, here) for i, here, _ in results] == [(0, True), (1, False), (2, False)]
    assert results[2][2]["big"] == "x" * 200_000  # more than a pipe buffer
    assert closed == [True]


def test_a_failed_child_share_is_redone_by_the_parent():
    parent = os.getpid()

    def work(index: int) -> int:
        if index == 1 and os.getpid() != parent:
            os._exit(3)  # the child dies without a result
        return index * 10

    assert run_shares(work, 2, before_fork=lambda: None) == [0, 10]


def test_one_share_runs_here_without_forking():
    assert run_shares(lambda i: os.getpid(), 1, before_fork=lambda: pytest.fail("no fork")) == [os.getpid()]
