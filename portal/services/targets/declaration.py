"""Declaring a year's targets (工作目标): the one write of this package, with its rules and audit.

``content/targets.yml`` is the only writer today (there is no staff form: the goals are the plan's, and the
plan is kept with the content); a form added later calls :func:`declare_year` too, so that the rules hold
for both. For each year declared, the list given is the whole list: a target left out is removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Target, User
from portal.models.targets import DEFAULT_GROWTH_UNIT, GROWTH_UNITS
from portal.services.audit import record
from portal.services.compliance import RuleProblem
from portal.services.fields import shown
from portal.services.refusals import refuse
from portal.services.targets.metrics import METRICS

FIELDS = ("goal", "unit", "wording", "source", "position")
YEARS = range(1990, 2101)


@dataclass
class Goal:
    """One target as declared, not yet checked: ``goal`` as written (a number, or text that should be)."""

    key: str
    goal: Any = 0
    unit: str = ""
    wording: str = ""
    source: str = ""


@dataclass
class Declared:
    """What :func:`declare_year` did, as ``target:<year>:<key>`` labels."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def check_year(year: Any, goals: list[Goal]) -> list[RuleProblem]:
    """Every rule a year's declaration breaks (the first of each target)."""
    if not str(year).isdigit() or int(year) not in YEARS:
        return [RuleProblem("year", "年度无效。", f"bad year '{shown(str(year))}' (expected e.g. 2020)")]
    problems = []
    seen: set[str] = set()
    for number, goal in enumerate(goals, start=1):
        where, at = f"year {year}, target {number}", f"{year}年第{number}项目标"

        # Fields named as a WTForms FieldList names its rows' (targets-0-goal): a staff form and the loader,
        # which points at the line, can both place the refusal.
        row = f"targets-{number - 1}"
        if goal.key not in METRICS:
            problems.append(
                RuleProblem(
                    f"{row}-key", f"{at}：指标无效。", f"{where}: 'key' must be one of {', '.join(METRICS)}"
                )
            )
            continue
        if goal.key in seen:
            problems.append(
                RuleProblem(f"{row}-key", f"{at}：重复。", f"{where}: '{goal.key}' is declared twice")
            )
            continue
        seen.add(goal.key)
        kind = METRICS[goal.key].kind
        try:
            value = float(goal.goal)
        except (TypeError, ValueError):
            problems.append(
                RuleProblem(
                    f"{row}-goal", f"{at}：目标值须为数字。", f"{where}: goal '{goal.goal}' is not a number"
                )
            )
            continue
        if kind == "growth" and (goal.unit or DEFAULT_GROWTH_UNIT) not in GROWTH_UNITS:
            problems.append(
                RuleProblem(
                    f"{row}-unit",
                    f"{at}：增幅单位只能是{'或'.join(GROWTH_UNITS.values())}。",
                    f"{where}: unit must be one of {', '.join(GROWTH_UNITS)}",
                )
            )
        elif kind != "growth" and goal.unit:
            problems.append(
                RuleProblem(
                    f"{row}-unit",
                    f"{at}：只有增幅目标有单位。",
                    f"{where}: 'unit' only applies to growth targets",
                )
            )
        elif kind == "rate" and not 0 <= value <= 100:
            problems.append(
                RuleProblem(
                    f"{row}-goal",
                    f"{at}：比率目标须在0到100之间。",
                    f"{where}: a rate goal is a percentage between 0 and 100",
                )
            )
    return problems


def _values(year: int, position: int, goal: Goal) -> dict[str, Any]:
    growth = METRICS[goal.key].kind == "growth"
    return {
        "year": year,
        "key": goal.key,
        "goal": float(goal.goal),
        "unit": (goal.unit or DEFAULT_GROWTH_UNIT) if growth else "",
        "wording": goal.wording.strip(),
        "source": goal.source.strip(),
        "position": position,
    }


def declare_year(sess: Session, actor: User | str, year: int, goals: list[Goal], note: str = "") -> Declared:
    """Make ``goals`` the targets of ``year``, with an audit entry per target created, changed or removed.

    Raises :class:`~portal.services.refusals.Refused` (writing nothing) when a rule is broken; targets that
    stay the same are not written."""
    refuse(check_year(year, goals))
    done = Declared()
    existing = {t.key: t for t in sess.scalars(select(Target).where(Target.year == year))}
    for position, goal in enumerate(goals):
        values = _values(year, position, goal)
        label = f"target:{year}:{goal.key}"
        target = existing.pop(goal.key, None)
        if target is None:
            target = Target(**values)
            sess.add(target)
            sess.flush()
            record(sess, actor, "target.create", target, after=values, note=note)
            done.created.append(label)
        elif any(getattr(target, k) != values[k] for k in FIELDS):
            before = {k: getattr(target, k) for k in FIELDS}
            for k in FIELDS:
                setattr(target, k, values[k])
            record(sess, actor, "target.update", target, before=before, after=values, note=note)
            done.updated.append(label)
        else:
            done.unchanged.append(label)
    for target in existing.values():
        record(
            sess, actor, "target.delete", target, before={"goal": target.goal, "unit": target.unit}, note=note
        )
        sess.delete(target)
        done.removed.append(f"target:{year}:{target.key}")
    return done
