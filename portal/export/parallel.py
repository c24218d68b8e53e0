"""Run shares of one job in forked processes and bring their results back to the parent.

The export renders pages in pure Python, so threads would share one core; forked processes share the
parent's loaded app (templates compiled, registries filled) and each renders its share. A child sends
its result back pickled through a pipe and leaves with ``os._exit`` (no atexit hooks, no finalizers run on
objects it inherited). A child that fails is not fatal: the parent does that share itself.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def can_fork() -> bool:
    return hasattr(os, "fork")


def run_shares(
    work: Callable[[int], T],
    shares: int,
    before_fork: Callable[[], None],
    in_child: Callable[[], None] = lambda: None,
) -> list[T]:
    """``[work(0), ..., work(shares - 1)]``, share 0 in this process and the others in forked children.

    ``before_fork`` runs once in the parent (close database connections: a connection must not be used on
    both sides of a fork); ``in_child`` runs first in each child.
    """
    if shares <= 1 or not can_fork():
        return [work(index) for index in range(shares)]
    before_fork()
    children: dict[int, tuple[int, int]] = {}  # share -> (pid, read end of its pipe)
    for index in range(1, shares):
        read_fd, write_fd = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no more processes allowed: this process does the remaining shares
            os.close(read_fd)
            os.close(write_fd)
            break
        if pid == 0:  # the child: its share, then out without running anything of the parent's
            os.close(read_fd)
            status = 1
            try:
                in_child()
                payload = pickle.dumps(work(index), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as pipe:
                    pipe.write(payload)
                status = 0
            except BaseException:  # noqa: BLE001  (reported; the parent redoes this share)
                traceback.print_exc()
                sys.stderr.flush()
            finally:
                os._exit(status)
        os.close(write_fd)
        children[index] = (pid, read_fd)
    results: list[T] = []
    try:
        results.append(work(0))
    finally:
        received = {index: _collect(child) for index, child in children.items()}
    for index in range(1, shares):
        result = received.get(index)
        results.append(work(index) if result is None else result)
    return results


def _collect(child: tuple[int, int]) -> Any:
    """The child's result (the T its ``work`` returned, pickled), or ``None`` if it failed."""
    pid, read_fd = child
    with os.fdopen(read_fd, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return None
    return pickle.loads(payload)  # noqa: S301  (our own child's bytes)
