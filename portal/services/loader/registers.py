"""Loading the targets declaration (``targets.yml``) and the meetings register (``meetings/*.yml``).

Both follow the loader's rules: idempotent, one savepoint per record, errors as ``path:line: message``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Meeting, Target
from portal.models.meetings import INVITED_GROUPS
from portal.models.targets import DEFAULT_GROWTH_UNIT, GROWTH_UNITS
from portal.services import meetings as meeting_service
from portal.services.audit import record
from portal.services.loader import ACTOR, ContentError, LoadReport, _Loader, find_agency, read_source
from portal.services.targets import METRICS

TARGET_FIELDS = ("goal", "unit", "wording", "source", "position")


def _lines(node: yaml.Node | None, key: str) -> dict[Any, int]:
    """Line of each key of the mapping found under ``key`` (e.g. each year under ``years``)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    for key_node, value in node.value:
        if key_node.value == key and isinstance(value, yaml.MappingNode):
            return {k.value: k.start_mark.line + 1 for k, _v in value.value}
    return {}


def _parse_targets(path: Path) -> list[dict[str, Any]]:
    src = read_source(path)
    years = src.meta.get("years")
    if not isinstance(years, dict):
        raise ContentError("targets.yml must hold a mapping of years under 'years'", 1)
    year_lines = _lines(yaml.compose(path.read_text("utf-8"), Loader=_Loader), "years")
    wanted = []
    for year, block in years.items():
        line = year_lines.get(str(year), 1)
        if not str(year).isdigit() or not 1990 <= int(year) <= 2100:
            raise ContentError(f"bad year '{year}' (expected e.g. 2020)", line)
        if not isinstance(block, dict) or not isinstance(block.get("targets"), list):
            raise ContentError(f"year {year} needs a list under 'targets'", line)
        seen = set()
        for position, entry in enumerate(block["targets"]):
            where = f"year {year}, target {position + 1}"
            if not isinstance(entry, dict) or entry.get("key") not in METRICS:
                raise ContentError(f"{where}: 'key' must be one of {', '.join(METRICS)}", line)
            key = entry["key"]
            if key in seen:
                raise ContentError(f"{where}: '{key}' is declared twice", line)
            seen.add(key)
            try:
                goal = float(entry.get("goal", 0))
            except (TypeError, ValueError):
                raise ContentError(f"{where}: goal '{entry.get('goal')}' is not a number", line) from None
            unit = ""
            if METRICS[key].kind == "growth":
                unit = str(entry.get("unit") or DEFAULT_GROWTH_UNIT)
                if unit not in GROWTH_UNITS:
                    raise ContentError(f"{where}: unit must be one of {', '.join(GROWTH_UNITS)}", line)
            elif entry.get("unit"):
                raise ContentError(f"{where}: 'unit' only applies to growth targets", line)
            if METRICS[key].kind == "rate" and not 0 <= goal <= 100:
                raise ContentError(f"{where}: a rate goal is a percentage between 0 and 100", line)
            wanted.append(
                {
                    "year": int(year),
                    "key": key,
                    "goal": goal,
                    "unit": unit,
                    "wording": str(entry.get("wording") or "").strip(),
                    "source": str(entry.get("source") or block.get("source") or "").strip(),
                    "position": position,
                }
            )
    return wanted


def load_targets(sess: Session, path: Path, report: LoadReport) -> None:
    """The file is authoritative for the years it lists: a target removed from a year is removed."""
    try:
        wanted = _parse_targets(path)
    except ContentError as exc:
        report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
        return
    with sess.begin_nested():
        existing = {
            (t.year, t.key): t
            for t in sess.scalars(select(Target).where(Target.year.in_({w["year"] for w in wanted})))
        }
        for values in wanted:
            label = f"target:{values['year']}:{values['key']}"
            target = existing.pop((values["year"], values["key"]), None)
            if target is None:
                target = Target(**values)
                sess.add(target)
                sess.flush()
                record(sess, ACTOR, "target.create", target, after=values, note=str(path))
                report.created.append(label)
            elif any(getattr(target, k) != values[k] for k in TARGET_FIELDS):
                before = {k: getattr(target, k) for k in TARGET_FIELDS}
                for k in TARGET_FIELDS:
                    setattr(target, k, values[k])
                record(sess, ACTOR, "target.update", target, before=before, after=values, note=str(path))
                report.updated.append(label)
            else:
                report.unchanged.append(label)
        for target in existing.values():
            record(
                sess,
                ACTOR,
                "target.delete",
                target,
                before={"goal": target.goal, "unit": target.unit},
                note=str(path),
            )
            sess.delete(target)
            report.updated.append(f"target:{target.year}:{target.key} (removed)")


class _Data(dict):
    """A dict with ``getlist``, so that content files go through the same validation as the staff form."""

    def getlist(self, key: str) -> list[str]:
        value = self.get(key)
        return (
            [] if value in (None, "") else [str(v) for v in (value if isinstance(value, list) else [value])]
        )


_FIELD_KEYS = {
    "title": "title",
    "agency_id": "agency",
    "held_on": "held_on",
    "invited": "invited",
    "stream_url": "stream_url",
    "minutes_md": "minutes",
}


def load_meetings(sess: Session, directory: Path, report: LoadReport) -> None:
    labels = {**{k: k for k in INVITED_GROUPS}, **{v: k for k, v in INVITED_GROUPS.items()}}
    for path in sorted(directory.glob("*.yml")):
        slug = path.stem
        try:
            src = read_source(path)
            meeting = sess.scalars(select(Meeting).where(Meeting.slug == slug)).first()
            if meeting is not None and meeting.content_hash == src.digest:
                report.unchanged.append(f"meeting:{slug}")
                continue
            agency = find_agency(sess, src.text("agency")) if src.text("agency") else None
            if agency is None:
                raise src.fail("agency", f"unknown or missing agency '{src.text('agency')}'")
            invited = src.str_list("invited")
            unknown = [g for g in invited if g not in labels]
            if unknown:
                raise src.fail(
                    "invited", f"unknown invited group '{unknown[0]}' (allowed: {', '.join(INVITED_GROUPS)})"
                )
            data = _Data(
                title=src.text("title"),
                agency_id=str(agency.id),
                held_on=src.text("held_on"),
                invited=[labels[g] for g in invited],
                stream_url=src.text("stream_url"),
                minutes_md=src.text("minutes") or src.body,
                cancelled="1" if src.meta.get("cancelled") else "",
            )
            form = meeting_service.MeetingForm.parse(sess, data)
            if form.errors:
                name, _message = next(iter(form.errors.items()))
                key = _FIELD_KEYS.get(name, name)
                raise src.fail(key, f"bad or missing '{key}'")
        except ContentError as exc:
            report.errors.append(f"{path}:{exc.line or 1}: {exc.message}")
            continue
        with sess.begin_nested():
            is_new = meeting is None
            before = None if meeting is None else meeting_service.snapshot(meeting)
            if meeting is None:
                meeting = Meeting(slug=slug)
                sess.add(meeting)
            meeting_service.apply(meeting, form)
            meeting.content_hash = src.digest
            sess.flush()
            record(
                sess,
                ACTOR,
                f"meeting.{'create' if is_new else 'update'}",
                meeting,
                before=before,
                after=meeting_service.snapshot(meeting),
                note=str(path),
            )
        (report.created if is_new else report.updated).append(f"meeting:{slug}")
