"""Loading the targets declaration (``targets.yml``) and the meetings register (``meetings/*.yml``).

Both are written by the services' own functions (the rules, the audit as the actor ``content``) and follow
the loader's rules: idempotent, nothing written from a refused file, errors as ``path:line: message``.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Meeting
from portal.models.meetings import INVITED_GROUPS
from portal.services import meetings as meeting_service
from portal.services.loader import (
    ACTOR,
    ContentError,
    LoadReport,
    Source,
    _Loader,
    find_agency,
    read_source,
)
from portal.services.targets.declaration import Goal, check_year, declare_year


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == key:
                return value
    return None


def _year_lines(root: yaml.Node | None, year: str) -> dict[str, int]:
    """Lines of a year of targets.yml: ``year`` itself and each field of each target, keyed as the service
    names them (``targets-0-goal``), so that a refusal points at the field at fault."""
    years = _child(root, "years")
    if not isinstance(years, yaml.MappingNode):
        return {}
    lines: dict[str, int] = {}
    for key_node, block in years.value:
        if key_node.value != year:
            continue
        lines["year"] = key_node.start_mark.line + 1
        targets = _child(block, "targets")
        for index, item in enumerate(targets.value if isinstance(targets, yaml.SequenceNode) else []):
            lines[f"targets-{index}"] = item.start_mark.line + 1
            for field_node, _value in item.value if isinstance(item, yaml.MappingNode) else []:
                lines[f"targets-{index}-{field_node.value}"] = field_node.start_mark.line + 1
    return lines


def _line(lines: dict[str, int], field: str) -> int:
    """The line of ``field``, else of its target (a field the file left out), else of the year."""
    row = field.rsplit("-", 1)[0]
    return lines.get(field) or lines.get(row) or lines.get("year") or 1


def _parse_targets(path: Path) -> dict[int, list[Goal]]:
    """The declared goals of each year; a year that breaks a rule of the service is an error at its line."""
    src = read_source(path)
    years = src.meta.get("years")
    if not isinstance(years, dict):
        raise ContentError("targets.yml must hold a mapping of years under 'years'", 1)
    root = yaml.compose(path.read_text("utf-8"), Loader=_Loader)
    wanted: dict[int, list[Goal]] = {}
    for year, block in years.items():
        lines = _year_lines(root, str(year))
        line = lines.get("year", 1)
        if not isinstance(block, dict) or not isinstance(block.get("targets"), list):
            raise ContentError(f"year {year} needs a list under 'targets'", line)
        source = str(block.get("source") or "")
        goals = [
            Goal(
                key=str(entry.get("key") or ""),
                goal=entry.get("goal", 0),
                unit=str(entry.get("unit") or ""),
                wording=str(entry.get("wording") or ""),
                source=str(entry.get("source") or source),
            )
            if isinstance(entry, dict)
            else Goal(key="")
            for entry in block["targets"]
        ]
        problems = check_year(year, goals)
        if problems:
            raise ContentError(problems[0].en, _line(lines, problems[0].field))
        wanted[int(year)] = goals
    return wanted


def load_targets(sess: Session, path: Path, report: LoadReport) -> None:
    """Each year the file lists is declared by :func:`~portal.services.targets.declaration.declare_year`
    as the actor ``content``: the file is authoritative for the years it lists (a target removed from a
    year is removed); a year it no longer lists keeps its targets."""
    try:
        wanted = _parse_targets(path)
    except ContentError as exc:
        report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
        return
    with sess.begin_nested():
        for year, goals in wanted.items():
            done = declare_year(sess, ACTOR, year, goals, note=str(path))
            report.created += done.created
            report.updated += done.updated + [f"{label} (removed)" for label in done.removed]
            report.unchanged += done.unchanged


# The fields of the service's rules → the keys of a meeting file, to point at the line at fault.
_MEETING_KEYS = {"agency_id": "agency", "minutes_md": "minutes", "slug": "title"}


def meeting_form(sess: Session, src: Source) -> meeting_service.MeetingForm:
    """A meeting file read into the values the staff form gives; the service checks them."""
    labels = {v: k for k, v in INVITED_GROUPS.items()}  # 专家学者 → experts; keys pass as they are
    agency_ref = src.text("agency")
    agency = find_agency(sess, agency_ref) if agency_ref else None
    if agency_ref and agency is None:
        raise src.fail("agency", f"unknown agency '{agency_ref}' in 'agency'")
    return meeting_service.MeetingForm(
        title=src.text("title"),
        agency_id=agency.id if agency else None,
        held_on=src.date("held_on"),
        invited=[labels.get(g, g) for g in src.str_list("invited")],
        stream_url=src.text("stream_url"),
        minutes_md=src.text("minutes") or src.body.strip(),
        cancelled=bool(src.meta.get("cancelled")),
    )


def load_meetings(sess: Session, directory: Path, report: LoadReport) -> None:
    """Each file is written by the staff area's :func:`~portal.services.meetings.save_meeting`, as the
    actor ``content``; a reload of a changed file overwrites a staff edit of the same meeting."""
    for path in sorted(directory.glob("*.yml")):
        slug = path.stem
        try:
            src = read_source(path)
            meeting = sess.scalars(select(Meeting).where(Meeting.slug == slug)).first()
            if meeting is not None and meeting.content_hash == src.digest:
                report.unchanged.append(f"meeting:{slug}")
                continue
            form = meeting_form(sess, src)
            with sess.begin_nested():
                before = None if meeting is None else meeting_service.snapshot(meeting)
                minutes = None if meeting is None else meeting.minutes_md
                saved = src.check(
                    meeting_service.save_meeting, sess, ACTOR, form, meeting, slug, keys=_MEETING_KEYS
                )
                saved.content_hash = src.digest
        except ContentError as exc:
            report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
            continue
        if meeting is None:
            report.created.append(f"meeting:{slug}")
        elif (before, minutes) != (meeting_service.snapshot(saved), saved.minutes_md):
            report.updated.append(f"meeting:{slug}")
        else:
            report.unchanged.append(f"meeting:{slug}")
