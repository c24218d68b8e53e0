"""Every rule a record breaks at once, for the services that check a whole record before writing it.

A service gathers one :class:`~portal.services.compliance.RuleProblem` per field at fault and raises
:class:`Refused`. It is a :class:`~portal.services.editing.FormErrors`, so a staff view shows each Chinese
message beside its field as for any refused form; ``portal load`` prints the first problem's English
message after the file and line of its field. One rule set, two languages, every writer.
"""

from __future__ import annotations

from portal.services.compliance import RuleProblem
from portal.services.editing import FormErrors


class Refused(FormErrors):
    def __init__(self, problems: list[RuleProblem]) -> None:
        assert problems, "a refusal names at least one problem"
        errors: dict[str, str] = {}
        for problem in problems:
            errors.setdefault(problem.field, problem.zh)
        super().__init__(errors)
        self.problems = problems

    @property
    def first(self) -> RuleProblem:
        return self.problems[0]


def refuse(problems: list[RuleProblem]) -> None:
    """Raise :class:`Refused` when any rule was broken."""
    if problems:
        raise Refused(problems)
